/**
 * How each instrumentation writes its spans: one writer per convention, with the same methods
 * (root, agent, endAgent, llm, embed, tool, retrieval). Shapes follow what the real libraries
 * emit (fixtures/instrumented/, src/lib/genai/conventions.ts): names, kinds, keys, the Vercel outer
 * span repeating its inner span's usage, invoke_agent spans carrying their children's totals.
 * A writer also decides which usage the telemetry can report (e.g. the official OpenAI
 * instrumentation reports no cache tokens) and records exactly that, once per call; and it
 * marks the spans that repeat usage and the model spans that report none (failed calls), so the
 * count of calls (./calls.mjs) sees what llmtrace sees.
 */
import { MODELS } from './catalog.mjs';
import { dbl } from './builder.mjs';

const CLIENT = 3;
const SERVER = 2;
const INTERNAL = 1;

const HOSTS = { openai: 'api.openai.com', anthropic: 'api.anthropic.com', 'aws.bedrock': 'bedrock-runtime.us-east-1.amazonaws.com', 'gcp.gemini': 'generativelanguage.googleapis.com', mistral_ai: 'api.mistral.ai', vllm: 'vllm.internal' };
const VERCEL_PROVIDER = { openai: 'openai.chat', anthropic: 'anthropic.messages', 'gcp.gemini': 'google.generative-ai', mistral_ai: 'mistral.chat' };
const OI_PROVIDER = { openai: 'openai', anthropic: 'anthropic', mistral_ai: 'mistralai', 'gcp.gemini': 'google', 'aws.bedrock': 'aws' };
const QUESTIONS = ['How do I rotate the API key?', 'Summarize the last three tickets from this customer.', 'Why was order 4412 refunded twice?', 'Draft a reply about the delayed shipment.', 'Which plan includes SSO?', 'Compare Q2 and Q3 churn.'];

/** Duration of a model call in µs: latency plus generation time. */
function llmDuration(rng, usage) {
  return Math.min(45_000_000, rng.int(180_000, 900_000) + (usage ? usage.output * rng.int(8_000, 25_000) : 0));
}

/** Reported usage: what this convention can express of the provider's counts. */
function reported(usage, fields) {
  return {
    input: usage.input,
    output: usage.output,
    cacheRead: fields.cacheRead ? usage.cacheRead : 0,
    cacheWrite: fields.cacheWrite ? usage.cacheWrite : 0,
    reasoning: fields.reasoning ? usage.reasoning : 0,
  };
}

function finishAttrs(call) {
  return call.wantsTool ? 'tool_calls' : call.rng.chance(0.03) ? 'length' : 'stop';
}

function errorType(rng) {
  return rng.weighted([['RateLimitError', 5], ['APIConnectionError', 2], ['APITimeoutError', 2], ['InternalServerError', 1]]);
}

function exceptionEvent(timeUs, type) {
  return { name: 'exception', timeUs, attrs: [['exception.type', type], ['exception.message', `${type}: request failed`], ['exception.stacktrace', `${type}: request failed\n    at OpenAI.makeRequest (core.js:312:17)\n    at async Completions.create (completions.js:88:12)`]] };
}

// ─────────────────────────────── current gen_ai.* ───────────────────────────────

/** Current GenAI convention; `flavor` picks what differs between producers. */
function genaiWriter(flavor) {
  const official = flavor === 'official';
  const selfHosted = flavor === 'selfhosted';
  const fields = official || selfHosted ? {} : { cacheRead: true, cacheWrite: true, reasoning: true };
  const providerKey = official || selfHosted ? 'gen_ai.system' : 'gen_ai.provider.name';
  return {
    root(tb, ctx, t0) {
      const attrs = [['gen_ai.operation.name', 'invoke_agent'], ['gen_ai.agent.name', ctx.agentName]];
      if (ctx.feature) attrs.push(['app.feature', ctx.feature]);
      attrs.push(['user.id', ctx.user], ['session.id', ctx.session], ['tenant.id', ctx.tenant]);
      if (flavor === 'genai') {
        attrs[0][1] = 'invoke_workflow';
        attrs[1] = ['gen_ai.workflow.name', ctx.agentName];
        attrs.push(['gen_ai.conversation.id', ctx.session]);
      }
      const name = flavor === 'genai' ? `invoke_workflow ${ctx.agentName}` : selfHosted ? 'eval.run' : `invoke_agent ${ctx.agentName}`;
      if (selfHosted) attrs.splice(0, 2, ['eval.suite', 'nightly-regression'], ['eval.samples', tb.rng.int(50, 400)]);
      return tb.open(null, ctx.res, ctx.manualScope, name, INTERNAL, t0, attrs);
    },
    agent(tb, parent, ctx, t0, name) {
      const span = tb.open(parent, ctx.res, ctx.manualScope, `invoke_agent ${name}`, INTERNAL, t0, [
        ['gen_ai.operation.name', 'invoke_agent'],
        ['gen_ai.agent.name', name],
        ['gen_ai.agent.id', `agent_${tb.rng.hex(6)}`],
      ]);
      if (!official) span.attrs.push([providerKey, ctx.provider]);
      if (flavor === 'genai') span.attrs.push(['gen_ai.conversation.id', ctx.session]);
      span.callsFrom = tb.calls.length;
      return span;
    },
    endAgent(tb, span, t) {
      // invoke_agent spans of this producer carry the totals of the calls below them.
      if (flavor === 'genai') {
        const below = tb.calls.slice(span.callsFrom);
        if (below.length) {
          let input = 0, output = 0;
          for (const c of below) {
            input += c.usage.input;
            output += c.usage.output;
          }
          span.attrs.push(['gen_ai.usage.input_tokens', input], ['gen_ai.usage.output_tokens', output]);
          tb.repeatUsage(span, { input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
        }
      }
      return tb.close(span, t);
    },
    llm(tb, parent, ctx, t0, call) {
      const m = MODELS[call.model];
      const op = 'chat';
      const span = tb.open(parent, ctx.res, ctx.libScope, `${op} ${call.model}`, CLIENT, t0, [
        ['gen_ai.operation.name', op],
        ['gen_ai.request.model', call.model],
        [providerKey, selfHosted ? 'openai' : m.provider],
        ['server.address', HOSTS[m.provider]],
        ['server.port', selfHosted ? 8000 : 443],
      ]);
      if (!official) span.attrs.push(['gen_ai.request.max_tokens', 4096], ['gen_ai.request.temperature', dbl(0.2)]);
      if (call.stream) span.attrs.push(['gen_ai.request.stream', true]);
      const end = t0 + llmDuration(tb.rng, call.error ? null : call.usage);
      if (call.error) {
        const type = errorType(tb.rng);
        tb.fail(span, `${type}: 429 Rate limit reached for ${call.model}`);
        span.attrs.push(['error.type', type]);
        if (!official) span.events.push(exceptionEvent(end - 1000, type));
        // gen_ai.operation.name says "chat": a call with no usage, under the requested model.
        tb.modelSpanWithoutUsage(span, call.model);
        return { end: tb.close(span, end) };
      }
      const u = reported(call.usage, fields);
      span.attrs.push(
        ['gen_ai.response.finish_reasons', [finishAttrs(call)]],
        ['gen_ai.response.id', `chatcmpl-${tb.rng.hex(12)}`],
        ['gen_ai.response.model', m.response],
        ['gen_ai.usage.input_tokens', u.input],
        ['gen_ai.usage.output_tokens', u.output],
      );
      if (fields.cacheRead && u.cacheRead) span.attrs.push(['gen_ai.usage.cache_read.input_tokens', u.cacheRead]);
      if (fields.cacheWrite && u.cacheWrite) span.attrs.push(['gen_ai.usage.cache_creation.input_tokens', u.cacheWrite]);
      if (fields.reasoning && u.reasoning) span.attrs.push(['gen_ai.usage.reasoning.output_tokens', u.reasoning]);
      if (ctx.captureContent) {
        span.attrs.push(['gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: tb.rng.pick(QUESTIONS) }] }])]);
      }
      tb.recordCall(span, call.model, u);
      return { end: tb.close(span, end) };
    },
    embed(tb, parent, ctx, t0, call) {
      const m = MODELS[call.model];
      const span = tb.open(parent, ctx.res, ctx.libScope, `embeddings ${call.model}`, CLIENT, t0, [
        ['gen_ai.operation.name', 'embeddings'],
        ['gen_ai.request.model', call.model],
        [providerKey, 'openai'],
        ['server.address', HOSTS.openai],
        ['server.port', 443],
        ['gen_ai.response.model', m.response],
        ['gen_ai.usage.input_tokens', call.usage.input],
      ]);
      tb.recordCall(span, call.model, reported({ ...call.usage, output: 0 }, {}));
      return tb.close(span, t0 + tb.rng.int(40_000, 260_000));
    },
    tool(tb, parent, ctx, t0, tool, body) {
      const attrs = [['gen_ai.operation.name', 'execute_tool'], ['gen_ai.tool.name', tool], ['gen_ai.tool.type', 'function'], ['gen_ai.tool.call.id', `call_${tb.rng.hex(8)}`]];
      const span = tb.open(parent, ctx.res, ctx.manualScope, `execute_tool ${tool}`, INTERNAL, t0, attrs);
      let t = t0 + tb.rng.int(2_000, 30_000);
      if (body) t = body(span, t);
      t += tb.rng.int(5_000, 400_000);
      if (tb.rng.chance(0.04)) {
        tb.fail(span, `${tool} failed: upstream returned 502`);
        span.attrs.push(['error.type', 'ToolError']);
      }
      return tb.close(span, t);
    },
    retrieval(tb, parent, ctx, t0) {
      const span = tb.open(parent, ctx.res, ctx.manualScope, 'retrieval kb-main', CLIENT, t0, [
        ['gen_ai.operation.name', 'retrieval'],
        ['gen_ai.data_source.id', 'kb-main'],
      ]);
      return tb.close(span, t0 + tb.rng.int(15_000, 120_000));
    },
  };
}

// ───────────────────────────── deprecated gen_ai.* (≤ 1.26) ─────────────────────────────

const deprecated = {
  root(tb, ctx, t0) {
    return tb.open(null, ctx.res, ctx.manualScope, 'summarize_ticket', INTERNAL, t0, [
      ['app.feature', ctx.feature],
      ['code.function', 'summarize_ticket'],
      ['enduser.id', ctx.user],
    ]);
  },
  agent(tb, parent, ctx, t0, name) {
    return tb.open(parent, ctx.res, ctx.manualScope, name, INTERNAL, t0, [['code.function', name]]);
  },
  endAgent(tb, span, t) {
    return tb.close(span, t);
  },
  llm(tb, parent, ctx, t0, call) {
    const m = MODELS[call.model];
    const system = m.provider === 'aws.bedrock' ? 'aws.bedrock' : 'openai';
    const span = tb.open(parent, ctx.res, ctx.libScope, `chat ${call.model}`, CLIENT, t0, [
      ['gen_ai.system', system],
      ['gen_ai.request.model', call.model],
      ['gen_ai.request.temperature', dbl(0.3)],
      ['gen_ai.request.max_tokens', 1024],
    ]);
    if (tb.rng.chance(0.3)) span.attrs.push(['gen_ai.openai.request.seed', 42]);
    const end = t0 + llmDuration(tb.rng, call.error ? null : call.usage);
    if (call.error) {
      // Semconv ≤ 1.26 has no gen_ai.operation.name: without usage nothing but gen_ai.system and
      // the span name says "model call", and llmtrace classifies such a span as other, not llm
      // (src/lib/genai/classify.ts): by the definition of a call it is no call. Not marked.
      tb.fail(span, 'Error code: 429');
      return { end: tb.close(span, end) };
    }
    const u = reported(call.usage, {});
    span.attrs.push(
      ['gen_ai.response.model', m.response],
      ['gen_ai.response.id', `chatcmpl-${tb.rng.hex(12)}`],
      ['gen_ai.response.finish_reasons', [finishAttrs(call)]],
      ['gen_ai.usage.prompt_tokens', u.input],
      ['gen_ai.usage.completion_tokens', u.output],
    );
    if (system === 'openai') span.attrs.push(['gen_ai.openai.response.system_fingerprint', 'fp_44709d6fcb']);
    if (ctx.captureContent) {
      span.events.push(
        { name: 'gen_ai.user.message', timeUs: t0 + 10, attrs: [['gen_ai.system', system], ['content', tb.rng.pick(QUESTIONS)]] },
        { name: 'gen_ai.choice', timeUs: end - 10, attrs: [['gen_ai.system', system], ['index', 0], ['finish_reason', 'stop']] },
      );
    }
    tb.recordCall(span, call.model, u);
    return { end: tb.close(span, end) };
  },
  embed(tb, parent, ctx, t0, call) {
    const span = tb.open(parent, ctx.res, ctx.libScope, `embeddings ${call.model}`, CLIENT, t0, [
      ['gen_ai.system', 'openai'],
      ['gen_ai.request.model', call.model],
      ['gen_ai.response.model', call.model],
      ['gen_ai.usage.prompt_tokens', call.usage.input],
    ]);
    tb.recordCall(span, call.model, reported({ ...call.usage, output: 0 }, {}));
    return tb.close(span, t0 + tb.rng.int(40_000, 260_000));
  },
  tool(tb, parent, ctx, t0, tool, body) {
    const span = tb.open(parent, ctx.res, ctx.manualScope, tool, INTERNAL, t0, [['code.function', tool]]);
    let t = t0 + tb.rng.int(2_000, 30_000);
    if (body) t = body(span, t);
    return tb.close(span, t + tb.rng.int(5_000, 300_000));
  },
  retrieval(tb, parent, ctx, t0) {
    const span = tb.open(parent, ctx.res, ctx.manualScope, 'vector_search', CLIENT, t0, [['db.system', 'pgvector'], ['db.operation', 'SELECT']]);
    return tb.close(span, t0 + tb.rng.int(5_000, 80_000));
  },
};

// ─────────────────────────────── OpenInference ───────────────────────────────

const openinference = {
  root(tb, ctx, t0, parent = null) {
    const q = tb.rng.pick(QUESTIONS);
    return tb.open(parent, ctx.res, ctx.manualScope, 'RAG pipeline', INTERNAL, t0, [
      ['openinference.span.kind', 'CHAIN'],
      ['input.value', q],
      ['input.mime_type', 'text/plain'],
      ['output.value', 'Here is what I found in the knowledge base.'],
      ['session.id', ctx.session],
      ['user.id', ctx.user],
      ['app.feature', ctx.feature],
      ['metadata', JSON.stringify({ tenant: ctx.tenant, release: '2.0.5' })],
      ['tag.tags', ['rag', ctx.tenant]],
    ]);
  },
  agent(tb, parent, ctx, t0, name) {
    return tb.open(parent, ctx.res, ctx.manualScope, name, INTERNAL, t0, [['openinference.span.kind', 'AGENT'], ['agent.name', name], ['input.value', tb.rng.pick(QUESTIONS)]]);
  },
  endAgent(tb, span, t) {
    return tb.close(span, t);
  },
  llm(tb, parent, ctx, t0, call) {
    const m = MODELS[call.model];
    const span = tb.open(parent, ctx.res, ctx.libScope, 'ChatCompletion', INTERNAL, t0, [
      ['openinference.span.kind', 'LLM'],
      ['llm.model_name', call.error ? call.model : m.response],
      ['llm.provider', OI_PROVIDER[m.provider]],
      ['llm.system', m.provider === 'mistral_ai' ? 'mistralai' : 'openai'],
      ['llm.invocation_parameters', JSON.stringify({ model: call.model, temperature: 0.1 })],
      ['input.mime_type', 'application/json'],
      ['llm.input_messages.0.message.role', 'system'],
      ['llm.input_messages.0.message.content', 'Answer from the retrieved context only.'],
      ['llm.input_messages.1.message.role', 'user'],
      ['llm.input_messages.1.message.content', tb.rng.pick(QUESTIONS)],
    ]);
    const end = t0 + llmDuration(tb.rng, call.error ? null : call.usage);
    if (call.error) {
      tb.fail(span, 'RateLimitError: Error code: 429');
      span.events.push(exceptionEvent(end - 500, 'openai.RateLimitError'));
      tb.modelSpanWithoutUsage(span, call.model); // span kind LLM, llm.model_name = the request
      return { end: tb.close(span, end) };
    }
    const u = reported(call.usage, { cacheRead: true, cacheWrite: true, reasoning: true });
    span.status = 1;
    span.attrs.push(
      ['output.mime_type', 'application/json'],
      ['llm.output_messages.0.message.role', 'assistant'],
      ['llm.output_messages.0.message.content', 'Based on the documents, the answer is in section 3.'],
      ['llm.finish_reason', finishAttrs(call)],
      ['llm.token_count.prompt', u.input],
      ['llm.token_count.completion', u.output],
      ['llm.token_count.total', u.input + u.output],
    );
    if (u.cacheRead) span.attrs.push(['llm.token_count.prompt_details.cache_read', u.cacheRead]);
    if (u.reasoning) span.attrs.push(['llm.token_count.completion_details.reasoning', u.reasoning]);
    tb.recordCall(span, call.model, u);
    return { end: tb.close(span, end) };
  },
  embed(tb, parent, ctx, t0, call) {
    // OpenInference records no token counts on embeddings (fixtures/instrumented/README.md).
    const span = tb.open(parent, ctx.res, ctx.libScope, 'CreateEmbeddings', INTERNAL, t0, [
      ['openinference.span.kind', 'EMBEDDING'],
      ['embedding.model_name', call.model],
      ['llm.system', 'openai'],
      ['embedding.embeddings.0.embedding.text', tb.rng.pick(QUESTIONS)],
    ]);
    span.status = 1;
    // Span kind EMBEDDING with a model but no usage: a call with no tokens, like a failed one.
    tb.modelSpanWithoutUsage(span, call.model);
    return tb.close(span, t0 + tb.rng.int(40_000, 260_000));
  },
  tool(tb, parent, ctx, t0, tool, body) {
    const span = tb.open(parent, ctx.res, ctx.manualScope, tool, INTERNAL, t0, [
      ['openinference.span.kind', 'TOOL'],
      ['tool.name', tool],
      ['tool.description', `Run ${tool}`],
      ['input.value', JSON.stringify({ query: 'status of order' })],
    ]);
    let t = t0 + tb.rng.int(2_000, 30_000);
    if (body) t = body(span, t);
    span.status = tb.rng.chance(0.04) ? 2 : 1;
    if (span.status === 2) span.statusMessage = 'ToolException: timeout';
    return tb.close(span, t + tb.rng.int(5_000, 300_000));
  },
  retrieval(tb, parent, ctx, t0) {
    const span = tb.open(parent, ctx.res, ctx.manualScope, 'VectorStoreRetriever', INTERNAL, t0, [
      ['openinference.span.kind', 'RETRIEVER'],
      ['input.value', tb.rng.pick(QUESTIONS)],
      ['retrieval.documents.0.document.id', `doc-${tb.rng.int(1, 90000)}`],
      ['retrieval.documents.0.document.score', dbl(0.83)],
      ['retrieval.documents.1.document.id', `doc-${tb.rng.int(1, 90000)}`],
      ['retrieval.documents.1.document.score', dbl(0.79)],
    ]);
    span.status = 1;
    return tb.close(span, t0 + tb.rng.int(15_000, 150_000));
  },
};

// ─────────────────────────────── Vercel AI SDK v6 ───────────────────────────────

function vercelUsageAttrs(prefixInner, u) {
  const a = [
    ['ai.usage.inputTokens', u.input],
    ['ai.usage.inputTokenDetails.noCacheTokens', u.input - u.cacheRead - u.cacheWrite],
    ['ai.usage.inputTokenDetails.cacheReadTokens', u.cacheRead],
    ['ai.usage.outputTokens', u.output],
    ['ai.usage.outputTokenDetails.textTokens', u.output - u.reasoning],
    ['ai.usage.outputTokenDetails.reasoningTokens', u.reasoning],
    ['ai.usage.totalTokens', u.input + u.output],
    ['ai.usage.reasoningTokens', u.reasoning],
    ['ai.usage.cachedInputTokens', u.cacheRead],
  ];
  if (u.cacheWrite) a.push(['ai.usage.inputTokenDetails.cacheWriteTokens', u.cacheWrite]);
  if (prefixInner) a.push(['gen_ai.usage.input_tokens', u.input], ['gen_ai.usage.output_tokens', u.output]);
  return a;
}

const vercel = {
  root(tb, ctx, t0) {
    return tb.open(null, ctx.res, ctx.manualScope, 'POST /api/chat', SERVER, t0, [
      ['http.request.method', 'POST'],
      ['http.route', '/api/chat'],
      ['url.path', '/api/chat'],
      ['http.response.status_code', 200],
      ['user_agent.original', 'Mozilla/5.0'],
      ['next.span_type', 'AppRouteRouteHandlers.runHandler'],
    ]);
  },
  agent(tb, parent, ctx, t0, name) {
    // A sub-agent is a tool whose execute() runs generateText again.
    return tb.open(parent, ctx.res, ctx.libScope, 'ai.toolCall', INTERNAL, t0, [
      ['operation.name', `ai.toolCall ${ctx.functionId}`],
      ['ai.operationId', 'ai.toolCall'],
      ['ai.telemetry.functionId', ctx.functionId],
      ['ai.toolCall.name', name],
      ['ai.toolCall.id', `call_${tb.rng.hex(8)}`],
    ]);
  },
  endAgent(tb, span, t) {
    return tb.close(span, t);
  },
  llm(tb, parent, ctx, t0, call) {
    const m = MODELS[call.model];
    const stream = call.stream;
    const op = stream ? 'ai.streamText' : 'ai.generateText';
    const innerOp = stream ? 'ai.streamText.doStream' : 'ai.generateText.doGenerate';
    const common = (o) => [
      ['operation.name', `${o} ${ctx.functionId}`],
      ['resource.name', ctx.functionId],
      ['ai.operationId', o],
      ['ai.telemetry.functionId', ctx.functionId],
      ['ai.model.provider', VERCEL_PROVIDER[m.provider]],
      ['ai.model.id', call.model],
      ['ai.settings.maxRetries', 2],
      ['ai.telemetry.metadata.tenant', ctx.tenant],
    ];
    const outer = tb.open(parent, ctx.res, ctx.libScope, op, INTERNAL, t0, common(op));
    if (ctx.captureContent) outer.attrs.push(['ai.prompt', JSON.stringify({ system: 'You are a helpful assistant.', prompt: tb.rng.pick(QUESTIONS) })]);
    const t1 = t0 + tb.rng.int(500, 4_000);
    const inner = tb.open(outer, ctx.res, ctx.libScope, innerOp, INTERNAL, t1, [
      ...common(innerOp),
      ['gen_ai.system', VERCEL_PROVIDER[m.provider]],
      ['gen_ai.request.model', call.model],
    ]);
    const end = t1 + llmDuration(tb.rng, call.error ? null : call.usage);
    if (call.error) {
      const type = 'AI_APICallError';
      for (const s of [inner, outer]) {
        tb.fail(s, 'Rate limit exceeded');
        s.events.push(exceptionEvent(end - 200, type));
        // Both are model spans (ai.generateText and its doGenerate): the inner one is the call.
        tb.modelSpanWithoutUsage(s, call.model);
      }
      tb.close(inner, end);
      return { end: tb.close(outer, end + 300) };
    }
    const u = reported(call.usage, { cacheRead: true, cacheWrite: true, reasoning: true });
    const finish = call.wantsTool ? 'tool-calls' : 'stop';
    inner.attrs.push(
      ['ai.response.finishReason', finish],
      ['ai.response.id', `resp_${tb.rng.hex(10)}`],
      ['ai.response.model', m.response],
      ['ai.response.timestamp', new Date(Math.floor(t1 / 1000)).toISOString()],
      ...vercelUsageAttrs(true, u),
      ['gen_ai.response.finish_reasons', [finish]],
      ['gen_ai.response.model', m.response],
    );
    if (stream) {
      inner.events.push({ name: 'ai.stream.firstChunk', timeUs: t1 + 250_000, attrs: [['ai.response.msToFirstChunk', dbl(250.5)]] });
      inner.events.push({ name: 'ai.stream.finish', timeUs: end - 10, attrs: [] });
    }
    outer.attrs.push(['ai.response.finishReason', finish], ...vercelUsageAttrs(false, u));
    tb.repeatUsage(outer, u);
    if (ctx.captureContent) outer.attrs.push(['ai.response.text', 'Sure — here is a short answer.']);
    tb.recordCall(inner, call.model, u);
    tb.close(inner, end);
    const endOuter = end + tb.rng.int(200, 3_000);
    // Tool calls of this step run inside the outer span: the caller extends it.
    return { end: tb.close(outer, endOuter), toolParent: outer, extend: (t) => tb.close(outer, Math.max(outer.endUs, t + 500)) };
  },
  embed(tb, parent, ctx, t0, call) {
    const outer = tb.open(parent, ctx.res, ctx.libScope, 'ai.embed', INTERNAL, t0, [
      ['operation.name', `ai.embed ${ctx.functionId}`],
      ['ai.operationId', 'ai.embed'],
      ['ai.telemetry.functionId', ctx.functionId],
      ['ai.model.provider', 'openai.embedding'],
      ['ai.model.id', call.model],
      ['ai.usage.tokens', call.usage.input],
    ]);
    const inner = tb.open(outer, ctx.res, ctx.libScope, 'ai.embed.doEmbed', INTERNAL, t0 + 300, [
      ['operation.name', `ai.embed.doEmbed ${ctx.functionId}`],
      ['ai.operationId', 'ai.embed.doEmbed'],
      ['ai.telemetry.functionId', ctx.functionId],
      ['ai.model.provider', 'openai.embedding'],
      ['ai.model.id', call.model],
      ['ai.usage.tokens', call.usage.input],
    ]);
    const usage = reported({ ...call.usage, output: 0 }, {});
    tb.recordCall(inner, call.model, usage);
    tb.repeatUsage(outer, usage); // ai.usage.tokens on ai.embed too
    const end = tb.close(inner, t0 + tb.rng.int(40_000, 260_000));
    return tb.close(outer, end + 200);
  },
  tool(tb, parent, ctx, t0, tool, body) {
    const span = tb.open(parent, ctx.res, ctx.libScope, 'ai.toolCall', INTERNAL, t0, [
      ['operation.name', `ai.toolCall ${ctx.functionId}`],
      ['ai.operationId', 'ai.toolCall'],
      ['ai.telemetry.functionId', ctx.functionId],
      ['ai.toolCall.name', tool],
      ['ai.toolCall.id', `call_${tb.rng.hex(8)}`],
    ]);
    if (ctx.captureContent) span.attrs.push(['ai.toolCall.args', JSON.stringify({ q: 'order 4412' })]);
    let t = t0 + tb.rng.int(2_000, 30_000);
    if (body) t = body(span, t);
    if (tb.rng.chance(0.04)) {
      tb.fail(span, 'tool execution failed');
      span.events.push(exceptionEvent(t, 'AI_ToolExecutionError'));
    }
    return tb.close(span, t + tb.rng.int(5_000, 300_000));
  },
  retrieval(tb, parent, ctx, t0) {
    const span = tb.open(parent, ctx.res, ctx.manualScope, 'fetch POST https://vector.internal/query', CLIENT, t0, [['http.request.method', 'POST'], ['server.address', 'vector.internal']]);
    return tb.close(span, t0 + tb.rng.int(10_000, 90_000));
  },
};

// ─────────────────────────────── OpenLLMetry / Traceloop ───────────────────────────────

function traceloopSpan(tb, parent, ctx, t0, kind, name, extra = []) {
  return tb.open(parent, ctx.res, ctx.manualScope, `${name}.${kind}`, INTERNAL, t0, [
    ['traceloop.span.kind', kind],
    ['traceloop.workflow.name', ctx.workflow],
    ['traceloop.entity.name', name],
    ['traceloop.entity.path', kind === 'workflow' ? '' : ctx.workflow],
    ...extra,
  ]);
}

const openllmetry = {
  root(tb, ctx, t0) {
    return traceloopSpan(tb, null, ctx, t0, 'workflow', ctx.workflow, [
      ['traceloop.entity.input', JSON.stringify({ args: [], kwargs: { account: ctx.tenant } })],
      ['traceloop.association.properties.user_id', ctx.user],
    ]);
  },
  agent(tb, parent, ctx, t0, name) {
    return traceloopSpan(tb, parent, ctx, t0, tb.rng.chance(0.5) ? 'agent' : 'task', name);
  },
  endAgent(tb, span, t) {
    return tb.close(span, t);
  },
  llm(tb, parent, ctx, t0, call) {
    const m = MODELS[call.model];
    const google = m.provider === 'gcp.gemini';
    const span = tb.open(parent, ctx.res, ctx.libScope, google ? 'gemini.generate_content' : 'openai.chat', CLIENT, t0, [
      ['llm.request.type', 'chat'],
      ['gen_ai.system', google ? 'Google' : 'OpenAI'],
      ['gen_ai.request.model', call.model],
      ['gen_ai.request.temperature', dbl(0.7)],
      ['traceloop.workflow.name', ctx.workflow],
      ['gen_ai.prompt.0.role', 'user'],
      ['gen_ai.prompt.0.content', tb.rng.pick(QUESTIONS)],
    ]);
    const end = t0 + llmDuration(tb.rng, call.error ? null : call.usage);
    if (call.error) {
      tb.fail(span, 'Error code: 429 - rate_limit_exceeded');
      span.events.push(exceptionEvent(end - 500, 'openai.RateLimitError'));
      tb.modelSpanWithoutUsage(span, call.model); // llm.request.type says "chat"
      return { end: tb.close(span, end) };
    }
    const u = reported(call.usage, { cacheRead: true, cacheWrite: true, reasoning: true });
    span.attrs.push(
      ['gen_ai.response.model', m.response],
      ['gen_ai.response.id', `chatcmpl-${tb.rng.hex(12)}`],
      ['gen_ai.usage.prompt_tokens', u.input],
      ['gen_ai.usage.completion_tokens', u.output],
      ['llm.usage.total_tokens', u.input + u.output],
      ['gen_ai.completion.0.role', 'assistant'],
      ['gen_ai.completion.0.finish_reason', finishAttrs(call)],
      ['gen_ai.completion.0.content', 'Report section drafted.'],
    );
    if (u.cacheRead) span.attrs.push(['gen_ai.usage.cache_read_input_tokens', u.cacheRead]);
    if (u.cacheWrite) span.attrs.push(['gen_ai.usage.cache_creation_input_tokens', u.cacheWrite]);
    if (u.reasoning) span.attrs.push(['gen_ai.usage.reasoning_tokens', u.reasoning]);
    tb.recordCall(span, call.model, u);
    return { end: tb.close(span, end) };
  },
  embed(tb, parent, ctx, t0) {
    // OpenLLMetry's OpenAI instrumentation does not instrument embeddings: only the task shows.
    const span = traceloopSpan(tb, parent, ctx, t0, 'task', 'embed_chunks');
    return tb.close(span, t0 + tb.rng.int(40_000, 260_000));
  },
  tool(tb, parent, ctx, t0, tool, body) {
    const span = traceloopSpan(tb, parent, ctx, t0, 'tool', tool);
    let t = t0 + tb.rng.int(2_000, 30_000);
    if (body) t = body(span, t);
    return tb.close(span, t + tb.rng.int(5_000, 300_000));
  },
  retrieval(tb, parent, ctx, t0) {
    const span = traceloopSpan(tb, parent, ctx, t0, 'task', 'retrieve');
    return tb.close(span, t0 + tb.rng.int(10_000, 90_000));
  },
};

export const WRITERS = {
  official: genaiWriter('official'),
  genai: genaiWriter('genai'),
  'genai-selfhosted': genaiWriter('selfhosted'),
  deprecated,
  openinference,
  vercel,
  openllmetry,
};

// Run the agent scenario under ONE real LLM instrumentation library and return the finished spans.
// Call runScenario once per process: it registers a global tracer provider and the instrumentation
// patches `openai` globally. emit.mjs is the command-line wrapper that runs it in a child process.
import { createRequire } from 'node:module';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { FAIL_429_MODEL } from './openai-server.mjs';
import { FEATURE, LIBS, ROOT_SPAN, TOOL_NAME } from './scenario.mjs';

const require = createRequire(import.meta.url);

export const SYSTEM = 'You are a research assistant.';
export const QUESTION = 'How do I trace LLM calls?';
export const TOOL_RESULT = 'Use OpenTelemetry GenAI semantic conventions.';

async function instrumentation(lib) {
  switch (lib) {
    case 'official':
      return new (await import('@opentelemetry/instrumentation-openai')).OpenAIInstrumentation();
    case 'openllmetry':
      // enrichTokens: as the Traceloop SDK sets it by default (tiktoken estimates for streams)
      return new (await import('@traceloop/instrumentation-openai')).OpenAIInstrumentation({ enrichTokens: true });
    case 'openinference':
      return new (await import('@arizeai/openinference-instrumentation-openai')).OpenAIInstrumentation();
    default:
      return undefined; // vercel: the AI SDK emits its own spans
  }
}

/** A manual tool span, written to the current GenAI conventions. */
export function executeTool(tracer, callId) {
  return tracer.startActiveSpan(
    `execute_tool ${TOOL_NAME}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': TOOL_NAME,
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.call.id': callId,
      },
    },
    (span) => {
      span.end();
      return TOOL_RESULT;
    },
  );
}

/** `OpenAI`: the client class, by default this package's openai, loaded after registering (the require hook patches it). */
export async function openaiScenario(lib, baseURL, tracer, scenario, OpenAI = require('openai').OpenAI) {
  const client = new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 });
  if (scenario === 'error') {
    await client.chat.completions
      .create({ model: FAIL_429_MODEL, messages: [{ role: 'user', content: QUESTION }] })
      .then(
        () => { throw new Error('expected HTTP 429'); },
        (err) => { if (err?.status !== 429) throw err; },
      );
    return;
  }
  const tools = [
    {
      type: 'function',
      function: {
        name: TOOL_NAME,
        description: 'Search the documentation.',
        parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
      },
    },
  ];
  const messages = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: QUESTION },
  ];
  const first = await client.chat.completions.create({ model: 'gpt-4o', messages, tools });
  const assistant = first.choices[0].message;
  const call = assistant.tool_calls?.[0];
  if (!call) throw new Error('expected a tool call from gpt-4o');
  const result = executeTool(tracer, call.id);
  messages.push(assistant, { role: 'tool', tool_call_id: call.id, content: result });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  if (lib !== 'openllmetry') {
    await client.embeddings.create({ model: 'text-embedding-3-small', input: QUESTION });
  }
  const stream = await client.chat.completions.create({
    model: 'o4-mini',
    messages: [{ role: 'user', content: 'Summarise the answer.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const _chunk of stream) {
    // drain
  }
}

async function vercelScenario(baseURL, scenario) {
  const { embed, generateText, streamText, tool } = await import('ai');
  const { createOpenAI } = await import('@ai-sdk/openai');
  const { z } = await import('zod');
  const openai = createOpenAI({ baseURL, apiKey: 'test' });
  const experimental_telemetry = { isEnabled: true, functionId: FEATURE };
  const common = { maxRetries: 0, experimental_telemetry };
  if (scenario === 'error') {
    await generateText({ ...common, model: openai.chat(FAIL_429_MODEL), prompt: QUESTION }).then(
      () => { throw new Error('expected HTTP 429'); },
      (err) => { if (err?.statusCode !== 429) throw err; },
    );
    return;
  }
  const system = SYSTEM; // the `system` option: system messages in `messages` draw an SDK warning
  const messages = [{ role: 'user', content: QUESTION }];
  // One step: gpt-4o answers with a tool call, the SDK runs the tool (its own `ai.toolCall` span).
  const first = await generateText({
    ...common,
    model: openai.chat('gpt-4o'),
    system,
    messages,
    tools: {
      [TOOL_NAME]: tool({
        description: 'Search the documentation.',
        inputSchema: z.object({ query: z.string() }),
        execute: async () => TOOL_RESULT,
      }),
    },
  });
  if (first.toolCalls.length !== 1) throw new Error('expected a tool call from gpt-4o');
  await generateText({ ...common, model: openai.chat('gpt-4o-mini'), system, messages: [...messages, ...first.response.messages] });
  await embed({ ...common, model: openai.embedding('text-embedding-3-small'), value: QUESTION });
  const stream = streamText({ ...common, model: openai.chat('o4-mini'), prompt: 'Summarise the answer.' });
  await stream.consumeStream();
  await stream.usage;
}

/**
 * Run `body` inside the root span `agent.research` (app.feature=research) with a fresh global
 * tracer provider (service `peer-<lib>`) and `inst` registered, and return the finished spans.
 * @param {string} lib
 * @param {import('@opentelemetry/instrumentation').Instrumentation | undefined} inst
 * @param {(tracer: import('@opentelemetry/api').Tracer) => Promise<void>} body
 * @returns {Promise<import('@opentelemetry/sdk-trace-base').ReadableSpan[]>}
 */
export async function underRootSpan(lib, inst, body) {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': `peer-${lib}` })),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  provider.register();
  if (inst) registerInstrumentations({ instrumentations: [inst], tracerProvider: provider });

  const tracer = trace.getTracer('llmtrace-peers');
  await tracer.startActiveSpan(ROOT_SPAN, { attributes: { 'app.feature': FEATURE } }, async (root) => {
    try {
      await body(tracer);
    } catch (err) {
      root.setStatus({ code: SpanStatusCode.ERROR, message: String(err?.message ?? err) });
      throw err;
    } finally {
      root.end();
    }
  });
  await new Promise((r) => setTimeout(r, 20)); // let stream wrappers end their spans
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/**
 * @param {'official' | 'openllmetry' | 'openinference' | 'vercel'} lib
 * @param {{ baseURL: string, scenario?: 'agent' | 'error' }} opts
 * @returns {Promise<import('@opentelemetry/sdk-trace-base').ReadableSpan[]>}
 */
export async function runScenario(lib, { baseURL, scenario = 'agent' }) {
  if (!LIBS.includes(lib)) throw new Error(`unknown library ${lib}`);
  return underRootSpan(lib, await instrumentation(lib), (tracer) =>
    lib === 'vercel' ? vercelScenario(baseURL, scenario) : openaiScenario(lib, baseURL, tracer, scenario),
  );
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KvList, StatusCode, type AttrValue } from '../../src/lib/span.js';
import { readFileSync } from 'node:fs';
import { classify, CLASSIFY_KEYS, normalizeProvider, toTokenCount, type Usage } from '../../src/lib/genai/classify.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { newAttributes, type Span } from '../../src/lib/span.js';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  CONTENT_KEYS,
  CORE,
  DEPRECATED_KEYS,
  GEN_AI,
  INPUT_KEYS,
  isContentKey,
  LANGFUSE,
  OPENINFERENCE,
  OUTPUT_KEYS,
  PROVIDER_ALIASES,
  REASONING_KEYS,
  TOTAL_KEYS,
  TRACELOOP,
  VERCEL,
} from '../../src/lib/genai/conventions.js';
import { addUsage, emptyUsage, hasUsage, totalTokens } from '../../src/lib/genai/usage.js';
import { makeSpan } from './make-span.js';

function u(input: number, output: number, cacheRead = 0, cacheWrite = 0, reasoning = 0): Usage {
  return { input, output, cacheRead, cacheWrite, reasoning };
}

describe('current gen_ai', () => {
  it('reads an inference span with cache read and cache creation', () => {
    const s = makeSpan(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.usage.input_tokens': 23n,
        'gen_ai.usage.output_tokens': 12n,
        'gen_ai.usage.cache_read.input_tokens': 11n,
        'gen_ai.usage.cache_creation.input_tokens': 5n,
        'gen_ai.usage.reasoning.output_tokens': 4n,
        'gen_ai.conversation.id': 'conv-1',
        'user.id': 'u-7',
      },
      { name: 'chat gpt-4o', kind: 3 },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      usage: u(23, 12, 11, 5, 4),
      finishReasons: ['tool_calls'],
      conversationId: 'conv-1',
      userId: 'u-7',
      convention: 'gen_ai',
    });
  });

  it('accepts the newer cache_write key', () => {
    const s = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 100n,
      'gen_ai.usage.output_tokens': 1n,
      'gen_ai.usage.cache_write.input_tokens': 40n,
    });
    expect(classify(s).usage).toEqual(u(100, 1, 0, 40));
  });

  it('adds cache to an input that cannot include it (Anthropic-style)', () => {
    const s = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': 5n,
      'gen_ai.usage.output_tokens': 20n,
      'gen_ai.usage.cache_read.input_tokens': 1000n,
      'gen_ai.usage.cache_creation.input_tokens': 200n,
    });
    expect(classify(s).usage).toEqual(u(1205, 20, 1000, 200));
  });

  it('adds reasoning to an output that cannot include it, keeps it otherwise', () => {
    const excl = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 10n,
      'gen_ai.usage.output_tokens': 5n,
      'gen_ai.usage.reasoning.output_tokens': 30n,
    });
    expect(classify(excl).usage).toEqual(u(10, 35, 0, 0, 30));
    const incl = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 10n,
      'gen_ai.usage.output_tokens': 50n,
      'gen_ai.usage.reasoning.output_tokens': 30n,
    });
    expect(classify(incl).usage).toEqual(u(10, 50, 0, 0, 30));
  });

  it('classifies every operation', () => {
    const cases: Array<[string, string]> = [
      ['chat', 'llm'],
      ['generate_content', 'llm'],
      ['text_completion', 'llm'],
      ['embeddings', 'embeddings'],
      ['execute_tool', 'tool'],
      ['invoke_agent', 'agent'],
      ['create_agent', 'agent'],
      ['invoke_workflow', 'workflow'],
      ['retrieval', 'retrieval'],
    ];
    for (const [op, kind] of cases) {
      const v = classify(makeSpan({ 'gen_ai.operation.name': op }));
      expect([op, v.kind, v.operation, v.convention]).toEqual([op, kind, op, 'gen_ai']);
    }
  });

  it('reads embeddings with input tokens only', () => {
    const s = makeSpan(
      {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.response.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': 16n,
      },
      { name: 'embeddings text-embedding-3-small', kind: 3 },
    );
    expect(classify(s)).toEqual({
      kind: 'embeddings',
      operation: 'embeddings',
      provider: 'openai',
      requestModel: 'text-embedding-3-small',
      responseModel: 'text-embedding-3-small',
      usage: u(16, 0),
      convention: 'gen_ai',
    });
  });

  it('keeps an unknown operation and falls back to model + usage', () => {
    const v = classify(
      makeSpan({
        'gen_ai.operation.name': 'image_generation',
        'gen_ai.request.model': 'dall-e-3',
        'gen_ai.usage.output_tokens': 1n,
      }),
    );
    expect([v.kind, v.operation, v.convention]).toEqual(['llm', 'image_generation', 'gen_ai']);
  });

  it('treats model + usage without an operation as an LLM call', () => {
    const v = classify(makeSpan({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3n }));
    expect(v).toEqual({ kind: 'llm', requestModel: 'gpt-4o', usage: u(3, 0), convention: 'gen_ai' });
    // usage without a model is not enough
    expect(classify(makeSpan({ 'gen_ai.usage.input_tokens': 3n })).kind).toBe('other');
  });

  it('treats a span naming a tool without any operation as a tool call, its operation left unset', () => {
    const v = classify(makeSpan({ 'gen_ai.tool.name': 'search_docs', 'spanora.tool.status': 'timeout' }));
    expect([v.kind, v.operation, v.toolName, v.convention, v.errorType]).toEqual(['tool', undefined, 'search_docs', 'gen_ai', 'timeout']);
    // An operation that is not a tool's (Gemini CLI's tool_call) is kept and decides: not a tool.
    expect(classify(makeSpan({ 'gen_ai.operation.name': 'tool_call', 'gen_ai.tool.name': 'search_docs' })).kind).toBe('other');
  });
});

describe('deprecated gen_ai', () => {
  it('reads prompt_tokens / completion_tokens and maps gen_ai.system', () => {
    const s = makeSpan({
      'gen_ai.system': 'vertex_ai',
      'gen_ai.request.model': 'gemini-1.5-pro',
      'gen_ai.usage.prompt_tokens': 120n,
      'gen_ai.usage.completion_tokens': 30n,
    });
    expect(classify(s)).toEqual({
      kind: 'llm',
      provider: 'gcp.vertex_ai',
      requestModel: 'gemini-1.5-pro',
      usage: u(120, 30),
      convention: 'gen_ai.deprecated',
    });
  });

  it('prefers current keys over deprecated ones', () => {
    const s = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.system': 'openai',
      'gen_ai.usage.input_tokens': 10n,
      'gen_ai.usage.prompt_tokens': 99n,
      'gen_ai.usage.output_tokens': 2n,
      'gen_ai.usage.completion_tokens': 99n,
    });
    const v = classify(s);
    expect([v.provider, v.usage, v.convention]).toEqual(['azure.ai.openai', u(10, 2), 'gen_ai']);
  });

  it('the official OpenAI instrumentation 0.20 (current usage, deprecated system) is gen_ai', () => {
    const s = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.system': 'openai',
      'gen_ai.usage.input_tokens': 23n,
      'gen_ai.usage.output_tokens': 12n,
    });
    const v = classify(s);
    expect([v.provider, v.convention]).toEqual(['openai', 'gen_ai']);
  });

  it('tags a span with an operation but deprecated usage keys as gen_ai.deprecated', () => {
    const s = makeSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'az.ai.inference',
      'gen_ai.usage.prompt_tokens': 7n,
      'gen_ai.usage.completion_tokens': 3n,
    });
    const v = classify(s);
    expect([v.kind, v.provider, v.usage, v.convention]).toEqual([
      'llm',
      'azure.ai.inference',
      u(7, 3),
      'gen_ai.deprecated',
    ]);
  });
});

describe('provider normalization', () => {
  it.each([
    ['vertex_ai', 'gcp.vertex_ai'],
    ['gemini', 'gcp.gemini'],
    ['az.ai.inference', 'azure.ai.inference'],
    ['az.ai.openai', 'azure.ai.openai'],
    ['xai', 'x_ai'],
    ['openai', 'openai'],
    ['OpenAI', 'openai'],
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['aws.bedrock', 'aws.bedrock'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['azure.ai.openai', 'azure.ai.openai'],
    ['azure.chat', 'azure.ai.openai'],
    ['gcp.vertex_ai', 'gcp.vertex_ai'],
    ['gcp.gen_ai', 'gcp.gen_ai'],
    ['google.generative-ai', 'gcp.gemini'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['vertex.anthropic.messages', 'gcp.vertex_ai'],
    ['ibm.watsonx.ai', 'ibm.watsonx.ai'],
    ['mistral.chat', 'mistral_ai'],
    ['MistralAI', 'mistral_ai'],
    ['xai.chat', 'x_ai'],
    ['groq.chat', 'groq'],
    ['togetherai.chat', 'togetherai'],
    ['my-gateway', 'my-gateway'],
    ['  ', undefined],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeProvider(raw)).toBe(expected);
  });

  it('alias table values are current provider names', () => {
    for (const v of Object.values(PROVIDER_ALIASES)) expect(v).toMatch(/^[a-z_]+(\.[a-z_]+)*$/);
  });
});

describe('OpenInference', () => {
  it('reads an LLM span with cache_read and completion_details.reasoning', () => {
    const s = makeSpan(
      {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-2024-08-06',
        'llm.provider': 'openai',
        'llm.system': 'openai',
        'llm.token_count.prompt': 100n,
        'llm.token_count.completion': 50n,
        'llm.token_count.total': 150n,
        'llm.token_count.prompt_details.cache_read': 40n,
        'llm.token_count.completion_details.reasoning': 20n,
        'session.id': 'sess-9',
        'user.id': 'alice',
      },
      { name: 'OpenAI Chat Completions' },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o-2024-08-06',
      responseModel: 'gpt-4o-2024-08-06',
      usage: u(100, 50, 40, 0, 20),
      conversationId: 'sess-9',
      userId: 'alice',
      convention: 'openinference',
    });
  });

  it('adds cache to a JS-Anthropic prompt count that excludes it', () => {
    const s = makeSpan({
      'openinference.span.kind': 'LLM',
      'llm.provider': 'anthropic',
      'llm.model_name': 'claude-sonnet-4-20250514',
      'llm.token_count.prompt': 12n,
      'llm.token_count.completion': 30n,
      'llm.token_count.prompt_details.cache_read': 2000n,
      'llm.token_count.prompt_details.cache_write': 300n,
    });
    expect(classify(s).usage).toEqual(u(2312, 30, 2000, 300));
  });

  it('uses the reported total to tell an exclusive prompt count apart', () => {
    // 100 prompt + 40 cached + 10 completion = 150 total: the prompt excluded the cache.
    const s = makeSpan({
      'openinference.span.kind': 'LLM',
      'llm.token_count.prompt': 100n,
      'llm.token_count.completion': 10n,
      'llm.token_count.prompt_details.cache_read': 40n,
      'llm.token_count.total': 150n,
    });
    expect(classify(s).usage).toEqual(u(140, 10, 40));
  });

  it.each([
    ['EMBEDDING', 'embeddings', 'embeddings'],
    ['TOOL', 'tool', 'execute_tool'],
    ['AGENT', 'agent', 'invoke_agent'],
    ['CHAIN', 'workflow', 'invoke_workflow'],
    ['RETRIEVER', 'retrieval', 'retrieval'],
    ['RERANKER', 'retrieval', 'retrieval'],
    ['GUARDRAIL', 'other', undefined],
    ['llm', 'llm', 'chat'],
  ])('span.kind %s → %s', (k, kind, op) => {
    const v = classify(makeSpan({ 'openinference.span.kind': k }));
    expect([v.kind, v.operation, v.convention]).toEqual([kind, op, 'openinference']);
  });

  it('reads embedding model, tool and agent names', () => {
    const e = classify(
      makeSpan({
        'openinference.span.kind': 'EMBEDDING',
        'embedding.model_name': 'text-embedding-3-small',
        'llm.token_count.prompt': 8n,
      }),
    );
    expect([e.requestModel, e.usage]).toEqual(['text-embedding-3-small', u(8, 0)]);
    const t = classify(makeSpan({ 'openinference.span.kind': 'TOOL', 'tool.name': 'get_weather' }));
    expect(t.toolName).toBe('get_weather');
    const a = classify(makeSpan({ 'openinference.span.kind': 'AGENT', 'agent.name': 'planner' }));
    expect(a.agentName).toBe('planner');
  });

  it('ignores OpenInference token keys on spans that are not OpenInference', () => {
    expect(classify(makeSpan({ 'llm.token_count.prompt': 5n })).usage).toBeUndefined();
  });
});

describe('Vercel AI SDK', () => {
  it('v4: promptTokens / completionTokens on doGenerate', () => {
    const s = makeSpan(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-4o-mini',
        'ai.response.model': 'gpt-4o-mini-2024-07-18',
        'ai.response.finishReason': 'stop',
        'ai.usage.promptTokens': 14n,
        'ai.usage.completionTokens': 7n,
        'ai.telemetry.functionId': 'summarize',
      },
      { name: 'ai.generateText.doGenerate', kind: 3 },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      usage: u(14, 7),
      finishReasons: ['stop'],
      convention: 'vercel',
    });
  });

  it('v5: inputTokens + cachedInputTokens + reasoningTokens', () => {
    const s = makeSpan(
      {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.provider': 'openai.responses',
        'ai.model.id': 'o4-mini',
        'ai.usage.inputTokens': 500n,
        'ai.usage.outputTokens': 300n,
        'ai.usage.cachedInputTokens': 200n,
        'ai.usage.reasoningTokens': 256n,
        'ai.usage.totalTokens': 800n,
      },
      { name: 'ai.streamText.doStream' },
    );
    const v = classify(s);
    expect([v.kind, v.provider, v.usage, v.convention]).toEqual(['llm', 'openai', u(500, 300, 200, 0, 256), 'vercel']);
  });

  it('v5 Anthropic: inputTokens without cache is converted', () => {
    const s = makeSpan(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.usage.inputTokens': 4n,
        'ai.usage.outputTokens': 90n,
        'ai.usage.cachedInputTokens': 5000n,
      },
      { name: 'ai.generateText.doGenerate' },
    );
    const v = classify(s);
    expect([v.provider, v.usage]).toEqual(['anthropic', u(5004, 90, 5000)]);
  });

  it('v6: noCacheTokens + cacheRead + cacheWrite, with its gen_ai copies', () => {
    const s = makeSpan(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.model.id': 'claude-sonnet-4-5',
        'gen_ai.system': 'anthropic.messages',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 1100n,
        'gen_ai.usage.output_tokens': 50n,
        'ai.usage.inputTokens': 1100n,
        'ai.usage.inputTokenDetails.noCacheTokens': 100n,
        'ai.usage.inputTokenDetails.cacheReadTokens': 800n,
        'ai.usage.inputTokenDetails.cacheWriteTokens': 200n,
        'ai.usage.outputTokens': 50n,
        'ai.usage.outputTokenDetails.reasoningTokens': 10n,
        'ai.usage.totalTokens': 1150n,
      },
      { name: 'ai.generateText.doGenerate', kind: 3 },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      usage: u(1100, 50, 800, 200, 10),
      finishReasons: ['stop'],
      convention: 'vercel',
    });
  });

  it('v6: input = noCache + cacheRead + cacheWrite even when inputTokens disagrees', () => {
    const s = makeSpan(
      {
        'ai.operationId': 'ai.generateText',
        'ai.usage.inputTokens': 30n,
        'ai.usage.inputTokenDetails.noCacheTokens': 30n,
        'ai.usage.inputTokenDetails.cacheReadTokens': 70n,
        'ai.usage.outputTokens': 5n,
      },
      { name: 'ai.generateText' },
    );
    expect(classify(s).usage).toEqual(u(100, 5, 70));
  });

  it('the outer ai.generateText span is an LLM-level operation too', () => {
    const attrs = {
      'ai.model.provider': 'openai.chat',
      'ai.model.id': 'gpt-4o',
      'ai.usage.inputTokens': 20n,
      'ai.usage.outputTokens': 10n,
    };
    const outer = classify(makeSpan({ ...attrs, 'ai.operationId': 'ai.generateText' }, { name: 'ai.generateText' }));
    const inner = classify(
      makeSpan({ ...attrs, 'ai.operationId': 'ai.generateText.doGenerate' }, { name: 'ai.generateText.doGenerate' }),
    );
    expect(outer).toEqual(inner);
    expect([outer.kind, outer.usage]).toEqual(['llm', u(20, 10)]);
  });

  it('recognizes spans by name when ai.operationId is missing', () => {
    const v = classify(makeSpan({ 'ai.usage.promptTokens': 1n }, { name: 'ai.streamObject.doStream' }));
    expect([v.kind, v.convention, v.usage]).toEqual(['llm', 'vercel', u(1, 0)]);
  });

  it('tool calls and embeddings', () => {
    const t = classify(
      makeSpan(
        { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'weather', 'ai.toolCall.id': 'call_1' },
        { name: 'ai.toolCall' },
      ),
    );
    expect(t).toEqual({ kind: 'tool', operation: 'execute_tool', toolName: 'weather', convention: 'vercel' });
    for (const op of ['ai.embed', 'ai.embed.doEmbed', 'ai.embedMany', 'ai.embedMany.doEmbed']) {
      const e = classify(
        makeSpan(
          { 'ai.operationId': op, 'ai.model.provider': 'openai.embedding', 'ai.model.id': 'text-embedding-3-small', 'ai.usage.tokens': 12n },
          { name: op },
        ),
      );
      expect([op, e.kind, e.provider, e.usage]).toEqual([op, 'embeddings', 'openai', u(12, 0)]);
    }
  });
});

describe('OpenLLMetry / Traceloop', () => {
  it('llm.request.type with cache_read_input_tokens and a total', () => {
    const s = makeSpan(
      {
        'llm.request.type': 'chat',
        'gen_ai.system': 'Anthropic',
        'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
        'gen_ai.response.model': 'claude-3-5-sonnet-20241022',
        'gen_ai.usage.input_tokens': 1000n,
        'gen_ai.usage.output_tokens': 200n,
        'gen_ai.usage.cache_read_input_tokens': 800n,
        'gen_ai.usage.cache_creation_input_tokens': 100n,
        'llm.usage.total_tokens': 1200n,
      },
      { name: 'anthropic.chat', kind: 3 },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      provider: 'anthropic',
      requestModel: 'claude-3-5-sonnet-20241022',
      responseModel: 'claude-3-5-sonnet-20241022',
      usage: u(1000, 200, 800, 100),
      convention: 'openllmetry',
    });
  });

  it('older deprecated prompt_tokens that exclude the cache', () => {
    const s = makeSpan({
      'llm.request.type': 'completion',
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-3.5-turbo-instruct',
      'gen_ai.usage.prompt_tokens': 10n,
      'gen_ai.usage.completion_tokens': 4n,
      'gen_ai.usage.cache_read_input_tokens': 64n,
    });
    const v = classify(s);
    expect([v.kind, v.operation, v.provider, v.usage, v.convention]).toEqual([
      'llm',
      'text_completion',
      'openai',
      u(74, 4, 64),
      'openllmetry',
    ]);
  });

  it('current gen_ai keys written by @traceloop/instrumentation-openai 0.27', () => {
    const s = makeSpan(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 9n,
        'gen_ai.usage.output_tokens': 3n,
        'gen_ai.usage.total_tokens': 12n,
      },
      { scopeName: '@traceloop/instrumentation-openai' },
    );
    const v = classify(s);
    expect([v.kind, v.usage, v.convention]).toEqual(['llm', u(9, 3), 'openllmetry']);
  });

  it.each([
    ['workflow', 'workflow', undefined, undefined],
    ['task', 'workflow', undefined, undefined],
    ['agent', 'agent', undefined, 'researcher'],
    ['tool', 'tool', 'researcher', undefined],
  ])('traceloop.span.kind %s', (k, kind, toolName, agentName) => {
    const v = classify(
      makeSpan({ 'traceloop.span.kind': k, 'traceloop.entity.name': 'researcher', 'traceloop.workflow.name': 'wf' }),
    );
    expect([v.kind, v.toolName, v.agentName, v.convention]).toEqual([kind, toolName, agentName, 'openllmetry']);
  });
});

describe('OpenLIT', () => {
  it('gen_ai keys plus reasoning_tokens / total / cost, recognised as OpenLIT', () => {
    const s = makeSpan(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'o3-mini',
        'gen_ai.response.model': 'o3-mini-2025-01-31',
        'gen_ai.usage.input_tokens': 40n,
        'gen_ai.usage.output_tokens': 500n,
        'gen_ai.usage.reasoning_tokens': 448n,
        'gen_ai.usage.total_tokens': 540n,
        'gen_ai.usage.cost': 0.0021,
        'gen_ai.usage.cache_read.input_tokens': 0n,
        'gen_ai.response.finish_reasons': ['stop'],
      },
      { name: 'chat o3-mini', kind: 3, resource: { 'telemetry.sdk.name': 'openlit', 'service.name': 'app' } },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      provider: 'openai',
      requestModel: 'o3-mini',
      responseModel: 'o3-mini-2025-01-31',
      usage: u(40, 500, 0, 0, 448),
      finishReasons: ['stop'],
      convention: 'openlit',
    });
  });

  it('is recognised by its cost attribute alone', () => {
    const v = classify(makeSpan({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.cost': 0.1 }));
    expect(v.convention).toBe('openlit');
  });
});

describe('Langfuse', () => {
  it('reads usage_details JSON on a generation', () => {
    const s = makeSpan(
      {
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o',
        'langfuse.observation.usage_details': '{"input":10,"output":5,"total":15}',
        'user.id': 'bob',
        'session.id': 's-1',
      },
      { name: 'llm-call' },
    );
    expect(classify(s)).toEqual({
      kind: 'llm',
      operation: 'chat',
      requestModel: 'gpt-4o',
      usage: u(10, 5),
      userId: 'bob',
      conversationId: 's-1',
      convention: 'langfuse',
    });
  });

  it('adds Langfuse disjoint cache and reasoning buckets back', () => {
    const v = classify(
      makeSpan({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.usage_details':
          '{"input":10,"input_cached_tokens":5,"output":5,"output_reasoning_tokens":3,"total":23}',
      }),
    );
    expect(v.usage).toEqual(u(15, 8, 5, 0, 3));
  });

  it('OpenAI-shaped keys are inclusive; Anthropic-shaped input_tokens exclude cache', () => {
    const openai = classify(
      makeSpan({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.usage_details': '{"prompt_tokens":30,"completion_tokens":5,"total_tokens":35}',
      }),
    );
    expect(openai.usage).toEqual(u(30, 5));
    const anthropic = classify(
      makeSpan({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.usage_details':
          '{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}',
      }),
    );
    expect(anthropic.usage).toEqual(u(130, 5, 100, 20));
  });

  it('survives broken or junk usage_details', () => {
    for (const bad of ['{"input":', '[1,2]', 'null', '', '42', '{"input":"abc","output":-1}', '{"input":{"x":1}}']) {
      const v = classify(
        makeSpan({ 'langfuse.observation.type': 'generation', 'langfuse.observation.usage_details': bad }),
      );
      expect([bad, v.kind, v.usage]).toEqual([bad, 'llm', undefined]);
    }
  });

  it('accepts numeric strings in usage_details and a kvlist value', () => {
    const v = classify(
      makeSpan({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.usage_details': '{"input":"7","output":2}',
      }),
    );
    expect(v.usage).toEqual(u(7, 2));
    const kv = classify(
      makeSpan({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.usage_details': new KvList([
          ['input', 3n],
          ['output', 1n],
        ]),
      }),
    );
    expect(kv.usage).toEqual(u(3, 1));
  });

  it.each([
    ['span', 'other', undefined, undefined],
    ['agent', 'agent', undefined, 'triage'],
    ['tool', 'tool', 'triage', undefined],
    ['chain', 'workflow', undefined, undefined],
    ['retriever', 'retrieval', undefined, undefined],
    ['embedding', 'embeddings', undefined, undefined],
  ])('observation.type %s', (t, kind, toolName, agentName) => {
    const v = classify(makeSpan({ 'langfuse.observation.type': t }, { name: 'triage' }));
    expect([v.kind, v.toolName, v.agentName, v.convention]).toEqual([kind, toolName, agentName, 'langfuse']);
  });
});

describe('tool, agent, workflow and retrieval spans', () => {
  it('execute_tool', () => {
    const v = classify(
      makeSpan(
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'search_docs',
          'gen_ai.tool.type': 'function',
          'gen_ai.tool.call.id': 'call_mock_0001',
        },
        { name: 'execute_tool search_docs' },
      ),
    );
    expect(v).toEqual({ kind: 'tool', operation: 'execute_tool', toolName: 'search_docs', convention: 'gen_ai' });
  });

  it('takes the tool / agent name from the span name when the attribute is missing', () => {
    expect(classify(makeSpan({ 'gen_ai.operation.name': 'execute_tool' }, { name: 'execute_tool fetch_url' })).toolName).toBe(
      'fetch_url',
    );
    expect(classify(makeSpan({ 'gen_ai.operation.name': 'invoke_agent' }, { name: 'invoke_agent Planner' })).agentName).toBe(
      'Planner',
    );
    expect(classify(makeSpan({ 'gen_ai.operation.name': 'execute_tool' }, { name: 'execute_tool ' })).toolName).toBeUndefined();
  });

  it('invoke_agent carrying usage totals of its children', () => {
    const v = classify(
      makeSpan(
        {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.provider.name': 'openai',
          'gen_ai.agent.name': 'Research',
          'gen_ai.agent.id': 'asst_1',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 69n,
          'gen_ai.usage.output_tokens': 19n,
          'gen_ai.conversation.id': 'thread_1',
        },
        { name: 'invoke_agent Research', kind: 3 },
      ),
    );
    expect(v).toEqual({
      kind: 'agent',
      operation: 'invoke_agent',
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: u(69, 19),
      agentName: 'Research',
      conversationId: 'thread_1',
      convention: 'gen_ai',
    });
  });

  it('invoke_workflow and retrieval', () => {
    const w = classify(makeSpan({ 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'ingest' }));
    expect([w.kind, w.operation]).toEqual(['workflow', 'invoke_workflow']);
    const r = classify(makeSpan({ 'gen_ai.operation.name': 'retrieval', 'gen_ai.data_source.id': 'kb' }));
    expect([r.kind, r.operation]).toEqual(['retrieval', 'retrieval']);
  });

  it('a plain application span is other, with no convention', () => {
    const v = classify(makeSpan({ 'app.feature': 'research', 'http.request.method': 'GET' }, { name: 'agent.research' }));
    expect(v).toEqual({ kind: 'other', convention: 'none' });
  });
});

describe('errors', () => {
  it('uses the status message when status is ERROR', () => {
    const v = classify(
      makeSpan({ 'gen_ai.operation.name': 'chat' }, { status: { code: StatusCode.ERROR, message: '429 Too Many Requests' } }),
    );
    expect(v.error).toBe('429 Too Many Requests');
  });

  it("falls back to 'error' without a message", () => {
    expect(classify(makeSpan({}, { status: { code: StatusCode.ERROR } })).error).toBe('error');
  });

  it('prefers error.type', () => {
    const v = classify(
      makeSpan(
        { 'gen_ai.operation.name': 'execute_tool', 'error.type': 'TimeoutError' },
        { status: { code: StatusCode.ERROR, message: 'timed out after 30s' } },
      ),
    );
    expect(v.error).toBe('TimeoutError');
  });

  it('no error on OK / UNSET spans', () => {
    expect(classify(makeSpan({}, { status: { code: StatusCode.OK, message: 'fine' } })).error).toBeUndefined();
    expect(classify(makeSpan({})).error).toBeUndefined();
  });
});

describe('junk values', () => {
  it('ignores non-numeric, negative, NaN and infinite token counts without crashing', () => {
    const v = classify(
      makeSpan({
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': 'lots',
        'gen_ai.usage.output_tokens': -5n,
        'gen_ai.usage.cache_read.input_tokens': Number.NaN,
        'gen_ai.usage.reasoning.output_tokens': Number.POSITIVE_INFINITY,
        'gen_ai.usage.cache_creation.input_tokens': true,
      }),
    );
    expect(v.usage).toBeUndefined();
    expect(v.kind).toBe('llm');
  });

  it('falls through a junk current key to a valid deprecated one', () => {
    const v = classify(
      makeSpan({ 'gen_ai.usage.input_tokens': 'n/a', 'gen_ai.usage.prompt_tokens': 8n, 'gen_ai.request.model': 'm' }),
    );
    expect([v.usage, v.convention]).toEqual([u(8, 0), 'gen_ai.deprecated']);
  });

  it('keeps numeric strings and fractional values as read', () => {
    const v = classify(
      makeSpan({
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': '12',
        'gen_ai.usage.output_tokens': 2.5,
        'gen_ai.usage.cache_read.input_tokens': -0,
      }),
    );
    expect(v.usage).toEqual(u(12, 2.5));
    expect(Object.is(v.usage?.cacheRead, 0)).toBe(true);
  });

  it('ignores absurd counts beyond 2^53', () => {
    const v = classify(
      makeSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 2n ** 70n, 'gen_ai.usage.output_tokens': 1e300 }),
    );
    expect(v.usage).toBeUndefined();
  });

  it('ignores non-string models, providers and odd finish reasons', () => {
    const v = classify(
      makeSpan({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 42n,
        'gen_ai.provider.name': new Uint8Array([1, 2]),
        'gen_ai.response.finish_reasons': [1n, 'stop', null],
      }),
    );
    expect([v.requestModel, v.provider, v.finishReasons]).toEqual([undefined, undefined, ['stop']]);
  });

  it('reads finish reasons written as a JSON string or a single string', () => {
    const j = classify(makeSpan({ 'gen_ai.response.finish_reasons': '["stop","length"]' }));
    expect(j.finishReasons).toEqual(['stop', 'length']);
    const one = classify(makeSpan({ 'gen_ai.response.finish_reasons': 'stop' }));
    expect(one.finishReasons).toEqual(['stop']);
  });

  it('does not trip on prototype-ish values', () => {
    for (const val of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const v = classify(
        makeSpan(
          {
            'gen_ai.operation.name': val,
            'openinference.span.kind': val,
            'traceloop.span.kind': val,
            'llm.request.type': val,
            'langfuse.observation.type': val,
            'gen_ai.provider.name': val,
            'ai.operationId': val,
          },
          { name: val },
        ),
      );
      expect(v.kind).toBe('other');
      expect(v.provider).toBe(val.toLowerCase());
    }
  });

  it('numeric ids become strings', () => {
    const v = classify(makeSpan({ 'user.id': 42n, 'session.id': 7 }));
    expect([v.userId, v.conversationId]).toEqual(['42', '7']);
  });

  it('toTokenCount', () => {
    expect(toTokenCount(5n)).toBe(5);
    expect(toTokenCount(' 12 ')).toBe(12);
    expect(toTokenCount('')).toBeUndefined();
    expect(toTokenCount('1e3')).toBe(1000);
    expect(toTokenCount('Infinity')).toBeUndefined();
    expect(toTokenCount(-1)).toBeUndefined();
    expect(toTokenCount(null)).toBeUndefined();
    expect(toTokenCount([1])).toBeUndefined();
  });
});

describe('usage helpers', () => {
  it('add, empty, total, hasUsage', () => {
    expect(emptyUsage()).toEqual(u(0, 0));
    const a = u(10, 5, 3, 1, 2);
    const b = u(1, 1, 1, 1, 1);
    expect(addUsage(a, b)).toEqual(u(11, 6, 4, 2, 3));
    expect(a).toEqual(u(10, 5, 3, 1, 2));
    expect(totalTokens(a)).toBe(15);
    expect(hasUsage(classify(makeSpan({ 'gen_ai.usage.output_tokens': 0n })))).toBe(true);
    expect(hasUsage(classify(makeSpan({})))).toBe(false);
  });
});

describe('convention tables', () => {
  it('content keys, exact and families', () => {
    for (const k of [
      'gen_ai.prompt.0.content',
      'gen_ai.completion.1.role',
      'gen_ai.input.messages',
      'gen_ai.output.messages',
      'gen_ai.system_instructions',
      'llm.input_messages.0.message.content',
      'input.value',
      'output.value',
      'ai.prompt',
      'ai.prompt.messages',
      'ai.response.text',
    ]) {
      expect([k, isContentKey(k)]).toEqual([k, true]);
    }
    for (const k of ['gen_ai.request.model', 'gen_ai.usage.input_tokens', 'ai.prompt.toolChoice', 'input.mime_type']) {
      expect([k, isContentKey(k)]).toEqual([k, false]);
    }
    expect(CONTENT_KEYS).toContain('gen_ai.prompt.*');
  });

  it('deprecated keys map to their replacements', () => {
    expect(DEPRECATED_KEYS['gen_ai.system']).toBe('gen_ai.provider.name');
    expect(DEPRECATED_KEYS['gen_ai.usage.prompt_tokens']).toBe('gen_ai.usage.input_tokens');
    expect(DEPRECATED_KEYS['gen_ai.usage.completion_tokens']).toBe('gen_ai.usage.output_tokens');
    expect(DEPRECATED_KEYS['gen_ai.prompt']).toBeNull();
    expect(DEPRECATED_KEYS['gen_ai.openai.request.seed']).toBe('gen_ai.request.seed');
    expect(DEPRECATED_KEYS['gen_ai.request.model']).toBeUndefined();
    expect(DEPRECATED_KEYS['constructor']).toBeUndefined();
  });
});

// ───────────────────────────── property ─────────────────────────────

const KNOWN_KEYS: string[] = [
  ...Object.values(GEN_AI),
  ...Object.values(CORE),
  ...Object.values(OPENINFERENCE),
  ...Object.values(VERCEL),
  ...Object.values(TRACELOOP),
  ...Object.values(LANGFUSE),
  ...[INPUT_KEYS, OUTPUT_KEYS, CACHE_READ_KEYS, CACHE_WRITE_KEYS, REASONING_KEYS].flatMap((l) => l.map(([k]) => k)),
  ...TOTAL_KEYS,
  ...Object.keys(DEPRECATED_KEYS),
  'gen_ai.usage.cost',
  '__proto__',
  'constructor',
];

const scalar: fc.Arbitrary<AttrValue> = fc.oneof(
  fc.string(),
  fc.constantFrom('chat', 'LLM', 'generation', 'ai.generateText', 'openai.chat', 'tool', '12', '-3', 'NaN', '1e400'),
  fc.constantFrom(
    '{"input":10,"output":5,"total":15}',
    '{"input":-1,"output":"x","cache_read_input_tokens":1e308}',
    '{"prompt_tokens":1e308,"completion_tokens":1e308,"reasoning":1e308,"total":1}',
    '{',
    '["stop"]',
  ),
  fc.boolean(),
  fc.bigInt(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER),
  fc.uint8Array({ maxLength: 4 }),
  fc.constant(null),
);

const attrValue: fc.Arbitrary<AttrValue> = fc.letrec<{ v: AttrValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.string(), tie('v')), { maxLength: 3 }).map((e) => new KvList(e)),
  ),
})).v;

describe('property', () => {
  it('classify never throws and usage is finite and non-negative', () => {
    const key = fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, attrValue), { maxLength: 24 }),
        fc.oneof(fc.string(), fc.constantFrom('ai.generateText', 'execute_tool x', 'invoke_agent ')),
        fc.integer({ min: 0, max: 3 }),
        fc.string(),
        fc.string(),
        (entries, name, code, message, scopeName) => {
          const v = classify(makeSpan(entries, { name, status: { code, message }, scopeName }));
          expect(['llm', 'embeddings', 'tool', 'agent', 'workflow', 'retrieval', 'other']).toContain(v.kind);
          expect([
            'gen_ai',
            'gen_ai.deprecated',
            'openinference',
            'vercel',
            'openllmetry',
            'openlit',
            'langfuse',
            'none',
          ]).toContain(v.convention);
          if (v.usage !== undefined) {
            for (const n of Object.values(v.usage)) {
              expect(Number.isFinite(n)).toBe(true);
              expect(n).toBeGreaterThanOrEqual(0);
            }
            expect(v.usage.input).toBeGreaterThanOrEqual(v.usage.cacheRead + v.usage.cacheWrite);
            expect(v.usage.output).toBeGreaterThanOrEqual(v.usage.reasoning);
          }
          for (const f of [v.operation, v.provider, v.requestModel, v.responseModel, v.toolName, v.agentName, v.error]) {
            if (f !== undefined) expect(typeof f).toBe('string');
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('CLASSIFY_KEYS: a span reduced to them classifies the same, and classify reads no other key', () => {
    const key = fc.oneof(fc.constantFrom(...KNOWN_KEYS, ...CONTENT_KEYS.map((k) => k.replace('.*', '.0.content'))), fc.string());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, attrValue), { maxLength: 24 }),
        fc.oneof(fc.string(), fc.constantFrom('ai.generateText', 'ai.toolCall', 'execute_tool x', 'invoke_agent a', 'chat m')),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('', '@traceloop/instrumentation-openai', 'openlit', 'x'),
        (entries, name, code, scopeName) => {
          const full = makeSpan(entries, { name, status: { code }, scopeName });
          expect(classify(reducedToClassifyKeys(full))).toEqual(classify(full));
          expect(keysRead(full).filter((k) => !CLASSIFY_KEYS.has(k))).toEqual([]);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('CLASSIFY_KEYS: spans of real instrumentation libraries classify the same reduced', () => {
    for (const lib of ['official', 'openinference', 'openllmetry', 'vercel']) {
      const { spans } = decodeOtlpJsonTraces(JSON.parse(readFileSync(`fixtures/instrumented/${lib}.json`, 'utf8')));
      expect(spans.length).toBeGreaterThan(0);
      for (const span of spans) {
        expect(classify(reducedToClassifyKeys(span))).toEqual(classify(span));
        expect(keysRead(span).filter((k) => !CLASSIFY_KEYS.has(k))).toEqual([]);
      }
    }
  });

  it('CLASSIFY_KEYS holds no content key (their values are never needed to classify)', () => {
    expect([...CLASSIFY_KEYS].filter(isContentKey)).toEqual([]);
    expect(CLASSIFY_KEYS.has(GEN_AI.REQUEST_MODEL) && CLASSIFY_KEYS.has(OPENINFERENCE.SPAN_KIND) && CLASSIFY_KEYS.has(VERCEL.OPERATION_ID)).toBe(true);
  });
});

function reducedToClassifyKeys(span: Span): Span {
  const attributes = newAttributes();
  for (const [k, v] of Object.entries(span.attributes)) if (CLASSIFY_KEYS.has(k)) attributes[k] = v;
  return { ...span, attributes };
}

/** The span attribute keys classify() looks up on `span`. */
function keysRead(span: Span): string[] {
  const read = new Set<string>();
  const attributes = new Proxy(span.attributes, {
    get: (t, k) => (typeof k === 'string' && read.add(k), t[k as string]),
    has: (t, k) => (typeof k === 'string' && read.add(k), k in t),
    ownKeys: (t) => (read.add('(all keys)'), Reflect.ownKeys(t)),
  });
  classify({ ...span, attributes });
  return [...read];
}

/**
 * The GenAI view and the count-once rule on spans emitted by real instrumentation libraries
 * (OpenTelemetry's official OpenAI instrumentation, OpenLLMetry, OpenInference, the Vercel AI
 * SDK) driving the `openai` client against the mock server in test/peers. Expected token counts
 * come from the server's token table, never from the spans.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import type { Span } from '../../src/lib/span.js';
import { assembleTrace, type Trace } from '../../src/lib/trace/assemble.js';
import { TraceCollector } from '../../src/lib/trace/collect.js';
import { TOKEN_TABLE, emitDump } from '../peers/index.js';

type Lib = 'official' | 'openllmetry' | 'openinference' | 'vercel';

function traces(spans: Span[]): Trace[] {
  const c = new TraceCollector();
  c.add(spans);
  return c.idsByStart().map((id) => assembleTrace(id, c.spans(id)));
}

/** Counted usage per model (count-once rule applied by assembly). */
function countedByModel(t: Trace) {
  const out: Record<string, { calls: number; input: number; output: number; cacheRead: number; reasoning: number }> = {};
  for (const n of t.nodes) {
    if (!n.countsUsage || !n.view.usage) continue;
    const m = n.view.responseModel ?? n.view.requestModel ?? '?';
    const row = (out[m] ??= { calls: 0, input: 0, output: 0, cacheRead: 0, reasoning: 0 });
    row.calls++;
    row.input += n.view.usage.input;
    row.output += n.view.usage.output;
    row.cacheRead += n.view.usage.cacheRead;
    row.reasoning += n.view.usage.reasoning;
  }
  return out;
}

const server = (model: keyof typeof TOKEN_TABLE) => {
  const t = TOKEN_TABLE[model] as { prompt: number; completion: number; cached: number; reasoning: number };
  return { calls: 1, input: t.prompt, output: t.completion };
};

function fixture(lib: Lib): Trace {
  const r = decodeOtlpJsonTraces(JSON.parse(readFileSync(`fixtures/instrumented/${lib}.json`, 'utf8')));
  expect(r.problems).toEqual([]);
  const all = traces(r.spans);
  expect(all).toHaveLength(1);
  expect(all[0]!.orphanCount).toBe(0);
  return all[0]!;
}

describe('real instrumentation output (committed fixtures)', () => {
  it('official OpenAI instrumentation: every call once, provider from the deprecated gen_ai.system', () => {
    const t = fixture('official');
    const by = countedByModel(t);
    expect(by['gpt-4o']).toMatchObject(server('gpt-4o'));
    expect(by['gpt-4o-mini']).toMatchObject(server('gpt-4o-mini'));
    expect(by['text-embedding-3-small']).toMatchObject({ calls: 1, input: 16, output: 0 });
    expect(by['o4-mini']).toMatchObject(server('o4-mini'));
    const chat = t.nodes.find((n) => n.span.name === 'chat gpt-4o')!;
    expect(chat.view).toMatchObject({ kind: 'llm', provider: 'openai', operation: 'chat', finishReasons: ['tool_calls'] });
    expect(t.nodes.find((n) => n.span.name.startsWith('embeddings'))!.view.kind).toBe('embeddings');
  });

  it('OpenLLMetry: gen_ai keys, tool call finish reason, no embeddings span', () => {
    const t = fixture('openllmetry');
    const by = countedByModel(t);
    expect(by['gpt-4o']).toMatchObject(server('gpt-4o'));
    expect(by['gpt-4o-mini']).toMatchObject(server('gpt-4o-mini'));
    // Its streaming usage is its own tiktoken estimate, not the server's count.
    expect(by['o4-mini']!.calls).toBe(1);
    expect(by['text-embedding-3-small']).toBeUndefined();
    expect(t.nodes.every((n) => n.view.kind !== 'llm' || n.view.provider === 'openai')).toBe(true);
  });

  it('OpenInference: LLM and EMBEDDING kinds, cache and reasoning details, model from llm.model_name', () => {
    const t = fixture('openinference');
    const llms = t.nodes.filter((n) => n.view.kind === 'llm');
    expect(llms.map((n) => n.view.requestModel)).toEqual(['gpt-4o', 'gpt-4o-mini', 'o4-mini']);
    expect(llms.every((n) => n.view.convention === 'openinference' && n.view.provider === 'openai')).toBe(true);
    const by = countedByModel(t);
    expect(by['gpt-4o']).toMatchObject({ ...server('gpt-4o'), cacheRead: 11 });
    expect(by['gpt-4o-mini']).toMatchObject(server('gpt-4o-mini'));
    // It records no tokens on streaming and embeddings spans: those calls are shown, not counted.
    expect(by['o4-mini']).toBeUndefined();
    expect(t.nodes.find((n) => n.view.kind === 'embeddings')!.view.requestModel).toBe('text-embedding-3-small');
  });

  it('Vercel AI SDK: outer ai.* spans repeat their inner usage and are not counted again', () => {
    const t = fixture('vercel');
    const by = countedByModel(t);
    expect(by['gpt-4o']).toMatchObject({ ...server('gpt-4o'), cacheRead: 11 });
    expect(by['gpt-4o-mini']).toMatchObject(server('gpt-4o-mini'));
    expect(by['text-embedding-3-small']).toMatchObject({ calls: 1, input: 16 });
    expect(by['o4-mini']).toMatchObject({ ...server('o4-mini'), reasoning: 32 });
    expect(t.usage).toMatchObject({ input: 99, output: 59, cacheRead: 11, reasoning: 32 });
    const outer = t.nodes.filter((n) => n.span.name === 'ai.generateText');
    expect(outer.every((n) => n.view.usage && !n.countsUsage)).toBe(true);
    expect(t.nodes.find((n) => n.span.name === 'ai.toolCall')!.view).toMatchObject({ kind: 'tool', toolName: 'search_docs' });
  });
});

describe('real instrumentation output (live: libraries run now against the mock server)', () => {
  it.each(['openllmetry', 'openinference'] as const)('%s over protobuf: one trace, the server counts for non-streaming calls', async (lib) => {
    const r = decodeOtlpProtoTraces(await emitDump(lib, 'proto'));
    expect(r.problems).toEqual([]);
    const [t, ...rest] = traces(r.spans);
    expect(rest).toEqual([]);
    expect(t!.roots.map((n) => n.span.name)).toEqual(['agent.research']);
    const by = countedByModel(t!);
    expect(by['gpt-4o']).toMatchObject(server('gpt-4o'));
    expect(by['gpt-4o-mini']).toMatchObject(server('gpt-4o-mini'));
    expect(t!.nodes.find((n) => n.span.name === 'execute_tool search_docs')!.view).toMatchObject({ kind: 'tool', toolName: 'search_docs' });
  });
});

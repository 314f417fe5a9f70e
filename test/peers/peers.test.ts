import { describe, expect, it } from 'vitest';
import { FEATURE, ROOT_SPAN, TOKEN_TABLE, TOOL_NAME, emitDump } from './index.js';

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
interface RawSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  attrs: Record<string, string | number | boolean | undefined>;
  service: string;
}

/** Flatten an OTLP/JSON export request to spans with plain attribute maps (raw keys, no mapping). */
function spansOf(body: Buffer): RawSpan[] {
  const req = JSON.parse(body.toString('utf8'));
  const value = (v: AnyValue) =>
    v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue;
  const map = (kvs: Array<{ key: string; value: AnyValue }> = []) =>
    Object.fromEntries(kvs.map((kv) => [kv.key, value(kv.value)]));
  return req.resourceSpans.flatMap((rs: any) =>
    rs.scopeSpans.flatMap((ss: any) =>
      ss.spans.map((s: any) => ({
        name: s.name,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId || undefined,
        attrs: map(s.attributes),
        service: String(map(rs.resource.attributes)['service.name']),
      })),
    ),
  );
}

function checkAgentShape(spans: RawSpan[], lib: string) {
  expect(new Set(spans.map((s) => s.service))).toEqual(new Set([`peer-${lib}`]));
  const roots = spans.filter((s) => s.name === ROOT_SPAN);
  expect(roots).toHaveLength(1);
  const root = roots[0]!;
  expect(root.parentSpanId).toBeUndefined();
  expect(root.attrs['app.feature']).toBe(FEATURE);
  const tool = spans.find((s) => s.name === `execute_tool ${TOOL_NAME}`);
  expect(tool?.attrs['gen_ai.operation.name']).toBe('execute_tool');
  expect(tool?.attrs['gen_ai.tool.name']).toBe(TOOL_NAME);
  for (const s of spans) if (s !== root) expect(s.parentSpanId).toBe(root.spanId);
}

describe('peer instrumentation harness (live)', () => {
  it('OpenLLMetry: gen_ai.* spans with the server token counts', async () => {
    const spans = spansOf(await emitDump('openllmetry', 'json'));
    checkAgentShape(spans, 'openllmetry');
    const llm = spans.filter((s) => s.attrs['gen_ai.operation.name'] === 'chat');
    expect(llm.map((s) => s.name)).toEqual(['chat gpt-4o', 'chat gpt-4o-mini', 'chat o4-mini']);
    for (const s of llm) expect(s.attrs['gen_ai.provider.name']).toBe('openai');
    for (const model of ['gpt-4o', 'gpt-4o-mini'] as const) {
      const s = llm.find((x) => x.attrs['gen_ai.request.model'] === model)!;
      const t = TOKEN_TABLE[model];
      expect(s.attrs['gen_ai.response.model']).toBe(model);
      expect(s.attrs['gen_ai.usage.input_tokens']).toBe(t.prompt);
      expect(s.attrs['gen_ai.usage.output_tokens']).toBe(t.completion);
      expect(s.attrs['gen_ai.usage.total_tokens']).toBe(t.prompt + t.completion);
    }
    // Known quirk: the streaming span carries a tiktoken estimate, not the server's usage chunk.
    const stream = llm.find((x) => x.attrs['gen_ai.request.model'] === 'o4-mini')!;
    expect(stream.attrs['gen_ai.usage.input_tokens']).not.toBe(TOKEN_TABLE['o4-mini'].prompt);
    // Embeddings are not instrumented by OpenLLMetry, so the scenario skips them.
    expect(spans.some((s) => s.name.startsWith('embeddings'))).toBe(false);
  });

  it('OpenInference: llm.* spans with the server token counts', async () => {
    const spans = spansOf(await emitDump('openinference', 'json'));
    checkAgentShape(spans, 'openinference');
    const llm = spans.filter((s) => s.attrs['openinference.span.kind'] === 'LLM');
    expect(llm.map((s) => s.name)).toEqual(Array(3).fill('OpenAI Chat Completions'));
    expect(llm.map((s) => s.attrs['llm.model_name'])).toEqual(['gpt-4o', 'gpt-4o-mini', 'o4-mini']);
    for (const s of llm) expect(s.attrs['llm.system']).toBe('openai');
    for (const model of ['gpt-4o', 'gpt-4o-mini'] as const) {
      const s = llm.find((x) => x.attrs['llm.model_name'] === model)!;
      const t = TOKEN_TABLE[model];
      expect(s.attrs['llm.token_count.prompt']).toBe(t.prompt);
      expect(s.attrs['llm.token_count.completion']).toBe(t.completion);
      expect(s.attrs['llm.token_count.total']).toBe(t.prompt + t.completion);
      expect(s.attrs['llm.token_count.prompt_details.cache_read']).toBe(t.cached);
    }
    // Known quirks: no tokens on streaming calls, none on embeddings.
    const stream = llm.find((x) => x.attrs['llm.model_name'] === 'o4-mini')!;
    expect(stream.attrs['llm.token_count.prompt']).toBeUndefined();
    const emb = spans.find((s) => s.attrs['openinference.span.kind'] === 'EMBEDDING');
    expect(emb?.name).toBe('OpenAI Embeddings');
    expect(emb?.attrs['embedding.model_name']).toBe('text-embedding-3-small');
    expect(emb?.attrs['llm.token_count.prompt']).toBeUndefined();
  });

  it('emits protobuf ExportTraceServiceRequest bytes too', async () => {
    const bytes = await emitDump('openinference', 'proto');
    expect(bytes[0]).toBe(0x0a); // field 1 (resource_spans), length-delimited
    expect(bytes.includes(Buffer.from('text-embedding-3-small'))).toBe(true);
  });
});

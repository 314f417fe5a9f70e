/**
 * The conventions read for issue 20's libraries, on hand-built spans: LangSmith's token-detail
 * JSON (and garbage in it), exception events, LangSmith tool names, Langfuse embeddings, Spanora's
 * tool status, and Logfire's placeholder spans dropped at decode.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/lib/genai/classify.js';
import { dropPlaceholderSpans } from '../../src/lib/otlp/placeholder-spans.js';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { failureGap } from '../../src/lib/lint/rules/util.js';
import { toolMissingName } from '../../src/lib/lint/rules/tool.js';
import { DEFAULT_ROOT_CONTEXT_KEYS, rootContextCode, decodeRootContext } from '../../src/lib/lint/rules/root.js';
import { StatusCode, type AttrValue } from '../../src/lib/span.js';
import { makeSpan } from './make-span.js';

const langsmith = (extra: Record<string, AttrValue>) =>
  makeSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'langsmith.span.kind': 'llm', ...extra });

describe('LangSmith token details', () => {
  it('reads cache and reasoning from the JSON strings, and the real total from the run usage', () => {
    // Gemini through LangSmith: output 12 excludes reasoning 20; gen_ai.usage.total_tokens (52) is input + output as written.
    const v = classify(langsmith({
      'gen_ai.usage.input_tokens': 40n, 'gen_ai.usage.output_tokens': 30n, 'gen_ai.usage.total_tokens': 70n,
      'gen_ai.usage.input_token_details': '{"cache_read":16,"cache_creation":4}',
      'gen_ai.usage.output_token_details': '{"reasoning":8}',
      'langsmith.usage_metadata': '{"input_tokens":40,"output_tokens":30,"total_tokens":78}',
    }));
    // 40 + 38 = 78: output excludes reasoning (the gen_ai total 70 would have said it includes it).
    expect(v.usage).toEqual({ input: 40, output: 38, cacheRead: 16, cacheWrite: 4, reasoning: 8 });
  });

  it('OpenAI through LangSmith: output includes reasoning, as the total says', () => {
    const v = classify(langsmith({
      'gen_ai.usage.input_tokens': 14n, 'gen_ai.usage.output_tokens': 40n,
      'gen_ai.usage.output_token_details': '{"audio":0,"reasoning":32}',
      'langsmith.usage_metadata': '{"total_tokens":54}',
    }));
    expect(v.usage).toEqual({ input: 14, output: 40, cacheRead: 0, cacheWrite: 0, reasoning: 32 });
  });

  it.each<[string, AttrValue]>([
    ['truncated JSON', '{"cache_read":1'],
    ['not an object', '[1,2]'],
    ['wrong types', '{"cache_read":"lots","reasoning":-3}'],
    ['huge', `{"cache_read":1e400,"pad":"${'x'.repeat(100_000)}"}`],
    ['a number', 5n],
    ['empty', ''],
  ])('ignores garbage details (%s): the plain counts stand', (_, junk) => {
    const v = classify(langsmith({
      'gen_ai.usage.input_tokens': 23n, 'gen_ai.usage.output_tokens': 12n,
      'gen_ai.usage.input_token_details': junk, 'gen_ai.usage.output_token_details': junk, 'langsmith.usage_metadata': junk,
    }));
    expect(v.usage).toEqual({ input: 23, output: 12, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });
});

describe('failures and names', () => {
  it('an exception event marks a model call failed, even with status OK', () => {
    const s = langsmith({});
    s.status = { code: StatusCode.OK, message: '' };
    s.events.push({ name: 'exception', timeUnixNano: s.startTimeUnixNano, attributes: Object.assign(Object.create(null), { 'exception.type': 'RateLimitError', 'exception.message': '429 Rate limit' }), droppedAttributesCount: 0 } as never);
    expect(classify(s)).toMatchObject({ kind: 'llm', error: '429 Rate limit', errorType: 'RateLimitError' });
    // Not on other spans: a tool keeps its own rules.
    const tool = makeSpan({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' });
    tool.events.push(s.events[0]!);
    expect(classify(tool).error).toBeUndefined();
  });

  it('a LangSmith tool run is named by langsmith.trace.name', () => {
    const v = classify(makeSpan({ 'gen_ai.operation.name': 'execute_tool', 'langsmith.span.kind': 'tool', 'langsmith.trace.name': 'search_docs' }, { name: 'search_docs' }));
    expect(v).toMatchObject({ kind: 'tool', toolName: 'search_docs' });
  });

  it('tool-missing-name accepts the LangSmith run name, and still wants a name on plain gen_ai tool spans', () => {
    const check = (attrs: Record<string, AttrValue>, name = 'search_docs') => {
      const span = makeSpan({ 'gen_ai.operation.name': 'execute_tool', ...attrs }, { name });
      return toolMissingName.span!({ span, view: classify(span), vendorOnly: false } as never);
    };
    expect(check({ 'langsmith.span.kind': 'tool', 'langsmith.trace.name': 'search_docs' })).toBeUndefined();
    expect(check({ 'gen_ai.tool.name': 'search_docs' })).toBeUndefined();
    expect(check({}, 'execute_tool search_docs')).toEqual({ expected: 'gen_ai.tool.name' });
    expect(check({ 'langsmith.span.kind': 'tool', 'langsmith.trace.name': '' })).toEqual({ expected: 'gen_ai.tool.name' });
  });

  it('a Langfuse generation named or modelled as embeddings is an embeddings call', () => {
    expect(classify(makeSpan({ 'langfuse.observation.type': 'generation', 'langfuse.observation.model.name': 'text-embedding-3-small' }, { name: 'OpenAI.embeddings' })).kind).toBe('embeddings');
    expect(classify(makeSpan({ 'langfuse.observation.type': 'generation', 'langfuse.observation.model.name': 'gpt-4o' }, { name: 'OpenAI.chat' })).kind).toBe('llm');
    expect(classify(makeSpan({ 'langfuse.observation.type': 'generation', 'langfuse.observation.model.name': 42n }, { name: 'x' })).kind).toBe('llm');
  });

  it('spanora.tool.status: error and timeout are failures; any known value is a recorded status', () => {
    const tool = (status: AttrValue) => makeSpan({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't', 'spanora.tool.status': status });
    expect(classify(tool('timeout'))).toMatchObject({ error: 'timeout', errorType: 'timeout' });
    expect(classify(tool('error'))).toMatchObject({ error: 'error', errorType: '_OTHER' });
    expect(classify(tool('success')).error).toBeUndefined();
    expect(classify(tool(7n)).error).toBeUndefined();
    const withException = tool('error');
    withException.events.push({ name: 'exception', timeUnixNano: 0n, attributes: Object.create(null), droppedAttributesCount: 0 } as never);
    expect(failureGap(withException, true)).toBeUndefined();
    const unknown = tool('weird');
    unknown.events.push(withException.events[0]!);
    expect(failureGap(unknown, true)).toEqual({ gap: 'exception-without-error-status' });
  });

  it('spanora.user.id and spanora.org.id are root user and tenant context', () => {
    const root = makeSpan({ 'spanora.user.id': 'u1', 'spanora.org.id': 'o1', 'session.id': 's' });
    const ctx = decodeRootContext(rootContextCode(root, DEFAULT_ROOT_CONTEXT_KEYS), DEFAULT_ROOT_CONTEXT_KEYS);
    expect(ctx).toEqual({ present: { user: 'spanora.user.id', session: 'session.id', tenant: 'spanora.org.id' }, missing: [] });
  });
});

describe('Logfire placeholder spans', () => {
  const real = makeSpan({ 'gen_ai.operation.name': 'chat' }, { name: 'chat gpt-4o' });
  const pending = makeSpan({ 'gen_ai.operation.name': 'chat', 'logfire.span_type': 'pending_span' }, { name: 'chat gpt-4o' });

  it('are dropped from a decode result; other span types and junk values stay', () => {
    const odd = makeSpan({ 'logfire.span_type': 42n });
    const r = dropPlaceholderSpans({ spans: [pending, real, odd], problems: [] });
    expect(r.spans).toEqual([real, odd]);
    const none = { spans: [real], problems: [] };
    expect(dropPlaceholderSpans(none)).toBe(none);
  });

  it('the listener counts them as received, not rejected, and stores them as sent (readers drop them)', () => {
    const body = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'logfire' }, spans: [
        { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'a', startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [] },
        { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332', parentSpanId: 'b7ad6b7169203331', name: 'a', startTimeUnixNano: '1', endTimeUnixNano: '1', attributes: [{ key: 'logfire.span_type', value: { stringValue: 'pending_span' } }] },
      ] }] }],
    });
    const d = decodeExport('traces', 'json', Buffer.from(body), { storeLine: true });
    expect(d.spans.map((s) => s.spanId)).toEqual(['b7ad6b7169203331']);
    expect([d.itemCount, d.rejected]).toEqual([2, 0]);
    const line = typeof d.storeLine === 'string' ? d.storeLine : Buffer.from(d.storeLine!).toString('utf8');
    expect(line).toContain('pending_span');
  });
});

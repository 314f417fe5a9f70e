import { describe, expect, it } from 'vitest';
import { CALL_IN_WINDOW, CALL_MODEL, CALL_USAGE, readCall, valsOf, type CostFacts } from '../../src/lib/cost/fact-columns.js';
import { FactsBuilder, UNKNOWN_MODEL, type CallRecord, type TrackedValues } from '../../src/lib/cost/facts.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { builtinPriceLayer } from '../../src/lib/cost/pricing.js';
import { T0, hexId, span } from '../helpers/span-factory.js';

const book = new PriceBook([builtinPriceLayer()]);
const TRACKED = ['app.feature', 'session.id', 'service.instance.id'];
const T0_MS = Number(T0 / 1_000_000n);

/** Every candidate's call as the Attributor reads it, after the facts crossed a thread boundary. */
function readAll(f: CostFacts): Array<{ span: number; flags: number; call: CallRecord | null }> {
  const out = [];
  let inWindow = 0;
  for (let k = 0; k < f.calls.span.length; k++) {
    const flags = f.calls.flags[k]!;
    out.push({ span: f.calls.span[k]!, flags, call: flags & CALL_IN_WINDOW ? readCall(f.calls, inWindow++, flags, f.strings) : null });
  }
  return out;
}

function spanVals(f: CostFacts): Array<[number, TrackedValues]> {
  const out: Array<[number, TrackedValues]> = [];
  for (let at = 0; at < f.valSpan.length; ) {
    const span = f.valSpan[at]!;
    let vals: TrackedValues;
    [vals, at] = valsOf(f, at, TRACKED.length, f.strings);
    out.push([span, vals]);
  }
  return out;
}

describe('cost facts in columns (fact-columns.ts)', () => {
  const spans = [
    span({ id: 'root', name: 'support.answer', start: 5, attrs: { 'app.feature': 'support', 'session.id': 's-1' } }),
    // gpt-4o: $2.50 in, $10 out per million; a TTFT of 0 s is a value, not its absence.
    span({ id: 'chat', parent: 'root', start: 10, end: 1510, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 200, 'gen_ai.response.time_to_first_chunk': 0, 'gen_ai.response.finish_reasons': ['length'] } }),
    // A failed call: a model span without usage, of an unpriced model.
    span({ id: 'failed', parent: 'root', start: 20, end: 30, status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'no-such-model', 'error.type': '429' } }),
    span({ id: 'plain', parent: 'chat', attrs: { 'app.feature': 'inner' } }),
    span({ id: 'tool', parent: 'root', name: 'execute_tool lookup', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } }),
  ];

  it('a call crosses a thread boundary with every field it had', () => {
    const f = structuredClone(new FactsBuilder({ book, window: {}, tracked: TRACKED, toolCalls: true }).facts(spans));
    expect(f.spanIds).toEqual(spans.map((s) => s.spanId));
    expect(f.parents).toEqual(['', hexId('root'), hexId('root'), hexId('chat'), hexId('root')]);
    expect([...f.rootSpan]).toEqual([0]);
    expect(f.strings[f.rootName[0]!]).toBe('support.answer');
    expect(f.rootStart[0]).toBe(T0_MS + 5);
    const calls = readAll(f);
    expect(calls.map((c) => [c.span, c.flags & (CALL_USAGE | CALL_MODEL)])).toEqual([
      [1, CALL_USAGE | CALL_MODEL],
      [2, CALL_MODEL],
    ]);
    const chat = calls[0]!.call!;
    expect(chat.startMs).toBe(T0_MS + 10);
    expect(chat.durationMs).toBe(1500);
    expect(chat.usage).toEqual({ input: 1000, output: 200, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(chat.cost).toBeCloseTo((1000 * 2.5 + 200 * 10) / 1e6, 15);
    expect(chat.entry).toBe('gpt-4o');
    expect(chat.provider).toBe('openai');
    expect(chat.operation).toBe('chat');
    expect(chat.service).toBe('test-svc');
    expect(chat.ttftMs).toBe(0);
    expect(chat.finishReasons).toEqual(['length']);
    expect(chat.errorType).toBeUndefined();
    expect(chat.noUsage).toBeUndefined();
    const failed = calls[1]!.call!;
    expect(failed.noUsage).toBe(true);
    expect(failed.cost).toBeNull();
    expect(failed.entry).toBeUndefined();
    expect(failed.model).toBe('no-such-model');
    expect(failed.errorType).toBe('429');
    expect(failed.ttftMs).toBeUndefined();
    expect(failed.usage).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(spanVals(f)).toEqual([
      [0, ['support', 's-1', undefined]],
      [3, ['inner', undefined, undefined]],
    ]);
    expect([...f.toolSpan]).toEqual([4]);
    expect(f.toolKey).toEqual(['lookup\u0000']);
  });

  it('a candidate outside the window has its count-once flags and no call; cost leaves out what only stats reads', () => {
    const f = new FactsBuilder({ book, window: { sinceMs: T0_MS + 15 }, tracked: TRACKED }).facts(spans);
    const calls = readAll(f);
    expect(calls.map((c) => [c.span, c.call === null])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(calls[0]!.flags & CALL_USAGE).toBe(CALL_USAGE);
    expect(calls[1]!.call!.errorType).toBeUndefined();
    expect(f.calls.numbers.length).toBe(10);
    expect(f.toolSpan).toEqual([]);
  });

  it('each string, resource and reason list is stored once a batch', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      span({ id: `c${i}`, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': i, 'gen_ai.usage.output_tokens': 1, 'gen_ai.response.finish_reasons': ['stop'] } }),
    );
    const f = new FactsBuilder({ book, window: {}, tracked: TRACKED, toolCalls: true }).facts(many);
    expect(new Set(f.strings).size).toBe(f.strings.length);
    expect(f.calls.reasons).toEqual([['stop']]);
    expect(readAll(f).map((c) => c.call!.usage.input)).toEqual(many.map((_, i) => i));
    expect(readAll(f).every((c) => c.call!.model !== UNKNOWN_MODEL)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeTrace, encodeTrace } from '../../src/lib/cost/trace-spill.js';
import type { SpanRecord, TraceRecord } from '../../src/lib/cost/attribution.js';
import type { CallRecord } from '../../src/lib/cost/facts.js';

const call = (over: Partial<CallRecord> = {}): CallRecord => ({
  startMs: 1748736003418.359,
  usage: { input: 10, output: 5, cacheRead: 3, cacheWrite: 1, reasoning: 2 },
  cost: 0.1 + 0.2, // not a short decimal: the bytes must come back, not a rounding
  entry: 'gpt-4o',
  model: 'gpt-4o-2024-08-06',
  provider: 'openai',
  operation: 'chat',
  service: 'svc',
  durationMs: 4281.592,
  errorType: undefined,
  ttftMs: undefined,
  finishReasons: undefined,
  reportedCost: undefined,
  resource: undefined,
  ...over,
});

const record = (over: Partial<SpanRecord>): SpanRecord => ({ parent: '', vals: undefined, call: undefined, usage: false, model: false, root: undefined, late: false, tool: undefined, differing: false, ...over });

describe('encodeTrace', () => {
  it('gives back plain records whatever the ids hold', () => {
    const ids: Array<[string, string]> = [
      ['00f067aa0ba902b7', ''],
      ['a"b\\c', 'd\ne'],
      ['\u0001\ud800x', '\u2028'],
      ['span-😀', '00f067aa0ba902b7'],
      ['00F067AA0BA902B7', '0'], // upper case and odd lengths are not packed as hex
      ['abc', 'x'.repeat(600)],
    ];
    for (const state of ['decided', 'reopened', 'open'] as const) {
      const back = decodeTrace(encodeTrace(new Map<string, TraceRecord>(ids), state));
      expect([...back]).toEqual(ids);
    }
    expect(decodeTrace(encodeTrace(new Map(), 'open')).size).toBe(0);
  });

  it('gives back every field of records with calls, exactly', () => {
    const spans = new Map<string, TraceRecord>([
      ['p"1', ''],
      ['c1', record({ parent: 'p"1', vals: ['feat', undefined, 'ü'], call: call({ resource: [undefined, 'inst-1'] }), usage: true, model: true })],
      ['c2', record({ parent: 'c1', call: call({ cost: null, entry: undefined, noUsage: true, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, errorType: '_OTHER', ttftMs: 0, finishReasons: ['length', 'stop'], reportedCost: 1e-12 }), model: true, late: true })],
      ['c3', record({ parent: 'c1', call: null, usage: true })],
      ['r', record({ root: ['support.answer', 1748736003418.5], vals: ['support'] })],
      ['t', record({ parent: 'r', tool: 'lookup\u0000{"q":"x"}' })],
      ['x', 'c1'],
    ]);
    const back = decodeTrace(encodeTrace(spans, 'decided'));
    expect([...back.keys()]).toEqual([...spans.keys()]);
    for (const [id, r] of spans) {
      const b = back.get(id);
      if (typeof r === 'string') expect(b).toBe(r);
      // Holes of a sparse array come back as undefined: the same values.
      else expect(b).toEqual({ ...r, vals: r.vals && [...r.vals], call: r.call && { ...r.call } });
    }
    const c1 = back.get('c1') as SpanRecord;
    expect(c1.call!.cost).toBe(0.1 + 0.2);
    expect(c1.call!.startMs).toBe(1748736003418.359);
    expect((back.get('c2') as SpanRecord).call!.ttftMs).toBe(0);
  });

  it('a payload that is not a trace is an error, never a crash', () => {
    for (const bad of ['', 'QQ==', encodeTrace(new Map([['a', 'b']]), 'open').slice(0, 6), '!!!!']) {
      expect(() => decodeTrace(bad)).toThrow(/trace record/);
    }
  });
});

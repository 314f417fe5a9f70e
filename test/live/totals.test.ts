import fc from 'fast-check';
import { sortedDifference } from '../../src/lib/stats/percentiles.js';
import { describe, expect, it } from 'vitest';
import { latencyP95, SessionTotals, totalUsd, type CountedCall } from '../../src/lib/live/totals.js';

const usage = (input: number, output: number) => ({ input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

describe('SessionTotals', () => {
  it('gives back exactly $0 once every priced call was taken back (count-once), whatever the float residue', () => {
    const t = new SessionTotals();
    const a: CountedCall = { model: 'gpt-4o', usage: usage(10, 5), cost: 0.1 };
    const b: CountedCall = { model: 'gpt-4o', usage: usage(20, 5), cost: 0.2 };
    const noUsage: CountedCall = { model: 'gpt-4o', cost: undefined };
    expect(0.1 + 0.2 - 0.1 - 0.2).not.toBe(0); // the residue this guards against
    t.count(noUsage, 1);
    t.count(a, 1);
    t.count(b, 1);
    t.count(a, -1);
    t.count(b, -1);
    const row = t.byModel.get('gpt-4o')!;
    expect(row.calls).toBe(1);
    expect(totalUsd(row)).toBe(0);
    expect(Object.is(totalUsd(row), -0)).toBe(false);
    expect(totalUsd(t.calls)).toBe(0);
    expect(row.usage.input).toBe(0);
  });

  it('counts errors and the nearest-rank p95 of durations per model, take-backs included', () => {
    const t = new SessionTotals();
    const call = (durationMs: number, failed = false): CountedCall => ({ model: 'gpt-4o', usage: usage(1, 1), cost: 0, durationMs, failed });
    const outer = call(9000);
    for (let ms = 100; ms <= 2000; ms += 100) t.count(call(ms, ms === 300), 1);
    t.count(outer, 1);
    t.count(outer, -1); // an outer span taken back when its inner call arrived
    const row = t.byModel.get('gpt-4o')!;
    expect(row.calls).toBe(20);
    expect(row.errors).toBe(1);
    expect(latencyP95(row)).toBe(1900); // rank ⌈0.95·20⌉ = 19
    expect(latencyP95(t.calls)).toBe(1900);
  });

  it('gives back exactly $0 while a $0 call is still counted', () => {
    const t = new SessionTotals();
    t.count({ model: 'local', usage: usage(5, 5), cost: 0 }, 1);
    const a: CountedCall = { model: 'local', usage: usage(1, 1), cost: 0.7 };
    const b: CountedCall = { model: 'local', usage: usage(1, 1), cost: 0.1 };
    t.count(a, 1);
    t.count(b, 1);
    t.count(a, -1);
    t.count(b, -1);
    expect(t.calls.pricedCalls).toBe(1);
    expect(totalUsd(t.calls)).toBe(0);
  });

  it('keeps the sum of the calls still counted', () => {
    const calls = fc.array(fc.record({ cost: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }), back: fc.boolean() }), { maxLength: 40 });
    fc.assert(
      fc.property(calls, (list) => {
        const t = new SessionTotals();
        const counted = list.map((c) => ({ call: { model: 'm', usage: usage(1, 1), cost: c.cost } satisfies CountedCall, back: c.back }));
        for (const c of counted) t.count(c.call, 1);
        for (const c of counted) if (c.back) t.count(c.call, -1);
        const kept = counted.filter((c) => !c.back);
        const expected = kept.reduce((s, c) => s + (c.call.cost ?? 0), 0);
        const priced = kept.filter((c) => c.call.cost !== undefined).length;
        expect(t.calls.calls).toBe(kept.length);
        expect(t.calls.pricedCalls).toBe(priced);
        expect(t.calls.unpricedCalls).toBe(kept.length - priced);
        if (priced === 0) expect(totalUsd(t.calls)).toBe(0);
        else expect(totalUsd(t.calls)).toBeCloseTo(expected, 9);
      }),
    );
  });
});

describe('session totals: exact in any order and with take-backs', () => {
  /** What the summary and `tail --json` read of totals (durations as a multiset). */
  const figures = (t: SessionTotals) => {
    const of = (c: SessionTotals['calls']) => ({
      calls: c.calls,
      usage: c.usage,
      usd: totalUsd(c),
      priced: c.pricedCalls,
      unpriced: c.unpricedCalls,
      errors: c.errors,
      p95: latencyP95(c),
      // The durations still counted: an emptied row is dropped with its take-backs.
      durations: [...sortedDifference(Float64Array.from(c.durationsMs), Float64Array.from(c.takenBackMs))],
    });
    const byKey = (m: Map<string, SessionTotals['calls']>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => [k, of(c)]));
    return { calls: of(t.calls), byModel: byKey(t.byModel), byAgentModel: byKey(t.byAgentModel) };
  };

  // Costs as callCost makes them: tokens × a per-million price of up to six decimals / 1e6.
  const rates = [0.01875, 0.075, 0.15, 0.3, 1.25, 2.5, 3, 3.75, 10, 15, 75];
  const call = fc.record({
    model: fc.constantFrom('gpt-4o', 'claude-sonnet-4-5', 'gemini-2.5-flash'),
    agent: fc.constantFrom('app', 'worker'),
    input: fc.integer({ min: 0, max: 2_000_000 }),
    output: fc.integer({ min: 0, max: 200_000 }),
    rate: fc.option(fc.constantFrom(...rates), { nil: undefined }),
    durationMs: fc.integer({ min: 1, max: 60_000 }),
    failed: fc.boolean(),
    back: fc.boolean(),
  });

  it('equals one view counting them in arrival order', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 200 }), (list, picks) => {
        const calls = list.map((c) => ({ ...c, counted: { model: c.model, agent: c.agent, usage: usage(c.input, c.output), cost: c.rate === undefined ? undefined : ((c.input + c.output) * c.rate) / 1e6, durationMs: c.durationMs, failed: c.failed } satisfies CountedCall }));
        // One view, in list order: every call, then the take-backs.
        const one = new SessionTotals();
        for (const c of calls) one.count(c.counted, 1);
        for (const c of calls) if (c.back) one.count(c.counted, -1);
        // Another order (picks interleave the calls, a take-back after its call).
        const other = new SessionTotals();
        const steps = calls.flatMap((c) => (c.back ? [c, c] : [c]));
        const left = [...steps];
        const seen = new Set<object>();
        let p = 0;
        while (left.length) {
          const i = (picks[p++] ?? 0) % left.length;
          const c = left.splice(i, 1)[0]!;
          const sign = seen.has(c) ? -1 : 1;
          seen.add(c);
          other.count(c.counted, sign);
        }
        expect(figures(other)).toEqual(figures(one));
      }),
      { numRuns: 300 },
    );
  });
});

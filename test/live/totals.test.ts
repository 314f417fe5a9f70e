import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latencyP95, SessionTotals, type CountedCall } from '../../src/lib/live/totals.js';

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
    expect(row.cost).toBe(0);
    expect(Object.is(row.cost, -0)).toBe(false);
    expect(t.calls.cost).toBe(0);
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

  it('never goes below $0 while a $0 call is still counted', () => {
    const t = new SessionTotals();
    t.count({ model: 'local', usage: usage(5, 5), cost: 0 }, 1);
    const a: CountedCall = { model: 'local', usage: usage(1, 1), cost: 0.7 };
    const b: CountedCall = { model: 'local', usage: usage(1, 1), cost: 0.1 };
    t.count(a, 1);
    t.count(b, 1);
    t.count(a, -1);
    t.count(b, -1);
    expect(t.calls.pricedCalls).toBe(1);
    expect(t.calls.cost).toBeGreaterThanOrEqual(0);
    expect(t.calls.cost).toBeLessThan(1e-12);
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
        if (priced === 0) expect(t.calls.cost).toBe(0);
        else expect(t.calls.cost).toBeCloseTo(expected, 9);
      }),
    );
  });
});

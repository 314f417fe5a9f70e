import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCall, emptyCounters, gateCost } from '../../src/lib/cost/aggregate.js';
import type { AttributedCall } from '../../src/lib/cost/attribution.js';
import { addUsd, emptyUsdSum, usdDifference, usdOf } from '../../src/lib/cost/usd-sum.js';

const call = (cost: number | null, reportedCost?: number): AttributedCall =>
  ({
    traceId: 't',
    spanId: 's',
    feature: 'f',
    inherited: [],
    model: 'gpt-4o',
    usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost,
    reportedCost,
  }) as unknown as AttributedCall;

/** Costs as `callCost` makes them: tokens × a price per million with up to six decimals / 1e6. */
const callCostArb = fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 75_000_000 })).map(([tokens, micro]) => (tokens * (micro / 1e6)) / 1e6);

describe('exact USD sums (cost and tail alike)', () => {
  it('give the same total in every order, and exactly 0 after every take-back', () => {
    fc.assert(
      fc.property(fc.array(callCostArb, { minLength: 2, maxLength: 60 }), fc.integer(), (costs, seed) => {
        const shuffled = [...costs];
        let s = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const a = emptyCounters();
        const b = emptyCounters();
        for (const c of costs) addCall(a, call(c, c / 3));
        for (const c of shuffled) addCall(b, call(c, c / 3));
        expect(gateCost(a)).toBe(gateCost(b));
        expect(gateCost(a, 'reported')).toBe(gateCost(b, 'reported'));
        expect(gateCost(a, 'auto')).toBe(gateCost(b, 'auto'));
        for (const c of shuffled) addCall(b, call(c, c / 3), -1);
        expect(Object.is(gateCost(b), 0)).toBe(true);
        expect(Object.is(gateCost(b, 'reported'), 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('where float addition depends on the order', () => {
    const costs = [0.1, 0.2, 0.3];
    expect(0.1 + 0.2 + 0.3).not.toBe(0.3 + 0.2 + 0.1); // what the float sums of `cost` did
    const a = emptyUsdSum();
    const b = emptyUsdSum();
    for (const c of costs) addUsd(a, c);
    for (const c of [...costs].reverse()) addUsd(b, c);
    expect(usdOf(a)).toBe(0.6);
    expect(usdOf(b)).toBe(0.6);
  });

  it('hold large reported amounts to the micro-dollar, and subtract exactly', () => {
    const big = emptyUsdSum();
    addUsd(big, 12_345.678901234);
    addUsd(big, 0.000001);
    expect(usdOf(big)).toBe(12_345.678902);
    const a = emptyUsdSum();
    const b = emptyUsdSum();
    addUsd(a, 0.3);
    addUsd(b, 0.1);
    addUsd(b, 0.2);
    expect(usdDifference(a, b)).toBe(0);
    expect(0.3 - (0.1 + 0.2)).not.toBe(0);
  });
});

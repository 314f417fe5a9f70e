/** Nearest rank from its definition, and the multiset with take-backs, against brute force. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nearestRank, sortedDifference, summarize, ValueColumn } from '../../src/lib/stats/percentiles.js';

/** The definition, literally: the smallest value with at least p% of the values at or below it. */
function byDefinition(values: number[], p: number): number {
  return Math.min(...values.filter((v) => values.filter((w) => w <= v).length * 100 >= p * values.length));
}

describe('nearest-rank percentiles', () => {
  it('known cases', () => {
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(nearestRank(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19); // rank exactly 19, no float error
    expect(nearestRank([7], 99)).toBe(7);
    expect(summarize([])).toBeNull();
  });

  it('equals the definition for any values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 60 }), fc.constantFrom(1, 50, 95, 99, 100), (values, p) => {
        const sorted = Float64Array.from(values).sort();
        expect(nearestRank(sorted, p)).toBe(byDefinition(values, p));
      }),
    );
  });

  it('a multiset with take-backs summarizes what is left, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 80 }), fc.array(fc.boolean(), { maxLength: 80 }), (values, takeBack) => {
        const col = new ValueColumn();
        const left: number[] = [];
        values.forEach((v, i) => {
          col.add(v, 1);
          if (takeBack[i]) col.add(v, -1);
          else left.push(v);
        });
        const s = col.summary();
        if (!left.length) expect(s).toBeNull();
        else expect(s).toEqual({ count: left.length, p50: byDefinition(left, 50), p95: byDefinition(left, 95), p99: byDefinition(left, 99), max: Math.max(...left) });
        expect([...sortedDifference(Float64Array.from(values), Float64Array.from(values))]).toEqual([]);
      }),
    );
  });
});

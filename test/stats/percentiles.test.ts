/** Nearest rank from its definition, and the multiset with take-backs, against brute force. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Float64List, nearestRank, sortedDifference, summarize, ValueColumn, valuesFromText, valuesToText } from '../../src/lib/stats/percentiles.js';

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

describe('values in a spill file', () => {
  it('round-trip every double bit for bit, appended after what a list holds', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), fc.array(fc.double()), (held, spilled) => {
        const list = new Float64List();
        for (const v of held) list.push(v);
        const back = valuesFromText(valuesToText(Float64Array.from(spilled)))!;
        list.pushAll(back);
        expect([...list.values()]).toEqual([...held, ...spilled]); // toEqual tells -0 from 0 and matches NaN
      }),
    );
  });

  it('a subarray at an offset, and text that is not values', () => {
    const all = Float64Array.from([1.5, -0, Number.MIN_VALUE, Infinity]);
    expect([...valuesFromText(valuesToText(all.subarray(1, 3)))!]).toEqual([-0, Number.MIN_VALUE]);
    expect(valuesFromText('abc')).toBeUndefined(); // 2 bytes: not whole doubles
    expect(valuesFromText('')!.length).toBe(0);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentTraceIds } from '../../src/lib/trace/recent-trace-ids.js';

const hexId = fc.integer({ min: 1, max: 40 }).map((n) => n.toString(16).padStart(32, '0'));

describe('RecentTraceIds', () => {
  it('remembers at least the last N distinct ids added, at most 2N, and nothing never added', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(hexId, fc.constant('not-a-hex-id')), { maxLength: 120 }), (n, ids) => {
        const recent = new RecentTraceIds(n);
        const order: string[] = []; // distinct ids, most recent last
        for (const id of ids) {
          recent.add(id);
          const at = order.indexOf(id);
          if (at >= 0) order.splice(at, 1);
          order.push(id);
          for (const kept of order.slice(-n)) expect(recent.has(kept)).toBe(true);
          expect(recent.size).toBeLessThanOrEqual(2 * n);
          for (const forgotten of order.slice(0, -2 * n)) expect(recent.has(forgotten)).toBe(false);
        }
        expect(recent.has('f'.repeat(32))).toBe(false);
      }),
    );
  });

  it('refuses a bound below 1', () => {
    expect(() => new RecentTraceIds(0)).toThrow(RangeError);
  });
});

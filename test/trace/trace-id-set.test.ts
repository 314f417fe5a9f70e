import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceIdSet } from '../../src/lib/trace/trace-id-set.js';

const hexId = fc.stringMatching(/^[0-9a-f]{32}$/);
/** Ids that differ in one hex digit from others (same slot neighbourhood), odd ids, all-zero. */
const anyId = fc.oneof(
  { weight: 6, arbitrary: hexId },
  fc.constantFrom('0'.repeat(32), 'f'.repeat(32), '0'.repeat(31) + '1', '1' + '0'.repeat(31), '0af7651916cd43dd8448eb211c80319c', '0AF7651916CD43DD8448EB211C80319C', '', 'zz', '0af7651916cd43dd8448eb211c80319'),
  fc.string({ maxLength: 40 }),
);

describe('TraceIdSet', () => {
  it('answers exactly as a Set of strings, through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), anyId), { maxLength: 400 }), (ops) => {
        const got = new TraceIdSet();
        const want = new Set<string>();
        for (const [add, id] of ops) {
          if (add) {
            got.add(id);
            want.add(id);
          }
          expect(got.has(id)).toBe(want.has(id));
        }
        for (const [, id] of ops) expect(got.has(id)).toBe(want.has(id));
        expect(got.size).toBe(want.size);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps 100k ids exactly (ids one digit apart are different)', () => {
    const set = new TraceIdSet();
    const id = (i: number) => i.toString(16).padStart(32, '0');
    for (let i = 1; i <= 100_000; i++) set.add(id(i * 16));
    expect(set.size).toBe(100_000);
    let wrong = 0;
    for (let i = 1; i <= 100_000; i++) if (!set.has(id(i * 16)) || set.has(id(i * 16 + 1))) wrong++;
    expect(wrong).toBe(0);
    expect(set.has('0'.repeat(32))).toBe(false);
  });
});

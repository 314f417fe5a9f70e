import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpanIds } from '../../src/lib/lint/span-ids.js';

const hexId = fc.stringMatching(/^[0-9a-f]{16}$/);
const anyId = fc.oneof(hexId, hexId, fc.string({ maxLength: 20 }));

describe('SpanIds', () => {
  it('answers like a Map whatever the sequence of adds, packs and lookups', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ op: fc.constant('set' as const), id: anyId, kind: fc.integer({ min: 0, max: 80 }) }), fc.record({ op: fc.constant('pack' as const) })), { maxLength: 200 }),
        fc.array(anyId, { maxLength: 30 }),
        (ops, probes) => {
          const ids = new SpanIds();
          const model = new Map<string, number>();
          for (const o of ops) {
            if (o.op === 'pack') ids.pack();
            else if (!model.has(o.id)) {
              // The engine sets an id only once (a repeat is a duplicate, recorded elsewhere).
              ids.set(o.id, o.kind);
              model.set(o.id, o.kind);
            }
          }
          expect(ids.size).toBe(model.size);
          for (const id of [...model.keys(), ...probes]) expect(ids.get(id)).toBe(model.get(id));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('packs a large trace', () => {
    const ids = new SpanIds();
    for (let i = 0; i < 200_000; i++) ids.set(i.toString(16).padStart(16, '0'), i % 6);
    ids.pack();
    expect(ids.size).toBe(200_000);
    expect(ids.get((123_456).toString(16).padStart(16, '0'))).toBe(123_456 % 6);
    expect(ids.has('ffffffffffffffff')).toBe(false);
  });
});

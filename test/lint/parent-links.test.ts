/**
 * Lint's parent links (parent-links.ts) and the spill's trace filter: the cycles found from the
 * links as the trace state keeps them (by place once packed, a parent's link added when it
 * arrives) equal those of an independent reading of every link given, whenever the state was
 * packed, frozen and thawed; and the filter never forgets a trace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnWidth, packedIdsIn } from '../../src/lib/lint/parent-links.js';
import { NameInterner, SourceTable, TraceState } from '../../src/lib/lint/trace-state.js';
import { TraceFilter } from '../../src/lib/spill/trace-filter.js';

/**
 * The oracle: spans that can reach a cycle by links and be reached from one, grouped by the links
 * between them, each group sorted, the groups by their first member (as parentCycles documents).
 */
function cyclesOf(links: Array<[string, string]>): string[][] {
  const up = new Map<string, string[]>();
  for (const [c, p] of links) up.set(c, [...(up.get(c) ?? []), p]);
  const reach = (from: string, next: (id: string) => string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = [...next(from)];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...next(id));
    }
    return seen;
  };
  const down = new Map<string, string[]>();
  for (const [c, p] of links) down.set(p, [...(down.get(p) ?? []), c]);
  const onCycle = [...up.keys()].filter((id) => reach(id, (x) => up.get(x) ?? []).has(id));
  const kept = new Set<string>();
  for (const id of new Set([...up.keys(), ...down.keys()])) {
    const ahead = reach(id, (x) => up.get(x) ?? []);
    const behind = reach(id, (x) => down.get(x) ?? []);
    const isOn = onCycle.includes(id);
    if ((isOn || onCycle.some((c) => ahead.has(c))) && (isOn || onCycle.some((c) => behind.has(c)))) kept.add(id);
  }
  const groups: string[][] = [];
  const done = new Set<string>();
  for (const id of kept) {
    if (done.has(id)) continue;
    const group = [...reach(id, (x) => [...(up.get(x) ?? []), ...(down.get(x) ?? [])].filter((y) => kept.has(y)))].filter((y) => kept.has(y));
    if (!group.includes(id)) group.push(id);
    for (const g of group) done.add(g);
    groups.push(group.sort());
  }
  return groups.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

const hexId = (n: number) => n.toString(16).padStart(16, '0');

describe('parent links', () => {
  it('give the cycles of every link given, packed, frozen and thawed at any points', () => {
    const names = new NameInterner();
    const sources = new SourceTable();
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 300 })),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.nat({ max: 9 })), { minLength: 1, maxLength: 400 }),
        (ids, picks) => {
          // Mostly hex ids (a few that do not pack), parents among the ids, missing, none or self.
          const idOf = (n: number) => (n % 29 === 7 ? `odd-${n % ids}` : hexId(n % ids));
          let t = new TraceState('t', 0);
          const given: Array<[string, string]> = [];
          for (const [n, parentPick, step] of picks) {
            const spanId = idOf(n);
            const parent = parentPick === 0 ? '' : parentPick === 1 ? spanId : parentPick === 2 ? hexId(ids + 5) : idOf(n * 7 + parentPick);
            t.add(spanId, parent, 'x', 1, 0, undefined, undefined, 0, names);
            if (parent !== '' && parent !== spanId) given.push([spanId, parent]);
            if (step === 0) t.pack();
            if (step === 1) {
              t.pack();
              t = TraceState.thaw('t', t.freeze(sources, names), sources, names, 0);
            }
            if (step === 2) t = TraceState.thaw('t', t.freeze(sources, names), sources, names, 0);
          }
          expect(t.parentCycles()).toEqual(cyclesOf(given));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('write a trace of 70,000 ids in three bytes a place, and read it back', () => {
    const names = new NameInterner();
    const sources = new SourceTable();
    const t = new TraceState('t', 0);
    const n = 70_000;
    for (let i = 1; i <= n; i++) t.add(hexId(i), i === 1 ? '' : hexId(i === n ? n - 1 : i - 1), 'x', 1, 0, undefined, undefined, 0, names);
    t.add(hexId(1), hexId(n), 'x', 1, 0, undefined, undefined, 0, names); // a copy of the root closes one cycle through all
    t.pack();
    const frozen = t.freeze(sources, names);
    expect(columnWidth(n)).toBe(3);
    const cycles = TraceState.thaw('t', frozen, sources, names, 0).parentCycles();
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
  });

  it('tell the column width from the characters alone', () => {
    for (const ids of [0, 1, 254, 255, 256, 65_534, 65_535, 70_000, 16_777_214, 16_777_215]) {
      expect(packedIdsIn(ids * (9 + columnWidth(ids)))).toBe(ids);
    }
  });
});

describe('the spill trace filter', () => {
  it('holds every trace added, and few others', () => {
    const filter = new TraceFilter();
    const added = Array.from({ length: 300_000 }, (_, i) => `${hexId(i * 7919)}${hexId(i)}`);
    for (const id of added) filter.add(id);
    expect(added.every((id) => filter.mayHold(id))).toBe(true);
    let others = 0;
    for (let i = 0; i < 100_000; i++) if (filter.mayHold(`${hexId(i)}${hexId(i * 31 + 1)}ff`)) others++;
    expect(others).toBeLessThan(3_000);
    expect(new TraceFilter().mayHold(added[0]!)).toBe(false);
  });
});

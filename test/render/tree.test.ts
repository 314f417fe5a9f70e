import { describe, expect, it } from 'vitest';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderTrace } from '../../src/lib/render/tree.js';
import { assembleTrace } from '../../src/lib/trace/assemble.js';
import { hexId, spanWith, T0 } from '../helpers/span-factory.js';

const TRACE = hexId('deep', 16);
const colors = makeColors({ noColor: true });
const DEPTH = 100_000;
const spanIdOf = (i: number) => (i + 1).toString(16).padStart(16, '0');

/** Spans 0 → 1 → … → n−1, each the parent of the next; `cycle` makes span 0 the child of the last. */
function chain(n: number, cycle: boolean) {
  const spans = [];
  for (let i = 0; i < n; i++) {
    const parentSpanId = i > 0 ? spanIdOf(i - 1) : cycle ? spanIdOf(n - 1) : '';
    spans.push(spanWith({ traceId: TRACE, spanId: spanIdOf(i), parentSpanId, name: `step ${i}`, startTimeUnixNano: T0 + BigInt(i), endTimeUnixNano: T0 + 1_000_000n }));
  }
  return spans.reverse();
}

describe('renderTrace on deep traces (docs/architecture.md, "Tree rendering depth")', () => {
  it('draws a 100,000-deep chain one line per span, its guides capped at the width with the elided levels counted', () => {
    const width = 100;
    const lines = renderTrace(assembleTrace(TRACE, chain(DEPTH, false)), { colors, width });
    expect(lines).toHaveLength(1 + DEPTH);
    expect(lines[1]).toMatch(/^step 0 /);
    expect(lines[2]).toMatch(/^└─ step 1 /);
    // 100 columns draw 11 guide levels: the deepest span has 99,998 levels above its own guide.
    const drawn = Math.floor((width - 30) / 6);
    expect(lines.at(-1)).toMatch(new RegExp(`^┆${DEPTH - 2 - drawn}┆ ( {3}){${drawn}}└─ step ${DEPTH - 1} `));
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(width);
  });

  it('draws a 100,000-span parent cycle cut at one span as a chain under it', () => {
    const lines = renderTrace(assembleTrace(TRACE, chain(DEPTH, true)), { colors, width: Infinity });
    expect(lines[1]).toMatch(/incomplete trace: 1 parent cycle cut/);
    expect(lines).toHaveLength(2 + DEPTH);
    expect(lines[2]).toMatch(/^step \d+ .*\(parent cycle cut\)$/);
    // Without a width, 64 levels are drawn.
    expect(lines.at(-1)).toMatch(new RegExp(`^┆${DEPTH - 2 - 64}┆ ( {3}){64}└─ step \\d+ `));
  });

  it('keeps the guides of the deepest drawn levels under --depth and for attributes', () => {
    const spans = chain(200, false);
    const lines = renderTrace(assembleTrace(TRACE, spans), { colors, width: 60, maxDepth: 150, attrs: ['service.name'] });
    // 60 columns draw 5 guide levels; the span at depth 150 has 149 levels above its guide.
    expect(lines.at(-3)).toMatch(/^┆144┆ ( {3}){5}└─ step 150 /);
    // No child is drawn under it, so its attribute line carries no vertical.
    expect(lines.at(-2)).toBe(`┆144┆ ${' '.repeat(3 * 7)}service.name: test-svc`);
    expect(lines.at(-1)).toBe(`┆145┆ ${' '.repeat(3 * 5)}└─ … 49 more spans below (--depth 150)`);
  });
});

describe('renderTrace: the incomplete-trace note', () => {
  const span = (id: string, parent: string) => spanWith({ traceId: TRACE, spanId: id.padStart(16, '0'), parentSpanId: parent && parent.padStart(16, '0'), name: `s${id}`, startTimeUnixNano: T0, endTimeUnixNano: T0 + 1_000_000n });

  it('asks about flushing only when a parent never arrived: a parent cycle is the instrumentation linking spans in a loop', () => {
    const cycle = renderTrace(assembleTrace(TRACE, [span('1', ''), span('2', '3'), span('3', '2')]), { colors, width: Infinity });
    expect(cycle[1]).toMatch(/^⚠ incomplete trace: 1 parent cycle cut/);
    expect(cycle[1]).not.toMatch(/flushing/);
    const orphan = renderTrace(assembleTrace(TRACE, [span('1', ''), span('2', '9')]), { colors, width: Infinity });
    expect(orphan[1]).toBe('⚠ incomplete trace: 1 span whose parent never arrived — did the process exit without flushing its spans?');
  });
});

describe('renderTrace with unset (0) start times (docs/architecture.md, "Unset span times")', () => {
  const span = (spanId: string, start: bigint, end: bigint, parentSpanId = '') => spanWith({ traceId: TRACE, spanId, parentSpanId, name: `s${spanId}`, startTimeUnixNano: start, endTimeUnixNano: end });

  it('dates the trace by its timed spans, as tail prints it too', () => {
    const t = assembleTrace(TRACE, [span('a', 0n, T0 + 9_000_000n), span('b', T0, T0 + 2_000_000n, 'a')]);
    expect([t.startNs, t.endNs, t.unsetStarts]).toEqual([T0, T0 + 2_000_000n, 1]);
    const lines = renderTrace(t, { colors, width: Infinity });
    expect(lines[0]).toMatch(/ · 2\.0ms · \d{4}-\d\d-\d\d /);
    expect(lines[0]).not.toMatch(/1970/);
    expect(lines[1]).toMatch(/⚠ 1 span has no start time \(0\)/);
    expect(lines[2]).toMatch(/^sa {2}\?/);
  });

  it('says time unknown when no span has a start', () => {
    const lines = renderTrace(assembleTrace(TRACE, [span('a', 0n, 0n), span('b', 0n, T0, 'a')]), { colors, width: Infinity, timeline: true });
    expect(lines[0]).toMatch(/ · 2 spans · \? · time unknown$/);
    expect(lines[1]).toMatch(/⚠ 2 spans have no start time/);
  });
});

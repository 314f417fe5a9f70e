/**
 * The live view's estimate of what a printed trace holds (held as its saved line: printed-traces.ts
 * lineBytes) against the real V8 heap it takes: the `--memory` budget of printed traces is only a bound if the estimate
 * is close. Measured as `tail --quiet`'s view thread keeps traces (slim: nothing drawn), with a
 * full collection before and after, over enough traces that other allocations are noise.
 */
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { LiveView } from '../../src/lib/live/view.js';
import type { Span } from '../../src/lib/span.js';
import { hexId, llm, span } from '../helpers/span-factory.js';
import { traceExport } from './helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const usedHeap = () => {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size;
};

type Shape = 'calls' | 'plain' | 'mixed';

/** One trace of `n` spans: every span a call with usage (roots), a plain chain, or a chain ending in two calls. */
function trace(i: number, n: number, shape: Shape): Span[] {
  const traceId = hexId(`t${i}`, 16);
  const spans: Span[] = [];
  for (let k = 0; k < n; k++) {
    const id = `${i}s${k}`;
    const parent = shape === 'calls' || k === 0 ? undefined : `${i}s${k - 1}`;
    const call = shape === 'calls' || (shape === 'mixed' && k >= n - 2);
    spans.push({ ...(call ? llm(id, parent, 'gpt-4o', 1000 + k, 100) : span({ id, parent })), traceId });
  }
  return spans;
}

/** Real heap bytes a printed trace holds, and the view's estimate of it. */
function measure(traces: number, spansPerTrace: number, shape: Shape): { real: number; estimated: number } {
  let now = 1_000_000;
  // A budget no test reaches: every printed trace stays in memory.
  let view: LiveView | undefined = new LiveView({ emit: () => {}, now: () => now, showContent: false, traceEvents: false, printedMemoryBytes: 2 ** 40 });
  for (let from = 0; from < traces; from += 500) {
    const batch: Span[] = [];
    for (let i = from; i < Math.min(traces, from + 500); i++) batch.push(...trace(i, spansPerTrace, shape));
    view.onExport(traceExport(batch));
    now += 5_000; // quiet long enough: the batch's traces complete and are printed
    view.tick();
  }
  // The session's latencies (8 B a call, in the total, per model and per agent and model) grow
  // with every call counted, printed or not: not part of what a printed trace holds.
  for (const t of [view.totals.calls, ...view.totals.byModel.values(), ...view.totals.byAgentModel.values()]) t.durationsMs.length = 0;
  expect(view.printedCount).toBe(traces);
  const estimated = view.printedBytes;
  view.close();
  // The heap the view holds: with it, then without it (code compiled meanwhile is in both).
  const withView = usedHeap();
  view = undefined;
  const real = withView - usedHeap();
  return { real, estimated };
}

describe('printed trace size estimate', () => {
  for (const [shape, n] of [
    ['calls', 8],
    ['plain', 8],
    ['mixed', 8],
    ['calls', 2],
    ['plain', 16],
  ] as Array<[Shape, number]>) {
    it(`is within 25% of the heap a trace of ${n} ${shape} spans holds`, () => {
      // A heap difference can come out near zero once when the collector keeps the dropped view
      // (seen once in CI under load: 184×), so up to three measurements, the first in bounds
      // counts. The test can still fail: an estimate that is wrong is wrong every time (the one
      // before calibration was 0.35× the real size on calls).
      let ratio = 0;
      for (let attempt = 0; attempt < 3; attempt++) {
        const { real, estimated } = measure(10_000, n, shape);
        ratio = estimated / real;
        if (ratio > 0.75 && ratio < 1.25) break;
      }
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    });
  }
});

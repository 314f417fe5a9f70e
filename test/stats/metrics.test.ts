/**
 * `stats` from OTLP metrics, unit level: percentiles interpolated within buckets against values
 * worked out by hand here, delta and cumulative series inside a window, grouping as spans
 * (model = the matched price entry), and services with spans left to their spans.
 */
import { describe, expect, it } from 'vitest';
import { planDimensions } from '../../src/lib/cost/dimensions.js';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import { decodeSignalJson } from '../../src/lib/otlp/signals.js';
import { metricsInputs } from '../../src/lib/sources/metrics.js';
import { histogramMax, interpolatedPercentile, type Histogram } from '../../src/lib/stats/histogram.js';
import { genAiPoints, groupMetrics, histogramSeries, type MetricPoint } from '../../src/lib/stats/metrics.js';
import { metricsFiguresOf } from '../../src/lib/stats/report.js';
import { CUMULATIVE, DELTA, metricsRequest, T0, type PointSpec } from './metrics-fixtures.js';

const MIN = 60_000;

function points(spec: PointSpec): MetricPoint[] {
  const problems: string[] = [];
  const out = genAiPoints(decodeSignalJson('metrics', metricsRequest(spec)), (p) => problems.push(p.message));
  expect(problems).toEqual([]);
  return out;
}

describe('interpolated percentiles', () => {
  // Bounds 0.1, 0.5, 1, 5 s; 10 calls: 1 ≤ 0.1, 3 in (0.1, 0.5], 4 in (0.5, 1], 2 in (1, 5], none above.
  const h: Histogram = { bounds: [0.1, 0.5, 1, 5], counts: [1, 3, 4, 2, 0], count: 10, sum: 7 };

  it('is linear within the bucket holding the nearest rank', () => {
    // p50: rank ⌈0.5·10⌉ = 5; 4 calls lie below (0.5, 1], the 5th is the 1st of its 4: 0.5 + 0.5·1/4.
    expect(interpolatedPercentile(h, 50)).toBeCloseTo(0.625, 12);
    // p95: rank ⌈9.5⌉ = 10; 8 below (1, 5], the 10th is the 2nd of its 2: the bucket's upper bound.
    expect(interpolatedPercentile(h, 95)).toBeCloseTo(5, 12);
    // p10: rank 1, the only call of the first bucket, whose lower bound is 0 without min: 0 + 0.1·1/1.
    expect(interpolatedPercentile(h, 10)).toBeCloseTo(0.1, 12);
    // p20: rank 2, the 1st of 3 in (0.1, 0.5]: 0.1 + 0.4/3.
    expect(interpolatedPercentile(h, 20)).toBeCloseTo(0.1 + 0.4 / 3, 12);
    // Without max, the largest value is the upper bound of the highest non-empty bucket.
    expect(histogramMax(h)).toBe(5);
  });

  it('uses min and max as the outer bounds and never goes past them', () => {
    const known = { ...h, counts: [2, 0, 0, 0, 3], count: 5, min: 0.04, max: 9 };
    // p20: rank 1 of 2 in the first bucket, which starts at min: 0.04 + (0.1 − 0.04)·1/2.
    expect(interpolatedPercentile(known, 20)).toBeCloseTo(0.07, 12);
    // p50: rank 3, the 1st of 3 in the overflow bucket (5, max 9]: 5 + 4·1/3.
    expect(interpolatedPercentile(known, 50)).toBeCloseTo(5 + 4 / 3, 12);
    expect(interpolatedPercentile(known, 99)).toBeCloseTo(9, 12);
    // Without max the overflow bucket ends at the last bound.
    expect(interpolatedPercentile({ ...known, max: undefined }, 99)).toBeCloseTo(5, 12);
    // A max inside a bucket clamps the interpolation there.
    expect(interpolatedPercentile({ ...h, max: 0.8 }, 95)).toBeCloseTo(0.8, 12);
  });

  it('is undefined for an empty histogram', () => {
    expect(interpolatedPercentile({ bounds: [1], counts: [0, 0], count: 0, sum: 0 }, 50)).toBeUndefined();
  });
});

describe('series inside the window', () => {
  const bounds = [0.5, 1, 2];
  const at = (min: number) => T0 + min * MIN;

  it('adds up delta points inside the window only', () => {
    const s = histogramSeries({ sinceMs: at(10), untilMs: at(30) });
    for (const [t, counts] of [[5, [9, 9, 9, 9]], [10, [1, 2, 0, 0]], [20, [0, 1, 1, 1]], [30, [5, 5, 5, 5]]] as const) {
      for (const p of points({ timeMs: at(t), bounds, counts: [...counts] })) s.add(p);
    }
    const [f, ...rest] = s.figures();
    expect(rest).toEqual([]);
    expect(f!.value.counts).toEqual([1, 3, 1, 1]);
    expect(f!.value.count).toBe(6);
  });

  it('takes a cumulative series as its last point minus the last point before the window', () => {
    const series = (window: { sinceMs?: number; untilMs?: number }, start = at(0)) => {
      const s = histogramSeries(window);
      // Cumulative since `start`: 4, then 10, then 15 calls. Given out of order on purpose.
      for (const [t, counts] of [[20, [3, 4, 2, 1]], [5, [1, 2, 1, 0]], [30, [5, 6, 3, 1]]] as const) {
        for (const p of points({ temporality: CUMULATIVE, startMs: start, timeMs: at(t), bounds, counts: [...counts] })) s.add(p);
      }
      return s.figures().map((f) => f.value.counts);
    };
    // No window: the last point holds everything since the start.
    expect(series({})).toEqual([[5, 6, 3, 1]]);
    // Since minute 10: the point at minute 5 is the baseline.
    expect(series({ sinceMs: at(10) })).toEqual([[4, 4, 2, 1]]);
    // Until minute 25: the point at minute 20 is the last inside.
    expect(series({ sinceMs: at(10), untilMs: at(25) })).toEqual([[2, 2, 1, 1]]);
    // Started inside the window: nothing before it to subtract.
    expect(series({ sinceMs: at(1) }, at(2))).toEqual([[5, 6, 3, 1]]);
  });

  it('without a point before the window, subtracts the first point inside it', () => {
    const s = histogramSeries({ sinceMs: at(10) });
    for (const [t, counts] of [[20, [3, 4, 2, 1]], [30, [5, 6, 3, 1]]] as const) {
      for (const p of points({ temporality: CUMULATIVE, startMs: at(0), timeMs: at(t), bounds, counts: [...counts] })) s.add(p);
    }
    expect(s.figures().map((f) => f.value.counts)).toEqual([[2, 2, 1, 0]]);
  });

  it('treats a new start time as a new series (a restart), each counted in full', () => {
    const s = histogramSeries({});
    for (const p of points({ temporality: CUMULATIVE, startMs: at(0), timeMs: at(5), bounds, counts: [1, 1, 0, 0] })) s.add(p);
    for (const p of points({ temporality: CUMULATIVE, startMs: at(6), timeMs: at(9), bounds, counts: [0, 1, 1, 0] })) s.add(p);
    expect(s.figures().reduce((n, f) => n + f.value.count, 0)).toBe(4);
  });

  it('leaves out a series whose buckets change or whose cumulative count falls', () => {
    const s = histogramSeries({});
    for (const p of points({ timeMs: at(1), bounds, counts: [1, 0, 0, 0] })) s.add(p);
    for (const p of points({ timeMs: at(2), bounds: [1, 2, 3], counts: [1, 0, 0, 0] })) s.add(p);
    expect(s.figures()).toEqual([]);
    expect(s.inconsistent).toHaveLength(1);
  });
});

describe('grouping', () => {
  it('maps model to the matched price entry, counts errors by error.type, sums tokens, leaves services with spans out', async () => {
    const book = await loadPricing({ files: [], builtin: true, storeDir: '/nonexistent', warn: () => {} });
    const plan = planDimensions(['service', 'model']);
    const s = histogramSeries({});
    const bounds = [1, 2];
    const specs: PointSpec[] = [
      { timeMs: T0, bounds, counts: [3, 1, 0], model: 'gpt-4o-2024-08-06' },
      { timeMs: T0, bounds, counts: [0, 0, 1], model: 'gpt-4o-2024-08-06', errorType: '429' },
      { timeMs: T0, bounds, counts: [1, 0, 0], model: 'gpt-4o-2024-08-06', errorType: 'timeout' },
      { timeMs: T0, bounds: [100, 1000], counts: [1, 1, 0], sum: 700, model: 'gpt-4o-2024-08-06', metric: 'gen_ai.client.token.usage', tokenType: 'input' },
      { timeMs: T0, bounds: [100, 1000], counts: [2, 0, 0], sum: 90, model: 'gpt-4o-2024-08-06', metric: 'gen_ai.client.token.usage', tokenType: 'output' },
      { timeMs: T0, bounds, counts: [5, 0, 0], service: 'has-spans' },
    ];
    for (const spec of specs) for (const p of points(spec)) s.add(p);
    const g = groupMetrics(s.figures(), { book, dimensions: plan.dimensions, inherited: plan.inherited, servicesWithSpans: new Set(['has-spans']) });
    expect(g.services).toEqual(['metrics-svc']);
    expect(g.setAside).toEqual(['has-spans']);
    expect(g.groups.map((x) => x.keys)).toEqual([['metrics-svc', book.match('gpt-4o-2024-08-06')!.name]]);
    const f = metricsFiguresOf(g.groups[0]!);
    expect(f).toMatchObject({ calls: 6, errors: 2, errorRate: 2 / 6, errorTypes: { '429': 1, timeout: 1 }, tokens: { input: 700, output: 90 }, lengthRate: null });
    // Buckets [4, 1, 1] over bounds 1 s, 2 s. p50: rank 3, 3rd of 4 in [0, 1 s]: 750 ms.
    // p95 and p99: rank 6, the one call above 2 s; no max, so the overflow ends at the last bound.
    expect(f.latencyMs).toEqual({ p50: 750, p95: 2000, p99: 2000, max: 2000, source: 'metrics', method: 'histogram-interpolated' });
  });

  it('reports a GenAI metric of the wrong type and an inconsistent point, and reads the rest', () => {
    const req = metricsRequest({ timeMs: T0, bounds: [1], counts: [1, 1] }) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: unknown[] }> }> };
    const metrics = req.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    metrics.push({ name: 'gen_ai.client.operation.duration', gauge: { dataPoints: [{ asDouble: 1 }] } });
    metrics.push({ name: 'gen_ai.client.operation.duration', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '3', bucketCounts: ['1'], explicitBounds: [1, 2] }] } });
    metrics.push({ name: 'gen_ai.client.operation.duration', histogram: { aggregationTemporality: 0, dataPoints: [] } });
    metrics.push({ name: 'http.client.duration', gauge: { dataPoints: [] } });
    const problems: string[] = [];
    const got = genAiPoints(decodeSignalJson('metrics', req), (p) => problems.push(`${p.field}: ${p.message}`));
    expect(got).toHaveLength(1);
    expect(problems).toEqual([
      'resourceMetrics[0].scopeMetrics[0].metrics[1]: gen_ai.client.operation.duration is a gauge, expected a histogram with explicit buckets; skipped',
      'resourceMetrics[0].scopeMetrics[0].metrics[2].histogram.dataPoints[0]: 1 bucket counts for 2 bounds (expected 3); skipped',
      'resourceMetrics[0].scopeMetrics[0].metrics[3]: gen_ai.client.operation.duration: aggregation temporality 0 is neither delta (1) nor cumulative (2); skipped',
    ]);
  });

  it('reads a dump again for metrics only when the span reader saw metrics requests in it', async () => {
    expect(await metricsInputs(['package.json'], undefined, false)).toEqual([]);
    expect((await metricsInputs(['package.json'], undefined, true)).map((i) => [i.label, i.metricsOnly])).toEqual([['package.json', false]]);
  });

  it('reads time to first chunk', () => {
    const [p] = points({ metric: 'gen_ai.client.operation.time_to_first_chunk', timeMs: T0, bounds: [0.25, 0.5], counts: [0, 2, 0], temporality: DELTA });
    expect(p!.kind).toBe('ttft');
  });
});

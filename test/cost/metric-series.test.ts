/**
 * Which delta points are a resend (docs/architecture.md, "Usage from log events and metrics"):
 * the same point sent again, same series, same times and same value. A point that is not
 * provably a resend counts; two points without any time cannot be told apart, so each counts and
 * the engine says how many looked like a resend.
 */
import { describe, expect, it } from 'vitest';
import { MetricSeries, type SeriesPoint } from '../../src/lib/cost/metric-series.js';
import { TOKEN_VALUES, type TokenValue } from '../../src/lib/cost/signal-usage.js';
import { histogramSeries, type MetricPoint } from '../../src/lib/stats/metrics.js';
import type { Histogram } from '../../src/lib/stats/histogram.js';

const delta = (sum: number, startMs: number, timeMs: number): SeriesPoint<TokenValue> => ({ seriesKey: 's', cumulative: false, startMs, timeMs, value: { sum, count: 0 } });

function sums(points: Array<SeriesPoint<TokenValue>>, since?: number) {
  const series = new MetricSeries<TokenValue>(since === undefined ? {} : { sinceMs: since }, TOKEN_VALUES);
  for (const p of points) series.add(p);
  return { sums: series.figures().map((f) => f.value.sum), untoldResends: series.untoldResends };
}

describe('delta points: a resend is the same point again', () => {
  it('the same interval and value twice is one resend', () => {
    expect(sums([delta(5, 1000, 2000), delta(5, 1000, 2000), delta(7, 2000, 3000)])).toEqual({ sums: [12], untoldResends: 0 });
  });

  it('the same interval with another value is another point, counted', () => {
    expect(sums([delta(5, 1000, 2000), delta(7, 1000, 2000)])).toEqual({ sums: [12], untoldResends: 0 });
    // A known end without a start: [0, end] names the point as well.
    expect(sums([delta(5, 0, 2000), delta(7, 0, 2000), delta(7, 0, 2000)])).toEqual({ sums: [12], untoldResends: 0 });
  });

  it('points without any time all count, and the ones equal to an earlier one are told', () => {
    expect(sums([delta(5, 0, 0), delta(7, 0, 0)])).toEqual({ sums: [12], untoldResends: 0 });
    expect(sums([delta(5, 0, 0), delta(5, 0, 0), delta(5, 0, 0)])).toEqual({ sums: [15], untoldResends: 2 });
  });

  it("stats' histograms share the rule", () => {
    const h = (count: number, sum: number): Histogram => ({ bounds: [1], counts: [count, 0], count, sum });
    const point = (value: Histogram, startMs: number, timeMs: number): MetricPoint => ({ kind: 'duration', seriesKey: 'd', cumulative: false, startMs, timeMs, value, attributes: {}, resource: {} });
    const series = histogramSeries({});
    for (const p of [point(h(1, 0.5), 0, 0), point(h(2, 0.25), 0, 0), point(h(3, 0.75), 1000, 2000), point(h(3, 0.75), 1000, 2000), point(h(4, 1), 1000, 2000)]) series.add(p);
    expect(series.figures().map((f) => f.value.count)).toEqual([1 + 2 + 3 + 4]);
    expect(series.untoldResends).toBe(0);
  });
});

/**
 * Explicit-bucket histograms of OTLP metrics (docs/architecture.md, "stats", "From OTLP
 * metrics"): adding and subtracting them, and percentiles interpolated within buckets. These
 * percentiles are estimates, never one of the recorded values: the report marks them
 * `"method": "histogram-interpolated"` so nobody reads them as the exact nearest-rank figures
 * that spans give.
 */

export const INTERPOLATED_METHOD = 'histogram-interpolated';

export interface Histogram {
  /** Upper bounds of the buckets but the last (the overflow bucket has none). */
  bounds: number[];
  /** One count more than bounds (or none at all when the point carried no buckets). */
  counts: number[];
  count: number;
  sum: number;
  /** Exact only where the exporter reported them and no subtraction made them unknowable. */
  min?: number;
  max?: number;
}

export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** a + b (delta points, or several series of one group); the bounds must be the same. */
export function addHistograms(a: Histogram, b: Histogram): Histogram {
  const counts = a.counts.length === 0 ? [...b.counts] : b.counts.length === 0 ? [...a.counts] : a.counts.map((c, i) => c + b.counts[i]!);
  return {
    bounds: a.counts.length ? a.bounds : b.bounds,
    counts,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    // min and max of the union are known only when both sides know theirs (an empty side has none to know).
    min: a.count === 0 ? b.min : b.count === 0 ? a.min : a.min !== undefined && b.min !== undefined ? Math.min(a.min, b.min) : undefined,
    max: a.count === 0 ? b.max : b.count === 0 ? a.max : a.max !== undefined && b.max !== undefined ? Math.max(a.max, b.max) : undefined,
  };
}

/**
 * later − earlier of one cumulative series: what was recorded between the two points. The
 * series' min and max cover its whole life, not the difference, so they are dropped.
 */
export function subtractHistograms(later: Histogram, earlier: Histogram): Histogram {
  return {
    bounds: later.bounds,
    counts: later.counts.map((c, i) => c - (earlier.counts[i] ?? 0)),
    count: later.count - earlier.count,
    sum: later.sum - earlier.sum,
  };
}

/**
 * The p-th percentile (0 < p ≤ 100), linear within the bucket holding the rank. The rank is
 * nearest-rank's, ⌈p·n/100⌉ (at least 1), so with one value per bucket the result is that
 * bucket's upper bound. Within the bucket holding it, the value is
 * lower + (upper − lower) · (rank − count below the bucket) / count in the bucket. Bucket i
 * spans (bounds[i−1], bounds[i]]; the first bucket's lower bound is min when known, else 0 (the
 * metrics here are durations and token counts); the overflow bucket's upper bound is max when
 * known, else the last bound. The result is clamped to [min, max] when they are known. Undefined
 * for an empty histogram.
 */
export function interpolatedPercentile(h: Histogram, p: number): number | undefined {
  if (h.count <= 0) return undefined;
  if (h.counts.length === 0) return h.max; // no buckets: only min/max/sum were exported
  const rank = Math.max(1, Math.ceil((p * h.count) / 100));
  let below = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const inBucket = h.counts[i]!;
    if (inBucket > 0 && below + inBucket >= rank) {
      const last = h.bounds.length;
      const lower = i === 0 ? (h.min ?? Math.min(0, h.bounds[0] ?? 0)) : h.bounds[i - 1]!;
      const upper = i === last ? (h.max ?? h.bounds[last - 1] ?? lower) : h.bounds[i]!;
      let v = lower + ((upper - lower) * (rank - below)) / inBucket;
      if (h.min !== undefined) v = Math.max(v, h.min);
      if (h.max !== undefined) v = Math.min(v, h.max);
      return v;
    }
    below += inBucket;
  }
  return undefined; // bucket counts add up to less than count: the point was inconsistent
}

/** The largest value: max when known, else the upper bound of the highest non-empty bucket. */
export function histogramMax(h: Histogram): number | undefined {
  if (h.count <= 0) return undefined;
  if (h.max !== undefined) return h.max;
  for (let i = h.counts.length - 1; i >= 0; i--) if (h.counts[i]! > 0) return h.bounds[Math.min(i, h.bounds.length - 1)];
  return undefined;
}

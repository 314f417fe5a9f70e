/**
 * `stats` from OTLP metrics, for services that send no spans (docs/architecture.md, "stats",
 * "From OTLP metrics"). The GenAI client histograms are read from decoded metrics requests
 * (otlp/signals.ts, the store's and tail's one decoder), reduced per series to what was
 * recorded inside the window (cost/metric-series.ts, the one temporality engine), and grouped
 * by the same dimensions as spans.
 */
import type { Dimension } from '../cost/dimensions.js';
import { NONE, UNKNOWN_MODEL, type AttributedCall } from '../cost/attribution.js';
import { priceView, type PriceBook } from '../cost/pricebook.js';
import type { TimeWindow } from '../cost/window.js';
import { MetricSeries, type SeriesFigure as Figure, type SeriesPoint, type SeriesValues } from '../cost/metric-series.js';
import type { Problem } from '../errors.js';
import { secondsToMs } from '../genai/conventions.js';
import { normalizeProvider } from '../genai/provider.js';
import type { GenAiView } from '../genai/types.js';
import { pbAttributes, toBigInt, type PbMessage } from '../otlp/pb-json.js';
import type { Attributes } from '../span.js';
import { emptyUsage } from '../genai/usage.js';
import { addHistograms, sameBounds, subtractHistograms, type Histogram } from './histogram.js';

/** The GenAI client metrics (semantic conventions v1.41, metrics.yaml) and what stats makes of them. */
export const GENAI_METRICS = {
  'gen_ai.client.operation.duration': 'duration',
  'gen_ai.client.operation.time_to_first_chunk': 'ttft',
  'gen_ai.client.token.usage': 'tokens',
} as const;
type MetricKind = (typeof GENAI_METRICS)[keyof typeof GENAI_METRICS];

const TEMPORALITY_DELTA = 1;
const TEMPORALITY_CUMULATIVE = 2;

/** One histogram point of a GenAI metric, as read. */
export interface MetricPoint extends SeriesPoint<Histogram> {
  kind: MetricKind;
  attributes: Attributes;
  resource: Attributes;
}

// keepCase shapes of schema.ts (values as protobufjs or otlpJsonToPb made them).
type KeyValues = Parameters<typeof pbAttributes>[0];
interface PbHistogramPoint {
  attributes?: KeyValues;
  start_time_unix_nano?: unknown;
  time_unix_nano?: unknown;
  count?: unknown;
  sum?: number;
  bucket_counts?: unknown[];
  explicit_bounds?: number[];
  min?: number;
  max?: number;
}
interface PbMetric {
  name?: string;
  unit?: string;
  data?: string;
  histogram?: { data_points?: PbHistogramPoint[]; aggregation_temporality?: number } | null;
}
interface PbMetricsRequest {
  resource_metrics?: Array<{
    resource?: { attributes?: KeyValues } | null;
    scope_metrics?: Array<{ scope?: { name?: string; version?: string } | null; metrics?: PbMetric[] }>;
  }>;
}

const nsToMs = (v: unknown) => Number(toBigInt(v, false) / 1000n) / 1000;
const count = (v: unknown) => Number(toBigInt(v, false));

/** Attributes as a series key: keys sorted; int values are BigInt (pb-json.ts), which JSON cannot write as is. */
function sortedJson(a: Attributes): string {
  return JSON.stringify(Object.keys(a).sort().map((k) => [k, a[k]]), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * The GenAI histogram points of one decoded metrics request. Everything else in it is ignored;
 * a GenAI metric of the wrong type or an inconsistent point is a problem (the rest is read).
 */
export function genAiPoints(msg: PbMessage, problem: (p: Omit<Problem, 'source'>) => void): MetricPoint[] {
  const out: MetricPoint[] = [];
  (msg as PbMetricsRequest).resource_metrics?.forEach((rm, ri) => {
    const resource = pbAttributes(rm.resource?.attributes);
    const resourceKey = sortedJson(resource);
    rm.scope_metrics?.forEach((sm, si) => {
      sm.metrics?.forEach((m, mi) => {
        const kind = GENAI_METRICS[m.name as keyof typeof GENAI_METRICS];
        if (kind === undefined) return;
        const field = `resourceMetrics[${ri}].scopeMetrics[${si}].metrics[${mi}]`;
        if (m.data !== 'histogram' || !m.histogram) {
          // Exponential histograms are not read yet (their buckets would need converting).
          const kind = m.data?.replace('_', ' ');
          problem({ field, message: `${m.name} is ${kind ? `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}` : 'empty'}, expected a histogram with explicit buckets; skipped` });
          return;
        }
        const t = m.histogram.aggregation_temporality;
        if (t !== TEMPORALITY_DELTA && t !== TEMPORALITY_CUMULATIVE) {
          problem({ field, message: `${m.name}: aggregation temporality ${t ?? 0} is neither delta (1) nor cumulative (2); skipped` });
          return;
        }
        // Durations are in seconds by the conventions; an exporter that says ms is believed.
        const scale = kind !== 'tokens' && m.unit === 'ms' ? 0.001 : 1;
        m.histogram.data_points?.forEach((p, pi) => {
          const bounds = (p.explicit_bounds ?? []).map((b) => b * scale);
          const counts = (p.bucket_counts ?? []).map(count);
          const n = count(p.count);
          const where = `${field}.histogram.dataPoints[${pi}]`;
          if (counts.length !== 0 && counts.length !== bounds.length + 1) {
            problem({ field: where, message: `${counts.length} bucket counts for ${bounds.length} bounds (expected ${bounds.length + 1}); skipped` });
            return;
          }
          if (counts.length && counts.reduce((a, b) => a + b, 0) !== n) {
            problem({ field: where, message: `bucket counts add up to ${counts.reduce((a, b) => a + b, 0)}, not the point's count ${n}; skipped` });
            return;
          }
          const attributes = pbAttributes(p.attributes);
          out.push({
            kind,
            seriesKey: `${resourceKey}\u0000${sm.scope?.name ?? ''}\u0000${m.name}\u0000${sortedJson(attributes)}`,
            cumulative: t === TEMPORALITY_CUMULATIVE,
            startMs: nsToMs(p.start_time_unix_nano),
            timeMs: nsToMs(p.time_unix_nano),
            attributes,
            resource,
            value: {
              bounds,
              counts,
              count: n,
              sum: (p.sum ?? 0) * scale,
              ...(p.min !== undefined && p.min !== null ? { min: p.min * scale } : {}),
              ...(p.max !== undefined && p.max !== null ? { max: p.max * scale } : {}),
            },
          });
        });
      });
    });
  });
  return out;
}

/** The histogram arithmetic of the temporality engine (cost/metric-series.ts). */
export const HISTOGRAM_VALUES: SeriesValues<Histogram> = {
  add: addHistograms,
  subtract: subtractHistograms,
  conflict: (a, b) => a.counts.length > 0 && b.counts.length > 0 && !sameBounds(a.bounds, b.bounds),
  negative: (h) => h.count < 0 || h.counts.some((c) => c < 0),
  empty: (h) => h.count <= 0,
};

/** The GenAI histograms' series (cost/metric-series.ts, the one temporality engine). */
export function histogramSeries(window: TimeWindow): MetricSeries<Histogram, MetricPoint> {
  return new MetricSeries<Histogram, MetricPoint>(window, HISTOGRAM_VALUES);
}

/** What one series recorded inside the window, with the point that stands for its attributes. */
export type SeriesFigure = Figure<MetricPoint, Histogram>;

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function metricService(resource: Attributes): string {
  return str(resource['service.name']) ?? 'unknown_service';
}

/**
 * A point's attributes as the call the dimensions read (cost/dimensions.ts): `model` is the
 * matched price entry exactly as for spans (priceView: response model, then request model).
 * Metrics carry no trace, span or feature.
 */
export function pointAsCall(p: MetricPoint, book: PriceBook, inherited: readonly string[][]): AttributedCall {
  const a = p.attributes;
  const requestModel = str(a['gen_ai.request.model']);
  const responseModel = str(a['gen_ai.response.model']);
  const providerRaw = str(a['gen_ai.provider.name']) ?? str(a['gen_ai.system']);
  const view = { responseModel, requestModel } as GenAiView;
  const priced = priceView(book, view, p.timeMs, true);
  const lookup = (keys: readonly string[]) => {
    for (const k of keys) {
      const v = a[k] ?? p.resource[k];
      if (v !== undefined && v !== null) return String(v);
    }
    return undefined;
  };
  return {
    traceId: NONE,
    spanId: '',
    feature: NONE,
    inherited: inherited.map(lookup),
    startMs: p.timeMs,
    usage: emptyUsage(),
    noUsage: true,
    cost: null,
    entry: priced?.entry.name,
    model: priced?.model ?? responseModel ?? requestModel ?? UNKNOWN_MODEL,
    provider: (providerRaw && normalizeProvider(providerRaw)) ?? priced?.entry.provider ?? NONE,
    operation: str(a['gen_ai.operation.name']) ?? NONE,
    service: metricService(p.resource),
    durationMs: 0,
  };
}

/** One group's figures from metrics, before percentiles. Durations in ms, as the report. */
export interface MetricsGroup {
  keys: string[];
  service: Set<string>;
  duration?: Histogram;
  ttft?: Histogram;
  /** Bucket bounds differ between series of the group: their percentiles cannot be combined. */
  mixedBounds: { duration: boolean; ttft: boolean };
  errors: number;
  errorTypes: Map<string, number>;
  tokens: { input: number; output: number };
}

function merge(into: Histogram | undefined, h: Histogram): { h: Histogram; mixed: boolean } {
  if (!into) return { h, mixed: false };
  const mixed = into.counts.length > 0 && h.counts.length > 0 && !sameBounds(into.bounds, h.bounds);
  return { h: mixed ? { ...into, count: into.count + h.count, sum: into.sum + h.sum } : addHistograms(into, h), mixed };
}

const toMs = (h: Histogram): Histogram => ({
  bounds: h.bounds.map(secondsToMs),
  counts: h.counts,
  count: h.count,
  sum: secondsToMs(h.sum),
  ...(h.min !== undefined ? { min: secondsToMs(h.min) } : {}),
  ...(h.max !== undefined ? { max: secondsToMs(h.max) } : {}),
});

/**
 * Groups series figures by the dimensions, leaving out services that have spans (their spans
 * are exact; metrics are never added to them). Returns the groups (the total as keys []) and
 * which services' figures came from metrics and which were set aside.
 */
export function groupMetrics(
  figures: readonly SeriesFigure[],
  opts: { book: PriceBook; dimensions: readonly Dimension[]; inherited: readonly string[][]; servicesWithSpans: ReadonlySet<string> },
): { groups: MetricsGroup[]; total: MetricsGroup; services: string[]; setAside: string[] } {
  const groups = new Map<string, MetricsGroup>();
  const newGroup = (keys: string[]): MetricsGroup => ({
    keys,
    service: new Set(),
    mixedBounds: { duration: false, ttft: false },
    errors: 0,
    errorTypes: new Map(),
    tokens: { input: 0, output: 0 },
  });
  const total = newGroup([]);
  const setAside = new Set<string>();
  for (const f of figures) {
    const service = metricService(f.point.resource);
    if (opts.servicesWithSpans.has(service)) {
      setAside.add(service);
      continue;
    }
    const call = pointAsCall(f.point, opts.book, opts.inherited);
    const keys = opts.dimensions.map((d) => d.value(call));
    const id = keys.join('\u0000');
    let g = groups.get(id);
    if (!g) groups.set(id, (g = newGroup(keys)));
    for (const target of [g, total]) {
      target.service.add(service);
      const h = f.value;
      if (f.point.kind === 'tokens') {
        const type = f.point.attributes['gen_ai.token.type'];
        if (type === 'input') target.tokens.input += h.sum;
        else if (type === 'output') target.tokens.output += h.sum;
        continue;
      }
      const kind = f.point.kind === 'duration' ? 'duration' : 'ttft';
      const merged = merge(target[kind], toMs(h));
      target[kind] = merged.h;
      target.mixedBounds[kind] ||= merged.mixed;
      const errorType = f.point.attributes['error.type'];
      if (kind === 'duration' && errorType !== undefined && errorType !== null && errorType !== '') {
        target.errors += h.count;
        target.errorTypes.set(String(errorType), (target.errorTypes.get(String(errorType)) ?? 0) + h.count);
      }
    }
  }
  const services = [...total.service].sort();
  return { groups: [...groups.values()], total, services, setAside: [...setAside].sort() };
}

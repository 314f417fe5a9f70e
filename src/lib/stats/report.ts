/**
 * The `stats` report as data: the JSON shape (README, "stats") and what every renderer and
 * gate reads. Rates are fractions (0.05 = 5%); times are milliseconds.
 */
import { cmp } from '../cost/aggregate.js';
import type { TimeWindow } from '../cost/window.js';
import type { SkippedInput } from '../cost/report.js';
import type { StatsAggregator, StatsGroup } from './aggregate.js';
import { histogramMax, INTERPOLATED_METHOD, interpolatedPercentile, type Histogram } from './histogram.js';
import type { MetricsGroup } from './metrics.js';
import { PERCENTILE_DEFINITION } from './percentiles.js';

/** How much of a repeated call's arguments the report shows (characters). */
const ARGUMENTS_EXCERPT = 200;

/** The first `max` characters (code points: a surrogate pair is never split), and `…` when more followed. */
export function excerpt(text: string, max: number): string {
  let end = 0;
  for (let n = 0; n < max && end < text.length; n++) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return end < text.length ? `${text.slice(0, end)}…` : text;
}

/** On percentiles estimated from OTLP metrics histograms: never nearest-rank values. */
export interface InterpolatedMark {
  source: 'metrics';
  method: typeof INTERPOLATED_METHOD;
}

export interface StatsFigures {
  calls: number;
  errors: number;
  /** null without calls: no rate was measured (README: `null` when there is no value). */
  errorRate: number | null;
  errorTypes: Record<string, number>;
  latencyMs: ({ p50: number; p95: number; p99: number; max: number } & Partial<InterpolatedMark>) | null;
  ttftMs: ({ count: number; p50: number; p95: number } & Partial<InterpolatedMark>) | null;
  outputTokensPerSecond: { p50: number } | null;
  finishReasons: Record<string, number>;
  /** null from metrics (they carry no finish reasons) and without calls. */
  lengthRate: number | null;
  /** From metrics (gen_ai.client.token.usage sums); spans report tokens in `cost`. */
  tokens?: { input: number; output: number };
  toolCallsPerTrace: { traces: number; p50: number; p95: number; max: number } | null;
  /** The identical tool call (name and arguments) repeated most within one trace, when one was repeated. */
  repeatedToolCall: { tool: string; arguments: string; count: number; traceId: string } | null;
}

/** A row from metrics carries `source: "metrics"`; a row from spans has no `source`. */
export type StatsRow = Record<string, string> & StatsFigures;

export interface StatsReport {
  since: string | null;
  until: string | null;
  groupBy: string[];
  percentiles: typeof PERCENTILE_DEFINITION;
  rows: StatsRow[];
  /** Calls from spans only: metrics' interpolated percentiles cannot be merged with exact ones. */
  total: StatsFigures;
  /** Figures from OTLP metrics (null: none were used): which services, and their own total. */
  metrics: { services: string[]; setAside: string[]; total: StatsFigures } | null;
  /** As in `cost` (cost/report.ts `issueFields`): only when some were. */
  differingSpans?: number;
  parentCycles?: number;
  untimedCalls?: number;
  untimedInputTokens?: number;
  untimedOutputTokens?: number;
  /**
   * Calls from spans whose duration is unknown (no start time, or an end before the start): left
   * out of latency and tok/s, so their percentiles may be off (present only when some were; `--strict` fails).
   */
  unknownDurations?: number;
  /** As in `cost` (cost/report.ts `skippedFields`): only when some input was skipped. */
  skipped?: SkippedInput;
}

export const isMetricsRow = (r: Record<string, unknown>) => r.source === 'metrics';

/** Keys sorted, so the JSON does not depend on the input's order. */
function record(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort(cmp)) out[k] = m.get(k)!;
  return out;
}

export function figuresOf(g: StatsGroup): StatsFigures {
  const s = g.summaries!;
  const lat = s.latencyMs;
  const ttft = s.ttftMs;
  const tools = s.toolCallsPerTrace;
  const top = g.topRepeat;
  const sep = top?.key.indexOf('\u0000') ?? -1;
  return {
    calls: g.calls,
    errors: g.errors,
    errorRate: g.calls ? g.errors / g.calls : null,
    errorTypes: record(g.errorTypes),
    latencyMs: lat && { p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max },
    ttftMs: ttft && { count: ttft.count, p50: ttft.p50, p95: ttft.p95 },
    outputTokensPerSecond: s.outputTokensPerSecond && { p50: s.outputTokensPerSecond.p50 },
    finishReasons: record(g.finishReasons),
    lengthRate: g.calls ? g.cutOff / g.calls : null,
    toolCallsPerTrace: tools && { traces: tools.count, p50: tools.p50, p95: tools.p95, max: tools.max },
    repeatedToolCall: top
      ? { tool: top.key.slice(0, sep), arguments: excerpt(top.key.slice(sep + 1), ARGUMENTS_EXCERPT), count: top.count, traceId: top.traceId }
      : null,
  };
}

const MARK: InterpolatedMark = { source: 'metrics', method: INTERPOLATED_METHOD };

/** A metrics group's figures: percentiles interpolated (histogram.ts), none where bucket bounds disagree. */
export function metricsFiguresOf(g: MetricsGroup): StatsFigures {
  const pct = (h: Histogram | undefined, mixed: boolean, p: number) => (h && !mixed ? interpolatedPercentile(h, p) : undefined);
  const lat = g.duration;
  const latP = [50, 95, 99].map((p) => pct(lat, g.mixedBounds.duration, p));
  const latMax = lat && histogramMax(lat);
  const ttP = [50, 95].map((p) => pct(g.ttft, g.mixedBounds.ttft, p));
  const calls = lat?.count ?? 0;
  return {
    calls,
    errors: g.errors,
    errorRate: calls ? g.errors / calls : null,
    errorTypes: record(g.errorTypes),
    latencyMs: latP.every((v) => v !== undefined) && latMax !== undefined ? { p50: latP[0]!, p95: latP[1]!, p99: latP[2]!, max: latMax, ...MARK } : null,
    ttftMs: g.ttft && ttP.every((v) => v !== undefined) ? { count: g.ttft.count, p50: ttP[0]!, p95: ttP[1]!, ...MARK } : null,
    outputTokensPerSecond: null,
    finishReasons: {},
    lengthRate: null,
    toolCallsPerTrace: null,
    repeatedToolCall: null,
    tokens: { ...g.tokens },
  };
}

const byCallsThenKeys = (a: { calls: number; keys: string[] }, b: { calls: number; keys: string[] }) => b.calls - a.calls || cmp(a.keys.join('\u0000'), b.keys.join('\u0000'));

/** Rows with the most calls first, then by their dimension values; rows from metrics after those from spans. */
export function buildStatsReport(
  agg: StatsAggregator,
  window: TimeWindow,
  metrics?: { groups: MetricsGroup[]; total: MetricsGroup; services: string[]; setAside: string[] },
): StatsReport {
  const groupBy = agg.dimensions.map((d) => d.name);
  const dimsOf = (keys: string[]) => {
    const dims: Record<string, string> = {};
    groupBy.forEach((name, i) => (dims[name] = keys[i]!));
    return dims;
  };
  const rows = agg
    .list()
    .sort(byCallsThenKeys)
    .map((g) => ({ ...dimsOf(g.keys), ...figuresOf(g) }) as StatsRow);
  const metricRows = (metrics?.groups ?? [])
    .map((g) => ({ keys: g.keys, figures: metricsFiguresOf(g) }))
    .filter((r) => r.figures.calls > 0 || r.figures.ttftMs !== null)
    .sort((a, b) => byCallsThenKeys({ calls: a.figures.calls, keys: a.keys }, { calls: b.figures.calls, keys: b.keys }))
    .map((r) => ({ ...dimsOf(r.keys), source: 'metrics', ...r.figures }) as unknown as StatsRow);
  rows.push(...metricRows);
  return {
    since: window.sinceMs === undefined ? null : new Date(window.sinceMs).toISOString(),
    until: window.untilMs === undefined ? null : new Date(window.untilMs).toISOString(),
    groupBy,
    percentiles: PERCENTILE_DEFINITION,
    rows,
    total: figuresOf(agg.total),
    metrics: metrics && (metrics.services.length || metrics.setAside.length)
      ? { services: metrics.services, setAside: metrics.setAside, total: metricsFiguresOf(metrics.total) }
      : null,
    ...(agg.unknownDurations > 0 ? { unknownDurations: agg.unknownDurations } : {}),
  };
}

/**
 * The `stats` report as data: the JSON shape (README, "stats") and what every renderer and
 * gate reads. Rates are fractions (0.05 = 5%); times are milliseconds.
 */
import { cmp } from '../cost/aggregate.js';
import type { TimeWindow } from '../cost/window.js';
import type { StatsAggregator, StatsGroup } from './aggregate.js';
import { PERCENTILE_DEFINITION } from './percentiles.js';

/** How much of a repeated call's arguments the report shows. */
const ARGUMENTS_EXCERPT = 200;

export interface StatsFigures {
  calls: number;
  errors: number;
  errorRate: number;
  errorTypes: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number } | null;
  ttftMs: { count: number; p50: number; p95: number } | null;
  outputTokensPerSecond: { p50: number } | null;
  finishReasons: Record<string, number>;
  lengthRate: number;
  toolCallsPerTrace: { traces: number; p50: number; p95: number; max: number } | null;
  /** The identical tool call (name and arguments) repeated most within one trace, when one was repeated. */
  repeatedToolCall: { tool: string; arguments: string; count: number; traceId: string } | null;
}

export type StatsRow = Record<string, string> & StatsFigures;

export interface StatsReport {
  since: string | null;
  until: string | null;
  groupBy: string[];
  percentiles: typeof PERCENTILE_DEFINITION;
  rows: StatsRow[];
  total: StatsFigures;
}

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
  let top: { traceId: string; key: string; count: number } | undefined;
  for (const [traceId, r] of g.repeats) {
    if (!top || r.count > top.count || (r.count === top.count && (r.key < top.key || (r.key === top.key && traceId < top.traceId)))) top = { traceId, ...r };
  }
  const sep = top?.key.indexOf('\u0000') ?? -1;
  return {
    calls: g.calls,
    errors: g.errors,
    errorRate: g.calls ? g.errors / g.calls : 0,
    errorTypes: record(g.errorTypes),
    latencyMs: lat && { p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max },
    ttftMs: ttft && { count: ttft.count, p50: ttft.p50, p95: ttft.p95 },
    outputTokensPerSecond: s.outputTokensPerSecond && { p50: s.outputTokensPerSecond.p50 },
    finishReasons: record(g.finishReasons),
    lengthRate: g.calls ? g.cutOff / g.calls : 0,
    toolCallsPerTrace: tools && { traces: tools.count, p50: tools.p50, p95: tools.p95, max: tools.max },
    repeatedToolCall: top
      ? { tool: top.key.slice(0, sep), arguments: top.key.slice(sep + 1, sep + 1 + ARGUMENTS_EXCERPT), count: top.count, traceId: top.traceId }
      : null,
  };
}

/** Rows with the most calls first, then by their dimension values. */
export function buildStatsReport(agg: StatsAggregator, window: TimeWindow): StatsReport {
  const groupBy = agg.dimensions.map((d) => d.name);
  const rows = agg
    .list()
    .sort((a, b) => b.calls - a.calls || cmp(a.keys.join('\u0000'), b.keys.join('\u0000')))
    .map((g) => {
      const dims: Record<string, string> = {};
      groupBy.forEach((name, i) => (dims[name] = g.keys[i]!));
      return { ...dims, ...figuresOf(g) } as StatsRow;
    });
  return {
    since: window.sinceMs === undefined ? null : new Date(window.sinceMs).toISOString(),
    until: window.untilMs === undefined ? null : new Date(window.untilMs).toISOString(),
    groupBy,
    percentiles: PERCENTILE_DEFINITION,
    rows,
    total: figuresOf(agg.total),
  };
}

/**
 * One `stats` run: the calls stage `cost` uses (cost/run.ts attributeCalls: count-once,
 * dimensions, exact at any order) with tool calls recorded, into the StatsAggregator; then the
 * OTLP metrics requests, if any, for the services that had no model call in the spans
 * (metrics.ts: never mixed with span figures).
 */
import { planDimensions } from '../cost/dimensions.js';
import type { PriceBook } from '../cost/pricebook.js';
import { addUntimed, issueFields } from '../cost/report.js';
import { attributeCalls, type CallsRun, type SignalInputs } from '../cost/run.js';
import { bounded, type TimeWindow } from '../cost/window.js';
import type { OpenedSources } from '../sources/open.js';
import { StatsAggregator } from './aggregate.js';
import type { Problem } from '../errors.js';
import type { MetricsRecord } from '../sources/metrics.js';
import { timeKnown } from '../span.js';
import { genAiPoints, groupMetrics, histogramSeries } from './metrics.js';
import { buildStatsReport, type StatsReport } from './report.js';

export interface StatsRunOptions {
  book: PriceBook;
  window?: TimeWindow;
  groupBy: string[];
  featureKeys?: string[];
  settleAfterSpans?: number;
  /** `--memory`: one budget, a quarter of it for the values held for percentiles and the rest for the trace state. */
  memoryBytes?: number;
  spillParent?: string;
  /** OTLP metrics requests (sources/metrics.ts), opened after the spans were read (what they saw decides what to read). */
  metrics?: () => Promise<AsyncIterable<MetricsRecord>>;
  /** A metrics point that cannot be used (wrong type, inconsistent buckets): reported, the rest read. */
  onMetricsProblem?: (p: Problem) => void;
  /** Coding agents' request events (their duration and TTFT where no spans exist; cost/signal-usage.ts). */
  signals?: SignalInputs;
}

export interface StatsRun {
  report: StatsReport;
  stats: CallsRun;
  /** Values written to temporary files because of the memory budget. */
  spilledValues: number;
  /** Histogram points of GenAI metrics read. */
  metricPoints: number;
  /** Delta histogram points without any time equal to one already read: each counted (cost/metric-series.ts). */
  untoldResends: number;
}

export async function computeStats(sources: Pick<OpenedSources, 'mapped'>, opts: StatsRunOptions): Promise<StatsRun> {
  const plan = planDimensions(opts.groupBy);
  // One budget, as in the other reports (docs/architecture.md, "stats").
  const valueBytes = opts.memoryBytes === undefined ? undefined : opts.memoryBytes / 4;
  const traceBytes = opts.memoryBytes === undefined ? undefined : opts.memoryBytes - valueBytes!;
  const agg = new StatsAggregator(plan.dimensions, { memoryBytes: valueBytes, spillParent: opts.spillParent });
  // Counted calls per service (take-backs included): a service with any has exact figures from spans.
  const spanCalls = new Map<string, number>();
  try {
    const stats = await attributeCalls(sources, {
      ...opts,
      memoryBytes: traceBytes,
      inherited: plan.inherited,
      toolCalls: true,
      usageMetricsCountNoCalls: true,
      onCall: (call, sign) => {
        // Usage from metrics is no call with a latency: the GenAI histograms below are stats' metrics.
        if (call.source === 'metrics') return;
        spanCalls.set(call.service, (spanCalls.get(call.service) ?? 0) + sign);
        // One call at a time: stats reads spans (onTrace: no ClickHouse groups, whose copies come at once).
        agg.addCall(call, sign as 1 | -1);
      },
      onTrace: (trace, sign) => agg.addTrace(trace, sign),
    });
    agg.finish();
    let metricPoints = 0;
    let untoldResends = 0;
    let metrics: Parameters<typeof buildStatsReport>[2];
    if (opts.metrics) {
      const series = histogramSeries(opts.window ?? {});
      // Under a window, points without a time are reduced apart, without one: no window can place
      // them, so their calls are untimed, as spans without a start (docs/architecture.md "From OTLP metrics").
      const untimed = bounded(opts.window ?? {}) ? histogramSeries({}) : undefined;
      for await (const rec of await opts.metrics()) {
        for (const p of genAiPoints(rec.msg, (problem) => opts.onMetricsProblem?.({ source: rec.source, line: rec.line, ...problem }))) {
          metricPoints++;
          (untimed && !timeKnown(p.timeMs) ? untimed : series).add(p);
        }
      }
      const servicesWithSpans = new Set([...spanCalls].filter(([, n]) => n > 0).map(([s]) => s));
      const grouping = { book: opts.book, dimensions: plan.dimensions, inherited: plan.inherited, servicesWithSpans };
      metrics = groupMetrics(series.figures(), grouping);
      if (untimed) {
        const apart = groupMetrics(untimed.figures(), grouping);
        // Calls are what the duration histograms counted; their tokens are the agents' usage's
        // (cost/signal-usage.ts reads gen_ai.client.token.usage too, and counts it untimed there).
        addUntimed(stats, apart.total.duration?.count ?? 0, undefined, 1);
        metrics.setAside = [...new Set([...metrics.setAside, ...apart.setAside])].sort();
      }
      const inconsistent = series.inconsistent.length + (untimed?.inconsistent.length ?? 0);
      untoldResends = series.untoldResends + (untimed?.untoldResends ?? 0);
      if (inconsistent) {
        opts.onMetricsProblem?.({ source: 'metrics', message: `${inconsistent} series left out: their bucket bounds or temporality changed, or a cumulative count fell without a new start time` });
      }
    }
    const report = buildStatsReport(agg, opts.window ?? {}, metrics);
    Object.assign(report, issueFields(stats));
    return { report, stats, spilledValues: agg.spilledValues, metricPoints, untoldResends };
  } finally {
    agg.close();
  }
}

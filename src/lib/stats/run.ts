/**
 * One `stats` run: the calls stage `cost` uses (cost/run.ts attributeCalls: count-once,
 * dimensions, exact at any order) with tool calls recorded, into the StatsAggregator.
 */
import type { AttributionStats } from '../cost/attribution.js';
import { planDimensions } from '../cost/dimensions.js';
import type { PriceBook } from '../cost/pricebook.js';
import { attributeCalls } from '../cost/run.js';
import type { TimeWindow } from '../cost/window.js';
import type { OpenedSources } from '../sources/open.js';
import { StatsAggregator } from './aggregate.js';
import { buildStatsReport, type StatsReport } from './report.js';

export interface StatsRunOptions {
  book: PriceBook;
  window?: TimeWindow;
  groupBy: string[];
  featureKeys?: string[];
  settleAfterSpans?: number;
  /** `--memory`: bounds the trace state and, separately, the values held for percentiles. */
  memoryBytes?: number;
  spillParent?: string;
}

export interface StatsRun {
  report: StatsReport;
  stats: AttributionStats;
  /** Values written to temporary files because of the memory budget. */
  spilledValues: number;
}

export async function computeStats(sources: Pick<OpenedSources, 'mapped'>, opts: StatsRunOptions): Promise<StatsRun> {
  const plan = planDimensions(opts.groupBy);
  const agg = new StatsAggregator(plan.dimensions, { memoryBytes: opts.memoryBytes, spillParent: opts.spillParent });
  try {
    const stats = await attributeCalls(sources, {
      ...opts,
      inherited: plan.inherited,
      toolCalls: true,
      onCall: (call, sign) => agg.addCall(call, sign),
      onTrace: (trace, sign) => agg.addTrace(trace, sign),
    });
    agg.finish();
    return { report: buildStatsReport(agg, opts.window ?? {}), stats, spilledValues: agg.spilledValues };
  } finally {
    agg.close();
  }
}

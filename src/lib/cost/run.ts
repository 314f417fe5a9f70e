/**
 * One cost run: span batches in, the report (and the groupings the gates need) out. The input
 * streams through the Attributor as per-span facts; only its compact records and the groups are kept.
 */
import type { OpenedSources } from '../sources/open.js';
import { Aggregator, UnpricedModels } from './aggregate.js';
import { Attributor, type AttributionStats, type AttributorOptions } from './attribution.js';
import { costMapper } from './facts.js';
import { planDimensions } from './dimensions.js';
import type { PriceBook } from './pricebook.js';
import { buildCostReport, type CostResult } from './report.js';
import type { TimeWindow } from './window.js';

export interface CostRunOptions {
  book: PriceBook;
  window?: TimeWindow;
  groupBy: string[];
  featureKeys?: string[];
  top?: number;
  settleAfterSpans?: number;
  /** Bytes of trace state held before whole traces spill to disk (`--memory`). */
  memoryBytes?: number;
  /** Where spill directories are made (default: LLMTRACE_TMPDIR or TMPDIR). */
  spillParent?: string;
  /** Also group by feature alone and by model alone (for a budget file). */
  withBudgetGroups?: boolean;
}

export interface CostRun {
  result: CostResult;
  main: Aggregator;
  byFeature?: Aggregator;
  byModel?: Aggregator;
  stats: AttributionStats;
}

/** Spans are turned into compact facts where they are decoded (worker threads for large inputs). */
export async function computeCost(sources: Pick<OpenedSources, 'mapped'>, opts: CostRunOptions): Promise<CostRun> {
  const plan = planDimensions(opts.groupBy);
  const main = new Aggregator(plan.dimensions);
  const unpriced = new UnpricedModels();
  const byFeature = opts.withBudgetGroups ? new Aggregator(planDimensions(['feature']).dimensions) : undefined;
  const byModel = opts.withBudgetGroups ? new Aggregator(planDimensions(['model']).dimensions) : undefined;
  const stats = await attributeCalls(sources, {
    ...opts,
    inherited: plan.inherited,
    onCall: (call, sign) => {
      main.add(call, sign);
      unpriced.add(call, sign);
      byFeature?.add(call, sign);
      byModel?.add(call, sign);
    },
  });
  return { result: buildCostReport(main, unpriced, opts.window ?? {}, opts.top), main, byFeature, byModel, stats };
}

/**
 * The calls stage both `cost` and `stats` consume: every model call of the input, counted once
 * (trace/count-once.ts) and attributed to its dimensions, exactly at any input order and within
 * the memory budget (attribution.ts). Consumers aggregate what `onCall`/`onTrace` hand them.
 */
export async function attributeCalls(
  sources: Pick<OpenedSources, 'mapped'>,
  opts: Omit<AttributorOptions, 'featureKeys'> & { featureKeys?: string[] },
): Promise<AttributionStats> {
  const attributor = new Attributor(opts);
  const mapper = costMapper({ book: opts.book, window: opts.window ?? {}, tracked: attributor.trackedKeys, toolCalls: opts.toolCalls });
  try {
    for await (const facts of sources.mapped(mapper)) attributor.addFacts(facts);
    return attributor.finish();
  } finally {
    attributor.close();
  }
}

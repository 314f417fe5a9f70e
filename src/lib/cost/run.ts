/**
 * One cost run: span batches in, the report (and the groupings the gates need) out. The input
 * streams through the Attributor as per-span facts; only its compact records and the groups are kept.
 */
import type { OpenedSources } from '../sources/open.js';
import { Aggregator, UnpricedModels, type CallSign } from './aggregate.js';
import type { Problem } from '../errors.js';
import { Attributor, NONE, UNKNOWN_MODEL, type AttributedCall, type AttributionStats, type AttributorOptions } from './attribution.js';
import { DEFAULT_FEATURE_KEYS } from './tracked-keys.js';
import { priceView } from './pricebook.js';
import { INHERITED_MODEL_KEYS, inheritedModelView } from './inherited-model.js';
import { COVER_KEYS, CoverSet, readSignalUsage, type SignalRecord, type SignalUsageStats } from './signal-usage.js';
import { costMapper } from './facts.js';
import { HeldCalls } from './held-calls.js';
import { planDimensions } from './dimensions.js';
import type { PriceBook } from './pricebook.js';
import { pushedCalls, type PushdownResult } from './pushdown-groups.js';
import { addUntimed, buildCostReport, issueFields, type CostResult } from './report.js';
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
  /** Coding agents' log events and metrics, read after the spans (signal-usage.ts). */
  signals?: SignalInputs;
}

/** The logs and metrics requests to read usage from, opened once the spans are read. */
export interface SignalInputs {
  open(): Promise<{ logs: AsyncIterable<SignalRecord>; metrics: AsyncIterable<SignalRecord> }>;
  onProblem(p: Problem): void;
}

export interface CallsRun extends AttributionStats {
  /** What the events and metrics gave (undefined: none were read). */
  signals?: SignalUsageStats;
  /** What ClickHouse decided itself, and what it left to Node (undefined: no pushdown). */
  pushdown?: Omit<PushdownResult, 'fallback'>;
}

export interface CostRun {
  result: CostResult;
  main: Aggregator;
  byFeature?: Aggregator;
  byModel?: Aggregator;
  stats: CallsRun;
}

/** Spans are turned into compact facts where they are decoded (worker threads for large inputs). */
export async function computeCost(sources: Pick<OpenedSources, 'mapped'> & Partial<Pick<OpenedSources, 'callGroups' | 'stats'>>, opts: CostRunOptions): Promise<CostRun> {
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
  const result = buildCostReport(main, unpriced, opts.window ?? {}, opts.top);
  Object.assign(result.report, issueFields(stats));
  return { result, main, byFeature, byModel, stats };
}

/**
 * The keys the calls stage looks up on a span and its ancestors: the dimensions' (`inherited`),
 * then the session and service instance a call covers, then the inherited model. A source that
 * selects attributes keeps these (projection.ts).
 */
export function callsStageInherited(inherited: readonly string[][]): string[][] {
  return [...inherited, ...COVER_KEYS, [...INHERITED_MODEL_KEYS]];
}

/** A call that named no model, priced by the model its nearest ancestor names (deterministic: take-backs match). */
function withInheritedModel(call: AttributedCall, model: string | undefined, book: PriceBook): AttributedCall {
  if (model === undefined || call.model !== UNKNOWN_MODEL) return call;
  const priced = priceView(book, inheritedModelView(call.noUsage ? undefined : call.usage, model), call.startMs, true);
  return { ...call, model: priced?.model ?? model, entry: priced?.entry.name, cost: priced ? (call.noUsage ? 0 : priced.cost) : null, provider: call.provider !== NONE ? call.provider : (priced?.entry.provider ?? NONE) };
}

/**
 * The calls stage both `cost` and `stats` consume: every model call of the input, counted once
 * (trace/count-once.ts) and attributed to its dimensions, exactly at any input order and within
 * the memory budget (attribution.ts). Consumers aggregate what `onCall`/`onTrace` hand them.
 */
export async function attributeCalls(
  sources: Pick<OpenedSources, 'mapped'> & Partial<Pick<OpenedSources, 'callGroups' | 'stats'>>,
  opts: Omit<AttributorOptions, 'featureKeys' | 'onCall'> & {
    onCall: (call: AttributedCall, sign: CallSign) => void;
    featureKeys?: string[];
    signals?: SignalInputs;
    groupBy?: readonly string[];
    /**
     * `stats`: a figure of the agents' usage metrics counts no call (stats' calls from metrics are
     * the GenAI duration histograms', stats/run.ts): without a time under a window, only its tokens are untimed.
     */
    usageMetricsCountNoCalls?: boolean;
  },
): Promise<CallsRun> {
  const inherited = opts.inherited ?? [];
  const n = inherited.length;
  // Span calls also resolve their session and service instance: what they cover is set aside in
  // the events and metrics (count once across signals). And their model from their ancestors
  // when they name none (Codex's handle_responses spans: the model is on the turn above).
  const spans = new CoverSet();
  // Model spans without usage (Gemini's llm_call, failed calls): calls with no tokens, held until
  // the events and metrics are read, which count those calls instead where they cover them.
  // Up to a quarter of the budget more than the trace state, then on disk.
  const noUsage = new HeldCalls({ memoryBytes: (opts.memoryBytes ?? Infinity) / 4, spillParent: opts.spillParent });
  const attributor = new Attributor({
    ...opts,
    inherited: callsStageInherited(inherited),
    onCall: (raw, sign) => {
      const call = withInheritedModel(raw, raw.inherited[n + 2], opts.book);
      if (!call.noUsage) spans.add(call.service, call.inherited[n + 1] ?? '', call.inherited[n] ?? '', sign);
      else if (opts.signals) noUsage.hold(call, sign);
      opts.onCall(call, sign);
    },
  });
  try {
    return await countCalls();
  } finally {
    noUsage.close();
  }

  async function countCalls(): Promise<CallsRun> {
    const mapper = costMapper({ book: opts.book, window: opts.window ?? {}, tracked: attributor.trackedKeys, toolCalls: opts.toolCalls });
    let stats: CallsRun;
    let pushed: PushdownResult | undefined;
    try {
      const groups = sources.callGroups;
      // ClickHouse decides what it can (docs/architecture.md, "ClickHouse cost pushdown"); `stats`
      // (tool calls, per-trace figures) reads spans. A ClickHouse source is read alone (no files,
      // no store: sources/open.ts), so no agents' events or metrics come with its calls.
      if (groups && !opts.toolCalls && !opts.onTrace) {
        pushed = await pushedCalls(groups, { book: opts.book, window: opts.window ?? {}, featureKeys: opts.featureKeys, inherited, groupBy: opts.groupBy ?? [] }, opts.onCall);
        if (pushed.nodeTraces > 0 || pushed.allToNode) for await (const facts of groups.mappedWhere(pushed.fallback, mapper)) attributor.addFacts(facts);
      } else {
        for await (const facts of sources.mapped(mapper)) attributor.addFacts(facts);
      }
      stats = attributor.finish();
    } finally {
      attributor.close();
    }
    if (pushed) {
      stats.spans += pushed.spans;
      stats.traces += pushed.traces;
      stats.calls += pushed.calls;
      stats.pushdown = { traces: pushed.traces, spans: pushed.spans, calls: pushed.calls, groups: pushed.groups, nodeTraces: pushed.nodeTraces, nodeSpans: pushed.nodeSpans, allToNode: pushed.allToNode };
      const read = sources.stats;
      if (read) {
        read.spans += pushed.spans;
        read.records += pushed.spans;
        if (read.inputs === 0) read.inputs = 1;
      }
    }
    if (opts.signals) {
      const { logs, metrics } = await opts.signals.open();
      stats.signals = await readSignalUsage(logs, metrics, {
        book: opts.book,
        window: opts.window ?? {},
        inherited: [opts.featureKeys ?? DEFAULT_FEATURE_KEYS, ...inherited],
        spans,
        onCall: (call) => {
          // The feature is resolved like the other inherited dimensions (its keys come first).
          const [feature, ...rest] = call.inherited;
          opts.onCall({ ...call, feature: feature ?? NONE, inherited: rest }, 1);
        },
        onUntimed: (call) => addUntimed(stats, opts.usageMetricsCountNoCalls && call.source === 'metrics' ? 0 : (call.count ?? 1), call.usage, 1),
        onProblem: opts.signals.onProblem,
      });
      // Nothing covered (no events or metrics counted): every held call stays, and none is read back.
      const covered = stats.signals.covered;
      const held = covered.empty ? [] : noUsage.values();
      for (const call of held) {
        if (!covered.covers(call.service, call.inherited[n + 1] ?? '', call.inherited[n] ?? '')) continue;
        opts.onCall(call, -1);
        stats.calls--;
        stats.signals.spanCallsReplaced++;
      }
    }
    return stats;
  }
}

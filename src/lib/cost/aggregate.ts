/**
 * Sums counted calls per group of dimension values, plus the total and the unpriced models.
 * Memory grows with the number of distinct groups, never with the number of calls.
 */
import type { AttributedCall } from './attribution.js';
import type { Dimension } from './dimensions.js';
import { UNDATED_REASON } from './pricebook.js';
import { addUsd, addUsdSum, emptyUsdSum, usdOf, type UsdSum } from './usd-sum.js';

/**
 * A call added (1) or taken back (−1); n > 1: n copies of a call with no tokens and no cost
 * added at once (the ClickHouse pushdown's groups: one call carries a group's sums, the others
 * count; docs/architecture.md, "ClickHouse cost pushdown"). Every figure is then the same as
 * adding them one by one: counts grow by n and the sums by n × 0.
 */
export type CallSign = number;

/** Token counters as the report shows them (input includes cached, output includes reasoning). */
export interface TokenCounters {
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** The USD figures are exact sums (usd-sum.ts): equal in any order of the calls and after take-backs. */
export interface Counters extends TokenCounters {
  /** Sum of the priced calls' costs. */
  cost: UsdSum;
  pricedCalls: number;
  unpricedCalls: number;
  /** Tokens (input + output) of unpriced calls. */
  unpricedTokens: number;
  /** USD the agents or libraries reported, and for how many records (calls, or metrics figures). */
  reportedCost: UsdSum;
  reportedRecords: number;
  /** The computed cost of the records that reported one (what `reportedCost` is compared with); null parts: unpriced. */
  reportedComputed: UsdSum;
  reportedUnpriced: number;
  /** Per record the reported cost where there is one, else the computed cost (`--cost-source auto`). */
  autoCost: UsdSum;
  /** Records per source (spans, events, metrics): which signals the figures came from. */
  records: { spans: number; events: number; metrics: number };
}

export function emptyCounters(): Counters {
  return {
    calls: 0,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    cost: emptyUsdSum(),
    pricedCalls: 0,
    unpricedCalls: 0,
    unpricedTokens: 0,
    reportedCost: emptyUsdSum(),
    reportedRecords: 0,
    reportedComputed: emptyUsdSum(),
    reportedUnpriced: 0,
    autoCost: emptyUsdSum(),
    records: { spans: 0, events: 0, metrics: 0 },
  };
}

/**
 * Adds (sign 1) or takes back (sign −1) one call. A call without usage (a failed request) is a
 * call with nothing to price: neither priced nor unpriced. A sign beyond ±1 adds that many
 * copies at once: exact only for a call whose tokens and costs are 0 (see `CallSign`).
 */
export function addCall(c: Counters, call: AttributedCall, sign: CallSign = 1): void {
  const u = call.usage;
  c.calls += sign * (call.count ?? 1);
  c.records[call.source ?? 'spans'] += sign;
  if (call.reportedCost !== undefined) {
    c.reportedRecords += sign;
    addUsd(c.reportedCost, call.reportedCost, sign);
    if (call.cost === null) c.reportedUnpriced += sign;
    else addUsd(c.reportedComputed, call.cost, sign);
  }
  addUsd(c.autoCost, call.reportedCost ?? (call.noUsage || call.cost === null ? 0 : call.cost), sign);
  if (call.noUsage) return;
  c.inputTokens += sign * u.input;
  c.cacheReadTokens += sign * u.cacheRead;
  c.cacheWriteTokens += sign * u.cacheWrite;
  c.outputTokens += sign * u.output;
  c.reasoningTokens += sign * u.reasoning;
  if (call.cost === null) {
    c.unpricedCalls += sign;
    c.unpricedTokens += sign * (u.input + u.output);
  } else {
    c.pricedCalls += sign;
    addUsd(c.cost, call.cost, sign);
  }
}

export interface Group {
  keys: string[];
  counters: Counters;
}

export class Aggregator {
  private readonly groups = new Map<string, Group>();
  readonly total = emptyCounters();

  constructor(readonly dimensions: readonly Dimension[]) {}

  add(call: AttributedCall, sign: CallSign = 1): void {
    const keys = this.dimensions.map((d) => d.value(call));
    const id = keys.join('\u0000');
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { keys, counters: emptyCounters() }));
    addCall(g.counters, call, sign);
    addCall(this.total, call, sign);
    // A group whose calls were all taken back is gone, as if never seen.
    const r = g.counters.records;
    if (r.spans + r.events + r.metrics === 0) this.groups.delete(id);
  }

  list(): Group[] {
    return [...this.groups.values()];
  }
}

/**
 * Unpriced calls per raw model id (the report's `unpriced` list, README.md "JSON report"), apart
 * from those of a model with a price entry that are unpriced because they have no start time and
 * the entry's price depends on the date (they carry `reason`, pricebook.ts UNDATED_REASON).
 */
export class UnpricedModels {
  private readonly byModel = new Map<string, { model: string; reason: string | undefined; calls: number; inputTokens: number; outputTokens: number }>();

  add(call: AttributedCall, sign: CallSign = 1): void {
    if (call.cost !== null || call.noUsage) return;
    // Only an undated price leaves a call with an entry unpriced (pricebook.ts priceView).
    const reason = call.entry === undefined ? undefined : UNDATED_REASON;
    const key = reason === undefined ? call.model : `${call.model}\u0000${reason}`;
    let m = this.byModel.get(key);
    if (!m) this.byModel.set(key, (m = { model: call.model, reason, calls: 0, inputTokens: 0, outputTokens: 0 }));
    m.calls += sign;
    m.inputTokens += sign * call.usage.input;
    m.outputTokens += sign * call.usage.output;
    if (m.calls === 0) this.byModel.delete(key);
  }

  /** Most tokens first, then by model id (then without a reason first). */
  list(): Array<{ model: string; calls: number; inputTokens: number; outputTokens: number; reason?: string }> {
    return [...this.byModel.values()]
      .map(({ model, reason, calls, inputTokens, outputTokens }) => ({ model, calls, inputTokens, outputTokens, ...(reason === undefined ? {} : { reason }) }))
      .sort((a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) || cmp(a.model, b.model) || cmp(a.reason ?? '', b.reason ?? ''));
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Which cost the gates use (`--cost-source`): the price table's, the reported one, or per record the reported one where there is one. */
export type CostSource = 'computed' | 'reported' | 'auto';

export function gateCost(c: Counters, source: CostSource = 'computed'): number {
  return usdOf(source === 'reported' ? c.reportedCost : source === 'auto' ? c.autoCost : c.cost);
}

/** The groups' priced cost together (exact). */
export function sumCost(groups: readonly Group[]): number {
  const sum = emptyUsdSum();
  for (const g of groups) addUsdSum(sum, g.counters.cost);
  return usdOf(sum);
}

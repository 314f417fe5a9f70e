/** Running totals of a tail session: what the running-total line and the summary show. */
import { addUsage, emptyUsage, type Usage } from '../genai/usage.js';
import { nearestRank, sortedDifference } from '../stats/percentiles.js';
import type { Signal } from '../store/layout.js';
import { addUsd, emptyUsdSum, usdOf, type UsdSum } from '../cost/usd-sum.js';

/** One model call as counted (count-once rule: outer spans that wrap a call are not counted). */
export interface CountedCall {
  model: string;
  usage?: Usage;
  /** undefined: the model has no known price (or no pricing was given). Never 0 for unknown. */
  cost: number | undefined;
  /**
   * The call span's duration (the summary's p95). null: the span's duration is unknown (span.ts
   * `durationKnown`), left out of the p95 and counted in `unknownDurations`; undefined: none was
   * measured (an agent's event without one, a metrics figure), as `stats`' `latency: 'none'`.
   */
  durationMs?: number | null;
  /** The call failed (classify's error: status ERROR, error.type, Langfuse level ERROR). */
  failed?: boolean;
  /** The agent (service.name) that made it. */
  agent?: string;
  /** Calls it stands for (undefined: 1; a coding agent's metrics figure: what its histogram counted, else 0). */
  calls?: number;
}

export interface CallTotals {
  calls: number;
  usage: Usage;
  /**
   * Sum of the priced calls only, exact (cost/usd-sum.ts; read it with totalUsd): it does not
   * depend on the order of the calls, on take-backs or on how they were split between view
   * threads (docs/architecture.md, "Exact USD sums").
   */
  cost: UsdSum;
  /** Calls in the cost. */
  pricedCalls: number;
  /** Calls with usage whose model has no known price (all of them without pricing). */
  unpricedCalls: number;
  /** Failed calls, as `stats` counts errors. */
  errors: number;
  /**
   * Durations of the calls counted and of those taken back (count-once may take a call back):
   * the p95 is over their difference, exact as in `stats`. Plain arrays: the totals cross
   * threads by structured clone. 8 bytes a call for the session.
   */
  durationsMs: number[];
  takenBackMs: number[];
  /** Calls whose duration is unknown, left out of the p95 (as `stats`' `unknownDurations`). */
  unknownDurations: number;
}

export function emptyCallTotals(): CallTotals {
  return { calls: 0, usage: emptyUsage(), cost: emptyUsdSum(), pricedCalls: 0, unpricedCalls: 0, errors: 0, durationsMs: [], takenBackMs: [], unknownDurations: 0 };
}

/** Nearest-rank p95 of the calls' durations (as `stats`), or undefined with none. */
export function latencyP95(t: CallTotals): number | undefined {
  const left = sortedDifference(Float64Array.from(t.durationsMs), Float64Array.from(t.takenBackMs));
  return left.length ? nearestRank(left, 95) : undefined;
}

function negate(u: Usage): Usage {
  return { input: -u.input, output: -u.output, cacheRead: -u.cacheRead, cacheWrite: -u.cacheWrite, reasoning: -u.reasoning };
}

/**
 * Adds (sign 1) or takes back (sign −1) one call. A call without usage (a failed request, a
 * stream the library did not count) has nothing to price: it is neither priced nor unpriced.
 */
export function applyCall(t: CallTotals, c: CountedCall, sign: 1 | -1): void {
  t.calls += sign * (c.calls ?? 1);
  if (c.failed) t.errors += sign;
  if (c.durationMs === null) t.unknownDurations += sign;
  else if (c.durationMs !== undefined) (sign === 1 ? t.durationsMs : t.takenBackMs).push(c.durationMs);
  if (!c.usage) return;
  t.usage = addUsage(t.usage, sign === 1 ? c.usage : negate(c.usage));
  if (c.cost === undefined) t.unpricedCalls += sign;
  else {
    t.pricedCalls += sign;
    addUsd(t.cost, c.cost, sign);
  }
}

/** The priced calls' cost in USD. */
export function totalUsd(t: Pick<CallTotals, 'cost'>): number {
  return usdOf(t.cost);
}

export class SessionTotals {
  /** Calls that matched the filters (the ones the view printed). */
  readonly calls = emptyCallTotals();
  readonly byModel = new Map<string, CallTotals>();
  /** Per agent (service.name) and model, `agent\0model`: the summary's rows when coding agents sent events. */
  readonly byAgentModel = new Map<string, CallTotals>();
  /** Calls counted from coding agents' request events (live/agent-calls.ts). */
  eventCalls = 0;
  readonly requests: Record<Signal, number> = { traces: 0, logs: 0, metrics: 0 };
  /** Everything received, whatever the filters. */
  spans = 0;
  logRecords = 0;
  metricPoints = 0;
  rejected = 0;
  traces = 0;

  count(c: CountedCall, sign: 1 | -1): void {
    applyCall(this.calls, c, sign);
    let m = this.byModel.get(c.model);
    if (!m) this.byModel.set(c.model, (m = emptyCallTotals()));
    applyCall(m, c, sign);
    if (isEmpty(m)) this.byModel.delete(c.model);
    const k = `${c.agent ?? ''}\u0000${c.model}`;
    let a = this.byAgentModel.get(k);
    if (!a) this.byAgentModel.set(k, (a = emptyCallTotals()));
    applyCall(a, c, sign);
    if (isEmpty(a)) this.byAgentModel.delete(k);
  }
}

/** The figures of a SessionTotals as they cross threads (structured clone: data, no methods). */
export type SessionTotalsData = Pick<SessionTotals, 'calls' | 'byModel' | 'byAgentModel' | 'eventCalls' | 'requests' | 'spans' | 'logRecords' | 'metricPoints' | 'rejected' | 'traces'>;

/** Nothing left: no call, and no tokens (a metrics figure counts tokens without calls). */
export function isEmpty(t: CallTotals): boolean {
  return t.calls === 0 && t.usage.input === 0 && t.usage.output === 0;
}

/**
 * The cost report in its stable JSON shape (documented in README.md "JSON report"):
 * { currency, since, until, groupBy, rows: [{ <dims>, calls, inputTokens, cacheReadTokens,
 *   cacheWriteTokens, outputTokens, reasoningTokens, cost, reportedCost, reportedCostDiff,
 *   source }], total: {…}, unpriced: [{ model, calls, inputTokens, outputTokens }] }
 * `reportedCost` is what the agents or libraries reported (null when none did), and
 * `reportedCostDiff` is reportedCost − the computed cost of the same records (null when none
 * reported or one of them is unpriced). `source` names the signals
 * the figures came from: spans, events, metrics, or several joined by `+`.
 * `cost` is null when none of the row's calls is priced; when some are, it is the priced part
 * and the unpriced calls are listed in `unpriced`. Rows: cost descending, then the keys.
 */
import { cmp, sumCost, type Aggregator, type Counters, type TokenCounters, type UnpricedModels } from './aggregate.js';
import { usdDifference, usdOf } from './usd-sum.js';
import type { TimeWindow } from './window.js';
import type { Usage } from '../genai/types.js';

export interface CostCounters extends TokenCounters {
  cost: number | null;
  reportedCost: number | null;
  reportedCostDiff: number | null;
  source: string;
}

export type CostRow = CostCounters & Record<string, string | number | null>;

export interface UnpricedModel {
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Present when the model has a price but not for these calls: they have no start time and its price depends on the date. */
  reason?: string;
}

export interface CostReport {
  currency: 'USD';
  since: string | null;
  until: string | null;
  groupBy: string[];
  rows: CostRow[];
  total: CostCounters;
  unpriced: UnpricedModel[];
  /** Span ids read as copies that differ; one copy of each is counted (present only when some were). */
  differingSpans?: number;
  /** Parent cycles above or through model calls, cut to count their calls once (present only when some were). */
  parentCycles?: number;
  /**
   * Model calls without a start time, which no `--since`/`--until` window can place: in no figure;
   * and their tokens (present, the three together, only when some were).
   */
  untimedCalls?: number;
  untimedInputTokens?: number;
  untimedOutputTokens?: number;
  /** Input no figure includes (present only when some was skipped). */
  skipped?: SkippedInput;
}

/** Input that could not be read, so no figure includes it: what `--strict` fails on. Non-zero fields only. */
export interface SkippedInput {
  /** Inputs (files, stdin) of which nothing could be read. */
  unreadableInputs?: number;
  /** Records (lines, documents, frames) that could not be decoded. */
  badRecords?: number;
  /** Spans left out for an invalid id or time. */
  invalidSpans?: number;
  /** Problems in logs and metrics records (usage events and points skipped). */
  signalProblems?: number;
}

/** The report's `skipped` field: present only when some input was skipped, so other reports keep their shape. */
export function skippedFields(read: { unreadableInputs: number; badRecords: number; skippedSpans: number }, signalProblems: number): { skipped?: SkippedInput } {
  const skipped: SkippedInput = {
    ...(read.unreadableInputs > 0 ? { unreadableInputs: read.unreadableInputs } : {}),
    ...(read.badRecords > 0 ? { badRecords: read.badRecords } : {}),
    ...(read.skippedSpans > 0 ? { invalidSpans: read.skippedSpans } : {}),
    ...(signalProblems > 0 ? { signalProblems } : {}),
  };
  return Object.keys(skipped).length ? { skipped } : {};
}

/**
 * Model calls without a start time (span.ts `timeKnown`; an agent's event or metric point without
 * a time) under a window: no window can place them, so they are in no figure, and counted here
 * with their tokens as the report names them (`--strict` fails; docs/architecture.md "Unset span times").
 */
export interface UntimedFigures {
  untimedCalls: number;
  untimedInputTokens: number;
  untimedOutputTokens: number;
}

/** Adds (sign 1) or takes back (−1) `calls` untimed calls and their usage (none: a call without usage). */
export function addUntimed(f: UntimedFigures, calls: number, usage: Usage | undefined, sign: 1 | -1): void {
  f.untimedCalls += sign * calls;
  if (!usage) return;
  f.untimedInputTokens += sign * usage.input;
  f.untimedOutputTokens += sign * usage.output;
}

/** What counting met that a figure depends on (docs/architecture.md "Differing copies", "Parent cycles", "Unset span times"). */
export interface CountingIssues extends UntimedFigures {
  differingSpans: number;
  parentCycles: number;
}

/** The issues as the reports carry them. */
export type IssueFields = Partial<CountingIssues>;

/** Some figure left out for want of a time: what the note and `--strict` report. */
export const someUntimed = (issues: IssueFields): boolean => !!(issues.untimedCalls || issues.untimedInputTokens || issues.untimedOutputTokens);

/** The issues as the reports carry them: fields only when non-zero, so reports without them keep their shape. */
export function issueFields(issues: CountingIssues): IssueFields {
  return {
    ...(issues.differingSpans > 0 ? { differingSpans: issues.differingSpans } : {}),
    ...(issues.parentCycles > 0 ? { parentCycles: issues.parentCycles } : {}),
    // The three together: metrics' sums are figures of 0 calls with tokens.
    ...(someUntimed(issues) ? { untimedCalls: issues.untimedCalls, untimedInputTokens: issues.untimedInputTokens, untimedOutputTokens: issues.untimedOutputTokens } : {}),
  };
}

/** The report plus what renderers show beside it. */
export interface CostResult {
  report: CostReport;
  /** Per row: how many of its calls are unpriced (its cost is then a lower bound, or null). */
  rowUnpricedCalls: number[];
  /** Rows left out by --top (not shown, but gated: `--max-increase` checks them too), and their summed priced cost. */
  omitted: { rows: CostRow[]; cost: number };
}

/** 12 significant digits: no float noise such as 0.30000000000000004 in reports. */
export function roundUsd(v: number): number {
  return Number(v.toPrecision(12));
}

/** null when the group has usage and none of it is priced; calls without usage cost 0. */
export function costOf(c: Counters): number | null {
  return c.pricedCalls === 0 && c.unpricedCalls > 0 ? null : roundUsd(usdOf(c.cost));
}

/** The signals a group's figures came from, joined by `+` (spans when nothing was read). */
export function sourceOf(c: Counters): string {
  const names = (['spans', 'events', 'metrics'] as const).filter((s) => c.records[s] > 0);
  return names.length ? names.join('+') : 'spans';
}

function counters(c: Counters): CostCounters {
  const cost = costOf(c);
  const reported = c.reportedRecords > 0 ? roundUsd(usdOf(c.reportedCost)) : null;
  return {
    calls: c.calls,
    inputTokens: c.inputTokens,
    cacheReadTokens: c.cacheReadTokens,
    cacheWriteTokens: c.cacheWriteTokens,
    outputTokens: c.outputTokens,
    reasoningTokens: c.reasoningTokens,
    cost,
    reportedCost: reported,
    // Against the computed cost of the same records only (a row may mix agents that report and
    // agents that do not); null when one of them is unpriced.
    reportedCostDiff: reported === null || c.reportedUnpriced > 0 ? null : roundUsd(usdDifference(c.reportedCost, c.reportedComputed)),
    source: sourceOf(c),
  };
}

export function buildCostReport(agg: Aggregator, unpriced: UnpricedModels, window: TimeWindow, top?: number): CostResult {
  const groupBy = agg.dimensions.map((d) => d.name);
  const groups = agg.list().sort((a, b) => {
    const ca = costOf(a.counters), cb = costOf(b.counters);
    if (ca !== cb) return ca === null ? 1 : cb === null ? -1 : cb - ca;
    for (let i = 0; i < a.keys.length; i++) {
      const d = cmp(a.keys[i]!, b.keys[i]!);
      if (d) return d;
    }
    return 0;
  });
  const shown = top === undefined ? groups : groups.slice(0, top);
  const rest = groups.slice(shown.length);
  const toRow = (g: (typeof groups)[number]) => {
    const row: Record<string, string | number | null> = {};
    groupBy.forEach((name, i) => (row[name] = g.keys[i]!));
    return Object.assign(row, counters(g.counters)) as CostRow;
  };
  const rows = shown.map(toRow);
  return {
    report: {
      currency: 'USD',
      since: iso(window.sinceMs),
      until: iso(window.untilMs),
      groupBy,
      rows,
      total: counters(agg.total),
      unpriced: unpriced.list(),
    },
    rowUnpricedCalls: shown.map((g) => g.counters.unpricedCalls),
    omitted: { rows: rest.map(toRow), cost: roundUsd(sumCost(rest)) },
  };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** The dimension values of a row, in groupBy order (for baselines and renderers). */
export function rowKeys(report: Pick<CostReport, 'groupBy'>, row: Record<string, unknown>): string[] {
  return report.groupBy.map((d) => String(row[d] ?? ''));
}

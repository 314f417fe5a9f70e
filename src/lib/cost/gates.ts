/**
 * CI gates (docs/architecture.md "`cost` and `stats` reports"): each returns data — which gate, whether it held, why — and the
 * command turns any failure into exit 1. Budgets compare the priced cost; unpriced tokens are
 * `--strict`'s business, so a missing price can never make a budget pass silently without a
 * warning (the unpriced list is always printed).
 */
import { gateCost, type Aggregator, type CostSource, type Counters } from './aggregate.js';
import type { Change } from './baseline.js';
import type { BudgetFile } from './budget-file.js';
import { roundUsd, someUntimed, type CostReport, type IssueFields } from './report.js';

/** One gate's outcome (cost's and stats' gates alike; the command exits 1 when any failed). */
/**
 * How gate messages write their figures. The command passes the renderer's formats
 * (render/format.ts `figureWords`): gates compute, they import no renderer.
 */
export interface GateWording {
  usd(v: number): string;
  tokens(n: number): string;
  duration(ms: number): string;
}

export interface GateResult {
  /** The flag's name without dashes: budget, budget-file, max-increase, strict, max-p95, … */
  gate: string;
  ok: boolean;
  message: string;
}

export interface GateInput {
  total: Counters;
  report: CostReport;
  byFeature?: Aggregator;
  byModel?: Aggregator;
  comparison?: { rows: Change[]; total: Change };
}

export interface GateOptions {
  budget?: number;
  budgetFile?: BudgetFile;
  /** Percent. */
  maxIncrease?: number;
  strict?: boolean;
  /** What reading skipped (bad records, invalid spans), when anything: `--strict` fails on it too. */
  skipped?: string;
  /** Which cost the budgets compare (`--cost-source`, default computed). */
  costSource?: CostSource;
}

export function evaluateGates(input: GateInput, opts: GateOptions, words: GateWording): GateResult[] {
  const out: GateResult[] = [];
  const total = roundUsd(gateCost(input.total, opts.costSource));
  const what = opts.costSource === 'reported' ? 'total reported cost' : opts.costSource === 'auto' ? 'total cost (reported where known)' : 'total cost';
  if (opts.budget !== undefined) {
    const ok = total <= opts.budget;
    out.push({ gate: 'budget', ok, message: `${what} ${words.usd(total)} ${ok ? 'within' : 'exceeds'} the budget of ${words.usd(opts.budget)}` });
  }
  if (opts.budgetFile) out.push(...budgetFileGates(input, opts.budgetFile, total, words, opts.costSource));
  if (opts.maxIncrease !== undefined && input.comparison) out.push(...increaseGates(input, opts.maxIncrease, words));
  if (opts.strict) {
    const tokens = input.total.unpricedTokens;
    const ok = tokens === 0;
    out.push({
      gate: 'strict',
      ok,
      message: ok
        ? 'every token is priced'
        : `${words.tokens(tokens)} token${tokens === 1 ? '' : 's'} of ${words.tokens(input.total.unpricedCalls)} call${input.total.unpricedCalls === 1 ? '' : 's'} ${tokens === 1 ? 'is' : 'are'} unpriced (${input.report.unpriced.map((u) => (u.reason === undefined ? u.model : `${u.model}: ${u.reason}`)).join(', ')})`,
    });
    // Calls in skipped input are in no figure: a priced report of part of the input is no pass.
    if (opts.skipped !== undefined) out.push({ gate: 'strict', ok: false, message: `input was skipped: ${opts.skipped}` });
    if (input.report.differingSpans) out.push(differingGate(input.report.differingSpans));
    if (someUntimed(input.report)) out.push(untimedGate(input.report, words));
  }
  return out;
}

/**
 * Differing copies of a span fail `--strict`: one copy is counted by a fixed rule, but which one
 * the producer meant is not known, so the figures may be off (docs/architecture.md "Differing copies").
 */
export function differingGate(spans: number): GateResult {
  return { gate: 'strict', ok: false, message: `${spans} span id${spans === 1 ? ' was' : 's were'} read as copies that differ: one copy of each is counted` };
}

/**
 * Calls without a start time under a window fail `--strict`: no window can place them, so the
 * figures may leave out calls of the window (docs/architecture.md "Unset span times").
 */
export function untimedGate(issues: IssueFields, words: Pick<GateWording, 'tokens'>): GateResult {
  const u = untimedSubject(issues, words.tokens);
  return { gate: 'strict', ok: false, message: `${u.subject}: the window cannot place ${u.one ? 'it' : 'them'}, and ${u.one ? 'it is' : 'they are'} in no figure` };
}

/**
 * What has no start time, with its size (the gate's and the notes' subject). A metrics figure
 * (a sum) stands for no counted call: usage alone can be untimed.
 */
export function untimedSubject(issues: IssueFields, tokens: (n: number) => string): { subject: string; one: boolean } {
  const calls = issues.untimedCalls ?? 0;
  const size = `${tokens(issues.untimedInputTokens ?? 0)} → ${tokens(issues.untimedOutputTokens ?? 0)} tokens`;
  if (calls === 0) return { subject: `usage of ${size} has no start time`, one: true };
  return { subject: `${tokens(calls)} model call${calls === 1 ? ' has' : 's have'} no start time (${size})`, one: calls === 1 };
}

function budgetFileGates(input: GateInput, file: BudgetFile, total: number, words: GateWording, costSource?: CostSource): GateResult[] {
  const out: GateResult[] = [];
  if (file.total !== undefined) {
    const ok = total <= file.total;
    out.push({ gate: 'budget-file', ok, message: `total cost ${words.usd(total)} ${ok ? 'within' : 'exceeds'} ${words.usd(file.total)} (${file.label})` });
  }
  for (const [kind, agg, limits] of [
    ['feature', input.byFeature, file.features],
    ['model', input.byModel, file.models],
  ] as const) {
    const spent = new Map<string, number>();
    for (const g of agg?.list() ?? []) spent.set(g.keys[0]!, roundUsd(gateCost(g.counters, costSource)));
    for (const [name, limit] of Object.entries(limits)) {
      const cost = spent.get(name) ?? 0;
      const ok = cost <= limit;
      out.push({ gate: 'budget-file', ok, message: `${kind} ${name}: ${words.usd(cost)} ${ok ? 'within' : 'exceeds'} ${words.usd(limit)} (${file.label})` });
    }
  }
  return out;
}

function increaseGates(input: GateInput, max: number, words: GateWording): GateResult[] {
  const cmp = input.comparison!;
  const out: GateResult[] = [];
  // The total always reports, as stats' limits do: a cost that became unpriced (a new model
  // without a price) printed no gate line at all. Not comparable is no failure here: unpriced
  // tokens are --strict's business (above), and the unpriced warning is always printed.
  const t = cmp.total;
  const ok = t.pct === undefined || t.pct <= max;
  out.push({ gate: 'max-increase', ok, message: `total cost ${describeChange(t, words)}, limit +${max}%` });
  // Rows that existed in the baseline with a cost: a feature that got dearer fails the gate
  // even when another got cheaper. New rows are shown, not failed.
  input.report.rows.forEach((row, i) => {
    const c = cmp.rows[i]!;
    if (c.pct === undefined || !c.base || c.pct <= max) return;
    const name = input.report.groupBy.map((d) => `${d}=${String(row[d])}`).join(' ');
    out.push({ gate: 'max-increase', ok: false, message: `${name}: cost ${describeChange(c, words)}, limit +${max}%` });
  });
  return out;
}

function describeChange(c: Change, words: GateWording): string {
  if (c.pct === undefined) return 'not comparable (unpriced)';
  const pct = c.pct === Infinity ? 'from $0' : `${c.pct >= 0 ? '+' : ''}${c.pct.toFixed(1)}%`;
  return `${words.usd(c.base ?? 0)} → ${words.usd(c.current ?? 0)} (${pct})`;
}

/** `10%`, `10`, `2.5%` → percent; throws a usage Error otherwise. */
export function parsePercent(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) throw new Error(`${flag} must be a percentage such as 10%, got ${JSON.stringify(text)}`);
  return finiteLimit(flag, Number(m[1]), text);
}

/** A limit of 400 digits reads as Infinity, which no figure ever exceeds: a gate that cannot fail. */
export function finiteLimit(flag: string, n: number, text: string): number {
  if (!Number.isFinite(n)) throw new Error(`${flag} is too large, got ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`);
  return n;
}

/** A share of calls (`--max-error-rate`, `--max-length-rate`): a percentage from 0 to 100, since a limit above 100% could never fail. */
export function parseRatePercent(flag: string, text: string): number {
  const p = parsePercent(flag, text);
  if (p > 100) throw new Error(`${flag} is a share of calls, at most 100%, got ${JSON.stringify(text)}`);
  return p;
}

/** `12.5`, `$12.50` → USD; throws a usage Error otherwise (negative amounts included). */
export function parseUsd(flag: string, text: string): number {
  const m = /^\s*\$?(\d+(?:\.\d+)?|\.\d+)\s*$/.exec(text);
  if (!m) throw new Error(`${flag} must be a non-negative amount of USD such as 25 or 2.50, got ${JSON.stringify(text)}`);
  return finiteLimit(flag, Number(m[1]), text);
}

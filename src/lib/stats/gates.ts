/**
 * `stats` gates for CI (docs/architecture.md "`cost` and `stats` reports"): limits on latency, TTFT, error and cut-off rates,
 * checked on every row and on the total. Data out, like cost/gates.ts (the same GateResult and
 * parsePercent); the command turns a failure into exit 1.
 */
import { differingGate, finiteLimit, untimedGate, type GateResult, type GateWording } from '../cost/gates.js';
import { someUntimed } from '../cost/report.js';
import { secondsToMs } from '../genai/conventions.js';
import { increaseGates, type StatsBaseline } from './baseline.js';
import { isMetricsRow, type StatsFigures, type StatsReport } from './report.js';

export interface StatsGateOptions {
  maxP95Ms?: number;
  maxTtftP95Ms?: number;
  /** Percent. */
  maxErrorRate?: number;
  /** Percent. */
  maxLengthRate?: number;
  /** Fail when input was skipped (bad records or spans): the figures then leave something out. */
  strict?: boolean;
  /** `--baseline` with `--max-increase` (percent). */
  baseline?: StatsBaseline;
  maxIncrease?: number;
}

interface Limit {
  gate: string;
  what: string;
  limit: number | undefined;
  value: (f: StatsFigures) => number | undefined;
  show: (v: number) => string;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/**
 * A percent typed on the command line as the fraction the report holds: the double nearest the
 * decimal (5.6% → 0.056, the double of 7 / 125), not 5.6 / 100 (0.055999999999999994), so that a
 * rate equal to the limit is within it.
 */
const fraction = (percent: number) => Number((percent / 100).toPrecision(15));

export function evaluateStatsGates(report: StatsReport, opts: StatsGateOptions, words: GateWording, skipped?: string): GateResult[] {
  const differing = report.differingSpans ?? 0;
  const limits: Limit[] = [
    { gate: 'max-p95', what: 'latency p95', limit: opts.maxP95Ms, value: (f) => f.latencyMs?.p95, show: words.duration },
    { gate: 'max-ttft-p95', what: 'TTFT p95', limit: opts.maxTtftP95Ms, value: (f) => f.ttftMs?.p95, show: words.duration },
    // Rates are fractions in the report and percents on the command line.
    { gate: 'max-error-rate', what: 'error rate', limit: opts.maxErrorRate === undefined ? undefined : fraction(opts.maxErrorRate), value: (f) => f.errorRate ?? undefined, show: pct },
    { gate: 'max-length-rate', what: 'length rate', limit: opts.maxLengthRate === undefined ? undefined : fraction(opts.maxLengthRate), value: (f) => f.lengthRate ?? undefined, show: pct },
  ];
  const out: GateResult[] = [];
  for (const l of limits) {
    if (l.limit === undefined) continue;
    const limit = l.limit;
    // The total always reports (ok or not); a row only when it fails, as cost does. The metrics
    // total is a total of its own (never merged with the spans'), checked the same way.
    const totals: Array<[string, StatsFigures]> = [['total', report.total]];
    if (report.metrics?.services.length) totals.push(['total (metrics, interpolated)', report.metrics.total]);
    for (const [name, figures] of totals) {
      const total = l.value(figures);
      if (total === undefined) out.push({ gate: l.gate, ok: true, message: `${name} ${l.what}: no values` });
      else out.push({ gate: l.gate, ok: total <= limit, message: `${name} ${l.what} ${l.show(total)} ${total <= limit ? 'within' : 'exceeds'} ${l.show(limit)}` });
    }
    for (const row of report.rows) {
      const v = l.value(row);
      if (v === undefined || v <= limit) continue;
      const name = report.groupBy.map((d) => `${d}=${row[d]}`).join(' ') + (isMetricsRow(row) ? ' (metrics, interpolated)' : '');
      out.push({ gate: l.gate, ok: false, message: `${name}: ${l.what} ${l.show(v)} exceeds ${l.show(limit)}` });
    }
  }
  if (opts.baseline && opts.maxIncrease !== undefined) {
    out.push(...increaseGates(report, opts.baseline, opts.maxIncrease, { 'latency p95': words.duration, 'TTFT p95': words.duration, 'error rate': pct, 'length rate': pct }));
  }
  if (opts.strict) out.push({ gate: 'strict', ok: skipped === undefined, message: skipped === undefined ? 'every input record was read' : `input was skipped: ${skipped}` });
  if (opts.strict && differing > 0) out.push(differingGate(differing));
  if (opts.strict && someUntimed(report)) out.push(untimedGate(report, words));
  const unknown = report.unknownDurations ?? 0;
  if (opts.strict && unknown > 0) {
    out.push({ gate: 'strict', ok: false, message: `${unknown} call${unknown === 1 ? ' has' : 's have'} no known duration (no start time, or an end before the start): left out of latency and tok/s` });
  }
  return out;
}

/**
 * `500ms`, `2s`, `1.5s`, `1m` → milliseconds; throws a usage Error otherwise (a unit is required).
 * Seconds go through `secondsToMs`, as the spans' and metrics' do (2.01 s is 2010 ms, not
 * 2009.9999999999998): a p95 of exactly 2010 ms is within `--max-p95 2.01s`.
 */
export function parseDurationMs(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (!m) throw new Error(`${flag} must be a duration such as 500ms, 2s or 1m, got ${JSON.stringify(text)}`);
  const amount = Number(m[1]);
  return finiteLimit(flag, m[2] === 'ms' ? amount : secondsToMs(m[2] === 's' ? amount : amount * 60), text);
}

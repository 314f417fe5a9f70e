/**
 * `stats --baseline <previous.json> --max-increase <pct>`: a previous `llmtrace stats --format
 * json` output. Rows are matched by their dimension values (the same grouping, as in cost). The
 * compared figures are latency p95, TTFT p95, error rate and length rate; an increase is relative
 * (error rate 2% → 2.3% is +15%), and any rise from 0 is beyond every limit, as in cost.
 */
import { change, checkSameGrouping, readBaselineFile, type Change } from '../cost/baseline.js';
import type { GateResult } from '../cost/gates.js';
import { rowKeys } from '../cost/report.js';
import { describe, isObject } from '../cost/validate.js';
import { LlmtraceError } from '../errors.js';
import { isMetricsRow, type StatsFigures, type StatsReport } from './report.js';

const HINT = 'a baseline is the output of a previous `llmtrace stats --format json`';

export const COMPARED = {
  'latency p95': (f: StatsFigures) => f.latencyMs?.p95 ?? null,
  'TTFT p95': (f: StatsFigures) => f.ttftMs?.p95 ?? null,
  'error rate': (f: StatsFigures) => f.errorRate,
  'length rate': (f: StatsFigures) => f.lengthRate,
} as const;

/** A row's key: its dimension values, and for a row from metrics that it is one (it may share them with a row from spans). */
function statsRowKey(groupBy: string[], row: Record<string, unknown>): string {
  return [...rowKeys({ groupBy }, row), ...(isMetricsRow(row) ? ['\u0000metrics'] : [])].join('\u0000');
}

type Figure = keyof typeof COMPARED;

export interface StatsBaseline {
  label: string;
  groupBy: string[];
  /** Row key → the compared figures (null: no value then). */
  rows: Map<string, Record<Figure, number | null>>;
  total: Record<Figure, number | null>;
}

/** Rates of a baseline total or row without calls: none (its 0 is no measurement, and any error would be a "rise from 0"). */
const RATES: ReadonlySet<Figure> = new Set(['error rate', 'length rate']);

function figures(v: Record<string, unknown>, where: string, label: string): Record<Figure, number | null> {
  const out = {} as Record<Figure, number | null>;
  for (const [name, read] of Object.entries(COMPARED) as Array<[Figure, (f: StatsFigures) => number | null]>) {
    if (v.calls === 0 && RATES.has(name)) {
      out[name] = null;
      continue;
    }
    let x: number | null;
    try {
      x = read(v as unknown as StatsFigures);
    } catch {
      x = NaN;
    }
    if (x !== null && (typeof x !== 'number' || !Number.isFinite(x))) throw new LlmtraceError(`${label}: ${where}: ${name} is not a number`, HINT, 2);
    out[name] = x;
  }
  return out;
}

export function parseStatsBaseline(doc: unknown, label: string): StatsBaseline {
  if (!isObject(doc) || doc.percentiles !== 'nearest-rank' || !Array.isArray(doc.groupBy) || !Array.isArray(doc.rows) || !isObject(doc.total)) {
    throw new LlmtraceError(`${label}: not a stats report: expected {"percentiles": "nearest-rank", "groupBy": [...], "rows": [...], "total": {...}}`, HINT, 2);
  }
  if (!doc.groupBy.every((d) => typeof d === 'string')) throw new LlmtraceError(`${label}: groupBy: expected dimension names, got ${describe(doc.groupBy)}`, HINT, 2);
  const groupBy = doc.groupBy as string[];
  const rows = new Map<string, Record<Figure, number | null>>();
  doc.rows.forEach((r, i) => {
    if (!isObject(r)) throw new LlmtraceError(`${label}: rows[${i}]: expected an object, got ${describe(r)}`, HINT, 2);
    rows.set(statsRowKey(groupBy, r), figures(r, `rows[${i}]`, label));
  });
  return { label, groupBy, rows, total: figures(doc.total, 'total', label) };
}

export function readStatsBaseline(file: string): Promise<StatsBaseline> {
  return readBaselineFile(file, parseStatsBaseline, HINT);
}

function describeChange(c: Change, show: (v: number) => string): string {
  const pct = c.pct === Infinity ? 'from 0' : `${c.pct! >= 0 ? '+' : ''}${c.pct!.toFixed(1)}%`;
  return `${show(c.base!)} → ${show(c.current!)} (${pct})`;
}

/** `max-increase` gates: the total's figures always reported, a row's only when they fail. */
export function increaseGates(report: StatsReport, baseline: StatsBaseline, maxPct: number, show: Record<Figure, (v: number) => string>): GateResult[] {
  checkSameGrouping(baseline, report.groupBy);
  const out: GateResult[] = [];
  for (const [name, read] of Object.entries(COMPARED) as Array<[Figure, (f: StatsFigures) => number | null]>) {
    const t = change(baseline.total[name], read(report.total));
    if (t.pct !== undefined) out.push({ gate: 'max-increase', ok: t.pct <= maxPct, message: `total ${name} ${describeChange(t, show[name])}, limit +${maxPct}%` });
    for (const row of report.rows) {
      const c = change(baseline.rows.get(statsRowKey(report.groupBy, row))?.[name], read(row));
      if (c.pct === undefined || c.pct <= maxPct) continue;
      const label = report.groupBy.map((d) => `${d}=${row[d]}`).join(' ');
      out.push({ gate: 'max-increase', ok: false, message: `${label}: ${name} ${describeChange(c, show[name])}, limit +${maxPct}%` });
    }
  }
  return out;
}

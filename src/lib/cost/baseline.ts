/**
 * `--baseline <previous.json>`: a previous `llmtrace cost --format json` output. Rows are
 * matched by their dimension values, so both reports must group by the same dimensions.
 */
import { readFile } from 'node:fs/promises';
import { LlmtraceError } from '../errors.js';
import { rowKeys, type CostReport } from './report.js';
import { describe, isObject } from './validate.js';

export interface Baseline {
  label: string;
  groupBy: string[];
  /** Row key (dimension values joined) → cost (null = unpriced). */
  rows: Map<string, number | null>;
  total: number | null;
}

export interface Change {
  base: number | null | undefined;
  current: number | null;
  /** Percent change; Infinity from 0 to more; undefined when either side is unknown. */
  pct?: number;
}

function bad(label: string, problem: string): LlmtraceError {
  return new LlmtraceError(`${label}: ${problem}`, 'a baseline is the output of a previous `llmtrace cost --format json`', 2);
}

const cost = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

export function parseBaseline(doc: unknown, label: string): Baseline {
  if (!isObject(doc) || !Array.isArray(doc.groupBy) || !Array.isArray(doc.rows) || !isObject(doc.total)) {
    throw bad(label, 'not a cost report: expected {"groupBy": [...], "rows": [...], "total": {...}}');
  }
  if (!doc.groupBy.every((d) => typeof d === 'string')) throw bad(label, `groupBy: expected dimension names, got ${describe(doc.groupBy)}`);
  if (!cost(doc.total.cost)) throw bad(label, `total.cost: expected a number or null, got ${describe(doc.total.cost)}`);
  const groupBy = doc.groupBy as string[];
  const rows = new Map<string, number | null>();
  doc.rows.forEach((r, i) => {
    if (!isObject(r) || !cost(r.cost)) throw bad(label, `rows[${i}].cost: expected a number or null, got ${describe(isObject(r) ? r.cost : r)}`);
    rows.set(rowKeys({ groupBy }, r).join('\u0000'), r.cost);
  });
  return { label, groupBy, rows, total: doc.total.cost };
}

export async function readBaseline(file: string): Promise<Baseline> {
  return readBaselineFile(file, parseBaseline, 'a baseline is the output of a previous `llmtrace cost --format json`');
}

/** Reads and parses a baseline file (cost's or stats'): unreadable files and bad JSON exit 2 naming the file. */
export async function readBaselineFile<T>(file: string, parse: (doc: unknown, label: string) => T, hint: string): Promise<T> {
  const fail = (problem: string) => new LlmtraceError(`${file}: ${problem}`, hint, 2);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw fail(`cannot read baseline: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw fail(`invalid JSON: ${(e as Error).message}`);
  }
  return parse(doc, file);
}

/**
 * The relative change in percent, to 12 significant digits: both figures are doubles of decimals
 * (30% is 0.3, 33% is 0.33), and (0.33 − 0.3) / 0.3 · 100 is 10.000000000000009, which a
 * `--max-increase 10%` must not fail.
 */
export function change(base: number | null | undefined, current: number | null): Change {
  if (base === null || base === undefined || current === null) return { base, current };
  if (base === 0) return { base, current, pct: current > 0 ? Infinity : 0 };
  return { base, current, pct: Number((((current - base) / base) * 100).toPrecision(12)) };
}

/** Per-row and total changes of `report` against `baseline`. */
export function compare(report: CostReport, baseline: Baseline): { rows: Change[]; total: Change } {
  checkSameGrouping(baseline, report.groupBy);
  return {
    rows: report.rows.map((r) => change(baseline.rows.get(rowKeys(report, r).join('\u0000')), r.cost)),
    total: change(baseline.total, report.total.cost),
  };
}

/** Rows are matched by their dimension values: both reports must group alike (exit 2 otherwise). */
export function checkSameGrouping(baseline: { label: string; groupBy: string[] }, groupBy: string[]): void {
  if (baseline.groupBy.join(',') !== groupBy.join(',')) {
    throw new LlmtraceError(
      `${baseline.label}: the baseline groups by ${baseline.groupBy.join(',') || '(nothing)'}, this report by ${groupBy.join(',')}`,
      `run with --by ${baseline.groupBy.join(',')} to compare with it`,
      2,
    );
  }
}

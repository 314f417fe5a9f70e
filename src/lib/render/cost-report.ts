/**
 * Renderers of the cost report: terminal table, markdown (also the GitHub step summary), CSV
 * (csv-stringify) and JSON (the stable shape of src/lib/cost/report.ts, unchanged).
 * Costs: `unpriced` when no call of the row has a price; a trailing `*` when some lack one.
 */
import { stringify } from 'csv-stringify/sync';
import type { Change } from '../cost/baseline.js';
import { untimedSubject, type GateResult } from '../cost/gates.js';
import { someUntimed, type CostCounters, type CostResult, type IssueFields, type SkippedInput } from '../cost/report.js';
import type { Colors } from './colors.js';
import { formatTokens, formatUsd } from './format.js';
import { oneLine } from './terminal.js';
import { renderTable, type Column } from './table.js';
import { wrapText } from './text-width.js';

export interface CostView {
  result: CostResult;
  comparison?: { rows: Change[]; total: Change };
  gates?: GateResult[];
}

function costText(c: CostCounters, unpricedCalls: number): string {
  if (c.cost === null) return 'unpriced';
  return unpricedCalls > 0 ? `${formatUsd(c.cost)}*` : formatUsd(c.cost);
}

/** Nothing counted at all: no call, no tokens (metrics may count tokens without calls), nothing reported. */
export function emptyCost(c: CostCounters): boolean {
  return c.calls === 0 && c.inputTokens === 0 && c.outputTokens === 0 && c.reportedCost === null;
}

function reportedText(c: CostCounters): string {
  return c.reportedCost === null ? '—' : formatUsd(c.reportedCost);
}

function diffText(c: CostCounters): string {
  if (c.reportedCostDiff === null) return '—';
  return `${c.reportedCostDiff > 0 ? '+' : c.reportedCostDiff < 0 ? '−' : '±'}${formatUsd(Math.abs(c.reportedCostDiff))}`;
}

function share(c: CostCounters, total: CostCounters): string {
  if (c.cost === null || !total.cost) return '—';
  return `${((c.cost / total.cost) * 100).toFixed(1)}%`;
}

function changeText(c: Change | undefined): string {
  if (!c || c.base === undefined) return 'new';
  if (c.pct === undefined) return '—';
  if (c.pct === Infinity) return `+${formatUsd(c.current ?? 0)}`;
  return `${c.pct >= 0 ? '+' : ''}${c.pct.toFixed(1)}%`;
}

interface Grid {
  columns: Column[];
  rows: string[][];
  total: string[];
  notes: string[];
}

/** The cells every human format shares. */
function grid(view: CostView, colors: Colors | undefined): Grid {
  const { report, rowUnpricedCalls, omitted } = view.result;
  const showWrite = report.total.cacheWriteTokens > 0;
  const showReasoning = report.total.reasoningTokens > 0;
  // Shown when some figure has a reported cost, or came from events or metrics: otherwise every
  // figure is from spans and computed, as before (JSON and CSV always carry both).
  const showReported = report.total.reportedCost !== null;
  const showSource = report.total.source !== 'spans';
  // Dropped first when the terminal is narrow (docs/architecture.md, "Output width"): the share
  // (derived), then the parts of input and output (reasoning, cache write, cached), the call count,
  // the change against the baseline, input and output. Groups shrink instead; cost always stays.
  const columns: Column[] = [
    ...report.groupBy.map((d) => ({ header: d })),
    { header: 'calls', align: 'right' as const, dropOrder: 5 },
    { header: 'input', align: 'right' as const, dropOrder: 7 },
    { header: 'cached', align: 'right' as const, dropOrder: 4 },
    ...(showWrite ? [{ header: 'cache write', align: 'right' as const, dropOrder: 3 }] : []),
    { header: 'output', align: 'right' as const, dropOrder: 8 },
    ...(showReasoning ? [{ header: 'reasoning', align: 'right' as const, dropOrder: 2 }] : []),
    { header: 'cost', align: 'right' as const },
    { header: 'share', align: 'right' as const, dropOrder: 1 },
    ...(showReported ? [{ header: 'reported', align: 'right' as const, dropOrder: 6.5 }, { header: 'Δ reported', align: 'right' as const, dropOrder: 1.5 }] : []),
    ...(view.comparison ? [{ header: 'vs baseline', align: 'right' as const, dropOrder: 6 }] : []),
    ...(showSource ? [{ header: 'source', dropOrder: 0.5 }] : []),
  ];
  const numbers = (c: CostCounters, unpricedCalls: number, change: Change | undefined, isTotal: boolean): string[] => {
    let cost = costText(c, unpricedCalls);
    if (colors && c.cost === null) cost = colors.yellow(cost);
    let delta = view.comparison ? changeText(change) : undefined;
    if (colors && delta !== undefined && change?.pct !== undefined) delta = change.pct > 0 ? colors.red(delta) : change.pct < 0 ? colors.green(delta) : delta;
    return [
      formatTokens(c.calls),
      formatTokens(c.inputTokens),
      formatTokens(c.cacheReadTokens),
      ...(showWrite ? [formatTokens(c.cacheWriteTokens)] : []),
      formatTokens(c.outputTokens),
      ...(showReasoning ? [formatTokens(c.reasoningTokens)] : []),
      cost,
      isTotal ? (c.cost === null ? '—' : '100.0%') : share(c, report.total),
      ...(showReported ? [reportedText(c), diffText(c)] : []),
      ...(delta !== undefined ? [delta] : []),
      ...(showSource ? [c.source] : []),
    ];
  };
  const rows = report.rows.map((r, i) => [
    ...report.groupBy.map((d) => oneLine(String(r[d]))),
    ...numbers(r, rowUnpricedCalls[i] ?? 0, view.comparison?.rows[i], false),
  ]);
  const totalUnpriced = report.unpriced.reduce((s, u) => s + u.calls, 0);
  const total = [
    ...report.groupBy.map((_, i) => (i === 0 ? 'total' : '')),
    ...numbers(report.total, totalUnpriced, view.comparison?.total, true),
  ];
  const notes: string[] = [];
  const hidden = omitted.rows.length;
  if (hidden > 0) notes.push(`${hidden} more row${hidden === 1 ? '' : 's'} (${formatUsd(omitted.cost)}) not shown (--top)`);
  // A `*` was printed wherever a cost leaves out unpriced calls: the total then always has one.
  if (totalUnpriced > 0 && report.total.cost !== null) notes.push('* the cost leaves out unpriced calls (listed below)');
  if (report.unpriced.length) {
    notes.push(
      `unpriced: ${report.unpriced.map((u) => `${oneLine(u.model)} (${formatTokens(u.calls)} call${u.calls === 1 ? '' : 's'}, ${formatTokens(u.inputTokens)} → ${formatTokens(u.outputTokens)} tokens${u.reason === undefined ? '' : `: ${u.reason}`})`).join(', ')}`,
    );
  }
  notes.push(...countingNotes(report), ...skippedNotes(report.skipped));
  return { columns, rows, total, notes };
}

/** What counting met (cost/report.ts `CountingIssues`), for the notes of `cost` and `stats` and their stderr. */
export function countingNotes(issues: IssueFields): string[] {
  const notes: string[] = [];
  const d = issues.differingSpans ?? 0;
  if (d > 0) notes.push(`${formatTokens(d)} span id${d === 1 ? ' was' : 's were'} read as copies that differ: one copy of each is counted (llmtrace lint names them; --strict fails)`);
  const c = issues.parentCycles ?? 0;
  if (c > 0) notes.push(`${formatTokens(c)} parent cycle${c === 1 ? '' : 's'} cut above the lowest span id: the calls in ${c === 1 ? 'it are' : 'them are'} counted once (llmtrace tree shows where)`);
  if (someUntimed(issues)) {
    const { subject, one } = untimedSubject(issues, formatTokens);
    notes.push(`${subject}: the window cannot place ${one ? 'it' : 'them'}, so ${one ? 'it is' : 'they are'} in no figure (without --since/--until ${one ? 'it is' : 'they are'} counted; --strict fails)`);
  }
  return notes;
}

/**
 * Input no figure includes, under the table (stderr names each problem; the note keeps the count
 * beside the figures, in every format that has notes, as `skipped` does in JSON).
 */
export function skippedNotes(skipped: SkippedInput | undefined): string[] {
  if (!skipped) return [];
  const n = (k: number | undefined, one: string, many = `${one}s`) => (k ? [`${formatTokens(k)} ${k === 1 ? one : many}`] : []);
  const parts = [
    ...n(skipped.unreadableInputs, 'unreadable input'),
    ...n(skipped.badRecords, 'bad record'),
    ...n(skipped.invalidSpans, 'invalid span'),
    ...n(skipped.signalProblems, 'problem in logs and metrics records', 'problems in logs and metrics records'),
  ];
  return [`input left out of every figure: ${parts.join(', ')} (named on stderr; --strict fails)`];
}

export function renderCostTable(view: CostView, opts: { colors: Colors; width: number }): string {
  const g = grid(view, opts.colors);
  if (emptyCost(view.result.report.total)) return `${opts.colors.dim('no model calls with token usage in the window')}\n`;
  const table = renderTable(g.columns, g.rows, { colors: opts.colors, width: opts.width, footer: [g.total.map((t) => opts.colors.bold(t))], fullOutput: '--format csv' });
  return [table, ...wrapNotes(g.notes, opts.width, opts.colors)].join('\n') + '\n';
}

/** Notes under a report, wrapped to the terminal (they name models and costs: never cut). */
export function wrapNotes(notes: readonly string[], width: number, colors: Colors): string[] {
  return notes.flatMap((n) => wrapText(n, width, '  ').map((l) => colors.dim(l)));
}

/**
 * Text in a markdown cell or note, shown as written (docs/architecture.md "Terminal safety"): a
 * backslash and every character with inline meaning in GitHub markdown (emphasis, code, links and
 * images, HTML and entities, strikethrough, the cell separator) are backslash-escaped. Escaping
 * only `|` turned a value's `\|` into `\\|`, an escaped backslash and then a separator that split the
 * row; and span data could put a link, an image or HTML into the step summary.
 */
export const mdCell = (s: string) => s.replace(/[\\`*_[\]<>&|~]/g, '\\$&').replace(/\r\n?|\n/g, ' ');

/** A markdown table with a bold totals row (cost, stats). */
export function markdownTable(columns: readonly Column[], rows: readonly string[][], total: readonly string[]): string[] {
  return [
    `| ${columns.map((c) => mdCell(c.header)).join(' | ')} |`,
    `| ${columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
    `| ${total.map((t) => (t ? `**${mdCell(t)}**` : '')).join(' | ')} |`,
  ];
}

/** Gate outcomes as a markdown list. */
export function markdownGates(gates: readonly GateResult[] | undefined): string[] {
  if (!gates?.length) return [];
  return ['', ...gates.map((gate) => `- ${gate.ok ? '✅' : '❌'} ${gate.gate}: ${mdCell(gate.message)}`)];
}

export function renderCostMarkdown(view: CostView): string {
  const g = grid(view, undefined);
  const { report } = view.result;
  const window = report.since || report.until ? ` (${report.since ?? 'start'} – ${report.until ?? 'now'})` : '';
  const out: string[] = [`### LLM cost${window}`, ''];
  if (emptyCost(report.total)) out.push('No model calls with token usage in the window.');
  else out.push(...markdownTable(g.columns, g.rows, g.total));
  if (g.notes.length) out.push('', ...g.notes.map((n) => `${mdCell(n)}  `));
  out.push(...markdownGates(view.gates));
  return out.join('\n') + '\n';
}

/**
 * A number as CSV consumers read it: the shortest digits that give the number back (what JSON
 * writes), always as a plain decimal. `String(2e-8)` is `2e-8`, which `sort -n`, `bc` and
 * locale-aware spreadsheet imports do not read as 0.00000002 (one embeddings token's cost).
 */
export function plainDecimal(v: number): string {
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(s);
  return m ? `${m[1]}0.${'0'.repeat(Number(m[4]) - 1)}${m[2]}${m[3] ?? ''}` : s;
}

/** Records as RFC 4180 CSV (csv-stringify), numbers as plain decimals: `cost` and `stats` alike. */
export function csvText(records: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return stringify(records as Array<Array<string | number>>, { cast: { number: plainDecimal } });
}

export function renderCostCsv(view: CostView): string {
  const { report } = view.result;
  const header = [...report.groupBy, 'calls', 'inputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'outputTokens', 'reasoningTokens', 'cost', 'share'];
  if (view.comparison) header.push('baselineCost', 'changePercent');
  header.push('reportedCost', 'reportedCostDiff', 'source');
  const records = report.rows.map((r, i) => {
    const rec: Array<string | number> = [
      ...report.groupBy.map((d) => String(r[d])),
      r.calls,
      r.inputTokens,
      r.cacheReadTokens,
      r.cacheWriteTokens,
      r.outputTokens,
      r.reasoningTokens,
      r.cost ?? '',
      r.cost !== null && report.total.cost ? Number(((r.cost / report.total.cost) * 100).toFixed(4)) : '',
    ];
    if (view.comparison) {
      const c = view.comparison.rows[i];
      rec.push(c?.base ?? '', c?.pct === undefined || c.pct === Infinity ? '' : Number(c.pct.toFixed(4)));
    }
    rec.push(r.reportedCost ?? '', r.reportedCostDiff ?? '', r.source);
    return rec;
  });
  return csvText([header, ...records]);
}

export function renderCostJson(view: CostView): string {
  return `${JSON.stringify(view.result.report, null, 2)}\n`;
}

/** Gate outcomes for stderr, one line each. */
export function gateLines(gates: readonly GateResult[]): string[] {
  return gates.map((g) => `${g.ok ? 'ok' : 'FAILED'} ${g.gate}: ${g.message}`);
}


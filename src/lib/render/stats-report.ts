/**
 * Renderers of the stats report: terminal table, markdown (also the GitHub step summary), CSV
 * and JSON (the shape of src/lib/stats/report.ts). Percentiles are nearest-rank (exact values
 * of the input), said under every human format.
 */
import { stringify } from 'csv-stringify/sync';
import type { GateResult } from '../cost/gates.js';
import type { StatsFigures, StatsReport } from '../stats/report.js';
import type { Colors } from './colors.js';
import { markdownGates, markdownTable, mdCell, wrapNotes } from './cost-report.js';
import { formatDuration, formatTokens } from './format.js';
import { renderTable, type Column } from './table.js';
import { oneLine } from './terminal.js';

export interface StatsView {
  report: StatsReport;
  gates?: GateResult[];
}

const right = (header: string, dropOrder?: number): Column => ({ header, align: 'right', dropOrder });
const rate = (r: number) => `${(r * 100).toFixed(1)}%`;
const ms = (v: number | undefined) => (v === undefined ? '—' : formatDuration(v));

function cells(f: StatsFigures): string[] {
  return [
    formatTokens(f.calls),
    formatTokens(f.errors),
    rate(f.errorRate),
    ms(f.latencyMs?.p50),
    ms(f.latencyMs?.p95),
    ms(f.latencyMs?.p99),
    ms(f.latencyMs?.max),
    ms(f.ttftMs?.p50),
    ms(f.ttftMs?.p95),
    f.outputTokensPerSecond ? f.outputTokensPerSecond.p50.toFixed(1) : '—',
    rate(f.lengthRate),
    f.toolCallsPerTrace ? `${f.toolCallsPerTrace.p95} / ${f.toolCallsPerTrace.max}` : '—',
  ];
}

/**
 * Dropped first when the terminal is narrow (docs/architecture.md, "Output width"): the agent-loop
 * and throughput figures, then the tail and TTFT percentiles; calls, errors and p95 always stay.
 */
const FIGURE_COLUMNS: Column[] = [
  right('calls'), right('errors'), right('err %', 8), right('p50', 9), right('p95'), right('p99', 3), right('max', 5),
  right('ttft p50', 7), right('ttft p95', 4), right('tok/s p50', 2), right('length %', 6), right('tools p95/max', 1),
];

const counts = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${oneLine(k)} ${formatTokens(n)}`).join(', ');

function grid(report: StatsReport) {
  const columns: Column[] = [...report.groupBy.map((d) => ({ header: d })), ...FIGURE_COLUMNS];
  const rows = report.rows.map((r) => [...report.groupBy.map((d) => oneLine(String(r[d]))), ...cells(r)]);
  const total = [...report.groupBy.map((_, i) => (i === 0 ? 'total' : '')), ...cells(report.total)];
  const t = report.total;
  const notes: string[] = [];
  if (Object.keys(t.errorTypes).length) notes.push(`error types: ${counts(t.errorTypes)}`);
  if (Object.keys(t.finishReasons).length) notes.push(`finish reasons: ${counts(t.finishReasons)}`);
  const r = t.repeatedToolCall;
  if (r) notes.push(`most repeated tool call: ${oneLine(r.tool)}(${oneLine(r.arguments)}) ×${r.count} in trace ${oneLine(r.traceId)}`);
  notes.push('latency and TTFT percentiles are nearest-rank (exact values of the calls); tok/s: output tokens / (duration − TTFT)');
  return { columns, rows, total, notes };
}

export function renderStatsTable(view: StatsView, opts: { colors: Colors; width: number }): string {
  if (view.report.total.calls === 0) return `${opts.colors.dim('no model calls in the window')}\n`;
  const g = grid(view.report);
  const table = renderTable(g.columns, g.rows, { colors: opts.colors, width: opts.width, footer: [g.total.map((t) => opts.colors.bold(t))], fullOutput: '--format csv' });
  return [table, ...wrapNotes(g.notes, opts.width, opts.colors)].join('\n') + '\n';
}

export function renderStatsMarkdown(view: StatsView): string {
  const { report } = view;
  const window = report.since || report.until ? ` (${report.since ?? 'start'} – ${report.until ?? 'now'})` : '';
  const out: string[] = [`### LLM call stats${window}`, ''];
  if (report.total.calls === 0) out.push('No model calls in the window.');
  else {
    const g = grid(report);
    out.push(...markdownTable(g.columns, g.rows, g.total), '', ...g.notes.map((n) => `${mdCell(n)}  `));
  }
  out.push(...markdownGates(view.gates));
  return out.join('\n') + '\n';
}

/** One line per row; maps as `key=count;…` (keys sorted). */
export function renderStatsCsv(view: StatsView): string {
  const { report } = view;
  const header = [
    ...report.groupBy, 'calls', 'errors', 'errorRate', 'errorTypes', 'latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'latencyMaxMs',
    'ttftCount', 'ttftP50Ms', 'ttftP95Ms', 'outputTokensPerSecondP50', 'finishReasons', 'lengthRate',
    'tracesWithCalls', 'toolCallsPerTraceP50', 'toolCallsPerTraceP95', 'toolCallsPerTraceMax', 'repeatedTool', 'repeatedToolArguments', 'repeatedToolCount',
  ];
  const map = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k}=${n}`).join(';');
  const record = (dims: string[], f: StatsFigures): Array<string | number> => [
    ...dims, f.calls, f.errors, f.errorRate, map(f.errorTypes),
    f.latencyMs?.p50 ?? '', f.latencyMs?.p95 ?? '', f.latencyMs?.p99 ?? '', f.latencyMs?.max ?? '',
    f.ttftMs?.count ?? 0, f.ttftMs?.p50 ?? '', f.ttftMs?.p95 ?? '', f.outputTokensPerSecond?.p50 ?? '', map(f.finishReasons), f.lengthRate,
    f.toolCallsPerTrace?.traces ?? 0, f.toolCallsPerTrace?.p50 ?? '', f.toolCallsPerTrace?.p95 ?? '', f.toolCallsPerTrace?.max ?? '',
    f.repeatedToolCall?.tool ?? '', f.repeatedToolCall?.arguments ?? '', f.repeatedToolCall?.count ?? '',
  ];
  const rows = report.rows.map((r) => record(report.groupBy.map((d) => String(r[d])), r));
  rows.push(record(report.groupBy.map((_, i) => (i === 0 ? 'total' : '')), report.total));
  return stringify([header, ...rows]);
}

export function renderStatsJson(view: StatsView): string {
  return `${JSON.stringify(view.report, null, 2)}\n`;
}

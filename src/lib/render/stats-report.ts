/**
 * Renderers of the stats report: terminal table, markdown (also the GitHub step summary), CSV
 * and JSON (the shape of src/lib/stats/report.ts). Percentiles are nearest-rank (exact values
 * of the input), said under every human format; those interpolated from OTLP metrics carry `~`
 * in the table and markdown, and `histogram-interpolated` in CSV and JSON.
 */
import type { GateResult } from '../cost/gates.js';
import { INTERPOLATED_METHOD } from '../stats/histogram.js';
import { PERCENTILE_DEFINITION } from '../stats/percentiles.js';
import { isMetricsRow, type StatsFigures, type StatsReport } from '../stats/report.js';
import type { Colors } from './colors.js';
import { countingNotes, csvText, markdownGates, markdownTable, mdCell, skippedNotes, wrapNotes } from './cost-report.js';
import { formatDuration, formatTokens } from './format.js';
import { renderTable, type Column } from './table.js';
import { oneLine } from './terminal.js';

export interface StatsView {
  report: StatsReport;
  gates?: GateResult[];
}

const right = (header: string, dropOrder?: number): Column => ({ header, align: 'right', dropOrder });
const rate = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
/** `~` before a percentile interpolated from metrics histograms (the note under the table says so). */
const APPROX = '~';
const ms = (v: number | undefined, approx: boolean) => (v === undefined ? '—' : `${approx ? APPROX : ''}${formatDuration(v)}`);

function cells(f: StatsFigures): string[] {
  const lat = f.latencyMs?.method !== undefined;
  const ttft = f.ttftMs?.method !== undefined;
  return [
    formatTokens(f.calls),
    formatTokens(f.errors),
    rate(f.errorRate),
    ms(f.latencyMs?.p50, lat),
    ms(f.latencyMs?.p95, lat),
    ms(f.latencyMs?.p99, lat),
    ms(f.latencyMs?.max, lat),
    ms(f.ttftMs?.p50, ttft),
    ms(f.ttftMs?.p95, ttft),
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

const hasCalls = (report: StatsReport) => report.total.calls > 0 || report.rows.length > 0;

/** The lines saying which services' figures came from metrics (also written to stderr by the command). */
export function metricsNotes(report: StatsReport): string[] {
  const m = report.metrics;
  if (!m) return [];
  const out: string[] = [];
  if (m.services.length) {
    out.push(
      `${APPROX} from OTLP metrics (services without spans: ${m.services.map(oneLine).join(', ')}): percentiles interpolated within histogram buckets, not exact; no finish reasons, tok/s or tool calls; not in the total`,
    );
  }
  if (m.setAside.length) out.push(`metrics not used for ${m.setAside.map(oneLine).join(', ')}: their spans are exact`);
  return out;
}

function grid(report: StatsReport) {
  const columns: Column[] = [...report.groupBy.map((d) => ({ header: d })), ...FIGURE_COLUMNS];
  const label = (first: string) => report.groupBy.map((_, i) => (i === 0 ? first : ''));
  // A metrics row is marked in its first dimension cell too, so it reads as one even without a percentile.
  const rows = report.rows.map((r) => [...report.groupBy.map((d, i) => `${i === 0 && isMetricsRow(r) ? APPROX : ''}${oneLine(String(r[d]))}`), ...cells(r)]);
  const totals = [[...label('total'), ...cells(report.total)]];
  if (report.metrics?.services.length) totals.push([...label(`${APPROX}total (metrics)`), ...cells(report.metrics.total)]);
  const t = report.total;
  const notes: string[] = [];
  if (Object.keys(t.errorTypes).length) notes.push(`error types: ${counts(t.errorTypes)}`);
  if (report.metrics && Object.keys(report.metrics.total.errorTypes).length) notes.push(`error types (metrics): ${counts(report.metrics.total.errorTypes)}`);
  if (Object.keys(t.finishReasons).length) notes.push(`finish reasons: ${counts(t.finishReasons)}`);
  const r = t.repeatedToolCall;
  if (r) notes.push(`most repeated tool call: ${oneLine(r.tool)}(${oneLine(r.arguments)}) ×${r.count} in trace ${oneLine(r.traceId)}`);
  notes.push('latency and TTFT percentiles are nearest-rank (exact values of the calls); tok/s: output tokens / (duration − TTFT)');
  notes.push(...metricsNotes(report));
  notes.push(...statsCountingNotes(report), ...skippedNotes(report.skipped));
  return { columns, rows, totals, notes };
}

/** What counting met (cost-report.ts `countingNotes`), and the calls of unknown duration: notes and stderr. */
export function statsCountingNotes(report: StatsReport): string[] {
  const unknown = report.unknownDurations ?? 0;
  return [
    ...(unknown > 0 ? [`${formatTokens(unknown)} call${unknown === 1 ? ' has' : 's have'} no known duration (no start time, or an end before the start): left out of latency and tok/s (--strict fails)`] : []),
    ...countingNotes(report),
  ];
}

export function renderStatsTable(view: StatsView, opts: { colors: Colors; width: number }): string {
  if (!hasCalls(view.report)) return `${opts.colors.dim('no model calls in the window')}\n`;
  const g = grid(view.report);
  const table = renderTable(g.columns, g.rows, { colors: opts.colors, width: opts.width, footer: g.totals.map((row) => row.map((t) => opts.colors.bold(t))), fullOutput: '--format csv' });
  return [table, ...wrapNotes(g.notes, opts.width, opts.colors)].join('\n') + '\n';
}

export function renderStatsMarkdown(view: StatsView): string {
  const { report } = view;
  const window = report.since || report.until ? ` (${report.since ?? 'start'} – ${report.until ?? 'now'})` : '';
  const out: string[] = [`### LLM call stats${window}`, ''];
  if (!hasCalls(report)) out.push('No model calls in the window.');
  else {
    const g = grid(report);
    const table = markdownTable(g.columns, g.rows, g.totals[0]!);
    // The metrics total is a second bold footer row.
    for (const extra of g.totals.slice(1)) table.push(`| ${extra.map((t) => (t ? `**${mdCell(t)}**` : '')).join(' | ')} |`);
    out.push(...table, '', ...g.notes.map((n) => `${mdCell(n)}  `));
  }
  out.push(...markdownGates(view.gates));
  return out.join('\n') + '\n';
}

/** One line per row; maps as `key=count;…` (keys sorted). Rows from metrics: source `metrics`, percentileMethod `histogram-interpolated`. */
export function renderStatsCsv(view: StatsView): string {
  const { report } = view;
  const header = [
    ...report.groupBy, 'calls', 'errors', 'errorRate', 'errorTypes', 'latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'latencyMaxMs',
    'ttftCount', 'ttftP50Ms', 'ttftP95Ms', 'outputTokensPerSecondP50', 'finishReasons', 'lengthRate',
    'tracesWithCalls', 'toolCallsPerTraceP50', 'toolCallsPerTraceP95', 'toolCallsPerTraceMax', 'repeatedTool', 'repeatedToolArguments', 'repeatedToolCount',
    'source', 'percentileMethod', 'inputTokens', 'outputTokens',
  ];
  const map = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k}=${n}`).join(';');
  const record = (dims: string[], f: StatsFigures): Array<string | number> => {
    const fromMetrics = f.latencyMs?.method !== undefined || f.ttftMs?.method !== undefined || f.tokens !== undefined;
    return [
      ...dims, f.calls, f.errors, f.errorRate ?? '', map(f.errorTypes),
      f.latencyMs?.p50 ?? '', f.latencyMs?.p95 ?? '', f.latencyMs?.p99 ?? '', f.latencyMs?.max ?? '',
      f.ttftMs?.count ?? 0, f.ttftMs?.p50 ?? '', f.ttftMs?.p95 ?? '', f.outputTokensPerSecond?.p50 ?? '', map(f.finishReasons), f.lengthRate ?? '',
      f.toolCallsPerTrace?.traces ?? 0, f.toolCallsPerTrace?.p50 ?? '', f.toolCallsPerTrace?.p95 ?? '', f.toolCallsPerTrace?.max ?? '',
      f.repeatedToolCall?.tool ?? '', f.repeatedToolCall?.arguments ?? '', f.repeatedToolCall?.count ?? '',
      fromMetrics ? 'metrics' : 'spans', fromMetrics ? INTERPOLATED_METHOD : PERCENTILE_DEFINITION, f.tokens?.input ?? '', f.tokens?.output ?? '',
    ];
  };
  const label = (first: string) => report.groupBy.map((_, i) => (i === 0 ? first : ''));
  const rows = report.rows.map((r) => record(report.groupBy.map((d) => String(r[d])), r));
  rows.push(record(label('total'), report.total));
  if (report.metrics?.services.length) rows.push(record(label('total (metrics)'), report.metrics.total));
  return csvText([header, ...rows]);
}

export function renderStatsJson(view: StatsView): string {
  return `${JSON.stringify(view.report, null, 2)}\n`;
}

/**
 * Terminal text of `tail`: call lines, the compact tree of a completed trace, the running total,
 * the start-up banner and the session summary. Pure: data in, lines out.
 */
import type { LogRecordView } from '../receiver/types.js';
import type { AttrValue } from '../span.js';
import type { SpanLine, TraceDone } from '../live/events.js';
import { latencyP95, type CallTotals, type SessionTotals } from '../live/totals.js';
import type { Colors } from './colors.js';
import { countOf, formatDuration, formatInt, formatTokens, formatUsd, truncate } from './format.js';
import { oneLine, plainText, visibleLength } from './terminal.js';
import { renderTrace, usageText } from './tree.js';
import { formatAttrValue } from './values.js';

export interface LiveTextOptions {
  colors: Colors;
  /** Columns; Infinity when piped. */
  width: number;
  /** A price function was given: show cost, `$?` when unknown. */
  pricing: boolean;
}

/** Trees longer than this are cut, with a pointer to `llmtrace tree`. */
export const MAX_TREE_LINES = 40;
const INDENT = ' '.repeat(10);

/** `14:03:07` in local time (TZ). */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '??:??:??';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Pads plain text to `width` columns (cutting it at `max`), then paints it. */
function cell(text: string, width: number, paint: (s: string) => string = (s) => s, max = width): string {
  const t = truncate(text, max);
  return paint(t) + ' '.repeat(Math.max(0, width - t.length));
}

/** Cuts a colored line to `width` visible columns (dropping colors only when cut). */
export function fit(line: string, width: number): string {
  if (!Number.isFinite(width) || visibleLength(line) <= width) return line;
  // eslint-disable-next-line no-control-regex
  return truncate(plainText(line), width);
}

export function costText(cost: number | undefined, hasUsage: boolean, pricing: boolean): string {
  if (!pricing || !hasUsage) return '';
  return cost === undefined ? '$?' : formatUsd(cost);
}

/**
 * Column widths: roomy when the terminal (or a pipe) allows; tighter below 120 columns; below
 * 100 the service column goes (the trees' headers still name it) so time, model, tokens, cost
 * and latency fit 80 columns.
 */
function widths(width: number) {
  if (width >= 120) return { service: 14, what: 30, tokens: 26, cost: 11 };
  if (width >= 100) return { service: 10, what: 21, tokens: 23, cost: 10 };
  return { service: 0, what: 21, tokens: 23, cost: 10 };
}

/** One line per call, tool or error, then its content (--show-content) and GenAI events. */
export function renderSpanLine(l: SpanLine, o: LiveTextOptions): string[] {
  const c = o.colors;
  const v = l.view;
  const w = widths(o.width);
  const error = v.error ?? (l.span.status.code === 2 ? l.span.status.message || 'error' : undefined);
  let what: string;
  if (v.kind === 'tool') what = `tool ${v.toolName ?? l.span.name}`;
  else if (v.kind === 'llm' || v.kind === 'embeddings') what = `${v.operation ?? v.kind} ${l.model ?? '?'}`;
  else what = l.span.name || '(unnamed)';
  const parts = [c.dim(clockTime(l.span.startMs))];
  if (w.service) parts.push(cell(oneLine(l.service), w.service, c.cyan));
  // Model ids can be long (Bedrock, fine-tunes): they may push the columns rather than be cut.
  parts.push(cell(oneLine(what), w.what, v.kind === 'tool' ? c.blue : c.magenta, 60));
  // A failed call usually has no usage: its reason takes the tokens' and cost's place, so it is
  // not cut. Tools leave those columns empty. Either way the latencies line up.
  const costWidth = o.pricing ? w.cost + 2 : 0;
  if (error && !v.usage) parts.push(cell(`✗ ${oneLine(error)}`, w.tokens + costWidth, c.red));
  else {
    const tokens = !l.counted ? '' : v.usage ? usageText(v.usage) : 'tokens ?';
    parts.push(cell(tokens, w.tokens, l.counted && !v.usage ? c.dim : undefined, 48));
    if (o.pricing) parts.push(cell(l.counted ? costText(l.cost, v.usage !== undefined, true) : '', w.cost, l.cost === undefined ? c.yellow : undefined, 14));
  }
  parts.push(formatDuration(l.span.durationMs).padStart(6));
  if (error && v.usage) parts.push(c.red(`✗ ${oneLine(error)}`));
  else if (!error && v.finishReasons?.length) parts.push(c.dim(v.finishReasons.map(oneLine).join(',')));
  else if (!error && v.kind === 'tool') parts.push(c.green('ok'));
  if (l.late) parts.push(c.dim(`(late span of trace ${l.span.traceId.slice(0, 8)})`));
  let line = parts.join('  ').trimEnd();
  // eslint-disable-next-line no-control-regex
  if (error) line = c.red(plainText(line));
  const out = [fit(line, o.width)];
  for (const [k, val] of l.content) out.push(contentLine(k, val, o));
  for (const log of l.logs) out.push(contentLine(log.eventName, log.body, o));
  return out;
}

function contentLine(key: string, value: AttrValue, o: LiveTextOptions, prefix = '▸ '): string {
  const text = oneLine(formatAttrValue(value, 500));
  return fit(`${INDENT}${o.colors.dim(`${prefix}${oneLine(key)}:`)} ${text}`, o.width);
}

/** A GenAI log event whose span was already printed (or never arrived). */
export function renderLogLine(log: LogRecordView, spanName: string | undefined, o: LiveTextOptions): string {
  const where = spanName ? `${oneLine(spanName)} · ` : '';
  return contentLine(`${where}${log.eventName}`, log.body, o, '↳ ');
}

/** The compact tree of a completed trace, between blank lines. */
export function renderTraceDone(d: TraceDone, o: LiveTextOptions): string[] {
  const lines = renderTrace(d.trace, { colors: o.colors, width: o.width, costOf: d.costOf });
  if (lines.length > MAX_TREE_LINES) {
    const hidden = lines.length - (MAX_TREE_LINES - 1);
    lines.length = MAX_TREE_LINES - 1;
    lines.push(o.colors.dim(`… ${hidden} more lines: llmtrace tree --trace ${d.trace.traceId}`));
  }
  if (d.reason === 'timeout') lines.push(o.colors.yellow('⚠ no root span arrived: shown after 30s of silence'));
  return ['', ...lines, ''];
}

/** `23 → 12 tok (11 cached)`, or `0 tok` when nothing was counted. */
function tokens(t: CallTotals): string {
  return t.usage.input || t.usage.output ? usageText(t.usage) : '0 tok';
}

function costSummary(t: CallTotals, pricing: boolean): string | undefined {
  if (!pricing) return undefined;
  if (t.calls > 0 && t.unpricedCalls === t.calls) return '$?';
  return t.unpricedCalls ? `${formatUsd(t.cost)} + ? (${t.unpricedCalls} unpriced)` : formatUsd(t.cost);
}

/** The running total (a terminal only). */
export function renderTotalLine(t: SessionTotals, pricing: boolean, c: Colors): string {
  const parts = [`${formatInt(t.calls.calls)} call${t.calls.calls === 1 ? '' : 's'}`, tokens(t.calls)];
  const cost = costSummary(t.calls, pricing);
  if (cost) parts.push(cost);
  parts.push(`${formatInt(t.traces)} trace${t.traces === 1 ? '' : 's'}`, `${formatInt(t.spans)} spans`);
  if (t.rejected) parts.push(c.yellow(`${formatInt(t.rejected)} rejected`));
  return c.bold('Σ ') + parts.join(c.dim(' · '));
}

export interface SummaryData {
  totals: SessionTotals;
  pricing: boolean;
  durationMs: number;
  filters?: string;
  store: string | null;
  forward?: { url: string; forwarded: number; failed: number; dropped: number };
}

/** Aligns rows of cells into columns; `right` columns are right-aligned. */
function columns(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((x, i) => (right[i] ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function renderSummary(s: SummaryData, c: Colors): string[] {
  const t = s.totals;
  const out = [c.bold(`llmtrace tail · session summary (${formatDuration(s.durationMs)})`)];
  if (s.filters) out.push(c.dim(`calls shown: ${s.filters}`));
  // The columns of `llmtrace cost`: cache writes apart from cached (read) input, when there are any.
  const showWrite = t.calls.usage.cacheWrite > 0;
  const head = ['model', 'calls', 'errors', 'p95', 'input', 'cached', ...(showWrite ? ['cache write'] : []), 'output'];
  if (s.pricing) head.push('cost');
  const row = (name: string, x: CallTotals) => {
    const p95 = latencyP95(x);
    const r = [name, formatInt(x.calls), formatInt(x.errors), p95 === undefined ? '—' : formatDuration(p95), formatTokens(x.usage.input), formatTokens(x.usage.cacheRead), ...(showWrite ? [formatTokens(x.usage.cacheWrite)] : []), formatTokens(x.usage.output)];
    if (s.pricing) r.push(x.unpricedCalls === x.calls && x.calls > 0 ? '? (no price)' : costSummary(x, true)!);
    return r;
  };
  const models = [...t.byModel.entries()].sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]));
  const rows = [head, ...models.map(([m, x]) => row(oneLine(m), x)), row('total', t.calls)];
  const lines = columns(rows, [false, true, true, true, true, true, true, ...(showWrite ? [true] : []), false]);
  out.push(c.dim(lines[0]!), ...lines.slice(1, -1), c.bold(lines[lines.length - 1]!));
  const r = t.requests;
  const got = [`${countOf(t.spans, 'span')} in ${countOf(t.traces, 'trace')}`];
  if (t.logRecords) got.push(countOf(t.logRecords, 'log record'));
  if (t.metricPoints) got.push(countOf(t.metricPoints, 'metric point'));
  out.push(`received ${countOf(r.traces + r.logs + r.metrics, 'request')}: ${got.join(', ')}; ${formatInt(t.rejected)} rejected`);
  if (s.forward) {
    const f = s.forward;
    out.push(`forwarded ${countOf(f.forwarded, 'request')} to ${f.url}: ${formatInt(f.failed)} failed, ${formatInt(f.dropped)} dropped`);
  }
  out.push(s.store ? `stored in ${s.store} (read it with: llmtrace tree)` : 'not stored (--no-store)');
  return out;
}

export interface BannerData {
  http: { host: string; port: number };
  grpc: { host: string; port: number } | null;
  store: string | null;
  forward?: string;
  filters?: string;
  showContent: boolean;
  /** `--token`: apps must send it, so the banner shows how (it is the user's own terminal). */
  token?: string;
}

/** How an app on this machine reaches a listener bound to `host`. */
export function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** `width`: the terminal's columns to draw a box in; Infinity (not a terminal) draws none. */
export function renderBanner(b: BannerData, c: Colors, width: number): string[] {
  const h = endpointHost(b.http.host);
  const lines = [
    c.bold('llmtrace tail') + c.dim(' · OTLP receiver and live LLM view'),
    '',
    `${c.dim('OTLP/HTTP')}  http://${h}:${b.http.port}  ${c.dim('/v1/traces /v1/logs /v1/metrics')}`,
    `${c.dim('OTLP/gRPC')}  ${b.grpc ? `${endpointHost(b.grpc.host)}:${b.grpc.port}` : 'off (--no-grpc)'}`,
    `${c.dim('store    ')}  ${b.store ?? 'off (--no-store): nothing is saved'}`,
  ];
  if (b.forward) lines.push(`${c.dim('forward  ')}  ${b.forward}`);
  if (b.filters) lines.push(`${c.dim('showing  ')}  ${b.filters}`);
  lines.push(`${c.dim('content  ')}  ${b.showContent ? c.yellow('shown (--show-content)') : 'hidden (--show-content to see prompts)'}`);
  lines.push('', 'Point your app at it:', `  ${c.green(`OTEL_EXPORTER_OTLP_ENDPOINT=http://${h}:${b.http.port}`)}`);
  // The headers variable is W3C-baggage-like: the space after Bearer is percent-encoded.
  if (b.token) lines.push(`  ${c.green(`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20${encodeURIComponent(b.token)}`)}`);
  if (b.grpc) {
    lines.push(
      c.dim('Python, Java and .NET SDKs default to gRPC:'),
      `  ${c.green('OTEL_EXPORTER_OTLP_PROTOCOL=grpc')}`,
      `  ${c.green(`OTEL_EXPORTER_OTLP_ENDPOINT=http://${endpointHost(b.grpc.host)}:${b.grpc.port}`)}`,
    );
  }
  lines.push('', c.dim('Ctrl-C stops and prints a summary.'));
  const boxed = Number.isFinite(width) && Math.max(...lines.map(visibleLength)) + 4 <= width;
  return boxed ? box(lines, c) : lines;
}

function box(lines: string[], c: Colors): string[] {
  const w = Math.max(...lines.map(visibleLength));
  return [
    c.dim(`╭${'─'.repeat(w + 2)}╮`),
    ...lines.map((l) => `${c.dim('│')} ${l}${' '.repeat(w - visibleLength(l))} ${c.dim('│')}`),
    c.dim(`╰${'─'.repeat(w + 2)}╯`),
  ];
}

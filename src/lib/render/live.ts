/**
 * Terminal text of `tail`: call lines, the compact tree of a completed trace, the running total,
 * the start-up banner and the session summary. Pure: data in, lines out.
 */
import type { LogRecordView } from '../receiver/types.js';
import type { AttrValue } from '../span.js';
import type { SpanLine, TraceDone } from '../live/events.js';
import type { AgentCall, AgentMetrics } from '../live/agent-calls.js';
import { latencyP95, totalUsd, type CallTotals, type SessionTotals } from '../live/totals.js';
import type { Colors } from './colors.js';
import { countOf, formatDuration, formatInt, formatTokens, formatUsd, truncate } from './format.js';
import { renderTable, type Column } from './table.js';
import { clipEnd, shortenMiddle, wrapText } from './text-width.js';
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

/**
 * One field of a call line. `column` is the width it is padded to (so lines align); `keep` orders
 * what a narrow terminal drops first; a dropped `figure` (tokens, cost) leaves `⋯` on the line.
 */
interface Field {
  text: string;
  paint?: (s: string) => string;
  column: number;
  keep: number;
  figure?: boolean;
  /** The call's name: shortened in the middle (model ids differ at their ends), never dropped. */
  name?: boolean;
  /** Right-aligned in its column (latency). */
  right?: boolean;
}

/**
 * What a narrow call line drops first: the late-span note and time to first token, the finish reason (last on the line, so
 * the columns stay aligned), then service and clock; latency only before tokens and cost.
 */
const KEEP = { late: 1, finish: 2, service: 3, time: 4, latency: 6, problem: 8, figure: 9 } as const;
const NAME_READABLE = 16;
const NAME_MIN = 8;

/**
 * The call line within `width` (docs/architecture.md, "Output width"): the columns lose their
 * padding, the note and finish reason go, the name shrinks to 16 columns (in the middle), service
 * and clock go, the name shrinks to 8, latency goes; only then tokens and cost, marked with `⋯`.
 */
function layoutFields(fields: Field[], width: number, c: Colors): string {
  let shown = [...fields];
  let padded = true;
  let nameWidth = Infinity;
  let figuresDropped = false;
  const columnOf = (f: Field) => {
    const text = f.name ? Math.min(nameWidth, visibleLength(f.text)) : visibleLength(f.text);
    return padded ? Math.max(f.name ? Math.min(nameWidth, f.column) : f.column, text) : text;
  };
  const lineWidth = () => shown.reduce((a, f) => a + columnOf(f), 0) + 2 * (shown.length - 1) + (figuresDropped ? 3 : 0);
  const drop = (below: number) => {
    const candidates = shown.filter((f) => !f.name && f.keep < below).sort((a, b) => a.keep - b.keep);
    for (const f of candidates) {
      if (lineWidth() <= width) return;
      shown = shown.filter((x) => x !== f);
      figuresDropped ||= f.figure === true;
    }
  };
  if (Number.isFinite(width)) {
    const steps = [
      () => (padded = false),
      () => drop(KEEP.service),
      () => (nameWidth = NAME_READABLE),
      () => drop(KEEP.latency),
      () => (nameWidth = NAME_MIN),
      () => drop(KEEP.problem),
      () => drop(Infinity),
    ];
    for (const step of steps) {
      if (lineWidth() <= width) break;
      step();
    }
  }
  const cells = shown.map((f, i) => {
    const column = columnOf(f);
    const plain = f.name && visibleLength(f.text) > column ? shortenMiddle(f.text, column) : f.text;
    const painted = f.paint ? f.paint(plain) : plain;
    const pad = ' '.repeat(Math.max(0, column - visibleLength(plain)));
    if (f.right) return pad + painted;
    return i === shown.length - 1 ? painted : painted + pad;
  });
  if (figuresDropped) cells.push(c.dim('⋯'));
  return cells.join('  ').trimEnd();
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
  // Another span counted as a call (Codex's handle_responses) shows the model it is priced by.
  else what = l.counted && l.model !== undefined ? `${l.span.name || '(unnamed)'} ${l.model}` : l.span.name || '(unnamed)';
  const fields: Field[] = [{ text: clockTime(l.span.startMs), paint: c.dim, column: 8, keep: KEEP.time }];
  if (w.service) fields.push({ text: clipEnd(oneLine(l.service), w.service), paint: c.cyan, column: w.service, keep: KEEP.service });
  // Model ids can be long (Bedrock, fine-tunes): they push the columns while the terminal allows.
  fields.push({ text: oneLine(what), paint: v.kind === 'tool' ? c.blue : c.magenta, column: w.what, keep: KEEP.figure, name: true });
  // A failed call usually has no usage: its reason takes the tokens' and cost's place, so it is
  // not cut. Tools leave those columns empty. Either way the latencies line up.
  const costWidth = o.pricing ? w.cost + 2 : 0;
  if (error && !v.usage) fields.push({ text: `✗ ${oneLine(error)}`, paint: c.red, column: w.tokens + costWidth, keep: KEEP.problem });
  else {
    const tokens = !l.counted ? '' : v.usage ? usageText(v.usage) : 'tokens ?';
    fields.push({ text: tokens, paint: l.counted && !v.usage ? c.dim : undefined, column: w.tokens, keep: KEEP.figure, figure: tokens !== '' });
    if (o.pricing) {
      const cost = l.counted ? costText(l.cost, v.usage !== undefined, true) : '';
      fields.push({ text: cost, paint: l.cost === undefined ? c.yellow : undefined, column: w.cost, keep: KEEP.figure, figure: cost !== '' });
    }
  }
  fields.push({ text: formatDuration(l.span.durationMs), column: 6, keep: KEEP.latency, right: true });
  if (error && v.usage) fields.push({ text: `✗ ${oneLine(error)}`, paint: c.red, column: 0, keep: KEEP.problem });
  else if (!error && v.finishReasons?.length) fields.push({ text: v.finishReasons.map(oneLine).join(','), paint: c.dim, column: 0, keep: KEEP.finish });
  else if (!error && v.kind === 'tool') fields.push({ text: 'ok', paint: c.green, column: 0, keep: KEEP.finish });
  // A streamed call's time to first token, after the finish reason so those stay aligned; among
  // the first to go on a narrow terminal.
  if (v.ttftMs !== undefined) fields.push({ text: `ttft ${formatDuration(v.ttftMs)}`, paint: c.dim, column: 0, keep: KEEP.late });
  if (l.session) fields.push(sessionField(l.session.id, l.session.total, o));
  if (l.late) fields.push({ text: `(late span of trace ${l.span.traceId.slice(0, 8)})`, paint: c.dim, column: 0, keep: KEEP.late });
  let line = layoutFields(fields, o.width, c);
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

/**
 * One coding agent API request from its log event (live/agent-calls.ts): the span line's
 * columns, then the running Σ of its agent and session.
 */
export function renderAgentCallLine(a: AgentCall, o: LiveTextOptions): string {
  const c = o.colors;
  const w = widths(o.width);
  const fields: Field[] = [{ text: clockTime(a.timeMs), paint: c.dim, column: 8, keep: KEEP.time }];
  if (w.service) fields.push({ text: clipEnd(oneLine(a.agent), w.service), paint: c.cyan, column: w.service, keep: KEEP.service });
  fields.push({ text: oneLine(`chat ${a.model}`), paint: c.magenta, column: w.what, keep: KEEP.figure, name: true });
  const tokens = usageText(a.usage);
  fields.push({ text: tokens, column: w.tokens, keep: KEEP.figure, figure: true });
  if (o.pricing) fields.push({ text: costText(a.cost, true, true), paint: a.cost === undefined ? c.yellow : undefined, column: w.cost, keep: KEEP.figure, figure: true });
  fields.push({ text: a.durationMs === undefined ? '' : formatDuration(a.durationMs), column: 6, keep: KEEP.latency, right: true });
  // As on a span's line: the time to first token the agent reports (Claude Code's, Codex's ttft_ms).
  if (a.ttftMs !== undefined) fields.push({ text: `ttft ${formatDuration(a.ttftMs)}`, paint: c.dim, column: 0, keep: KEEP.late });
  fields.push(sessionField(a.session, a.sessionTotal, o));
  return fit(layoutFields(fields, o.width, c), o.width);
}

/** The running Σ of a call's agent and session, after it. */
function sessionField(session: string, s: CallTotals, o: LiveTextOptions): Field {
  const id = session ? ` ${shortenMiddle(oneLine(session), 13)}` : '';
  const sum = `Σ${id} ${formatInt(s.calls)} call${s.calls === 1 ? '' : 's'}${o.pricing ? ` ${costSummary(s, true)}` : ''}`;
  return { text: sum, paint: o.colors.dim, column: 0, keep: KEEP.finish };
}

/** A coding agent's totals from its metrics (no spans or events from it): the new figure of one series group. */
export function renderAgentMetricsLine(m: AgentMetrics, o: LiveTextOptions): string {
  const c = o.colors;
  const w = widths(o.width);
  const fields: Field[] = [{ text: clockTime(m.timeMs), paint: c.dim, column: 8, keep: KEEP.time }];
  if (w.service) fields.push({ text: clipEnd(oneLine(m.agent), w.service), paint: c.cyan, column: w.service, keep: KEEP.service });
  fields.push({ text: oneLine(`Σ ${m.model} (metrics)`), paint: c.magenta, column: w.what, keep: KEEP.figure, name: true });
  const tokens = usageText(m.usage);
  fields.push({ text: tokens, column: w.tokens, keep: KEEP.figure, figure: true });
  if (o.pricing) fields.push({ text: costText(m.cost, true, true), paint: m.cost === undefined ? c.yellow : undefined, column: w.cost, keep: KEEP.figure, figure: true });
  if (m.session) fields.push({ text: `session ${shortenMiddle(oneLine(m.session), 13)}`, paint: c.dim, column: 0, keep: KEEP.finish });
  return fit(layoutFields(fields, o.width, c), o.width);
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
  const cost = formatUsd(totalUsd(t));
  return t.unpricedCalls ? `${cost} + ? (${t.unpricedCalls} unpriced)` : cost;
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
  /** The store was named by `--store`: `tree` finds it only when told so too. */
  storeNamed?: boolean;
  forward?: { url: string; forwarded: number; failed: number; dropped: number };
}

/**
 * The session summary, `width` columns wide at most: a table like `cost`'s, whose least needed
 * columns go first on a narrow terminal (named under it); the model and cost always stay.
 */
export function renderSummary(s: SummaryData, c: Colors, width = Infinity): string[] {
  const t = s.totals;
  const out = [c.bold(`llmtrace tail · session summary (${formatDuration(s.durationMs)})`)];
  if (s.filters) out.push(...wrapText(`calls shown: ${s.filters}`, width, '  ').map((l) => c.dim(l)));
  // The columns of `llmtrace cost`: cache writes apart from cached (read) input, when there are any.
  const showWrite = t.calls.usage.cacheWrite > 0;
  // By agent and model once coding agents sent their events, or several agents made calls.
  const byAgent = t.eventCalls > 0 || new Set([...t.byAgentModel.keys()].map((k) => k.split('\u0000')[0])).size > 1;
  const columns: Column[] = [
    ...(byAgent ? [{ header: 'agent' }] : []),
    { header: 'model' },
    { header: 'calls', align: 'right', dropOrder: 4 },
    { header: 'errors', align: 'right', dropOrder: 5 },
    { header: 'p95', align: 'right', dropOrder: 3 },
    { header: 'input', align: 'right', dropOrder: 6 },
    { header: 'cached', align: 'right', dropOrder: 2 },
    ...(showWrite ? [{ header: 'cache write', align: 'right' as const, dropOrder: 1 }] : []),
    { header: 'output', align: 'right', dropOrder: 7 },
    ...(s.pricing ? [{ header: 'cost', align: 'right' as const }] : []),
  ];
  const row = (names: string[], x: CallTotals) => {
    const p95 = latencyP95(x);
    const r = [...names, formatInt(x.calls), formatInt(x.errors), p95 === undefined ? '—' : formatDuration(p95), formatTokens(x.usage.input), formatTokens(x.usage.cacheRead), ...(showWrite ? [formatTokens(x.usage.cacheWrite)] : []), formatTokens(x.usage.output)];
    if (s.pricing) r.push(x.unpricedCalls === x.calls && x.calls > 0 ? '? (no price)' : costSummary(x, true)!);
    return r;
  };
  const groups = [...(byAgent ? t.byAgentModel : t.byModel).entries()].sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]));
  const total = row(byAgent ? ['total', ''] : ['total'], t.calls).map((x) => c.bold(x));
  const names = (k: string) => (byAgent ? k.split('\u0000').map((p) => oneLine(p)) : [oneLine(k)]);
  out.push(...renderTable(columns, groups.map(([k, x]) => row(names(k), x)), { colors: c, width, footer: [total], fullOutput: '--json' }).split('\n'));
  const r = t.requests;
  const got = [`${countOf(t.spans, 'span')} in ${countOf(t.traces, 'trace')}`];
  if (t.logRecords) got.push(countOf(t.logRecords, 'log record'));
  if (t.metricPoints) got.push(countOf(t.metricPoints, 'metric point'));
  const notes: string[] = [];
  // As `stats` says it: the p95 is over the calls whose duration is known.
  const unknown = t.calls.unknownDurations;
  if (unknown > 0) notes.push(`p95 leaves out ${countOf(unknown, 'call')} of unknown duration (no start time, or an end before the start)`);
  notes.push(`received ${countOf(r.traces + r.logs + r.metrics, 'request')}: ${got.join(', ')}; ${formatInt(t.rejected)} rejected`);
  if (s.forward) {
    const f = s.forward;
    notes.push(`forwarded ${countOf(f.forwarded, 'request')} to ${f.url}: ${formatInt(f.failed)} failed, ${formatInt(f.dropped)} dropped`);
  }
  notes.push(s.store ? `stored in ${s.store} (read it with: llmtrace tree${s.storeNamed ? ` --store ${shellWord(s.store)}` : ''})` : 'not stored (--no-store)');
  for (const n of notes) out.push(...wrapText(n, width, '  '));
  return out;
}

/** `dir` as one word of a POSIX shell command, quoted only when it must be. */
function shellWord(dir: string): string {
  return /^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
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

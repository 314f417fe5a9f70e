/**
 * Draws assembled traces as text: box-drawing guides, per node duration, model, tokens
 * in → out (cached), `∑` subtree totals on outer nodes, finish reason and status; optionally a
 * waterfall of bars (--timeline). Pure: lines out, no I/O, so output is golden-testable.
 */
import type { GenAiView, Usage } from '../genai/classify.js';
import { isCutOff } from '../genai/conventions.js';
import { durationKnown, serviceName, StatusCode, timeKnown, type AttrValue } from '../span.js';
import type { SpanLogEvent } from '../otlp/decode-result.js';
import { traceDurationMs, type Trace, type TraceNode } from '../trace/assemble.js';
import type { Colors } from './colors.js';
import { formatDuration, formatTimestamp, formatTokens, formatUsd, truncate } from './format.js';
import { clipEnd, shortenMiddle, wrapText } from './text-width.js';
import { oneLine, plainText, visibleLength } from './terminal.js';
import { formatAttrValue } from './values.js';

export interface TreeRenderOptions {
  colors: Colors;
  /** Columns available; Infinity draws full lines. */
  width: number;
  /** Deepest level shown (0 = roots only); undefined shows all. */
  maxDepth?: number;
  /** Attribute keys printed under each node. */
  attrs?: string[];
  timeline?: boolean;
  /** Cost of a node's own usage, when pricing is available; undefined = unknown. */
  costOf?: (node: TraceNode) => number | undefined;
  /** Log records tied to a span (GenAI events from the logs signal). */
  logEventsOf?: (node: TraceNode) => readonly SpanLogEvent[];
  /** List span events and log events under each node (names and times only, never content). */
  events?: boolean;
  /** Count the trace's model calls in its header (`tree`; count-once, as `cost` counts them). */
  calls?: boolean;
}

interface NodeEvent {
  name: string;
  timeUnixNano: bigint;
  log: boolean;
}

function nodeEvents(n: TraceNode, opts: TreeRenderOptions): NodeEvent[] {
  const out: NodeEvent[] = n.span.events.map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano, log: false }));
  for (const e of opts.logEventsOf?.(n) ?? []) out.push({ name: e.name, timeUnixNano: e.timeUnixNano, log: true });
  return out.sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0));
}

const GUIDE = { tee: '├─ ', last: '└─ ', pipe: '│  ', space: '   ' };

export function renderTraceHeader(t: Trace, c: Colors, opts: { calls?: boolean } = {}): string[] {
  const first = t.roots[0]?.span;
  const service = first ? serviceName(first) : '';
  // No span with a set start: the trace's time and duration are unknown, never 1970.
  const timed = t.unsetStarts < t.nodes.length;
  const durMs = traceDurationMs(t) ?? NaN;
  const parts = [
    c.bold(`trace ${t.traceId}`),
    oneLine(service),
    `${t.nodes.length} span${t.nodes.length === 1 ? '' : 's'}`,
    // Model calls as `cost` counts them (count-once): outer spans repeating a call's usage are not calls.
    opts.calls ? `${t.calls} call${t.calls === 1 ? '' : 's'}` : '',
    formatDuration(durMs),
    !first ? '' : timed ? formatTimestamp(Number(t.startNs / 1_000_000n)) : 'time unknown',
  ].filter(Boolean);
  const lines = [parts.join(c.dim(' · '))];
  if (t.orphanCount > 0) {
    const orphans = t.roots.filter((r) => r.orphan).length;
    const notes: string[] = [];
    if (orphans) notes.push(`${orphans} span${orphans === 1 ? '' : 's'} whose parent never arrived`);
    if (t.cyclesCut) notes.push(`${t.cyclesCut} parent cycle${t.cyclesCut === 1 ? '' : 's'} cut`);
    // A missing parent is what an unflushed exit leaves; a cycle is parent ids set wrong, which no flush explains.
    const why = orphans ? ' — did the process exit without flushing its spans?' : ' — the instrumentation set parent ids that loop';
    lines.push(c.yellow(`⚠ incomplete trace: ${notes.join('; ')}${why}`));
  }
  if (t.unsetStarts) {
    const one = t.unsetStarts === 1;
    lines.push(c.yellow(`⚠ ${t.unsetStarts} span${one ? ' has' : 's have'} no start time (0): duration ? and left out of the trace's start and duration`));
  }
  if (t.endsBeforeStart) {
    const one = t.endsBeforeStart === 1;
    lines.push(c.yellow(`⚠ ${t.endsBeforeStart} span${one ? ' ends' : 's end'} before ${one ? 'it starts' : 'they start'}: duration ?`));
  }
  if (t.duplicateSpans.length) {
    lines.push(c.yellow(`⚠ ${t.duplicateSpans.length} span${t.duplicateSpans.length === 1 ? '' : 's'} repeated a span id and ${t.duplicateSpans.length === 1 ? 'is' : 'are'} not shown (the copy shown is the one counted)`));
  }
  return lines;
}

export function usageText(u: Usage): string {
  if (u.output === 0 && u.cacheRead === 0 && u.cacheWrite === 0) return `${formatTokens(u.input)} tok in`;
  // "cached" is what `cost` calls cached: input read from the cache; input written to the cache
  // (priced higher) is told apart, never folded into it.
  const cache = [u.cacheRead ? `${formatTokens(u.cacheRead)} cached` : '', u.cacheWrite ? `${formatTokens(u.cacheWrite)} to cache` : ''].filter(Boolean);
  return `${formatTokens(u.input)} → ${formatTokens(u.output)} tok${cache.length ? ` (${cache.join(', ')})` : ''}`;
}

function modelOf(v: GenAiView): string | undefined {
  return v.responseModel ?? v.requestModel;
}

/**
 * One part of a node's line after its name. When the line is too wide, parts go lowest `keep`
 * first; a dropped `figure` (tokens, cost) leaves a `⋯` on the line (docs/architecture.md,
 * "Output width").
 */
interface Detail {
  text: string;
  keep: number;
  figure?: boolean;
}

/**
 * What a narrow line keeps longest: tokens and cost, then what went wrong (error, cut-off), then
 * duration, model and how the call ended; the span kind and event count go first.
 */
const KEEP = { events: 1, kind: 2, tool: 3, finish: 4, parent: 5, model: 6, duration: 7, problem: 8, figure: 9 } as const;

/** The parts of one node's line after its name, in the order they are drawn. */
function nodeDetails(n: TraceNode, opts: TreeRenderOptions): Detail[] {
  const c = opts.colors;
  const v = n.view;
  const out: Detail[] = [{ text: c.dim(formatDuration(durationUnknown(n) ? NaN : n.span.durationMs)), keep: KEEP.duration }];
  if (v.kind !== 'other') out.push({ text: c.cyan(v.kind), keep: KEEP.kind });
  const model = modelOf(v);
  if (model) out.push({ text: c.magenta(oneLine(model)), keep: KEEP.model });
  if (v.kind === 'tool' && v.toolName && !n.span.name.includes(v.toolName)) out.push({ text: oneLine(v.toolName), keep: KEEP.tool });
  const outer = n.children.length > 0 && n.subtreeUsage && !n.countsUsage;
  if (n.countsUsage && v.usage) out.push({ text: usageText(v.usage), keep: KEEP.figure, figure: true });
  else if (outer) out.push({ text: c.bold(`∑ ${usageText(n.subtreeUsage!)}`), keep: KEEP.figure, figure: true });
  const cost = opts.costOf?.(n);
  if (cost !== undefined) out.push({ text: outer ? c.bold(`∑ ${formatUsd(cost)}`) : formatUsd(cost), keep: KEEP.figure, figure: true });
  if (v.finishReasons?.length) {
    const reasons = v.finishReasons.map(oneLine).join(',');
    // A call cut off at the token limit is marked (outer spans repeating its reason are not).
    const cutOff = n.countsCall && v.finishReasons.some(isCutOff);
    out.push(cutOff ? { text: c.yellow(`✂ cut off (${reasons})`), keep: KEEP.problem } : { text: c.dim(reasons), keep: KEEP.finish });
  }
  if (n.span.status.code === StatusCode.ERROR || v.error) {
    out.push({ text: c.red(`✗ ${oneLine(v.error ?? (n.span.status.message || 'error'))}`), keep: KEEP.problem });
  }
  if (!opts.events) {
    const count = n.span.events.length + (opts.logEventsOf?.(n).length ?? 0);
    if (count) out.push({ text: c.dim(`◦ ${count} event${count === 1 ? '' : 's'}`), keep: KEEP.events });
  }
  if (n.orphan) out.push({ text: c.yellow(`(parent ${n.span.parentSpanId} missing)`), keep: KEEP.parent });
  if (n.cycleCut) out.push({ text: c.yellow('(parent cycle cut)'), keep: KEEP.parent });
  return out;
}

/**
 * The guide columns of a line: one column group per level in `levels` (the drawn ancestors'
 * flags: was it the last child?), then `end`. At most `maxLevels` groups are drawn; deeper levels
 * are elided as `┆N┆` (N levels not drawn), so a line costs O(width) however deep the node is and
 * a 100k-deep chain renders in linear time (docs/architecture.md, "Tree rendering depth").
 */
function guides(levels: readonly boolean[], end: string, maxLevels: number): string {
  const hidden = Math.max(0, levels.length - maxLevels);
  let prefix = hidden ? `┆${hidden}┆ ` : '';
  for (let i = hidden; i < levels.length; i++) prefix += levels[i] ? GUIDE.space : GUIDE.pipe;
  return prefix + end;
}

export function renderTrace(t: Trace, opts: TreeRenderOptions): string[] {
  const c = opts.colors;
  const width = opts.width;
  const lines = renderTraceHeader(t, c, { calls: opts.calls }).map((l) => (Number.isFinite(width) ? truncateVisible(l, width) : l));
  const maxLevels = Number.isFinite(width) ? Math.max(4, Math.floor((width - 30) / 3 / 2)) : 64;
  const barWidth = opts.timeline ? Math.max(10, Math.min(60, Math.floor((Number.isFinite(width) ? width : 120) * 0.35))) : 0;
  // A timeline row is the left part, two spaces and the bar between its two `│`.
  const leftWidth = opts.timeline ? (Number.isFinite(width) ? width : 120) - barWidth - 4 : width;
  let figuresDropped = false;
  const total = t.endNs - t.startNs;

  // Depth-first with an explicit stack (traces can be 100k levels deep). `levels` is the one
  // path of the node being drawn: levels[k - 1] tells whether its ancestor at depth k was the
  // last child (the root level draws no guide). A node at depth d cuts it back to d - 1 entries,
  // so no node copies its ancestors' flags: copying them made a deep chain quadratic.
  type Frame = { node: TraceNode; last: boolean; depth: number };
  const levels: boolean[] = [];
  const stack: Frame[] = [];
  for (let i = t.roots.length - 1; i >= 0; i--) stack.push({ node: t.roots[i]!, last: i === t.roots.length - 1, depth: 0 });
  while (stack.length) {
    const { node, last, depth } = stack.pop()!;
    const root = depth === 0;
    if (!root) levels.length = depth - 1;
    const prefix = root ? '' : guides(levels, last ? GUIDE.last : GUIDE.tee, maxLevels);
    const name = oneLine(node.span.name || '(unnamed)');
    const details = nodeDetails(node, opts);
    const composed = composeLine(c.dim(prefix), name, details, leftWidth, visibleLength(prefix), c);
    figuresDropped ||= composed.figuresDropped;
    let line = composed.line;
    if (opts.timeline) line = padTo(line, leftWidth) + '  ' + bar(node, t.startNs, total, barWidth, c);
    lines.push(line);
    const showChildren = opts.maxDepth === undefined || depth < opts.maxDepth;
    // Lines under the node (events, attributes) continue its ancestors' verticals.
    const continuation = root ? '' : guides(levels, last ? GUIDE.space : GUIDE.pipe, maxLevels);
    const under = continuation + (node.children.length && showChildren ? GUIDE.pipe : GUIDE.space);
    if (opts.events) {
      for (const e of nodeEvents(node, opts)) {
        const offset = formatDuration(!timeKnown(node.span.startMs) ? NaN : Number(e.timeUnixNano - node.span.startTimeUnixNano) / 1e6);
        const text = `${c.dim(under)}${c.dim('◦')} ${oneLine(e.name || '(unnamed)')} ${c.dim(`+${offset}${e.log ? ' (log)' : ''}`)}`;
        lines.push(Number.isFinite(leftWidth) ? truncateVisible(text, leftWidth) : text);
      }
    }
    if (opts.attrs?.length) {
      for (const key of opts.attrs) {
        const v: AttrValue | undefined = node.span.attributes[key] ?? node.span.resource.attributes[key];
        if (v === undefined) continue;
        const text = `${c.dim(under)}${c.dim(`${oneLine(key)}:`)} ${oneLine(formatAttrValue(v))}`;
        lines.push(Number.isFinite(leftWidth) ? truncateVisible(text, leftWidth) : text);
      }
    }
    if (!root) levels.push(last);
    if (!showChildren) {
      if (node.children.length) {
        const hidden = node.subtreeSpans - 1;
        lines.push(c.dim(`${guides(levels, GUIDE.last, maxLevels)}… ${hidden} more span${hidden === 1 ? '' : 's'} below (--depth ${opts.maxDepth})`));
      }
      continue;
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i]!, last: i === node.children.length - 1, depth: depth + 1 });
    }
  }
  if (figuresDropped) {
    const note = `⋯ tokens or costs not shown on lines marked ⋯ (${width} columns; widen the terminal or use --format json)`;
    lines.push(...wrapText(note, width, '  ').map((l) => c.dim(l)));
  }
  return lines;
}

/** The name shrinks to this (or its own width) before any detail but the least important goes. */
const NAME_ROOM = 16;
const NAME_MIN = 6;
const SEP = '  ';

/**
 * A node's line within `width`: details go least important first (`keep`) while the name keeps
 * 16 columns, then the name shrinks (in the middle: span names end in the model or tool) to 6,
 * then details go again. A line that lost a token or cost figure ends in `⋯`.
 */
function composeLine(prefix: string, name: string, details: Detail[], width: number, prefixLen: number, c: Colors): { line: string; figuresDropped: boolean } {
  if (!Number.isFinite(width)) return { line: `${prefix}${name}${SEP}${details.map((d) => d.text).join(SEP)}`, figuresDropped: false };
  const room = width - prefixLen;
  const nameWidth = visibleLength(name);
  const lens = details.map((d) => visibleLength(d.text) + SEP.length);
  // Most lines fit: nothing to rank or drop (100k-span trees spent a tenth of their time here).
  if (nameWidth + lens.reduce((a, n) => a + n, 0) <= room) {
    return { line: `${prefix}${name}${details.length ? SEP + details.map((d) => d.text).join(SEP) : ''}`, figuresDropped: false };
  }
  const byKeep = details.map((d, i) => ({ ...d, i, len: lens[i]! })).sort((a, b) => a.keep - b.keep || b.i - a.i);
  const kept = new Set(byKeep.map((d) => d.i));
  let figuresDropped = false;
  const marker = c.dim('⋯');
  const detailsLen = () => byKeep.reduce((a, d) => a + (kept.has(d.i) ? d.len : 0), 0) + (figuresDropped ? SEP.length + 1 : 0);
  // First only what is not a figure or a problem goes to keep the name readable; then anything.
  const passes = [
    { nameFloor: Math.min(NAME_ROOM, nameWidth), below: KEEP.problem },
    { nameFloor: Math.min(NAME_MIN, nameWidth), below: Infinity },
  ];
  for (const { nameFloor, below } of passes) {
    for (const d of byKeep) {
      if (room - detailsLen() >= nameFloor) break;
      if (!kept.has(d.i) || d.keep >= below) continue;
      kept.delete(d.i);
      figuresDropped ||= d.figure === true;
    }
  }
  const nameRoom = Math.max(1, room - detailsLen());
  const shown = details.filter((_, i) => kept.has(i)).map((d) => d.text);
  if (figuresDropped) shown.push(marker);
  const shownName = visibleLength(name) <= nameRoom ? name : shortenMiddle(plainText(name), nameRoom);
  const text = `${prefix}${shownName}${shown.length ? SEP + shown.join(SEP) : ''}`;
  // A guide deeper than the line (a very narrow terminal) is cut with the rest.
  return { line: visibleLength(text) > width ? clipEnd(plainText(text), width) : text, figuresDropped };
}

function padTo(line: string, width: number): string {
  const len = visibleLength(line);
  return len >= width ? line : line + ' '.repeat(width - len);
}

function truncateVisible(s: string, width: number): string {
  return visibleLength(s) <= width ? s : truncate(plainText(s), width);
}

/** A span whose start time is 0, OTLP's zero value, or that ends before it starts: no duration (docs/architecture.md, "Unset span times"). */
function durationUnknown(n: TraceNode): boolean {
  return !durationKnown(n.span.startMs, n.span.durationMs);
}

function bar(n: TraceNode, start: bigint, total: bigint, width: number, c: Colors): string {
  // No place on the time axis: a `?` where the bar would be, never a bar at the trace's start.
  if (durationUnknown(n)) return c.dim('│') + c.dim('?') + ' '.repeat(width - 1) + c.dim('│');
  if (total <= 0n) return c.dim('│') + '█'.repeat(1) + ' '.repeat(width - 1) + c.dim('│');
  const from = Number(((n.span.startTimeUnixNano - start) * BigInt(width)) / total);
  const to = Number(((n.span.endTimeUnixNano - start) * BigInt(width) + total - 1n) / total);
  const a = Math.max(0, Math.min(width - 1, from));
  const b = Math.max(a + 1, Math.min(width, to));
  const paint = n.span.status.code === StatusCode.ERROR ? c.red : n.view.kind === 'llm' || n.view.kind === 'embeddings' ? c.magenta : n.view.kind === 'tool' ? c.cyan : c.white;
  return c.dim('│') + ' '.repeat(a) + paint('█'.repeat(b - a)) + ' '.repeat(width - b) + c.dim('│');
}

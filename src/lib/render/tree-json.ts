/**
 * `tree --format json`: the nested tree. Serialized iteratively (JSON.stringify recurses and
 * overflows the stack on a 10k-deep chain), as chunks so a huge trace streams to stdout.
 *
 * Shape: {"traces":[{traceId, spanCount, calls, startTime, durationMs, unsetStarts?, endsBeforeStart?, incomplete, usage, roots:[node]}]}
 * startTime and durationMs are null where unknown: a span's whose start is unset (0), a trace's
 * when no span has a start; unsetStarts counts the spans left out of the trace's. A span that
 * ends before it starts has its start and a null duration (endsBeforeStart counts them); the
 * trace's duration is null when no span has one.
 * node:  {traceId, spanId, parentSpanId, name, service, spanKind, startTime, durationMs, status,
 *         kind, operation, provider, requestModel, responseModel, usage, finishReasons, cutOff
 *         (true on a call cut off at the token limit: length, max_tokens), toolName,
 *         agentName, conversationId, userId, error, convention, countsCall, countsUsage,
 *         subtreeUsage, cost, subtreeCost, orphan, hiddenSpans (spans below it that --depth
 *         leaves out, as the text's "… N more spans below"), attributes?, children:[node]}
 * `cost` (on a node counted with its usage) and `subtreeCost` (where there is `subtreeUsage`), and
 * the trace's `cost` (where it has `usage`), are USD as the text shows them: null when a call in
 * it has no price, never a partial sum (trace/costs.ts).
 */
import { isCutOff } from '../genai/conventions.js';
import { roundUsd } from '../cost/report.js';
import { durationKnown, serviceName, timeKnown } from '../span.js';
import { traceDurationMs, type Trace, type TraceNode } from '../trace/assemble.js';
import { subtreeCosts, type PriceFn } from '../trace/costs.js';
import { formatAttrValue } from './values.js';

const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];

export function isoNanos(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return ns.toString();
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${d.toISOString().slice(0, 19)}.${frac}Z`;
}

/** USD as `cost` rounds it (12 significant digits); null when unpriced. */
const usd = (v: number | undefined): number | null => (v === undefined ? null : roundUsd(v));

interface NodeCosts {
  own(n: TraceNode): number | null;
  subtree(n: TraceNode): number | null;
}

function nodeCosts(t: Trace, price: PriceFn): NodeCosts {
  const subtree = subtreeCosts(t, price);
  return { own: (n) => usd(price(n.view, n.span.startMs)), subtree: (n) => usd(subtree(n)) };
}

function nodeFields(n: TraceNode, attrs: string[] | undefined, costs: NodeCosts | undefined, maxDepth: number | undefined): Record<string, unknown> {
  const s = n.span;
  const v = n.view;
  const out: Record<string, unknown> = {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId || null,
    name: s.name,
    service: serviceName(s),
    spanKind: SPAN_KINDS[s.kind] ?? String(s.kind),
    // An unset (0) start is unknown, not 1970 (docs/architecture.md, "Unset span times").
    startTime: timeKnown(s.startMs) ? isoNanos(s.startTimeUnixNano) : null,
    durationMs: durationKnown(s.startMs, s.durationMs) ? s.durationMs : null,
    status: { code: STATUS[s.status.code] ?? String(s.status.code), message: s.status.message || undefined },
    kind: v.kind,
    operation: v.operation,
    provider: v.provider,
    requestModel: v.requestModel,
    responseModel: v.responseModel,
    usage: v.usage,
    finishReasons: v.finishReasons,
    cutOff: (n.countsCall && v.finishReasons?.some(isCutOff)) || undefined,
    toolName: v.toolName,
    agentName: v.agentName,
    conversationId: v.conversationId,
    userId: v.userId,
    error: v.error,
    convention: v.convention,
    countsCall: n.countsCall,
    countsUsage: n.countsUsage,
    subtreeUsage: n.subtreeUsage,
    cost: costs && n.countsUsage ? costs.own(n) : undefined,
    subtreeCost: costs && n.subtreeUsage ? costs.subtree(n) : undefined,
    orphan: n.orphan || undefined,
    cycleCut: n.cycleCut || undefined,
    hiddenSpans: maxDepth !== undefined && n.depth >= maxDepth && n.children.length ? n.subtreeSpans - 1 : undefined,
  };
  if (attrs?.length) {
    const picked: Record<string, string> = {};
    for (const k of attrs) {
      const val = s.attributes[k] ?? s.resource.attributes[k];
      if (val !== undefined) picked[k] = formatAttrValue(val, Infinity);
    }
    out.attributes = picked;
  }
  return out;
}

/** `{"a":1}` → `{"a":1,"children":[` so children can be streamed in. */
function open(fields: Record<string, unknown>, key: string): string {
  const head = JSON.stringify(fields);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"${key}":[`;
}

export function* traceJsonChunks(t: Trace, opts: { attrs?: string[]; maxDepth?: number; price?: PriceFn } = {}): Generator<string> {
  const costs = opts.price ? nodeCosts(t, opts.price) : undefined;
  const timed = t.unsetStarts < t.nodes.length;
  yield open(
    {
      traceId: t.traceId,
      spanCount: t.nodes.length,
      calls: t.calls,
      startTime: timed ? isoNanos(t.startNs) : null,
      durationMs: traceDurationMs(t) ?? null,
      unsetStarts: t.unsetStarts || undefined,
      endsBeforeStart: t.endsBeforeStart || undefined,
      incomplete: t.orphanCount > 0,
      usage: t.usage,
      cost: costs && t.usage ? traceCost(t, costs) : undefined,
    },
    'roots',
  );
  type Frame = { node: TraceNode; next: number };
  const stack: Frame[] = [];
  let firstRoot = true;
  for (const root of t.roots) {
    yield (firstRoot ? '' : ',') + open(nodeFields(root, opts.attrs, costs, opts.maxDepth), 'children');
    firstRoot = false;
    stack.push({ node: root, next: 0 });
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const depth = top.node.depth;
      const expand = opts.maxDepth === undefined || depth < opts.maxDepth;
      if (expand && top.next < top.node.children.length) {
        const child = top.node.children[top.next]!;
        yield (top.next > 0 ? ',' : '') + open(nodeFields(child, opts.attrs, costs, opts.maxDepth), 'children');
        top.next++;
        stack.push({ node: child, next: 0 });
      } else {
        yield ']}';
        stack.pop();
      }
    }
  }
  yield ']}';
}

/** The roots' subtree costs summed; null when any is unpriced. */
function traceCost(t: Trace, costs: NodeCosts): number | null {
  let sum = 0;
  for (const r of t.roots) {
    if (!r.subtreeUsage) continue;
    const c = costs.subtree(r);
    if (c === null) return null;
    sum += c;
  }
  return roundUsd(sum);
}

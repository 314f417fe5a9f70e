/**
 * Trace assembly: spans of one trace → a forest, independent of arrival order. Everything is
 * iterative (traces can be 10k levels deep); parent cycles are cut, not thrown; spans whose
 * parent never arrived become roots marked as orphans ("incomplete trace"). Which spans are
 * model calls is decided by count-once.ts, the definition `cost` and `lint` use too.
 */
import { classify, type GenAiView, type Usage } from '../genai/classify.js';
import { addUsage } from '../genai/usage.js';
import { durationKnown, timeKnown, type Span } from '../span.js';
import { copyKey, countCalls, countedCopy, cycleCut, isModelSpan, type CopyKey, type CountFacts } from './count-once.js';
import { encodeTraceLine } from './span-codec.js';
import { earliestKnownStart } from './trace-starts.js';

export interface TraceNode {
  span: Span;
  view: GenAiView;
  children: TraceNode[];
  depth: number;
  /** Parent id set but not found in the trace. */
  orphan: boolean;
  /** Its parent link was dropped to break a cycle. */
  cycleCut: boolean;
  /**
   * A model call by count-once (count-once.ts): a span with usage and none below it, or a model
   * span without usage (a failed call) that is no outer span of another call.
   */
  countsCall: boolean;
  /** A call counted with its usage: usage counts here only when no descendant carries usage. */
  countsUsage: boolean;
  /** Sum of counted usage in this subtree (itself included); undefined when none. */
  subtreeUsage?: Usage;
  /** Number of spans in this subtree, itself included. */
  subtreeSpans: number;
}

export interface Trace {
  traceId: string;
  roots: TraceNode[];
  /** All nodes, in depth-first display order. */
  nodes: TraceNode[];
  /** Roots that are orphans or cycle cuts: the trace is incomplete when any exist. */
  orphanCount: number;
  cyclesCut: number;
  /** Copies of a span id that are not drawn: the drawn one is the copy count-once counts (`countedCopy`). */
  duplicateSpans: Span[];
  /** Earliest start and latest end of the spans whose start is set; both 0 when none is. */
  startNs: bigint;
  endNs: bigint;
  /** Spans whose start time is 0 (unset): left out of startNs and endNs, told in the header. */
  unsetStarts: number;
  /** Spans with a start that end before it (or at 0): no duration (span.ts `durationKnown`), their start alone in endNs. */
  endsBeforeStart: number;
  usage?: Usage;
  /** Model calls in the trace (nodes with countsCall), as `cost` counts them. */
  calls: number;
}

/** The trace's duration in ms; undefined when no span has a known duration (docs/architecture.md "Unset span times"). */
export function traceDurationMs(t: Trace): number | undefined {
  return t.unsetStarts + t.endsBeforeStart < t.nodes.length ? Number(t.endNs - t.startNs) / 1e6 : undefined;
}

function compareNodes(a: TraceNode, b: TraceNode): number {
  const sa = a.span.startTimeUnixNano, sb = b.span.startTimeUnixNano;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const ea = a.span.endTimeUnixNano, eb = b.span.endTimeUnixNano;
  // Exporters round start times to the millisecond: of siblings starting in the same
  // millisecond, the one that ended first most likely started first.
  if (ea !== eb) return ea < eb ? -1 : 1;
  return a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0;
}

export function assembleTrace(traceId: string, spans: readonly Span[], view: (s: Span) => GenAiView = classify): Trace {
  const byId = new Map<string, TraceNode>();
  const duplicateSpans: Span[] = [];
  for (const span of spans) {
    const held = byId.get(span.spanId);
    if (held) {
      // Of differing copies, the one cost counts (docs/architecture.md "Differing copies"), whichever came first.
      const copy = { span, view: view(span) };
      if (countedCopy(held, copy, spanCopyKey) === held) duplicateSpans.push(span);
      else {
        duplicateSpans.push(held.span);
        held.span = copy.span;
        held.view = copy.view;
      }
      continue;
    }
    byId.set(span.spanId, {
      span,
      view: view(span),
      children: [],
      depth: 0,
      orphan: false,
      cycleCut: false,
      countsCall: false,
      countsUsage: false,
      subtreeSpans: 1,
    });
  }

  // Resolve parents, cutting cycles: walk up from each node, marking the path; meeting a node
  // on the current path means a cycle. It is broken above the member count-once cuts
  // (`cycleCut`), not where the walk met it: the walk starts where the spans' arrival order
  // says, and neither the drawn tree nor the counted calls may depend on that order.
  const parentOf = new Map<TraceNode, TraceNode | undefined>();
  const state = new Map<TraceNode, 1 | 2>(); // 1 on the current path, 2 resolved
  let cyclesCut = 0;
  for (const start of byId.values()) {
    if (state.has(start)) continue;
    const path: TraceNode[] = [];
    let node: TraceNode | undefined = start;
    while (node && !state.has(node)) {
      state.set(node, 1);
      path.push(node);
      const pid: string = node.span.parentSpanId;
      const parent: TraceNode | undefined = pid && pid !== node.span.spanId ? byId.get(pid) : undefined;
      if (pid && !parent) node.orphan = pid !== node.span.spanId;
      if (pid === node.span.spanId) node.cycleCut = true;
      parentOf.set(node, parent);
      if (parent && state.get(parent) === 1) {
        const cut = byId.get(cycleCut(path.slice(path.indexOf(parent)).map((n) => n.span.spanId)))!;
        cut.cycleCut = true;
        parentOf.set(cut, undefined);
        cyclesCut++;
        break;
      }
      node = parent;
    }
    for (const n of path) state.set(n, 2);
  }
  for (const n of byId.values()) if (n.cycleCut && n.span.parentSpanId === n.span.spanId) cyclesCut++;

  const roots: TraceNode[] = [];
  for (const n of byId.values()) {
    const p = parentOf.get(n);
    if (p) p.children.push(n);
    else roots.push(n);
  }
  roots.sort(compareNodes);

  // Depth-first order with an explicit stack; children sorted by start time.
  const nodes: TraceNode[] = [];
  const stack: TraceNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]!);
  while (stack.length) {
    const n = stack.pop()!;
    nodes.push(n);
    n.children.sort(compareNodes);
    for (let i = n.children.length - 1; i >= 0; i--) {
      const c = n.children[i]!;
      c.depth = n.depth + 1;
      stack.push(c);
    }
  }

  // Count-once decides from the spans' own parent links, exactly as `cost` does, so both count
  // the same calls; it cuts a parent cycle where the display above does (`cycleCut`).
  // Facts are made once per span: count-once asks for them several times.
  const facts = new Map<string, CountFacts>();
  for (const [id, n] of byId) facts.set(id, countFacts(n));
  let calls = 0;
  countCalls(facts, (f) => f, (id, _f, counted) => {
    const n = byId.get(id)!;
    n.countsCall = true;
    n.countsUsage = counted === 'usage';
    calls++;
  });

  // Post-order (reverse of pre-order) accumulation: subtree usage summed over counted usage.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    let sub: Usage | undefined;
    let spansBelow = 1;
    for (const c of n.children) {
      spansBelow += c.subtreeSpans;
      if (c.subtreeUsage) sub = sub ? addUsage(sub, c.subtreeUsage) : c.subtreeUsage;
    }
    if (n.countsUsage) sub = sub ? addUsage(sub, n.view.usage!) : n.view.usage;
    n.subtreeUsage = sub;
    n.subtreeSpans = spansBelow;
  }

  // A span whose start is unset (0) has no place in time: counting it would date the trace 1970
  // and stretch its duration over 55 years (docs/architecture.md, "Unset span times").
  // An end before the start is no end (as `stats` reads it): it would make the trace's duration negative.
  let startNs = 0n, endNs = 0n, unsetStarts = 0, endsBeforeStart = 0, usage: Usage | undefined;
  for (const n of nodes) {
    if (!timeKnown(n.span.startMs)) {
      unsetStarts++;
      continue;
    }
    startNs = earliestKnownStart(startNs, n.span.startTimeUnixNano);
    let end = n.span.endTimeUnixNano;
    if (!durationKnown(n.span.startMs, n.span.durationMs)) {
      endsBeforeStart++;
      end = n.span.startTimeUnixNano;
    }
    if (end > endNs) endNs = end;
  }
  for (const r of roots) if (r.subtreeUsage) usage = usage ? addUsage(usage, r.subtreeUsage) : r.subtreeUsage;
  const orphanCount = roots.filter((r) => r.orphan || r.cycleCut).length;
  return { traceId, roots, nodes, orphanCount, cyclesCut, duplicateSpans, startNs, endNs, unsetStarts, endsBeforeStart, usage, calls };
}

/** A copy's key (`copyKey`) from its span: what `cost` reads of it, then the whole span, written out. */
function spanCopyKey(n: { span: Span; view: GenAiView }): CopyKey {
  const f = countFacts(n);
  const key = copyKey(f, f.usage || f.model ? { startMs: n.span.startMs, durationMs: n.span.durationMs, usage: n.view.usage } : undefined);
  key.push(encodeTraceLine([n.span]));
  return key;
}

/** What count-once reads of a node: the parent id as the span gives it ('' naming itself), as in `cost`. */
function countFacts(n: { span: Span; view: GenAiView }): CountFacts {
  const s = n.span;
  return { parent: s.parentSpanId === s.spanId ? '' : s.parentSpanId, usage: n.view.usage !== undefined, model: isModelSpan(n.view) };
}

/** Does the trace have a true root (a span without a parent id)? */
export function hasTrueRoot(t: Trace): boolean {
  return t.roots.some((r) => !r.orphan && !r.cycleCut);
}

/**
 * Streaming attribution of model calls under the count-once rule (DESIGN §3): usage counts on a
 * span only if no descendant span carries usage, so Vercel's `ai.generateText` over its
 * `doGenerate`, and `invoke_agent` spans carrying their children's totals, are never added twice.
 *
 * Spans of one trace arrive in any order, spread over batches and files, so a trace is decided
 * only when it is complete: at the end of the input, or earlier once it has its root, no span
 * waits for a missing parent, and no span of it has arrived for `settleAfterSpans` spans.
 *
 * Memory: the input is never held. Per span of an undecided trace we keep its id and parent id
 * (a span with nothing else of interest is kept as just that), the values of the tracked keys
 * when it has any (feature keys, `user`/`conversation`/`attr:` dimensions) and, for usage spans
 * inside the window, the call's numbers: about 320 bytes per span measured on OTLP JSONL with
 * two thirds LLM spans. Memory therefore grows with the spans of undecided traces: all of them
 * when traces are only decided at the end (input in random order), and with early settling
 * about the spans read within the settle distance, plus one trace id per trace decided early
 * (16 bytes, TraceIdSet: kept to notice late spans, which are skipped, counted and warned about).
 */
import type { Span } from '../span.js';
import { FactsBuilder, NONE, type CallFields, type CallRec, type CostFacts, type Vals } from './facts.js';
import type { PriceBook } from './pricebook.js';
import type { TimeWindow } from './window.js';
import { TraceIdSet } from '../trace/trace-id-set.js';

export { NONE, UNKNOWN_MODEL } from './facts.js';

/** Default feature keys, in order (DESIGN §4 "cost"). */
export const DEFAULT_FEATURE_KEYS = [
  'app.feature',
  'feature',
  'ai.telemetry.functionId',
  'traceloop.workflow.name',
  'gen_ai.workflow.name',
  'gen_ai.agent.name',
  'langfuse.trace.name',
];

/** A counted model call with everything the report dimensions need. */
export interface AttributedCall extends CallFields {
  traceId: string;
  spanId: string;
  feature: string;
  /** Values of the extra inherited dimensions, in the order given to the Attributor. */
  inherited: Array<string | undefined>;
}

export interface AttributorOptions {
  book: PriceBook;
  window?: TimeWindow;
  featureKeys?: string[];
  /** Further dimensions resolved like the feature (span, ancestors nearest first, resource). */
  inherited?: string[][];
  /** Decide a complete trace after this many further spans without one of its own (default: at the end only). */
  settleAfterSpans?: number;
  onCall: (call: AttributedCall) => void;
}

export interface AttributionStats {
  spans: number;
  traces: number;
  calls: number;
  /** Usage spans not counted because a descendant carries the same usage. */
  outerSpans: number;
  /** Calls that started outside the window. */
  outsideWindow: number;
  duplicateSpans: number;
  /** Spans that arrived after their trace had been decided early (skipped). */
  lateSpans: number;
  settledEarly: number;
}

/** The attribute keys whose values the dimensions need, feature keys first, each once. */
export function trackedKeys(featureKeys: readonly string[] | undefined, inherited: readonly string[][] | undefined): string[] {
  return [...new Set([featureKeys ?? DEFAULT_FEATURE_KEYS, ...(inherited ?? [])].flat())];
}

/** A span that matters beyond its parent link: it has tracked key values or usage. */
interface SpanRec {
  /** Parent span id; '' for a root (and for a span naming itself as parent). */
  p: string;
  /** Tracked key values on this span, when it has any. */
  v: Vals | undefined;
  /** The call when the span carries usage inside the window; null: usage outside it; undefined: none. */
  c: CallRec | null | undefined;
}

/** Most spans carry nothing of interest: they are kept as their parent id alone. */
type Rec = string | SpanRec;

const parentOf = (r: Rec): string => (typeof r === 'string' ? r : r.p);
const hasUsage = (r: Rec): boolean => typeof r !== 'string' && r.c !== undefined;

interface TraceState {
  spans: Map<string, Rec>;
  /** The earliest true root (ties: lowest id), so the fallback feature does not depend on order. */
  rootName?: string;
  rootStart: number;
  rootId: string;
  lastSeq: number;
  checkedSeq: number;
}

const EMPTY: Vals = [];

export class Attributor {
  private readonly open = new Map<string, TraceState>();
  private readonly decided = new TraceIdSet();
  private readonly tracked: string[];
  /** Per inherited dimension (feature first): indices into `tracked`. */
  private readonly dimKeys: number[][];
  private readonly settle: number;
  private readonly checkEvery: number;
  private builder: FactsBuilder | undefined;
  private seq = 0;
  private readonly stats: AttributionStats = {
    spans: 0,
    traces: 0,
    calls: 0,
    outerSpans: 0,
    outsideWindow: 0,
    duplicateSpans: 0,
    lateSpans: 0,
    settledEarly: 0,
  };

  constructor(private readonly opts: AttributorOptions) {
    this.tracked = trackedKeys(opts.featureKeys, opts.inherited);
    this.dimKeys = [opts.featureKeys ?? DEFAULT_FEATURE_KEYS, ...(opts.inherited ?? [])].map((keys) => keys.map((k) => this.tracked.indexOf(k)));
    this.settle = opts.settleAfterSpans ?? Infinity;
    this.checkEvery = Number.isFinite(this.settle) ? Math.max(1, Math.floor(this.settle / 4)) : Infinity;
  }

  /** The keys the facts must carry values of (for `costMapper`). */
  get trackedKeys(): string[] {
    return this.tracked;
  }

  /** Spans decoded on this thread: their facts, then those. */
  add(spans: Iterable<Span>): void {
    this.builder ??= new FactsBuilder({ book: this.opts.book, window: this.opts.window ?? {}, tracked: this.tracked });
    this.addFacts(this.builder.facts(spans));
  }

  /** One batch's facts (from `FactsBuilder` with this Attributor's tracked keys, on any thread). */
  addFacts(f: CostFacts): void {
    let root = 0;
    let val = 0;
    let call = 0;
    for (let i = 0; i < f.spanIds.length; i++) {
      const r = f.roots[root];
      const rootOf = r !== undefined && r[0] === i ? (root++, r) : undefined;
      const v = f.vals[val];
      const vals = v !== undefined && v[0] === i ? (val++, v[1]) : undefined;
      const c = f.calls[call];
      const callRec = c !== undefined && c[0] === i ? (call++, c[1]) : undefined;
      this.addSpan(f.traceIds[i]!, f.spanIds[i]!, f.parents[i]!, rootOf, vals, callRec);
    }
  }

  private addSpan(
    traceId: string,
    spanId: string,
    parent: string,
    root: readonly [number, string, number] | undefined,
    vals: Vals | undefined,
    call: CallRec | null | undefined,
  ): void {
    const seq = ++this.seq;
    this.stats.spans++;
    if (seq % this.checkEvery === 0) this.settleQuiet();
    if (this.decided.has(traceId)) {
      this.stats.lateSpans++;
      return;
    }
    let t = this.open.get(traceId);
    if (!t) {
      t = { spans: new Map(), rootStart: Infinity, rootId: '', lastSeq: seq, checkedSeq: 0 };
      this.open.set(traceId, t);
    }
    if (t.spans.has(spanId)) {
      this.stats.duplicateSpans++; // the same span read twice (a file given twice, a re-export)
      return;
    }
    if (call === null) this.stats.outsideWindow++;
    else if (call !== undefined) {
      // Interned: a few distinct values repeated on every call (facts from workers are copies).
      call.model = this.intern(call.model);
      call.operation = this.intern(call.operation);
      call.service = this.intern(call.service);
    }
    const rec: Rec = vals === undefined && call === undefined ? parent : { p: parent, v: vals, c: call };
    if (root !== undefined) {
      const [, name, startMs] = root;
      if (startMs < t.rootStart || (startMs === t.rootStart && spanId < t.rootId) || t.rootName === undefined) {
        t.rootName = name;
        t.rootStart = startMs;
        t.rootId = spanId;
      }
    }
    t.spans.set(spanId, rec);
    t.lastSeq = seq;
  }

  private readonly strings = new Map<string, string>();

  private intern(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size < 10_000) this.strings.set(s, s);
    return s;
  }

  /** Decides traces that are complete and have been quiet for `settle` spans. */
  private settleQuiet(): void {
    for (const [id, t] of this.open) {
      if (this.seq - t.lastSeq < this.settle || t.rootName === undefined || t.checkedSeq >= t.lastSeq) continue;
      t.checkedSeq = this.seq;
      let complete = true;
      for (const rec of t.spans.values()) {
        const p = parentOf(rec);
        if (p !== '' && !t.spans.has(p)) {
          complete = false;
          break;
        }
      }
      if (!complete) continue;
      this.decide(id, t);
      this.open.delete(id);
      this.decided.add(id);
      this.stats.settledEarly++;
    }
  }

  /** Decides every remaining trace; call once after the last batch. */
  finish(): AttributionStats {
    for (const [id, t] of this.open) this.decide(id, t);
    this.open.clear();
    return { ...this.stats };
  }

  private decide(traceId: string, t: TraceState): void {
    this.stats.traces++;
    const spans = t.spans;
    // Count-once: mark every ancestor of a usage span. The walk stops at an already marked
    // span (its ancestors are marked too), at the start (a parent cycle) or after `size` steps.
    const below = new Set<string>();
    for (const [id, rec] of spans) {
      if (!hasUsage(rec)) continue;
      let cur = parentOf(rec);
      for (let steps = 0; cur !== '' && cur !== id && !below.has(cur) && steps < spans.size; steps++) {
        below.add(cur);
        const r = spans.get(cur);
        if (r === undefined) break;
        cur = parentOf(r);
      }
    }
    const memo = new Map<string, Vals>();
    for (const [id, rec] of spans) {
      if (typeof rec === 'string' || !rec.c) continue;
      const c = rec.c;
      if (below.has(id)) {
        this.stats.outerSpans++;
        continue;
      }
      const near = this.tracked.length ? this.nearest(id, spans, memo) : EMPTY;
      const values = this.dimKeys.map((keys) => resolve(keys, near, c.resource));
      this.stats.calls++;
      // Built field by field: spreads cost two short-lived objects per call on million-span inputs.
      this.opts.onCall({
        traceId,
        spanId: id,
        startMs: c.startMs,
        usage: c.usage,
        cost: c.cost,
        entry: c.entry,
        model: c.model,
        provider: c.provider,
        operation: c.operation,
        service: c.service,
        feature: values[0] ?? t.rootName ?? NONE,
        inherited: values.slice(1),
      });
    }
  }

  /**
   * For each tracked key, its value on the span or its nearest ancestor. Memoized per trace, and
   * iterative (traces can be 10k levels deep): walk up to a known span, then fill back down.
   */
  private nearest(id: string, spans: Map<string, Rec>, memo: Map<string, Vals>): Vals {
    const path: Rec[] = [];
    const ids: string[] = [];
    let cur = id;
    while (cur !== '' && !memo.has(cur) && path.length <= spans.size) {
      const r = spans.get(cur);
      if (r === undefined) break;
      path.push(r);
      ids.push(cur);
      cur = parentOf(r);
    }
    let base = memo.get(cur) ?? EMPTY;
    for (let i = path.length - 1; i >= 0; i--) {
      const r = path[i]!;
      const own = typeof r === 'string' ? undefined : r.v;
      if (own) {
        const merged = own.slice();
        for (let k = 0; k < this.tracked.length; k++) merged[k] ??= base[k];
        base = merged;
      }
      memo.set(ids[i]!, base);
    }
    return base;
  }
}

/** Keys in order; for each, the span chain's nearest value, then the resource's. */
function resolve(keys: number[], near: Vals, resource: Vals | undefined): string | undefined {
  for (const k of keys) {
    const v = near[k] ?? resource?.[k];
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Attribution of model calls to their dimensions, exact at any input order
 * (docs/architecture.md, "Exact at any order"). The count-once rule itself is
 * trace/count-once.ts; this module gathers each trace's spans, however they arrive (batches,
 * files, shuffled), and decides the trace from all of them.
 *
 * A trace is decided when it looks complete (a root, no span waiting for its parent, quiet for
 * `settleAfterSpans` spans) or at the end. A span that arrives after its trace was decided is
 * not skipped: the trace is decided again at the end from all its spans, and what the first
 * decision emitted is taken back (sign −1), so the result equals deciding it once, from
 * everything. Memory is bounded by `memoryBytes`: beyond it, whole traces are written to
 * spill files partitioned by trace id (trace-spill.ts) and their later spans follow them
 * there; each partition is read back after the input ends. Nothing is ever dropped.
 */
import { timeKnown, type Span } from '../span.js';
import { countCalls } from '../trace/count-once.js';
import { earliestRoot, earlyRecords, factsOf, looksComplete, parentOf, resolveCopies, toolCallsOf } from './trace-records.js';
import { TraceIdSet } from '../trace/trace-id-set.js';
import { FactsBuilder, NONE, type CallFields, type CallRecord, type TrackedValues } from './facts.js';
import { CALL_IN_WINDOW, CALL_MODEL, CALL_USAGE, readCall, valsOf, type CostFacts } from './fact-columns.js';
import type { PriceBook } from './pricebook.js';
import { bounded, type TimeWindow } from './window.js';
import { addUntimed, type UntimedFigures } from './report.js';
import { TraceSpill, decodeTrace, encodeTrace, type SpilledTrace } from './trace-spill.js';
import { DEFAULT_FEATURE_KEYS, keyPositions, trackedKeys } from './tracked-keys.js';

export { NONE, UNKNOWN_MODEL } from './facts.js';

/**
 * What `cost` and `stats` settle at: decide a trace that looks complete once this many further
 * spans came without one of its own. Only a matter of speed: a later span of it makes the trace
 * be decided again, exactly.
 */
export const SETTLE_AFTER_SPANS = 5_000;

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
  /** Decide a trace that looks complete after this many further spans without one of its own (default: at the end only). */
  settleAfterSpans?: number;
  /** Bytes of trace state held in memory before whole traces spill to disk (default: no limit). */
  memoryBytes?: number;
  /** Where spill directories are made (default: LLMTRACE_TMPDIR or the system's TMPDIR). */
  spillParent?: string;
  /** A call counted (sign 1), or a call of an earlier decision taken back (sign −1). */
  onCall: (call: AttributedCall, sign: 1 | -1) => void;
  /** Record tool call spans: a decided trace's tool calls are reported with it (`onTrace`). */
  toolCalls?: boolean;
  /**
   * After a decision's calls: the trace with its calls and tool calls (sign −1: taken back, as
   * `onCall`). Only traces with a call in the window.
   */
  onTrace?: (trace: DecidedTrace, sign: 1 | -1) => void;
}

/** A decided trace as `stats` sees it: its counted calls and its tool calls. */
export interface DecidedTrace {
  traceId: string;
  calls: AttributedCall[];
  /** Tool call spans in the trace. */
  toolCalls: number;
  /** The identical tool call (toolCallKey: name and arguments) made most often, and how often; ties: the smallest key. */
  topRepeat: { key: string; count: number } | undefined;
}

/** `untimedCalls` (and their tokens): counted calls without a start time (span.ts `timeKnown`) under a window. */
export interface AttributionStats extends UntimedFigures {
  spans: number;
  traces: number;
  /** Model calls counted (after take-backs). */
  calls: number;
  /** Usage spans not counted because a descendant carries the usage. */
  outerSpans: number;
  /** Calls that started outside the window. */
  outsideWindow: number;
  /** Copies of a span id beyond the first (identical or not): each span id is counted once. */
  duplicateSpans: number;
  /**
   * Span ids read as copies that differ in what counting reads: one copy is counted by
   * `countedCopy`, the figures may be off by the others (`--strict` fails).
   */
  differingSpans: number;
  /** Parent cycles above or through model calls, cut where `cycleCut` says (the calls are counted once). */
  parentCycles: number;
  /** Spans that arrived after their trace had been decided (its decision was redone). */
  lateSpans: number;
  /** Traces decided before the end of the input (they looked complete and went quiet). */
  decidedEarly: number;
  /** Traces decided again because of late spans. */
  redecided: number;
  /** Traces written to disk because the memory budget was reached, and the bytes written. */
  spilledTraces: number;
  spilledBytes: number;
}

/** What a span contributes beyond its parent link. */
export interface SpanRecord {
  /** Parent span id; '' for a root (and for a span naming itself as parent). */
  parent: string;
  /** Tracked key values on this span, when it has any. */
  vals: TrackedValues | undefined;
  /** The call when the span is a model call candidate inside the window; null: outside it; undefined: none. */
  call: CallRecord | null | undefined;
  /** Usage carried (count-once): the call's, or usage outside the window. */
  usage: boolean;
  /** A model span (llm/embeddings), with or without usage. */
  model: boolean;
  /** For a root: its name and start (the feature's fallback is the earliest root's name). */
  root: [name: string, startMs: number] | undefined;
  /** Arrived after its trace was decided. */
  late: boolean;
  /** A tool call span (when the Attributor records them): its toolCallKey. */
  tool?: string;
  /** Copies of this span id that differ were read (`differingSpans`); this is the one counted. */
  differing: boolean;
}

/** Most spans carry nothing of interest: they are kept as their parent id alone. */
export type TraceRecord = string | SpanRecord;


interface TraceState {
  spans: Map<string, TraceRecord>;
  lastSeq: number;
  checkedSeq: number;
  /** The trace's calls were emitted (decided early); a later span makes it `reopened`. */
  decided: boolean;
  reopened: boolean;
  /** Estimated bytes held for it. */
  bytes: number;
}

/**
 * Estimated heap bytes of a trace held as objects: a map entry with two id strings, a record
 * with its call (measured: ~500 bytes a span on the bench's data, all held). A decided trace
 * waits as one string (encodeTrace), about a quarter of that.
 */
const PLAIN_BYTES = 200;
const RECORD_BYTES = 300;
const CALL_BYTES = 500;
const TRACE_BYTES = 500;

// A tool call's key (stats only) is its name and arguments as written, often the longest string a
// record holds: counted at two bytes a character, as a string may be stored.
const recordBytes = (r: TraceRecord): number =>
  typeof r === 'string' ? PLAIN_BYTES : RECORD_BYTES + (r.call ? CALL_BYTES : 0) + (r.tool === undefined ? 0 : r.tool.length * 2);

const EMPTY: TrackedValues = [];

export class Attributor {
  private readonly open = new Map<string, TraceState>();
  /**
   * Traces decided early, as text (oldest first): most never get another span, and as one
   * string each they take a quarter of the memory and nothing of the garbage collector's time.
   */
  private readonly decidedText = new Map<string, string>();
  private decidedTextBytes = 0;
  /** Traces written to disk: their later spans go there too. */
  private readonly spilled = new TraceIdSet();
  private spill: TraceSpill | undefined;
  private readonly tracked: string[];
  /** Per inherited dimension (feature first): indices into `tracked`. */
  private readonly dimKeys: number[][];
  private readonly settle: number;
  private readonly checkEvery: number;
  private readonly budget: number;
  /** A window is set: calls without a start time are counted as untimed, in no figure. */
  private readonly windowed: boolean;
  private heldBytes = 0;
  private builder: FactsBuilder | undefined;
  private seq = 0;
  private readonly stats: AttributionStats = {
    spans: 0,
    traces: 0,
    calls: 0,
    outerSpans: 0,
    outsideWindow: 0,
    untimedCalls: 0,
    untimedInputTokens: 0,
    untimedOutputTokens: 0,
    duplicateSpans: 0,
    differingSpans: 0,
    parentCycles: 0,
    lateSpans: 0,
    decidedEarly: 0,
    redecided: 0,
    spilledTraces: 0,
    spilledBytes: 0,
  };

  constructor(private readonly opts: AttributorOptions) {
    this.tracked = trackedKeys(opts.featureKeys, opts.inherited);
    this.dimKeys = keyPositions(this.tracked, [opts.featureKeys ?? DEFAULT_FEATURE_KEYS, ...(opts.inherited ?? [])]);
    this.settle = opts.settleAfterSpans ?? Infinity;
    this.checkEvery = Number.isFinite(this.settle) ? Math.max(1, Math.floor(this.settle / 4)) : Infinity;
    this.budget = opts.memoryBytes ?? Infinity;
    this.windowed = opts.window !== undefined && bounded(opts.window);
  }

  /** The keys the facts must carry values of (for `costMapper`). */
  get trackedKeys(): string[] {
    return this.tracked;
  }

  /** Spans decoded on this thread: their facts, then those. */
  add(spans: Iterable<Span>): void {
    this.builder ??= new FactsBuilder({ book: this.opts.book, window: this.opts.window ?? {}, tracked: this.tracked, toolCalls: this.opts.toolCalls });
    this.addFacts(this.builder.facts(spans));
  }

  /** One batch's facts (from `FactsBuilder` with this Attributor's tracked keys, on any thread). */
  addFacts(f: CostFacts): void {
    const calls = f.calls;
    // Interned: a few distinct values repeated on every call and span (facts from workers are copies).
    const strings = f.strings.map((s) => this.intern(s));
    const tracked = this.tracked.length;
    let root = 0;
    let val = 0;
    let call = 0;
    let inWindow = 0;
    let tool = 0;
    for (let i = 0; i < f.spanIds.length; i++) {
      let rootOf: [string, number] | undefined;
      if (f.rootSpan[root] === i) {
        rootOf = [strings[f.rootName[root]!]!, f.rootStart[root]!];
        root++;
      }
      let vals: TrackedValues | undefined;
      if (f.valSpan[val] === i) [vals, val] = valsOf(f, val, tracked, strings);
      let candidate: CallRecord | null | undefined;
      let flags = 0;
      if (calls.span[call] === i) {
        flags = calls.flags[call++]!;
        candidate = flags & CALL_IN_WINDOW ? readCall(calls, inWindow++, flags, strings) : null;
      }
      const toolOf = f.toolSpan[tool] === i ? f.toolKey[tool++] : undefined;
      this.addSpan(f.traceIds[f.traceOf[i]!]!, f.spanIds[i]!, f.parents[i]!, rootOf, vals, candidate, (flags & CALL_USAGE) !== 0, (flags & CALL_MODEL) !== 0, toolOf);
    }
    if (this.heldBytes > this.budget) this.spillToBudget();
  }

  private addSpan(
    traceId: string,
    spanId: string,
    parent: string,
    root: [name: string, startMs: number] | undefined,
    vals: TrackedValues | undefined,
    call: CallRecord | null | undefined,
    usage: boolean,
    model: boolean,
    tool: string | undefined,
  ): void {
    const seq = ++this.seq;
    this.stats.spans++;
    if (seq % this.checkEvery === 0) this.settleQuiet();
    let t = this.open.get(traceId);
    if (t === undefined) {
      const text = this.decidedText.get(traceId);
      if (text !== undefined) t = this.revive(traceId, text);
    }
    if (t === undefined && this.spilled.has(traceId)) {
      this.spill!.append(traceId, spanId, this.record(parent, root, vals, call, usage, model, tool, false));
      return;
    }
    if (t === undefined) {
      t = { spans: new Map(), lastSeq: seq, checkedSeq: 0, decided: false, reopened: false, bytes: TRACE_BYTES };
      this.open.set(traceId, t);
      this.heldBytes += TRACE_BYTES;
    }
    const held = t.spans.get(spanId);
    if (held !== undefined) {
      // The same span read twice (a file given twice, a re-export), or two differing copies.
      this.stats.duplicateSpans++;
      this.keepCopy(traceId, t, spanId, held, this.record(parent, root, vals, call, usage, model, tool, false));
      return;
    }
    const rec = this.record(parent, root, vals, call, usage, model, tool, t.decided);
    if (t.decided) this.stats.lateSpans++;
    const bytes = recordBytes(rec);
    t.spans.set(spanId, rec);
    t.bytes += bytes;
    this.heldBytes += bytes;
    t.lastSeq = seq;
  }

  /**
   * A copy of a span id already held: identical ones are one span; of differing ones the trace
   * keeps the one count-once counts (`countedCopy`, whichever came first). When that is the new
   * copy, an early decision made with the old one is taken back now.
   */
  private keepCopy(traceId: string, t: TraceState, spanId: string, held: TraceRecord, copy: TraceRecord): void {
    const kept = resolveCopies(held, copy);
    if (kept === undefined) return;
    if ((kept.replaced || kept.newlyDiffering) && t.decided) this.undecide(traceId, t);
    // An undecided trace has no late spans: the kept copy may have been made of a late record.
    if (!t.decided && typeof kept.record !== 'string') kept.record.late = false;
    const bytes = recordBytes(kept.record) - recordBytes(held);
    t.spans.set(spanId, kept.record);
    t.bytes += bytes;
    this.heldBytes += bytes;
  }

  /** Takes back a trace's early decision: it is decided again, from all its spans, like any undecided trace. */
  private undecide(traceId: string, t: TraceState): void {
    this.emit(traceId, earlyRecords(t.spans), -1, false);
    this.stats.traces--; // counted again by the next decision
    this.stats.redecided++;
    for (const r of t.spans.values()) if (typeof r !== 'string') r.late = false;
    t.decided = false;
    t.reopened = false;
  }

  /** `call` undefined: the span is no call candidate (then `usage` and `model` are false). */
  private record(
    parent: string,
    root: [name: string, startMs: number] | undefined,
    vals: TrackedValues | undefined,
    call: CallRecord | null | undefined,
    usage: boolean,
    model: boolean,
    tool: string | undefined,
    late: boolean,
  ): TraceRecord {
    if (vals === undefined && call === undefined && root === undefined && tool === undefined && !late) return parent;
    return {
      parent,
      vals,
      call,
      usage,
      model,
      root,
      late,
      tool, // always present (undefined outside stats): one record shape
      differing: false,
    };
  }

  private readonly strings = new Map<string, string>();

  private intern(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size < 10_000) this.strings.set(s, s);
    return s;
  }

  /**
   * Decides traces that look complete and have been quiet for `settle` spans. They wait as
   * text, the newest in memory (a quarter of the budget: a late span usually comes soon after
   * its trace's others), the older on disk; most get no late span, and one that does is redone.
   */
  private settleQuiet(): void {
    for (const [id, t] of this.open) {
      if (t.decided || this.seq - t.lastSeq < this.settle || t.checkedSeq >= t.lastSeq) continue;
      t.checkedSeq = this.seq;
      if (!looksComplete(t.spans)) continue;
      this.emit(id, t.spans, 1, true);
      this.stats.decidedEarly++;
      const text = encodeTrace(t.spans, 'decided');
      this.open.delete(id);
      this.heldBytes += text.length - t.bytes;
      this.decidedText.set(id, text);
      this.decidedTextBytes += text.length;
    }
    // The memory V8 takes is about twice what is live (heap growth), so text that only waits
    // for a rare late span goes to disk early: writing it is cheap, reading only if needed.
    if (this.decidedTextBytes > this.budget / 4) this.spillDecided(this.budget / 8);
    if (this.heldBytes > this.budget) this.spillToBudget();
  }

  /** Writes the oldest decided traces to disk until their text in memory is at most `target`. */
  private spillDecided(target: number): void {
    this.spill ??= new TraceSpill({ parent: this.opts.spillParent, memoryBytes: Number.isFinite(this.budget) ? this.budget : 256 << 20 });
    for (const [id, text] of this.decidedText) {
      if (this.decidedTextBytes <= target) break;
      this.spill.write(id, text, 'decided');
      this.spilled.add(id);
      this.decidedText.delete(id);
      this.heldBytes -= text.length;
      this.decidedTextBytes -= text.length;
      this.stats.spilledTraces++;
    }
  }

  /** A trace decided early whose late span arrived: back as objects, to be decided again at the end. */
  private revive(traceId: string, text: string): TraceState {
    this.decidedText.delete(traceId);
    this.heldBytes -= text.length;
    this.decidedTextBytes -= text.length;
    const spans = decodeTrace(text);
    let bytes = TRACE_BYTES;
    for (const r of spans.values()) bytes += recordBytes(r);
    const t: TraceState = { spans, lastSeq: this.seq, checkedSeq: this.seq, decided: true, reopened: true, bytes };
    this.open.set(traceId, t);
    this.heldBytes += bytes;
    return t;
  }

  /**
   * Writes whole traces to disk until the held state is under three quarters of the budget:
   * decided ones first (oldest first: least likely to get more spans), then the quietest
   * undecided ones.
   */
  private spillToBudget(): void {
    const target = (this.budget * 3) / 4;
    this.spillDecided(Math.max(0, this.decidedTextBytes - (this.heldBytes - target)));
    const evict = (id: string, t: TraceState) => {
      const state = t.reopened ? 'reopened' : 'open';
      this.spill!.write(id, encodeTrace(t.spans, state), state);
      this.spilled.add(id);
      this.open.delete(id);
      this.heldBytes -= t.bytes;
      this.stats.spilledTraces++;
    };
    if (this.heldBytes > target) {
      const byQuiet = [...this.open].sort((a, b) => a[1].lastSeq - b[1].lastSeq);
      for (const [id, t] of byQuiet) {
        if (this.heldBytes <= target) break;
        evict(id, t);
      }
    }
  }

  /** Decides every remaining trace, in memory and on disk; call once after the last batch. */
  finish(): AttributionStats {
    for (const [id, t] of this.open) this.finishTrace(id, t.spans, t.decided, t.reopened);
    this.open.clear();
    this.decidedText.clear(); // decided, and no span of them came late: done
    this.decidedTextBytes = 0;
    this.heldBytes = 0;
    if (this.spill) {
      this.spill.finish((trace: SpilledTrace) => {
        this.stats.duplicateSpans += trace.duplicates;
        this.finishTrace(trace.traceId, trace.spans, trace.decided, trace.reopened, trace.early);
      });
      this.stats.spilledBytes = this.spill.bytesWritten;
      this.spill.remove();
    }
    return { ...this.stats };
  }

  /** Releases temporary files early (on an error; finish() does it otherwise). */
  close(): void {
    this.spill?.remove();
  }

  /** `early`: the records the early decision was made from, when a copy read back replaced one of them. */
  private finishTrace(traceId: string, spans: Map<string, TraceRecord>, decided: boolean, reopened: boolean, early?: Map<string, TraceRecord>): void {
    if (!decided) {
      this.emit(traceId, spans, 1, true);
      return;
    }
    if (!reopened) return;
    // Redo: take back what the decision without the late spans emitted, then decide from all.
    this.stats.redecided++;
    this.emit(traceId, early ?? earlyRecords(spans), -1, false);
    this.emit(traceId, spans, 1, false);
  }

  /** Counts a trace's calls with `sign`; `first` (its first decision) counts the trace itself. */
  private emit(traceId: string, spans: Map<string, TraceRecord>, sign: 1 | -1, first: boolean): void {
    if (first) this.stats.traces++;
    const rootName = earliestRoot(spans);
    const memo = new Map<string, TrackedValues>();
    const calls: AttributedCall[] | undefined = this.opts.onTrace ? [] : undefined;
    let countedUsage = 0;
    const cuts = countCalls(spans, factsOf, (id, rec, how, cuts) => {
      const r = rec as SpanRecord;
      const c = r.call;
      if (how === 'usage') countedUsage++;
      if (!c) return; // outside the window
      if (this.windowed && !timeKnown(c.startMs)) {
        addUntimed(this.stats, 1, c.noUsage ? undefined : c.usage, sign);
        return;
      }
      const near = this.tracked.length ? this.nearest(id, spans, memo, cuts) : EMPTY;
      // One array a call: the feature first, then the inherited dimensions (no map and slice).
      const dims = this.dimKeys;
      const inherited: Array<string | undefined> = [];
      for (let d = 1; d < dims.length; d++) inherited.push(resolve(dims[d]!, near, c.resource));
      this.stats.calls += sign;
      // Built field by field: spreads cost two short-lived objects per call on million-span inputs.
      const call: AttributedCall = {
          traceId,
          spanId: id,
          startMs: c.startMs,
          usage: c.usage,
          noUsage: c.noUsage,
          cost: c.cost,
          entry: c.entry,
          model: c.model,
          provider: c.provider,
          operation: c.operation,
          service: c.service,
          durationMs: c.durationMs,
          errorType: c.errorType,
          ttftMs: c.ttftMs,
          finishReasons: c.finishReasons,
          reportedCost: c.reportedCost,
          feature: resolve(dims[0]!, near, c.resource) ?? rootName ?? NONE,
          inherited,
      };
      this.opts.onCall(call, sign);
      calls?.push(call);
    });
    if (calls?.length) this.opts.onTrace!({ traceId, calls, ...toolCallsOf(spans) }, sign);
    // What counting met is counted with the trace's decision, for traces with a call candidate
    // in the window only: those are the traces the ClickHouse pushdown reads too.
    let inWindow = false;
    let differing = 0;
    let usageSpans = 0;
    for (const r of spans.values()) {
      if (typeof r === 'string') continue;
      if (r.call) inWindow = true;
      if (r.differing) differing++;
      if (!r.usage) continue;
      usageSpans++;
      if (r.call === null) this.stats.outsideWindow += sign;
    }
    if (inWindow) {
      this.stats.parentCycles += sign * cuts.size;
      this.stats.differingSpans += sign * differing;
    }
    // Usage spans that were not counted: outer spans repeating the usage below them.
    this.stats.outerSpans += sign * (usageSpans - countedUsage);
  }

  /**
   * For each tracked key, its value on the span or its nearest ancestor. Memoized per trace, and
   * iterative (traces can be 10k levels deep): walk up to a known span, then fill back down.
   */
  private nearest(id: string, spans: Map<string, TraceRecord>, memo: Map<string, TrackedValues>, cuts: ReadonlySet<string>): TrackedValues {
    // Reused: one walk at a time, emptied before returning.
    const path = this.walkRecords;
    const ids = this.walkIds;
    let cur = id;
    while (cur !== '' && !memo.has(cur) && path.length <= spans.size) {
      const r = spans.get(cur);
      if (r === undefined) break;
      path.push(r);
      ids.push(cur);
      cur = cuts.size && cuts.has(cur) ? '' : parentOf(r);
    }
    let base = memo.get(cur) ?? EMPTY;
    for (let i = path.length - 1; i >= 0; i--) {
      const r = path[i]!;
      const own = typeof r === 'string' ? undefined : r.vals;
      if (own) {
        const merged = own.slice();
        for (let k = 0; k < this.tracked.length; k++) merged[k] ??= base[k];
        base = merged;
      }
      memo.set(ids[i]!, base);
    }
    path.length = 0;
    ids.length = 0;
    return base;
  }

  private readonly walkRecords: TraceRecord[] = [];
  private readonly walkIds: string[] = [];
}

/** Keys in order; for each, the span chain's nearest value, then the resource's. */
function resolve(keys: number[], near: TrackedValues, resource: TrackedValues | undefined): string | undefined {
  for (const k of keys) {
    const v = near[k] ?? resource?.[k];
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * One batch's cost facts in columns: numbers and indices into a small string table, not an
 * object or a tuple per span. A thread boundary copies every object with its keys' names and
 * every string once per occurrence; on small spans that copy of the facts was the largest cost
 * between the worker and the main thread (docs/architecture.md "Facts cross threads in
 * columns"). `FactsWriter` fills them (facts.ts), the Attributor reads them (`readCall`,
 * `valsOf`) and makes the records it keeps.
 */
import type { CallRecord, TrackedValues } from './facts.js';

export interface CostFacts {
  /**
   * The batch's trace ids, each once (first seen first), and per span the index of its own: a
   * batch holds few traces, and each id crossing threads once instead of once a span cuts the
   * copy and the strings the main thread allocates (docs/architecture.md "Per-span overhead").
   */
  traceIds: string[];
  traceOf: number[];
  spanIds: string[];
  /** Per span: its parent id ('' for a root). */
  parents: string[];
  /** The strings the columns below name by index, each once a batch. */
  strings: string[];
  /** Root spans: span index, name (a string index), start. */
  rootSpan: number[];
  rootName: number[];
  rootStart: Float64Array;
  /** Tracked key values on spans, ascending by span: span index, key index (into the tracked keys), value (a string index). */
  valSpan: number[];
  valKey: number[];
  valText: number[];
  calls: CallColumns;
  /** Tool call spans (only when asked for, `toolCalls`): span index, and its identity (toolCallKey). */
  toolSpan: number[];
  toolKey: string[];
}

/** Model call candidates (count-once decides which count); `readCall` makes each one's record. */
export interface CallColumns {
  /** Per candidate: its span's index in the batch. */
  span: number[];
  /** Per candidate: CALL_* bits. */
  flags: number[];
  /** Per candidate inside the window: CALL_NUMBERS numbers (NUM_* order). */
  numbers: Float64Array;
  /** Per candidate inside the window: CALL_REFS indices (REF_* order) into the batch's strings, resources and reasons; −1 for none. */
  refs: number[];
  /** The resources' tracked values, each once a batch. */
  resources: TrackedValues[];
  /** Finish reason lists (`stats`), each distinct list once a batch. */
  reasons: string[][];
}

/** The candidate is inside the window (it has numbers and refs). */
export const CALL_IN_WINDOW = 1;
/** The span carries usage (count-once). */
export const CALL_USAGE = 2;
/** The span is a model span (count-once). */
export const CALL_MODEL = 4;
/** A model span without usage: a call with no tokens. */
export const CALL_NO_USAGE = 8;
const CALL_UNPRICED = 16;
const CALL_TTFT = 32;
const CALL_REPORTED_COST = 64;

const NUM_START = 0;
const NUM_INPUT = 1;
const NUM_OUTPUT = 2;
const NUM_CACHE_READ = 3;
const NUM_CACHE_WRITE = 4;
const NUM_REASONING = 5;
const NUM_COST = 6;
const NUM_DURATION = 7;
const NUM_TTFT = 8;
const NUM_REPORTED_COST = 9;
const CALL_NUMBERS = 10;

const REF_ENTRY = 0;
const REF_MODEL = 1;
const REF_PROVIDER = 2;
const REF_OPERATION = 3;
const REF_SERVICE = 4;
const REF_ERROR_TYPE = 5;
const REF_RESOURCE = 6;
const REF_REASONS = 7;
const CALL_REFS = 8;

/** A call inside the window, as FactsBuilder hands it to the writer. */
export interface CallInput {
  startMs: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** USD; null when unpriced. */
  cost: number | null;
  durationMs: number;
  ttftMs: number | undefined;
  reportedCost: number | undefined;
  entry: string | undefined;
  model: string;
  provider: string;
  operation: string;
  service: string;
  errorType: string | undefined;
  resource: TrackedValues | undefined;
  finishReasons: string[] | undefined;
}

/** Builds one batch's CostFacts; each string, resource and reason list is stored once. */
export class FactsWriter {
  private readonly traceIds: string[] = [];
  private readonly traceOf: number[] = [];
  private readonly spanIds: string[] = [];
  private readonly parents: string[] = [];
  private readonly strings: string[] = [];
  private readonly rootSpan: number[] = [];
  private readonly rootName: number[] = [];
  private readonly rootStart: number[] = [];
  private readonly valSpan: number[] = [];
  private readonly valKey: number[] = [];
  private readonly valText: number[] = [];
  private readonly toolSpan: number[] = [];
  private readonly toolKey: string[] = [];
  private readonly callSpan: number[] = [];
  private readonly callFlags: number[] = [];
  private readonly callNumbers: number[] = [];
  private readonly callRefs: number[] = [];
  private readonly resources: TrackedValues[] = [];
  private readonly reasonLists: string[][] = [];
  private readonly traceIndex = new Map<string, number>();
  private readonly stringIndex = new Map<string, number>();
  private readonly resourceIndex = new Map<TrackedValues, number>();
  private readonly reasonIndex = new Map<string, number>();
  private lastTrace = '';
  private lastTraceIndex = -1;

  /** Spans so far: the next span's index. */
  get spans(): number {
    return this.spanIds.length;
  }

  span(traceId: string, spanId: string, parent: string): void {
    // Spans of one trace mostly come together (grouped by resource and scope).
    if (traceId !== this.lastTrace || this.lastTraceIndex < 0) {
      this.lastTrace = traceId;
      let t = this.traceIndex.get(traceId);
      if (t === undefined) {
        t = this.traceIds.push(traceId) - 1;
        this.traceIndex.set(traceId, t);
      }
      this.lastTraceIndex = t;
    }
    this.traceOf.push(this.lastTraceIndex);
    this.spanIds.push(spanId);
    this.parents.push(parent);
  }

  root(span: number, name: string, startMs: number): void {
    this.rootSpan.push(span);
    this.rootName.push(this.string(name));
    this.rootStart.push(startMs);
  }

  vals(span: number, vals: TrackedValues): void {
    for (let k = 0; k < vals.length; k++) {
      const v = vals[k];
      if (v === undefined) continue;
      this.valSpan.push(span);
      this.valKey.push(k);
      this.valText.push(this.string(v));
    }
  }

  tool(span: number, key: string): void {
    this.toolSpan.push(span);
    this.toolKey.push(key);
  }

  /** A candidate outside the window: count-once still needs its flags. */
  callOutside(span: number, flags: number): void {
    this.callSpan.push(span);
    this.callFlags.push(flags);
  }

  callInside(span: number, flags: number, c: CallInput): void {
    if (c.cost === null) flags |= CALL_UNPRICED;
    if (c.ttftMs !== undefined) flags |= CALL_TTFT;
    if (c.reportedCost !== undefined) flags |= CALL_REPORTED_COST;
    this.callSpan.push(span);
    this.callFlags.push(flags | CALL_IN_WINDOW);
    // In NUM_* order.
    this.callNumbers.push(c.startMs, c.input, c.output, c.cacheRead, c.cacheWrite, c.reasoning, c.cost ?? 0, c.durationMs, c.ttftMs ?? 0, c.reportedCost ?? 0);
    // In REF_* order.
    this.callRefs.push(
      this.optional(c.entry),
      this.string(c.model),
      this.string(c.provider),
      this.string(c.operation),
      this.string(c.service),
      this.optional(c.errorType),
      this.resource(c.resource),
      this.reasons(c.finishReasons),
    );
  }

  finish(): CostFacts {
    return {
      traceIds: this.traceIds,
      traceOf: this.traceOf,
      spanIds: this.spanIds,
      parents: this.parents,
      strings: this.strings,
      rootSpan: this.rootSpan,
      rootName: this.rootName,
      rootStart: Float64Array.from(this.rootStart),
      valSpan: this.valSpan,
      valKey: this.valKey,
      valText: this.valText,
      calls: { span: this.callSpan, flags: this.callFlags, numbers: Float64Array.from(this.callNumbers), refs: this.callRefs, resources: this.resources, reasons: this.reasonLists },
      toolSpan: this.toolSpan,
      toolKey: this.toolKey,
    };
  }

  private string(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.push(s) - 1;
      this.stringIndex.set(s, i);
    }
    return i;
  }

  private optional(s: string | undefined): number {
    return s === undefined ? -1 : this.string(s);
  }

  private resource(v: TrackedValues | undefined): number {
    if (v === undefined) return -1;
    let i = this.resourceIndex.get(v);
    if (i === undefined) {
      i = this.resources.push(v) - 1;
      this.resourceIndex.set(v, i);
    }
    return i;
  }

  private reasons(list: string[] | undefined): number {
    if (list === undefined) return -1;
    // JSON of a string list names it exactly (a joined key could not tell ["a,b"] from ["a","b"]).
    const key = JSON.stringify(list);
    let i = this.reasonIndex.get(key);
    if (i === undefined) {
      i = this.reasonLists.push(list) - 1;
      this.reasonIndex.set(key, i);
    }
    return i;
  }
}

/**
 * The CallRecord of the `k`-th candidate inside the window (counting those with
 * CALL_IN_WINDOW), its strings from `strings` (the batch's, or those interned). Always the same
 * keys in one order: one object shape for every record.
 */
export function readCall(c: CallColumns, k: number, flags: number, strings: readonly string[]): CallRecord {
  const n = c.numbers;
  const o = k * CALL_NUMBERS;
  const r = k * CALL_REFS;
  const refs = c.refs;
  const entry = refs[r + REF_ENTRY]!;
  const errorType = refs[r + REF_ERROR_TYPE]!;
  const resource = refs[r + REF_RESOURCE]!;
  const reasons = refs[r + REF_REASONS]!;
  const call: CallRecord = {
    startMs: n[o + NUM_START]!,
    usage: { input: n[o + NUM_INPUT]!, output: n[o + NUM_OUTPUT]!, cacheRead: n[o + NUM_CACHE_READ]!, cacheWrite: n[o + NUM_CACHE_WRITE]!, reasoning: n[o + NUM_REASONING]! },
    cost: flags & CALL_UNPRICED ? null : n[o + NUM_COST]!,
    entry: entry < 0 ? undefined : strings[entry],
    model: strings[refs[r + REF_MODEL]!]!,
    provider: strings[refs[r + REF_PROVIDER]!]!,
    operation: strings[refs[r + REF_OPERATION]!]!,
    service: strings[refs[r + REF_SERVICE]!]!,
    durationMs: n[o + NUM_DURATION]!,
    errorType: errorType < 0 ? undefined : strings[errorType],
    ttftMs: flags & CALL_TTFT ? n[o + NUM_TTFT]! : undefined,
    finishReasons: reasons < 0 ? undefined : c.reasons[reasons],
    reportedCost: flags & CALL_REPORTED_COST ? n[o + NUM_REPORTED_COST]! : undefined,
    resource: resource < 0 ? undefined : c.resources[resource],
  };
  if (flags & CALL_NO_USAGE) call.noUsage = true;
  return call;
}

/**
 * The tracked values of the span at `f.valSpan[at]` and the entries after it of the same span,
 * as an array of `tracked` slots (holes where absent), as FactsBuilder read them; and the
 * position after them.
 */
export function valsOf(f: CostFacts, at: number, tracked: number, strings: readonly string[]): [TrackedValues, number] {
  const span = f.valSpan[at]!;
  const vals = new Array<string | undefined>(tracked);
  for (; at < f.valSpan.length && f.valSpan[at] === span; at++) vals[f.valKey[at]!] = strings[f.valText[at]!];
  return [vals, at];
}

/**
 * The disk side of cost attribution (docs/architecture.md, "Exact at any order"): whole traces
 * evicted from memory, and the spans of theirs that arrive afterwards, in files partitioned by
 * trace id. After the input ends each partition that holds unfinished work is read back, its
 * traces rebuilt and handed to the Attributor; partitions larger than the budget are split
 * first, so the memory needed to finish never exceeds it. Partitions holding only traces
 * finished before eviction (the common case for time-ordered input) are deleted unread.
 */
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import type { SpanRecord, TraceRecord } from './attribution.js';
import type { CallRecord } from './facts.js';

/** How a trace stood when it was evicted. */
export type EvictedState = 'decided' | 'reopened' | 'open';

export interface SpilledTrace {
  traceId: string;
  spans: Map<string, TraceRecord>;
  decided: boolean;
  reopened: boolean;
  /** Records of a span id already read (the same span read twice). */
  duplicates: number;
}

export interface TraceSpillOptions {
  parent?: string;
  /** The budget a partition must fit in when read back (bytes of text; records take ~2× in memory). */
  memoryBytes: number;
  /** Number of partitions (default 64). */
  partitions?: number;
}

/** A call as an array: shorter text, and faster to write and parse than an object with keys. */
type EncodedCall = [
  startMs: number, input: number, output: number, cacheRead: number, cacheWrite: number, reasoning: number,
  noUsage: 0 | 1, cost: number | null, entry: string | 0, model: string, provider: string, operation: string, service: string,
  resource: Array<string | null | undefined> | 0, durationMs: number, errorType: string | 0, ttftMs: number | 0 | null, finishReasons: string[] | 0,
  reportedCost?: number | null,
];

type Encoded = string | [parent: string, vals: Array<string | null | undefined> | 0, call: EncodedCall | null | 0, usage: 0 | 1, model: 0 | 1, root: SpanRecord['root'] | 0, late: 0 | 1, tool?: string];

function encodeCall(c: CallRecord): EncodedCall {
  const u = c.usage;
  return [
    c.startMs, u.input, u.output, u.cacheRead, u.cacheWrite, u.reasoning, c.noUsage ? 1 : 0, c.cost, c.entry ?? 0, c.model, c.provider, c.operation, c.service, c.resource ?? 0,
    // A TTFT of 0 ms is a value: absence is null (JSON has no undefined).
    c.durationMs, c.errorType ?? 0, c.ttftMs ?? null, c.finishReasons ?? 0, c.reportedCost ?? null,
  ];
}

function decodeCall(e: EncodedCall): CallRecord {
  const [startMs, input, output, cacheRead, cacheWrite, reasoning, noUsage, cost, entry, model, provider, operation, service, resource, durationMs, errorType, ttftMs, finishReasons, reportedCost] = e;
  // The same keys as a record made by FactsBuilder: one object shape.
  const call: CallRecord = {
    startMs,
    usage: { input, output, cacheRead, cacheWrite, reasoning },
    cost,
    model,
    provider,
    operation,
    service,
    durationMs,
    errorType: errorType === 0 ? undefined : errorType,
    ttftMs: typeof ttftMs === 'number' ? ttftMs : undefined,
    finishReasons: finishReasons === 0 ? undefined : finishReasons,
    reportedCost: typeof reportedCost === 'number' ? reportedCost : undefined,
  };
  if (noUsage === 1) call.noUsage = true;
  if (entry !== 0) call.entry = entry;
  if (resource !== 0) call.resource = holes(resource);
  return call;
}

function encode(r: TraceRecord): Encoded {
  if (typeof r === 'string') return r;
  const e: Encoded = [r.parent, r.vals ?? 0, r.call === undefined ? 0 : r.call === null ? null : encodeCall(r.call), r.usage ? 1 : 0, r.model ? 1 : 0, r.root ?? 0, r.late ? 1 : 0];
  if (r.tool !== undefined) e.push(r.tool);
  return e;
}

function decode(e: Encoded, late: boolean): TraceRecord {
  if (typeof e === 'string') return late ? { parent: e, vals: undefined, call: undefined, usage: false, model: false, root: undefined, late } : e;
  const [parent, vals, call, usage, model, root, wasLate, tool] = e;
  return {
    tool,
    parent,
    vals: vals === 0 ? undefined : holes(vals),
    call: call === 0 ? undefined : call === null ? null : decodeCall(call),
    usage: usage === 1,
    model: model === 1,
    root: root === 0 ? undefined : root,
    late: late || wasLate === 1,
  };
}

/** JSON turns the holes of a sparse array into null; a value absent is undefined again. */
function holes(vals: ReadonlyArray<string | null | undefined>): Array<string | undefined> {
  return vals.map((v) => v ?? undefined);
}

/** A whole trace as one line of text: how a decided trace waits in memory, and how traces go to disk. */
export function encodeTrace(spans: Map<string, TraceRecord>, state: EvictedState): string {
  const records: Array<[string, Encoded]> = [];
  for (const [id, r] of spans) records.push([id, encode(r)]);
  return JSON.stringify({ s: state, r: records });
}

/** The records of a trace encoded by encodeTrace (duplicates cannot occur: it came from a Map). */
export function decodeTrace(text: string): Map<string, TraceRecord> {
  const value = JSON.parse(text) as { s: EvictedState; r: Array<[string, Encoded]> };
  const spans = new Map<string, TraceRecord>();
  for (const [id, e] of value.r) spans.set(id, decode(e, false));
  return spans;
}

export class TraceSpill {
  private readonly dir: SpillDir;
  private readonly parts: Partitions;
  /** Per partition: traces or spans that still need deciding (0: delete unread). */
  private readonly work: Uint32Array;

  constructor(private readonly opts: TraceSpillOptions) {
    this.dir = SpillDir.create(opts.parent);
    const count = opts.partitions ?? 64;
    this.parts = new Partitions(this.dir, { count, name: 'traces' });
    this.work = new Uint32Array(count);
  }

  get bytesWritten(): number {
    return this.parts.written;
  }

  /** A whole trace leaving memory, as encodeTrace made it with this `state`. */
  write(traceId: string, text: string, state: EvictedState): void {
    this.parts.add(traceId, text);
    if (state !== 'decided') this.work[this.parts.partition(traceId)]!++;
  }

  /** One more span of a trace already on disk. */
  append(traceId: string, spanId: string, r: TraceRecord): void {
    // Most spans are a parent link between two hex ids (the decoders make them so): no
    // escaping needed, and no array to build for JSON.stringify.
    const text = typeof r === 'string' ? `["${spanId}","${r}"]` : JSON.stringify([spanId, encode(r)]);
    this.parts.add(traceId, text);
    this.work[this.parts.partition(traceId)]!++;
  }

  /** Reads back every partition with work and hands each of its traces over, complete. */
  finish(onTrace: (t: SpilledTrace) => void): void {
    this.parts.close();
    for (let i = 0; i < this.parts.count; i++) {
      if (this.work[i] === 0) this.parts.drop(i);
      // Text takes about twice its size once parsed into records.
      else for (const group of this.parts.groups(i, this.opts.memoryBytes / 2)) this.finishGroup(group, onTrace);
    }
  }

  private finishGroup(group: Iterable<[string, string]>, onTrace: (t: SpilledTrace) => void): void {
    const traces = new Map<string, SpilledTrace>();
    for (const [traceId, payload] of group) {
      const value = JSON.parse(payload) as { s: EvictedState; r: Array<[string, Encoded]> } | [string, Encoded];
      let t = traces.get(traceId);
      if (!Array.isArray(value)) {
        // An evicted block: records appended before it (none, normally) keep their order.
        t ??= { traceId, spans: new Map(), decided: false, reopened: false, duplicates: 0 };
        traces.set(traceId, t);
        t.decided = value.s !== 'open';
        t.reopened = value.s === 'reopened';
        for (const [id, e] of value.r) add(t, id, decode(e, false));
        continue;
      }
      t ??= { traceId, spans: new Map(), decided: false, reopened: false, duplicates: 0 };
      traces.set(traceId, t);
      // A span arriving for a trace decided before eviction is late: the decision is redone.
      if (t.decided) t.reopened = true;
      add(t, value[0], decode(value[1], t.decided));
    }
    for (const t of traces.values()) onTrace(t);
  }

  remove(): void {
    this.dir.remove();
  }
}

function add(t: SpilledTrace, id: string, r: TraceRecord): void {
  if (t.spans.has(id)) t.duplicates++;
  else t.spans.set(id, r);
}

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
import type { TraceRecord } from './attribution.js';
import { earlyRecords, resolveCopies } from './trace-records.js';
import { RecordReader, RecordWriter } from './record-codec.js';

/** How a trace stood when it was evicted. */
export type EvictedState = 'decided' | 'reopened' | 'open';

export interface SpilledTrace {
  traceId: string;
  spans: Map<string, TraceRecord>;
  decided: boolean;
  reopened: boolean;
  /** Records of a span id already read (the same span read twice, or differing copies). */
  duplicates: number;
  /** When a copy read back replaced a record of a decided trace: the records it was decided from. */
  early?: Map<string, TraceRecord>;
}

export interface TraceSpillOptions {
  parent?: string;
  /** The budget a partition must fit in when read back (bytes of text; records take ~2× in memory). */
  memoryBytes: number;
  /** Number of partitions (default 64). */
  partitions?: number;
}

const BLOCK = 0x42; // a whole trace, with how it stood
const APPENDED = 0x41; // one span of a trace already on disk
const STATES: readonly EvictedState[] = ['decided', 'reopened', 'open'];

// One thread, used synchronously: its buffer is reused by every payload.
const writer = new RecordWriter();

/** A whole trace as one payload: how a decided trace waits in memory, and how traces go to disk. */
export function encodeTrace(spans: Map<string, TraceRecord>, state: EvictedState): string {
  writer.begin();
  writer.byte(BLOCK);
  writer.byte(STATES.indexOf(state));
  writer.varint(spans.size);
  for (const [id, r] of spans) writer.record(id, r);
  return writer.end();
}

/** The records of a trace encoded by encodeTrace (duplicates cannot occur: it came from a Map). */
export function decodeTrace(text: string): Map<string, TraceRecord> {
  const reader = new RecordReader(text);
  if (reader.byte() !== BLOCK) throw new Error('trace record: not a trace');
  reader.byte();
  return readBlock(reader);
}

function readBlock(reader: RecordReader): Map<string, TraceRecord> {
  const spans = new Map<string, TraceRecord>();
  for (let n = reader.varint(); n > 0; n--) {
    const [id, r] = reader.record(false);
    spans.set(id, r);
  }
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
    writer.begin();
    writer.byte(APPENDED);
    writer.record(spanId, r);
    this.parts.add(traceId, writer.end());
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
      const reader = new RecordReader(payload);
      const kind = reader.byte();
      let t = traces.get(traceId);
      t ??= { traceId, spans: new Map(), decided: false, reopened: false, duplicates: 0 };
      traces.set(traceId, t);
      if (kind === BLOCK) {
        // An evicted block: records appended before it (none, normally) keep their order.
        const state = STATES[reader.byte()];
        t.decided = state !== 'open';
        t.reopened = state === 'reopened';
        for (const [id, r] of readBlock(reader)) add(t, id, r);
        continue;
      }
      if (kind !== APPENDED) throw new Error('trace record: unknown kind');
      // A span arriving for a trace decided before eviction is late: the decision is redone.
      if (t.decided) t.reopened = true;
      const [id, r] = reader.record(t.decided);
      add(t, id, r);
    }
    for (const t of traces.values()) onTrace(t);
  }

  remove(): void {
    this.dir.remove();
  }
}

function add(t: SpilledTrace, id: string, r: TraceRecord): void {
  const held = t.spans.get(id);
  if (held === undefined) {
    t.spans.set(id, r);
    return;
  }
  t.duplicates++;
  const kept = resolveCopies(held, r);
  if (kept === undefined) return;
  // The early decision's take-back needs the records it was made from.
  if ((kept.replaced || kept.newlyDiffering) && t.decided) t.early ??= earlyRecords(t.spans);
  t.spans.set(id, kept.record);
}

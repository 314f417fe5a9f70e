/**
 * Collects what `tree` prints — whole traces, their spans and log events — in bounded memory,
 * and hands them out rendered in the order `tree` prints them: by earliest span start, ties by
 * id. The output never depends on the budget (docs/architecture.md, "Exact at any order"):
 *
 * - While the spans held fit in `memoryBytes`, everything stays in memory and traces are
 *   rendered one by one straight to the output, each released once written.
 * - Beyond it, whole traces (the quietest first; never the largest, see spillToBudget) are
 *   written to spill files partitioned by trace id (the shared spill/partitions.ts, as `cost`
 *   does) and their later spans and log events follow them there, so every trace is either
 *   wholly in memory or wholly on disk. What stays in memory for every trace is its earliest
 *   start (TraceStarts, ~40 bytes).
 * - At the end, the traces still in memory and then each partition in turn (split first when
 *   too large to read back within the budget) are assembled and rendered into one temporary
 *   file, each trace's output at a recorded offset; the output is that file's pieces read back
 *   in trace order. A partition holds traces from anywhere in the order, so rendering
 *   partition by partition and printing by offset is what keeps a single read of each.
 *
 * Spans go to disk with span-codec.ts, which keeps every field exactly. Temporary files are
 * removed at the end, on errors and on Ctrl-C (SpillDir).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { SpanLogEvent } from '../otlp/decode-result.js';
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import { KvList, type AttrValue, type Attributes, type Span } from '../span.js';
import { decodeTraceLine, encodeTraceLine } from './span-codec.js';
import { TraceIdSet } from './trace-id-set.js';
import { TraceStarts } from './trace-starts.js';

export interface TreeCollectorOptions {
  /** Traces to keep (`--trace` prefix, `--last` selection); default all. */
  accept?: (traceId: string) => boolean;
  /** Estimated bytes of spans held in memory before whole traces spill to disk (default: no limit). */
  memoryBytes?: number;
  /** Where the spill directory is made (default: LLMTRACE_TMPDIR or TMPDIR). */
  spillParent?: string;
  /** Number of spill partitions (default 64). */
  partitions?: number;
}

/** One trace as read: its spans and log events in arrival order. */
export interface CollectedTrace {
  traceId: string;
  spans: Span[];
  logEvents: SpanLogEvent[];
}

interface Held {
  spans: Span[];
  logs: SpanLogEvent[] | undefined;
  bytes: number;
  /** When it last got a span or event (eviction takes the quietest first). */
  seq: number;
}

/** Estimated heap bytes of a trace's entry and of a log event. */
const TRACE_BYTES = 200;
const LOG_BYTES = 160;
/** Spans per spill line: a huge trace is written (and later parsed) in pieces. */
const SPANS_PER_LINE = 1000;
/** Characters of output handed out at a time from memory. */
const PIECE_CHARS = 64 * 1024;
/** Bytes read back from the rendered file at a time. */
const READ_BYTES = 1 << 20;

export class TreeCollector {
  private readonly starts = new TraceStarts();
  private readonly held = new Map<string, Held>();
  private readonly spilled = new TraceIdSet();
  private readonly accept: (traceId: string) => boolean;
  private readonly budget: number;
  private dir: SpillDir | undefined;
  private parts: Partitions | undefined;
  private heldBytes = 0;
  private seq = 0;
  private finished = false;
  /** Traces written to disk (at least in part), and the bytes of spill lines written. */
  spilledTraces = 0;
  spilledBytes = 0;

  constructor(private readonly opts: TreeCollectorOptions = {}) {
    this.accept = opts.accept ?? (() => true);
    this.budget = opts.memoryBytes ?? Infinity;
  }

  /** Traces collected (with at least one span). */
  get size(): number {
    return this.starts.size;
  }

  add(batch: { spans: readonly Span[]; logEvents?: readonly SpanLogEvent[] }): void {
    if (this.finished) throw new Error('TreeCollector: add after output');
    const seq = ++this.seq;
    // Spans and events of traces already on disk, gathered per trace: one line each per batch.
    let toDisk: Map<string, { spans: Span[]; logs: SpanLogEvent[] }> | undefined;
    const disk = (traceId: string) => {
      toDisk ??= new Map();
      let d = toDisk.get(traceId);
      if (d === undefined) toDisk.set(traceId, (d = { spans: [], logs: [] }));
      return d;
    };
    for (const s of batch.spans) {
      if (!this.accept(s.traceId)) continue;
      this.starts.note(s.traceId, s.startTimeUnixNano);
      if (this.parts !== undefined && this.spilled.has(s.traceId)) {
        disk(s.traceId).spans.push(s);
        continue;
      }
      const h = this.hold(s.traceId, seq);
      const bytes = estimateSpanBytes(s);
      h.spans.push(s);
      h.bytes += bytes;
      this.heldBytes += bytes;
    }
    for (const e of batch.logEvents ?? []) {
      if (!this.accept(e.traceId)) continue;
      if (this.parts !== undefined && this.spilled.has(e.traceId)) {
        disk(e.traceId).logs.push(e);
        continue;
      }
      const h = this.hold(e.traceId, seq);
      (h.logs ??= []).push(e);
      h.bytes += LOG_BYTES;
      this.heldBytes += LOG_BYTES;
    }
    if (toDisk !== undefined) for (const [traceId, d] of toDisk as Map<string, { spans: Span[]; logs: SpanLogEvent[] }>) this.write(traceId, d.spans, d.logs);
    if (this.heldBytes > this.budget) this.spillToBudget();
  }

  private hold(traceId: string, seq: number): Held {
    let h = this.held.get(traceId);
    if (h === undefined) {
      this.held.set(traceId, (h = { spans: [], logs: undefined, bytes: TRACE_BYTES, seq }));
      this.heldBytes += TRACE_BYTES;
    }
    h.seq = seq;
    return h;
  }

  /**
   * Writes whole traces to disk, quietest first, until the spans held are under 3/4 of the
   * budget (every trace written is read back and rendered from disk: the less written, the
   * faster; the quarter left makes room for the next batches before the next round). The largest trace held stays: it has to be held whole to be drawn anyway, so writing
   * it out and reading it back would cost time and save no memory at its peak (a dump of one
   * 100k-span agent run is drawn as fast as before, in the same memory). What is held is thus at
   * most the budget plus the largest trace.
   */
  private spillToBudget(): void {
    let largest: Held | undefined;
    for (const h of this.held.values()) if (largest === undefined || h.bytes > largest.bytes) largest = h;
    const target = this.budget * 0.75;
    const byQuiet = [...this.held].sort((a, b) => a[1].seq - b[1].seq);
    for (const [traceId, h] of byQuiet) {
      if (this.heldBytes <= target) break;
      if (h === largest) continue;
      if (this.parts === undefined) {
        this.dir = SpillDir.create(this.opts.spillParent);
        this.parts = new Partitions(this.dir, { count: this.opts.partitions ?? 64, name: 'traces' });
      }
      this.write(traceId, h.spans, h.logs ?? []);
      this.spilled.add(traceId);
      this.spilledTraces++;
      this.held.delete(traceId);
      this.heldBytes -= h.bytes;
    }
  }

  private write(traceId: string, spans: readonly Span[], logs: readonly SpanLogEvent[]): void {
    const parts = this.parts!;
    const before = parts.records;
    for (let i = 0; i < spans.length; i += SPANS_PER_LINE) {
      const last = i + SPANS_PER_LINE >= spans.length;
      parts.add(traceId, encodeTraceLine(spans.slice(i, i + SPANS_PER_LINE), last ? logs : []));
    }
    if (parts.records === before) parts.add(traceId, encodeTraceLine([], logs));
  }

  /**
   * Every collected trace rendered by `render`, in print order, as pieces to write out
   * (strings, or bytes read back from disk); `separator` goes between traces. Call once, after
   * the last add; the collector is spent afterwards (its temporary files are gone).
   */
  async *rendered(render: (t: CollectedTrace) => Iterable<string>, separator = ''): AsyncGenerator<string | Uint8Array> {
    if (this.finished) throw new Error('TreeCollector: output taken twice');
    this.finished = true;
    try {
      if (this.parts === undefined) {
        yield* this.renderedInMemory(render, separator);
      } else {
        yield* this.renderedFromDisk(render, separator);
      }
    } finally {
      this.close();
    }
  }

  private *renderedInMemory(render: (t: CollectedTrace) => Iterable<string>, separator: string): Generator<string> {
    const order = this.starts.ordered();
    // Small pieces (a JSON node each) are joined into larger ones: every piece handed out costs
    // a turn through the async generators above.
    let out = '';
    for (let i = 0; i < order.length; i++) {
      const traceId = this.starts.traceId(order[i]!);
      const h = this.held.get(traceId)!;
      this.held.delete(traceId); // released once written
      if (i > 0) out += separator;
      for (const piece of render({ traceId, spans: h.spans, logEvents: h.logs ?? [] })) {
        out += piece;
        if (out.length >= PIECE_CHARS) {
          yield out;
          out = '';
        }
      }
    }
    if (out) yield out;
    this.held.clear();
    this.heldBytes = 0;
  }

  private async *renderedFromDisk(render: (t: CollectedTrace) => Iterable<string>, separator: string): AsyncGenerator<string | Uint8Array> {
    const parts = this.parts!;
    parts.close();
    this.spilledBytes = parts.written;
    const n = this.starts.size;
    const offsets = new Float64Array(n);
    const lengths = new Float64Array(n);
    const out = new Appender(this.dir!.file('rendered'));
    let renderedTraces = 0;
    const renderOne = (t: CollectedTrace) => {
      if (t.spans.length === 0) return; // log events of a trace that has no span: not shown
      renderedTraces++;
      const at = this.starts.indexOf(t.traceId);
      offsets[at] = out.offset;
      for (const chunk of render(t)) out.write(chunk);
      lengths[at] = out.offset - offsets[at]!;
    };
    try {
      for (const [traceId, h] of this.held) {
        this.held.delete(traceId);
        renderOne({ traceId, spans: h.spans, logEvents: h.logs ?? [] });
      }
      this.heldBytes = 0;
      for (let i = 0; i < parts.count; i++) {
        // Text becomes about twice its size once decoded into Spans.
        for (const group of parts.groups(i, this.budget / 2)) this.renderGroup(group, renderOne);
        // Between partitions: let signals (Ctrl-C) and other events in.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      out.close();
    }
    if (renderedTraces !== n) throw new Error(`tree: ${renderedTraces} of ${n} traces came back from the spill files`);
    const order = this.starts.ordered();
    const fd = openSync(out.file, 'r');
    try {
      for (let i = 0; i < order.length; i++) {
        if (i > 0 && separator) yield separator;
        const at = order[i]!;
        let pos = offsets[at]!;
        const end = pos + lengths[at]!;
        while (pos < end) {
          const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, end - pos));
          let got = 0;
          while (got < buf.length) {
            const r = readSync(fd, buf, got, buf.length - got, pos + got);
            if (r === 0) throw new Error(`tree: the rendered output in ${out.file} ends early`);
            got += r;
          }
          pos += got;
          yield buf;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Renders the traces of one group of a partition read back (Partitions.groups). */
  private renderGroup(group: Iterable<[string, string]>, renderOne: (t: CollectedTrace) => void): void {
    const traces = new Map<string, CollectedTrace>();
    for (const [traceId, payload] of group) {
      const { spans, logs } = decodeTraceLine(traceId, payload);
      let t = traces.get(traceId);
      if (t === undefined) traces.set(traceId, (t = { traceId, spans: [], logEvents: [] }));
      for (const s of spans) t.spans.push(s);
      for (const e of logs) t.logEvents.push(e);
    }
    for (const [traceId, t] of traces) {
      traces.delete(traceId);
      renderOne(t);
    }
  }

  /** Removes the temporary files (done by `rendered`; call it when giving up early). */
  close(): void {
    this.dir?.remove();
  }
}

/** Buffered appends to a file, counting bytes. */
class Appender {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;
  private written = 0;
  private pendingBytes = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  get offset(): number {
    return this.written + this.pendingBytes;
  }

  write(s: string): void {
    this.pending.push(s);
    this.pendingChars += s.length;
    this.pendingBytes += Buffer.byteLength(s);
    if (this.pendingChars >= 256 * 1024) this.flush();
  }

  private flush(): void {
    if (!this.pending.length) return;
    const buf = Buffer.from(this.pending.join(''));
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.written += buf.length;
    this.pending = [];
    this.pendingChars = 0;
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Estimated heap bytes of a decoded span: the object and its id strings, plus its attributes,
 * events and links (resource and scope are shared by a batch's spans and not counted). Measured
 * against the heap holding the 100k spans of a generated benchmark dump: within 10%.
 */
export function estimateSpanBytes(s: Span): number {
  let b = 480 + s.name.length + s.status.message.length + s.traceState.length + attrsBytes(s.attributes);
  for (const e of s.events) b += 120 + e.name.length + attrsBytes(e.attributes);
  for (const l of s.links) b += 200 + l.traceState.length + attrsBytes(l.attributes);
  return b;
}

function attrsBytes(a: Attributes): number {
  let b = 0;
  for (const key in a) b += 56 + valueBytes(a[key]!);
  return b;
}

function valueBytes(v: AttrValue): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'string':
      return 16 + v.length;
    case 'boolean':
      return 0;
    case 'number':
      return 16;
    case 'bigint':
      return 24;
  }
  if (v instanceof Uint8Array) return 96 + v.byteLength;
  if (v instanceof KvList) {
    let b = 48;
    for (const [k, x] of v.entries) b += 32 + k.length + valueBytes(x);
    return b;
  }
  let b = 32;
  for (const x of v) b += 8 + valueBytes(x);
  return b;
}

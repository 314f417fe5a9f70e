/**
 * Every trace seen and its earliest span start, in about 40 bytes a trace: what `tree` keeps of
 * each trace to put its output in order (oldest first, ties by id) without holding the trace —
 * `--last N` reads its input once keeping only this, and a spilling run keeps it beside the
 * traces on disk. Each trace gets a dense number (0, 1, … in order of first sight); an id of 32
 * lowercase hex digits (what the decoders produce) is kept as its 128 bits, anything else as a
 * string; starts are 64-bit. A Map<string, bigint> would take ~150 bytes a trace.
 */
import { timeKnown } from '../span.js';
import { packTraceId } from './trace-id-set.js';

const INITIAL = 1024;

/**
 * The earlier of a trace's start so far and a span's start, where 0 is a start never set (OTLP's
 * zero value): an unset start is unknown, not 1970, and never the trace's start while any span
 * has one (docs/architecture.md, "Unset span times").
 */
export function earliestKnownStart(soFar: bigint, start: bigint): bigint {
  return soFar === 0n || (timeKnown(Number(start)) && start < soFar) ? start : soFar;
}

export class TraceStarts {
  /** Per dense number: the id's 4 words (all zero: the id is in `others`), its earliest start. */
  private words = new Uint32Array(INITIAL * 4);
  private starts = new BigUint64Array(INITIAL);
  /** Open addressing over packed ids: dense number + 1 (0 empty), at most half full. */
  private table = new Int32Array(INITIAL * 2);
  private readonly others = new Map<string, number>();
  private readonly otherIds = new Map<number, string>();
  private count = 0;
  private readonly id = new Uint32Array(4);

  /** Traces seen. */
  get size(): number {
    return this.count;
  }

  /** Notes a span of `traceId` starting at `startNs`; returns the trace's dense number. */
  note(traceId: string, startNs: bigint): number {
    let n = this.indexOf(traceId);
    if (n < 0) {
      n = this.insert(traceId);
      this.starts[n] = startNs;
    } else {
      this.starts[n] = earliestKnownStart(this.starts[n]!, startNs);
    }
    return n;
  }

  /** The trace's dense number, or -1 when it was never noted. */
  indexOf(traceId: string): number {
    if (!this.pack(traceId)) return this.others.get(traceId) ?? -1;
    const slot = this.find();
    return slot < 0 ? -1 : this.table[slot]! - 1;
  }

  has(traceId: string): boolean {
    return this.indexOf(traceId) >= 0;
  }

  /** The id of dense number n. */
  traceId(n: number): string {
    const other = this.otherIds.get(n);
    if (other !== undefined) return other;
    let s = '';
    for (let w = 0; w < 4; w++) s += this.words[n * 4 + w]!.toString(16).padStart(8, '0');
    return s;
  }

  start(n: number): bigint {
    return this.starts[n]!;
  }

  /**
   * Dense numbers ordered by earliest start, ties by id (`localeCompare`, as `tree` always
   * ordered them), oldest first.
   */
  ordered(): Uint32Array {
    const n = this.count;
    // Starts split into exact 32-bit halves once, so comparing allocates no BigInts.
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const words = new Uint32Array(this.starts.buffer, 0, n * 2);
    // Little- or big-endian, the same typed view of the platform's layout decides which half is high.
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    for (let i = 0; i < n; i++) {
      hi[i] = words[i * 2 + (little ? 1 : 0)]!;
      lo[i] = words[i * 2 + (little ? 0 : 1)]!;
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => {
      if (hi[a] !== hi[b]) return hi[a]! < hi[b]! ? -1 : 1;
      if (lo[a] !== lo[b]) return lo[a]! < lo[b]! ? -1 : 1;
      return this.traceId(a).localeCompare(this.traceId(b));
    });
  }

  private insert(traceId: string): number {
    const n = this.count++;
    if (n === this.starts.length) this.growDense();
    if (!this.pack(traceId)) {
      this.others.set(traceId, n);
      this.otherIds.set(n, traceId);
      return n;
    }
    this.words.set(this.id, n * 4);
    if ((n + 1) * 2 > this.table.length) this.growTable();
    this.place(n);
    return n;
  }

  private growDense(): void {
    const words = new Uint32Array(this.words.length * 2);
    words.set(this.words);
    this.words = words;
    const starts = new BigUint64Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
  }

  private growTable(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    for (let s = 0; s < old.length; s++) if (old[s]! > 0) this.place(old[s]! - 1);
  }

  /** Puts dense number n (a packed id, known absent) in its slot. */
  private place(n: number): void {
    const mask = this.table.length - 1;
    const w = this.words;
    let s = slotOf(w[n * 4]!, w[n * 4 + 1]!, w[n * 4 + 2]!, w[n * 4 + 3]!, mask);
    while (this.table[s] !== 0) s = (s + 1) & mask;
    this.table[s] = n + 1;
  }

  /** The slot holding `this.id`, or -1. */
  private find(): number {
    const { table, words, id } = this;
    const mask = table.length - 1;
    for (let s = slotOf(id[0]!, id[1]!, id[2]!, id[3]!, mask); ; s = (s + 1) & mask) {
      const e = table[s]!;
      if (e === 0) return -1;
      const p = (e - 1) * 4;
      if (words[p] === id[0] && words[p + 1] === id[1] && words[p + 2] === id[2] && words[p + 3] === id[3]) return s;
    }
  }

  private pack(traceId: string): boolean {
    return packTraceId(traceId, this.id);
  }
}

function slotOf(a: number, b: number, c: number, d: number, mask: number): number {
  // Trace ids are random: mixing their words is enough to spread them.
  return (Math.imul(a ^ c, 0x9e3779b1) ^ b ^ d) & mask;
}

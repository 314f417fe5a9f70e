/**
 * The Attributor's trace records as bytes, for the text of a decided trace waiting for a late
 * span and for spill files (trace-spill.ts). A decided trace is encoded on the common path
 * (time-ordered input decides every trace early and sends most to disk), so this is built for
 * writing: numbers as their IEEE-754 bytes (exact, no number-to-text), hex ids packed two
 * characters a byte, repeated strings once a payload. The bytes travel as base64: a spill line
 * holds no newline or space (docs/architecture.md "Trace records as bytes").
 */
import type { SpanRecord, TraceRecord } from './attribution.js';
import type { CallRecord, TrackedValues } from './facts.js';

// First flag byte of a record (after its id and parent).
const OBJECT = 1;
const USAGE = 2;
const MODEL = 4;
const LATE = 8;
const VALS = 16;
const ROOT = 32;
const TOOL = 64;
const DIFFERING = 128;
// Second flag byte, of an object record: its call.
const CALL = 1;
const CALL_NULL = 2;
const NO_USAGE = 4;
const UNPRICED = 8;
const TTFT = 16;
const REPORTED_COST = 32;

// Id tags.
const ID_EMPTY = 0;
const ID_HEX = 1;
const ID_TEXT = 2;

// String references: none, a new string (its text follows), or 2 + the index of one seen before.
const REF_NONE = 0;
const REF_NEW = 1;

export class RecordWriter {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);
  private readonly seen = new Map<string, number>();

  /** Starts a payload. */
  begin(): void {
    this.pos = 0;
    this.seen.clear();
  }

  /** The payload written since begin(), as text. */
  end(): string {
    return this.buf.toString('base64', 0, this.pos);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    this.room(5);
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  record(id: string, r: TraceRecord): void {
    this.id(id);
    if (typeof r === 'string') {
      this.id(r);
      this.byte(0);
      return;
    }
    this.id(r.parent);
    const flags = OBJECT | (r.usage ? USAGE : 0) | (r.model ? MODEL : 0) | (r.late ? LATE : 0) | (r.vals ? VALS : 0) | (r.root ? ROOT : 0) | (r.tool !== undefined ? TOOL : 0) | (r.differing ? DIFFERING : 0);
    this.byte(flags);
    const c = r.call;
    this.byte(c === undefined ? 0 : c === null ? CALL_NULL : CALL | (c.noUsage ? NO_USAGE : 0) | (c.cost === null ? UNPRICED : 0) | (c.ttftMs !== undefined ? TTFT : 0) | (c.reportedCost !== undefined ? REPORTED_COST : 0));
    if (r.vals) this.list(r.vals);
    if (r.root) {
      this.ref(r.root[0]);
      this.number(r.root[1]);
    }
    if (r.tool !== undefined) this.ref(r.tool);
    if (c) this.call(c);
  }

  private call(c: CallRecord): void {
    const u = c.usage;
    this.number(c.startMs);
    this.number(u.input);
    this.number(u.output);
    this.number(u.cacheRead);
    this.number(u.cacheWrite);
    this.number(u.reasoning);
    if (c.cost !== null) this.number(c.cost);
    this.number(c.durationMs);
    if (c.ttftMs !== undefined) this.number(c.ttftMs);
    if (c.reportedCost !== undefined) this.number(c.reportedCost);
    this.ref(c.entry);
    this.ref(c.model);
    this.ref(c.provider);
    this.ref(c.operation);
    this.ref(c.service);
    this.ref(c.errorType);
    this.optionalList(c.resource);
    this.optionalList(c.finishReasons);
  }

  private number(n: number): void {
    this.room(8);
    this.f64[0] = n;
    const b = this.f64Bytes;
    for (let i = 0; i < 8; i++) this.buf[this.pos++] = b[i]!;
  }

  private optionalList(list: ReadonlyArray<string | undefined> | undefined): void {
    if (list === undefined) this.varint(0);
    else this.list(list, 1);
  }

  /** A list's length (plus `offset`) and its entries, holes as none. */
  private list(list: ReadonlyArray<string | undefined>, offset = 0): void {
    this.varint(list.length + offset);
    for (let i = 0; i < list.length; i++) this.ref(list[i]);
  }

  private ref(s: string | undefined): void {
    if (s === undefined) {
      this.byte(REF_NONE);
      return;
    }
    const at = this.seen.get(s);
    if (at !== undefined) {
      this.varint(at + 2);
      return;
    }
    this.seen.set(s, this.seen.size);
    this.byte(REF_NEW);
    this.text(s);
  }

  /** Span ids are mostly lowercase hex of even length (the decoders make them so): a byte per two characters. */
  private id(s: string): void {
    const n = s.length;
    if (n === 0) {
      this.byte(ID_EMPTY);
      return;
    }
    if (n % 2 === 0 && n <= 510) {
      this.room(2 + n / 2);
      const start = this.pos;
      this.buf[this.pos++] = ID_HEX;
      this.buf[this.pos++] = n / 2;
      let i = 0;
      for (; i < n; i += 2) {
        const hi = hexValue(s.charCodeAt(i));
        const lo = hexValue(s.charCodeAt(i + 1));
        if (hi < 0 || lo < 0) break;
        this.buf[this.pos++] = (hi << 4) | lo;
      }
      if (i === n) return;
      this.pos = start;
    }
    this.byte(ID_TEXT);
    this.text(s);
  }

  /** ASCII a byte a character; anything else as UTF-16 code units, so a lone surrogate comes back as it was. */
  private text(s: string): void {
    const n = s.length;
    this.room(5 + n * 2);
    let i = 0;
    for (; i < n && s.charCodeAt(i) < 0x80; i++);
    if (i === n) {
      this.varint(n * 2);
      for (let k = 0; k < n; k++) this.buf[this.pos++] = s.charCodeAt(k);
      return;
    }
    this.varint(n * 2 + 1);
    this.pos += this.buf.write(s, this.pos, n * 2, 'utf16le');
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Reads what RecordWriter wrote; a payload that is not such bytes throws (our own files: a bug). */
export class RecordReader {
  private readonly buf: Buffer;
  private pos = 0;
  private readonly seen: string[] = [];
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);

  constructor(payload: string) {
    this.buf = Buffer.from(payload, 'base64');
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('trace record: truncated');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
  }

  /** One record; `late` marks it late whatever it said (a span that came after its trace was decided). */
  record(late: boolean): [id: string, record: TraceRecord] {
    const id = this.id();
    const parent = this.id();
    const flags = this.byte();
    if (!(flags & OBJECT)) {
      const plain: TraceRecord = late ? { parent, vals: undefined, call: undefined, usage: false, model: false, root: undefined, late, tool: undefined, differing: false } : parent;
      return [id, plain];
    }
    const callFlags = this.byte();
    const vals = flags & VALS ? this.list(0) : undefined;
    const root: SpanRecord['root'] = flags & ROOT ? [this.ref()!, this.number()] : undefined;
    const tool = flags & TOOL ? this.ref() : undefined;
    const call = callFlags & CALL ? this.call(callFlags) : callFlags & CALL_NULL ? null : undefined;
    // The same keys, in the same order, as the Attributor's records: one object shape.
    return [id, { parent, vals, call, usage: (flags & USAGE) !== 0, model: (flags & MODEL) !== 0, root, late: late || (flags & LATE) !== 0, tool, differing: (flags & DIFFERING) !== 0 }];
  }

  private call(flags: number): CallRecord {
    const startMs = this.number();
    const usage = { input: this.number(), output: this.number(), cacheRead: this.number(), cacheWrite: this.number(), reasoning: this.number() };
    const cost = flags & UNPRICED ? null : this.number();
    const durationMs = this.number();
    const ttftMs = flags & TTFT ? this.number() : undefined;
    const reportedCost = flags & REPORTED_COST ? this.number() : undefined;
    const call: CallRecord = {
      startMs,
      usage,
      cost,
      entry: this.ref(),
      model: this.ref()!,
      provider: this.ref()!,
      operation: this.ref()!,
      service: this.ref()!,
      durationMs,
      errorType: this.ref(),
      ttftMs,
      finishReasons: undefined,
      reportedCost,
      resource: this.optionalList(),
    };
    call.finishReasons = this.optionalList() as string[] | undefined;
    if (flags & NO_USAGE) call.noUsage = true;
    return call;
  }

  private number(): number {
    if (this.pos + 8 > this.buf.length) throw new Error('trace record: truncated');
    const b = this.f64Bytes;
    for (let i = 0; i < 8; i++) b[i] = this.buf[this.pos++]!;
    return this.f64[0]!;
  }

  private optionalList(): TrackedValues | undefined {
    const n = this.varint();
    return n === 0 ? undefined : this.entries(n - 1);
  }

  private list(offset: number): TrackedValues {
    return this.entries(this.varint() - offset);
  }

  private entries(n: number): TrackedValues {
    const out = new Array<string | undefined>(n);
    for (let i = 0; i < n; i++) out[i] = this.ref();
    return out;
  }

  private ref(): string | undefined {
    const r = this.varint();
    if (r === REF_NONE) return undefined;
    if (r === REF_NEW) {
      const s = this.text();
      this.seen.push(s);
      return s;
    }
    const s = this.seen[r - 2];
    if (s === undefined) throw new Error('trace record: bad string reference');
    return s;
  }

  private id(): string {
    const tag = this.byte();
    if (tag === ID_EMPTY) return '';
    if (tag === ID_TEXT) return this.text();
    if (tag !== ID_HEX) throw new Error('trace record: bad id');
    const n = this.byte();
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[this.byte()]!;
    return s;
  }

  private text(): string {
    const head = this.varint();
    const n = head >>> 1;
    const bytes = head & 1 ? n * 2 : n;
    if (this.pos + bytes > this.buf.length) throw new Error('trace record: truncated');
    const s = this.buf.toString(head & 1 ? 'utf16le' : 'latin1', this.pos, this.pos + bytes);
    this.pos += bytes;
    return s;
  }
}

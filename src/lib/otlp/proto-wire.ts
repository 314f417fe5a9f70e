/**
 * The OTLP protobuf trace reader's wire: scalars, strings and ids into the reader state `Wire`
 * (proto-values.ts reads AnyValue and KeyValue, proto-traces.ts the messages). Its semantics
 * are those of the protobufjs decoder it replaced, quirks included, so that exactly the same
 * requests are accepted, with one deliberate difference (attribute value nesting); they are
 * listed in docs/architecture.md, "The protobufjs semantics the trace reader keeps", and
 * compared with protobufjs over the official messages in test/otlp/proto-wire.test.ts.
 */
import { DecodeError } from '../errors.js';
import { nanosToMs, type AttrValue, type Span } from '../span.js';
import { droppedAttributeMessage, VALUE_TOO_DEEP, type FieldProblem } from './decode-result.js';
import { checkIdBytes } from './ids.js';

/** protobufjs' Reader.recursionLimit (util.recursionLimit): deeper messages are rejected. */
const RECURSION_LIMIT = 100;
export const MAX_PROBLEMS = 100;
const PREFIX = 'not a valid OTLP protobuf trace request: ';

/** Node's native Buffer slicers (what protobufjs' BufferReader uses); not in @types/node. */
interface NativeSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** Reader state: one per request, monomorphic fields. */
export class Wire {
  readonly buf: Uint8Array;
  readonly nb: Buffer & NativeSlices;
  readonly dv: DataView;
  pos = 0;
  readonly spans: Span[] = [];
  /** Spans read, accepted or skipped. */
  spansOnWire = 0;
  readonly problems: FieldProblem[] = [];
  /** The previous span's trace id: its bytes' position and its string (-1: none yet). */
  lastTraceAt = -1;
  lastTraceId = '';
  /** The last KeyValue read (keyValueFields): its key's bytes, where its value is (-1: none), its end. */
  keyS = 0;
  keyE = 0;
  valueAt = -1;
  /** The last KeyValue built (keyValue). */
  key = '';
  value: AttrValue = null;
  /** The last AnyValue read (anyValueMember): the member chosen (0: none), its value's bytes or number. */
  member = 0;
  valS = 0;
  valE = 0;
  num = 0;
  /** The last int64 read beyond ±2^53 (int64Number): its low and high 32 bits, unsigned. */
  lo = 0;
  hi = 0;
  /** More than one member occurrence in that AnyValue, or more than one value in that KeyValue. */
  several = false;
  /** The attribute being read nests deeper than MAX_VALUE_DEPTH: it is dropped. */
  valueTooDeep = false;
  /** Where the reader is: resource_spans, scope_spans and spans index (for problems). */
  r = 0;
  si = 0;
  i = 0;
  /** Span attribute keys to keep (undefined: all); the others are checked but not decoded. */
  readonly keep: ReadonlySet<string> | undefined;

  constructor(bytes: Uint8Array, keep?: ReadonlySet<string>) {
    this.buf = bytes;
    this.keep = keep;
    this.nb = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Buffer & NativeSlices;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

export function fail(message: string): never {
  throw new DecodeError(PREFIX + message);
}

function beyond(len: number, at: number): never {
  fail(`length ${len} beyond the end at byte ${at}`);
}

// ---- scalars ---------------------------------------------------------------------------------

function truncated(at: number): never {
  fail(`truncated varint at byte ${at}`);
}

/** protobufjs Reader#uint32: a varint's low 32 bits (a 10-byte varint's bytes 6–10 skipped unread). */
export function u32(w: Wire, end: number): number {
  let p = w.pos;
  const buf = w.buf;
  if (p < end) {
    const b = buf[p]!;
    if (b < 128) {
      w.pos = p + 1;
      return b;
    }
  }
  const at = p;
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) truncated(at);
    const b = buf[p++]!;
    v |= (b & 127) << shift;
    if (b < 128) {
      w.pos = p;
      return v;
    }
  }
  if (p >= end) truncated(at);
  const b = buf[p++]!;
  v = (v | ((b & 15) << 28)) >>> 0;
  if (b >= 128 && (p += 5) > end) truncated(at);
  w.pos = p;
  return v;
}

/**
 * protobufjs readLongVarint: an int64 varint (two's complement) as an exact number; beyond ±2^53
 * NaN, with its halves (unsigned) in w.lo / w.hi. With 4 bytes or fewer left in the message,
 * protobufjs reads at most 4, the 4th whatever its continuation bit.
 */
export function int64Number(w: Wire, end: number): number {
  const buf = w.buf;
  let p = w.pos;
  const at = p;
  let lo = 0;
  if (end - p <= 4) {
    for (let shift = 0; ; shift += 7) {
      if (p >= end) truncated(at);
      const b = buf[p++]!;
      lo = (lo | ((b & 127) << shift)) >>> 0;
      if (b < 128 || shift === 21) break;
    }
    w.pos = p;
    return lo;
  }
  for (let shift = 0; shift < 28; shift += 7) {
    const b = buf[p++]!;
    lo |= (b & 127) << shift;
    if (b < 128) {
      w.pos = p;
      return lo;
    }
  }
  let b = buf[p++]!;
  lo = (lo | ((b & 127) << 28)) >>> 0;
  let hi = (b & 127) >> 4;
  if (b >= 128) {
    const fast = end - p > 4;
    for (let i = 0; ; i++) {
      if (i === 5) fail(`invalid varint encoding at byte ${at}`);
      if (!fast && p >= end) truncated(at);
      b = buf[p++]!;
      hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
      if (b < 128) break;
    }
  }
  w.pos = p;
  w.lo = lo;
  w.hi = hi;
  // Exact in doubles up to ±2^53 (hi·2³² + lo, hi the signed high half).
  if (hi < 0x200000) return hi * 4294967296 + lo;
  if (hi >= 0xffe00000) return (hi - 4294967296) * 4294967296 + lo;
  return NaN;
}

/** int64Number's value beyond ±2^53, from its halves. */
export function int64BigInt(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** A fixed64's position (read later, once, if it is the last occurrence), after checking it. */
export function fixed64At(w: Wire, end: number): number {
  const p = w.pos;
  if (p + 8 > end) fail(`fixed64 beyond the end at byte ${p}`);
  w.pos = p + 8;
  return p;
}

/** divMillion's quotient: read it right after the call. */
export let quotient = 0;

/**
 * v mod 10⁶ of the unsigned 64-bit v = hi·2³² + lo, and ⌊v / 10⁶⌋ (below 2^45) in `quotient`,
 * exact in doubles: nanoseconds as whole milliseconds and the rest, with no bigint.
 */
export function divMillion(lo: number, hi: number): number {
  const qh = Math.floor(hi / 1e6);
  const t = (hi - qh * 1e6) * 4294967296 + lo; // < 2^53
  let qt = Math.floor(t / 1e6);
  let r = t - qt * 1e6;
  if (r < 0) {
    qt--;
    r += 1e6;
  } else if (r >= 1e6) {
    qt++;
    r -= 1e6;
  }
  quotient = qh * 4294967296 + qt;
  return r;
}

/**
 * nanosToMs of the unsigned 64-bit hi·2³² + lo, in exact number arithmetic (no bigint division):
 * whole milliseconds plus the remainder's fraction, the very same two numbers added.
 */
export function msOf(lo: number, hi: number): number {
  const r = divMillion(lo, hi);
  return quotient + r / 1e6;
}

/** nanosToMs(end − start) (truncating division), in exact numbers when the difference is under 2^53. */
export function durationMs(startLo: number, startHi: number, endLo: number, endHi: number, start: bigint, end: bigint): number {
  const dh = endHi - startHi;
  if (dh <= -0x100000 || dh >= 0x100000) return nanosToMs(end - start);
  const d = dh * 4294967296 + (endLo - startLo);
  let q = Math.trunc(d / 1e6);
  let r = d - q * 1e6;
  if (d >= 0) {
    if (r < 0) {
      q--;
      r += 1e6;
    } else if (r >= 1e6) {
      q++;
      r -= 1e6;
    }
  } else if (r > 0) {
    q++;
    r -= 1e6;
  } else if (r <= -1e6) {
    q--;
    r += 1e6;
  }
  // q may be -0 here where the bigint quotient is 0n; r is then non-zero, so the sum is the same.
  return q + r / 1e6;
}

export function fixed32(w: Wire, end: number): number {
  const p = w.pos;
  if (p + 4 > end) fail(`fixed32 beyond the end at byte ${p}`);
  w.pos = p + 4;
  return w.dv.getUint32(p, true);
}

export function double(w: Wire, end: number): number {
  const p = w.pos;
  if (p + 8 > end) fail(`double beyond the end at byte ${p}`);
  w.pos = p + 8;
  return w.dv.getFloat64(p, true);
}

/** A length-delimited field: checks it, moves past it, returns its start (its end is w.pos). */
export function delimited(w: Wire, end: number): number {
  const len = u32(w, end);
  const s = w.pos;
  if (s + len > end) beyond(len, s);
  w.pos = s + len;
  return s;
}

/** A sub-message's end, after its length prefix. */
export function sub(w: Wire, end: number): number {
  const len = u32(w, end);
  const c = w.pos + len;
  if (c > end) beyond(len, w.pos);
  return c;
}

export function checkEnd(w: Wire, c: number): void {
  if (w.pos !== c) fail(`message overruns its length at byte ${w.pos}`);
}

function tooDeep(at: number): never {
  fail(`maximum nesting depth exceeded at byte ${at}`);
}

/** protobufjs Reader#skipType, depth-limited like it. */
export function skip(w: Wire, end: number, wireType: number, depth: number): void {
  if (depth > RECURSION_LIMIT) tooDeep(w.pos);
  const p = w.pos;
  switch (wireType) {
    case 0: {
      let q = p;
      do if (q >= end) truncated(p);
      while (w.buf[q++]! & 128);
      w.pos = q;
      return;
    }
    case 1:
    case 5: {
      const n = wireType === 1 ? 8 : 4;
      if (p + n > end) beyond(n, p);
      w.pos = p + n;
      return;
    }
    case 2:
      delimited(w, end);
      return;
    case 3:
      for (;;) {
        const wt = u32(w, end) & 7;
        if (wt === 4) return;
        skip(w, end, wt, depth + 1);
      }
    default:
      fail(`invalid wire type ${wireType} at byte ${p}`);
  }
}

// ---- strings -------------------------------------------------------------------------------

/**
 * A string field, not decoded (utf8() decodes it): returns its start, its end in w.pos. A length
 * past the enclosing message is clamped to it (protobufjs' BufferReader).
 */
export function stringAt(w: Wire, end: number): number {
  const len = u32(w, end);
  const s = w.pos;
  w.pos = Math.min(s + len, end);
  return s;
}

/**
 * Short ASCII strings (attribute keys, names, enum-like values: they repeat from span to span)
 * come from a cache keyed by their bytes: no decoding, no new string, and a key string that was
 * already used as a property name is already internalized, which makes the attribute store cheap.
 */
const CACHE_SLOTS = 4096;
const CACHE_MAX = 48;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX);
const cacheView = new DataView(cacheBytes.buffer);
const cacheLength = new Int32Array(CACHE_SLOTS);
const cacheString: string[] = new Array<string>(CACHE_SLOTS).fill('');

export function utf8(w: Wire, s: number, e: number): string {
  const n = e - s;
  if (n === 0) return '';
  if (n > CACHE_MAX) return w.nb.utf8Slice(s, e);
  const buf = w.buf;
  // The slot from the length and a few bytes (a hash of every byte cost more than it saved).
  let h = Math.imul(n, 0x9e3779b1) ^ buf[s]!;
  h = Math.imul(h ^ buf[e - 1]!, 0x01000193);
  h = Math.imul(h ^ buf[s + (n >> 1)]!, 0x01000193);
  h = Math.imul(h ^ buf[e - 2 + (n === 1 ? 1 : 0)]!, 0x01000193);
  h = Math.imul(h ^ buf[s + (n >> 2)]!, 0x01000193);
  h = Math.imul(h ^ buf[s + ((3 * n) >> 2)]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  const base = slot * CACHE_MAX;
  if (cacheLength[slot] === n) {
    const dv = w.dv;
    let i = 0;
    while (i + 4 <= n && dv.getUint32(s + i) === cacheView.getUint32(base + i)) i += 4;
    while (i < n && cacheBytes[base + i] === buf[s + i]) i++;
    if (i === n) return cacheString[slot]!;
  }
  for (let p = s; p < e; p++) if (buf[p]! >= 128) return w.nb.utf8Slice(s, e);
  let out: string;
  if (n <= 12) {
    // Concatenations under 13 characters make flat strings; cheaper than the native call.
    out = '';
    for (let p = s; p < e; p++) out += String.fromCharCode(buf[p]!);
  } else out = w.nb.latin1Slice(s, e);
  cacheLength[slot] = n;
  for (let i = 0; i < n; i++) cacheBytes[base + i] = buf[s + i]!;
  cacheString[slot] = out;
  return out;
}

// ---- ids -----------------------------------------------------------------------------------

/** Lowercase hex of a `size`-byte non-zero id, or '' when checkIdBytes would refuse it. */
export function hexId(w: Wire, s: number, e: number, size: number): string {
  if (e - s !== size) return '';
  const buf = w.buf;
  let p = s;
  while (p < e && buf[p] === 0) p++;
  if (p === e) return '';
  return size === 16 ? hex16(buf, s) : hex8(buf, s);
}

/**
 * hexId() of a trace id. Spans of one trace often come one after another: the same bytes as the
 * previous span's give the same string object (no new string, and its hash is already known to
 * the maps keyed by it).
 */
export function traceIdOf(w: Wire, s: number, e: number): string {
  if (e - s === 16 && w.lastTraceAt >= 0) {
    const dv = w.dv;
    const p = w.lastTraceAt;
    if (dv.getInt32(s) === dv.getInt32(p) && dv.getInt32(s + 4) === dv.getInt32(p + 4) && dv.getInt32(s + 8) === dv.getInt32(p + 8) && dv.getInt32(s + 12) === dv.getInt32(p + 12)) {
      return w.lastTraceId;
    }
  }
  const id = hexId(w, s, e, 16);
  if (id !== '') {
    w.lastTraceAt = s;
    w.lastTraceId = id;
  }
  return id;
}


export function idProblem(w: Wire, s: number, e: number, size: 8 | 16): string {
  const r = checkIdBytes(w.buf.subarray(s, e), size);
  return r.ok ? 'invalid id' : r.message;
}

/** A byte's two lowercase hex digits. */
const HEX_HI = new Uint8Array(256);
const HEX_LO = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HEX_HI[i] = (i >> 4) + ((i >> 4) < 10 ? 48 : 87);
  HEX_LO[i] = (i & 15) + ((i & 15) < 10 ? 48 : 87);
}

/** Whether bytes s…e are all 0 (an empty range is). */
export function allZero(buf: Uint8Array, s: number, e: number): boolean {
  for (let p = s; p < e; p++) if (buf[p] !== 0) return false;
  return true;
}

/** One fromCharCode call: a flat string, faster than Buffer#hexSlice for ids. */
function hex8(b: Uint8Array, s: number): string {
  const b0 = b[s]!, b1 = b[s + 1]!, b2 = b[s + 2]!, b3 = b[s + 3]!, b4 = b[s + 4]!, b5 = b[s + 5]!, b6 = b[s + 6]!, b7 = b[s + 7]!;
  const H = HEX_HI, L = HEX_LO;
  // prettier-ignore
  return String.fromCharCode(H[b0]!, L[b0]!, H[b1]!, L[b1]!, H[b2]!, L[b2]!, H[b3]!, L[b3]!, H[b4]!, L[b4]!, H[b5]!, L[b5]!, H[b6]!, L[b6]!, H[b7]!, L[b7]!);
}

function hex16(b: Uint8Array, s: number): string {
  const b0 = b[s]!, b1 = b[s + 1]!, b2 = b[s + 2]!, b3 = b[s + 3]!, b4 = b[s + 4]!, b5 = b[s + 5]!, b6 = b[s + 6]!, b7 = b[s + 7]!;
  const b8 = b[s + 8]!, b9 = b[s + 9]!, b10 = b[s + 10]!, b11 = b[s + 11]!, b12 = b[s + 12]!, b13 = b[s + 13]!, b14 = b[s + 14]!, b15 = b[s + 15]!;
  const H = HEX_HI, L = HEX_LO;
  // prettier-ignore
  return String.fromCharCode(
    H[b0]!, L[b0]!, H[b1]!, L[b1]!, H[b2]!, L[b2]!, H[b3]!, L[b3]!, H[b4]!, L[b4]!, H[b5]!, L[b5]!, H[b6]!, L[b6]!, H[b7]!, L[b7]!,
    H[b8]!, L[b8]!, H[b9]!, L[b9]!, H[b10]!, L[b10]!, H[b11]!, L[b11]!, H[b12]!, L[b12]!, H[b13]!, L[b13]!, H[b14]!, L[b14]!, H[b15]!, L[b15]!,
  );
}

/** The problem of the attribute just dropped (w.key), at `field` (its `.value` added). */
export function droppedAttribute(w: Wire, field: string): void {
  if (w.problems.length < MAX_PROBLEMS) w.problems.push({ field: `${field}.value`, message: droppedAttributeMessage(w.key, VALUE_TOO_DEEP) });
}

/** The field of the span being read, for problems. */
export function spanField(w: Wire): string {
  return `resource_spans[${w.r}].scope_spans[${w.si}].spans[${w.i}]`;
}


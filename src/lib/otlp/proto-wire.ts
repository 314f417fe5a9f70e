/**
 * The OTLP protobuf trace reader: ExportTraceServiceRequest → Span in one pass over the bytes,
 * with no message objects in between. This file reads the wire (scalars, strings, ids, AnyValue
 * and attributes) into the reader state `Wire`; proto-traces.ts reads the messages and builds
 * the Span, Resource and Scope objects. It is the only protobuf trace reader: the receiving
 * thread, the store worker, the view thread and the file sources all decode through it
 * (docs/architecture.md, "One OTLP reader and writer").
 *
 * The semantics are those of the protobufjs decoder it replaces (generated from schema.ts, kept
 * as the reference in test/otlp/proto-decode-reference.ts and compared in
 * test/otlp/proto-wire.test.ts), quirks included, so that exactly the same requests are accepted:
 * - a known field is read by its declared type whatever wire type its tag says;
 * - unknown fields of wire types 0, 1, 2, 5 and groups (3 … any 4) are skipped; wire type 4
 *   outside a group, 6 and 7 are errors; nesting deeper than 100 messages is an error;
 * - except in attribute values, the one deliberate difference: their nesting is counted in
 *   AnyValue levels as in OTLP/JSON (json-decode.ts), and a value deeper than MAX_VALUE_DEPTH
 *   drops its attribute with a problem while the span and the request are kept, where protobufjs
 *   refused the whole request from 48 levels of arrays (docs/architecture.md, "Nesting limit parity");
 * - varints: a uint32 varint may be 10 bytes long (bytes 6–10 are skipped unread), an int64
 *   varint with 4 bytes left in its message ends at the 4th byte;
 * - a repeated occurrence of a singular field replaces it (a sub-message is decoded afresh, not
 *   merged); repeated fields append in wire order;
 * - AnyValue: of several oneof members, the one whose FIRST occurrence is last wins, with the
 *   value of its last occurrence (protobufjs keeps every member and its `value` getter picks the
 *   latest-inserted property); no member → null;
 * - strings: when the input is a Buffer, protobufjs decodes them with Buffer#utf8Slice and clamps
 *   a length that runs past the end of the enclosing message to that end; for any other
 *   Uint8Array it rejects such a length and decodes with its own UTF-8 reader, which differs from
 *   Buffer's on invalid UTF-8. Both behaviours are kept, chosen by the input's type.
 */
import { DecodeError } from '../errors.js';
import { KvList, nanosToMs, type Attributes, type AttrValue, type Span } from '../span.js';
import { droppedAttributeMessage, MAX_VALUE_DEPTH, VALUE_TOO_DEEP, type FieldProblem } from './decode-result.js';
import { checkIdBytes } from './ids.js';
import * as wireCommon from './wire-common.js';

// Module-local bindings of wire-common's exports: V8's optimized code reaches an import through a
// few more loads than a module's own constant, which shows on paths taken for every field.
const { divMillion, hex16, hex8, int64BigInt, protobufjsUtf8, readInt64, readUint32, skipValue, wireErrorMessage, wireOut } = wireCommon;

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
  /** Buffer input: strings clamp to the enclosing message and decode with utf8Slice. */
  readonly clamp: boolean;
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
    this.clamp = Buffer.isBuffer(bytes);
    this.nb = (this.clamp ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Buffer & NativeSlices;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

export function fail(message: string): never {
  throw new DecodeError(PREFIX + message);
}

function beyond(len: number, at: number): never {
  fail(`length ${len} beyond the end at byte ${at}`);
}

// ---- scalars (wire-common.ts reads; errors are raised here) -------------------------------

/** The error a wire-common.ts reader just reported. */
function wireError(): never {
  fail(wireErrorMessage());
}

/** protobufjs Reader#uint32: a varint's low 32 bits (one byte here, longer ones in wire-common). */
export function u32(w: Wire, end: number): number {
  const p = w.pos;
  if (p < end) {
    const b = w.buf[p]!;
    if (b < 128) {
      w.pos = p + 1;
      return b;
    }
  }
  const v = readUint32(w.buf, p, end);
  if (v < 0) wireError();
  w.pos = wireOut.next;
  return v;
}

/** A fixed64's position (read later, once, if it is the last occurrence), after checking it. */
export function fixed64At(w: Wire, end: number): number {
  const p = w.pos;
  if (p + 8 > end) fail(`fixed64 beyond the end at byte ${p}`);
  w.pos = p + 8;
  return p;
}

/**
 * nanosToMs of the unsigned 64-bit hi·2³² + lo, in exact number arithmetic (no bigint division):
 * whole milliseconds plus the remainder's fraction, the very same two numbers added.
 */
export function msOf(lo: number, hi: number): number {
  const r = divMillion(lo, hi);
  return wireOut.quotient + r / 1e6;
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

function double(w: Wire, end: number): number {
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
  if (wireType === 3) {
    for (;;) {
      const wt = u32(w, end) & 7;
      if (wt === 4) return;
      skip(w, end, wt, depth + 1);
    }
  }
  const p = skipValue(w.buf, w.pos, end, wireType);
  if (p < 0) wireError();
  w.pos = p;
}

// ---- strings -------------------------------------------------------------------------------

export function string(w: Wire, end: number): string {
  const len = u32(w, end);
  const s = w.pos;
  let e = s + len;
  if (e > end) {
    if (!w.clamp) beyond(len, s);
    e = end;
  }
  w.pos = e;
  return utf8(w, s, e);
}

/** A string field read as string() reads it, not decoded: returns its start (its end is w.pos). */
export function stringAt(w: Wire, end: number): number {
  const len = u32(w, end);
  const s = w.pos;
  let e = s + len;
  if (e > end) {
    if (!w.clamp) beyond(len, s);
    e = end;
  }
  w.pos = e;
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
  if (n > CACHE_MAX) return utf8Native(w, s, e);
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
  for (let p = s; p < e; p++) if (buf[p]! >= 128) return utf8Native(w, s, e);
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

function utf8Native(w: Wire, s: number, e: number): string {
  const out = w.nb.utf8Slice(s, e);
  // Valid UTF-8 decodes the same either way; only invalid input (which Buffer turns into U+FFFD)
  // needs protobufjs' own reader when the input was not a Buffer.
  if (!w.clamp && out.includes('\uFFFD')) return protobufjsUtf8(w.buf, s, e);
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

// ---- AnyValue and KeyValue: read once, then built (here) or written (proto-line.ts) ----------

/**
 * Reads an AnyValue (its length prefix next) at AnyValue `level` without building its value:
 * leaves the member protobufjs picks in w.member (of several, the one whose FIRST occurrence is
 * last, with its last value; 0: none) and its value in w.valS…w.valE (a string, bytes or a nested
 * list) or w.num (bool, double; an int64 as readInt64 gives it, wireOut.lo/hi beyond 2^53). The
 * winner's nested list is checked by whoever reads it (buildMember, checkMember, proto-line.ts);
 * the others' are checked here. Deeper than MAX_VALUE_DEPTH: member 0 and w.valueTooDeep, the
 * bytes unread (the attribute is then dropped: docs/architecture.md, "Nesting limit parity").
 */
export function anyValueMember(w: Wire, end: number, depth: number, level: number): void {
  const c = sub(w, end);
  w.member = 0;
  w.several = false;
  if (level > MAX_VALUE_DEPTH) {
    w.valueTooDeep = true;
    w.pos = c;
    return;
  }
  const buf = w.buf;
  const p = w.pos;
  // The usual one: a string member alone (tag 0x0a, a one-byte length that fills the message).
  if (p + 2 <= c && buf[p] === 0x0a && buf[p + 1]! < 128 && p + 2 + buf[p + 1]! === c) {
    w.member = 1;
    w.valS = p + 2;
    w.valE = w.pos = c;
    return;
  }
  let seen = 0;
  let winner = 0;
  let s = 0;
  let e = 0;
  let num = 0;
  let lo = 0;
  let hi = 0;
  let occurrences = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    let at = w.pos;
    let n = 0;
    switch (field) {
      case 1:
        at = stringAt(w, c);
        break;
      case 2:
        n = u32(w, c);
        break;
      case 3:
        n = int64Number(w, c);
        break;
      case 4:
        n = double(w, c);
        break;
      case 5:
      case 6:
      case 7:
        at = delimited(w, c);
        break;
      default:
        skip(w, c, tag & 7, depth);
        continue;
    }
    occurrences++;
    const bit = 1 << field;
    if ((seen & bit) === 0) {
      seen |= bit;
      winner = field;
    } else if (field !== winner) continue;
    s = at;
    e = w.pos;
    num = n;
    lo = wireOut.lo;
    hi = wireOut.hi;
  }
  checkEnd(w, c);
  if (occurrences > 1) {
    checkLosers(w, p, c, depth, level, s);
    w.several = true;
  }
  w.member = winner;
  w.valS = s;
  w.valE = e;
  w.num = num;
  wireOut.lo = lo;
  wireOut.hi = hi;
}

/** readInt64's number (NaN beyond ±2^53, its halves then in wireOut.lo / wireOut.hi). */
function int64Number(w: Wire, end: number): number {
  const v = readInt64(w.buf, w.pos, end);
  const next = wireOut.next;
  if (next < 0) wireError();
  w.pos = next;
  return v;
}

/** The nested lists of an AnyValue's fields p…c but the winner's (at `kept`): checked, not kept. */
function checkLosers(w: Wire, p: number, c: number, depth: number, level: number, kept: number): void {
  w.pos = p;
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    if (field === 1) stringAt(w, c);
    else if (field === 2) u32(w, c);
    else if (field === 3) int64Number(w, c);
    else if (field === 4) double(w, c);
    else if (field >= 5 && field <= 7) {
      const s = delimited(w, c);
      const after = w.pos;
      if (field !== 7 && s !== kept) {
        w.member = field;
        w.valS = s;
        w.valE = after;
        checkMember(w, depth, level);
        w.pos = after;
      }
    } else skip(w, c, tag & 7, depth);
  }
}

/**
 * Reads a KeyValue (its length prefix next) at message `depth`, its value at AnyValue `level`:
 * its key in w.keyS…w.keyE, where its value is in w.valueAt (-1: none); returns its end. Of
 * several keys or values the last counts, the earlier values checked here (w.several then).
 */
export function keyValueFields(w: Wire, end: number, depth: number, level: number): number {
  const c = sub(w, end);
  const buf = w.buf;
  const p = w.pos;
  w.several = false;
  // The usual layout: key (tag 0x0a, a one-byte length), then value (0x12, a one-byte length).
  if (p + 2 <= c && buf[p] === 0x0a && buf[p + 1]! < 128) {
    const ke = p + 2 + buf[p + 1]!;
    if (ke + 2 <= c && buf[ke] === 0x12 && buf[ke + 1]! < 128 && ke + 2 + buf[ke + 1]! === c) {
      w.keyS = p + 2;
      w.keyE = ke;
      w.valueAt = ke + 1;
      w.pos = c;
      return c;
    }
  }
  let keyS = 0;
  let keyE = 0;
  let valueAt = -1;
  let values = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        keyS = stringAt(w, c);
        keyE = w.pos;
        break;
      case 2:
        valueAt = w.pos;
        delimited(w, c);
        values++;
        break;
      default:
        skip(w, c, tag & 7, depth);
    }
  }
  checkEnd(w, c);
  if (values > 1) {
    // A sub-message given again replaces the earlier one, which protobufjs decoded all the same.
    w.pos = p;
    while (w.pos < c) {
      const tag = u32(w, c);
      const field = tag >>> 3;
      if (field === 2 && w.pos !== valueAt) {
        checkValue(w, c, level === 0 ? depth + 1 : depth, level);
        continue;
      }
      if (field === 1) stringAt(w, c);
      else skip(w, c, field === 2 ? 2 : tag & 7, depth);
    }
    w.several = true;
  }
  w.keyS = keyS;
  w.keyE = keyE;
  w.valueAt = valueAt;
  w.pos = c;
  return c;
}

/** An AnyValue (its length prefix next) read and checked like buildValue, nothing built. */
function checkValue(w: Wire, end: number, depth: number, level: number): void {
  anyValueMember(w, end, depth, level);
  checkMember(w, depth, level);
}

/** The nested list of the AnyValue just read (anyValueMember), checked; nothing built. */
function checkMember(w: Wire, depth: number, level: number): void {
  const member = w.member;
  if (member !== 5 && member !== 6) return;
  const c = w.valE;
  w.pos = w.valS;
  while (w.pos < c) {
    const tag = u32(w, c);
    if (tag >>> 3 !== 1) skip(w, c, tag & 7, depth);
    else if (member === 5) checkValue(w, c, depth, level + 1);
    else {
      const kv = keyValueFields(w, c, depth, level + 1);
      if (w.valueAt >= 0) {
        w.pos = w.valueAt;
        checkValue(w, kv, depth, level + 1);
        w.pos = kv;
      }
    }
  }
  checkEnd(w, c);
}

/** The AnyValue just read (anyValueMember) as a value; `depth` for unknown fields (keyValue). */
function buildMember(w: Wire, depth: number, level: number): AttrValue {
  const s = w.valS;
  const e = w.valE;
  switch (w.member) {
    case 1:
      return utf8(w, s, e);
    case 2:
      return w.num !== 0;
    case 3: {
      const v = w.num;
      return v === v ? BigInt(v) : int64BigInt(wireOut.lo, wireOut.hi);
    }
    case 4:
      return w.num;
    case 5: {
      const values: AttrValue[] = [];
      w.pos = s;
      while (w.pos < e) {
        const tag = u32(w, e);
        if (tag >>> 3 === 1) values.push(buildValue(w, e, depth, level + 1));
        else skip(w, e, tag & 7, depth);
      }
      checkEnd(w, e);
      return values;
    }
    case 6: {
      const entries: Array<[string, AttrValue]> = [];
      w.pos = s;
      while (w.pos < e) {
        const tag = u32(w, e);
        if (tag >>> 3 === 1) {
          keyValue(w, e, depth, level + 1);
          entries.push([w.key, w.value]);
        } else skip(w, e, tag & 7, depth);
      }
      checkEnd(w, e);
      return new KvList(entries);
    }
    case 7: {
      const bytes = new Uint8Array(e - s);
      bytes.set(w.buf.subarray(s, e));
      return bytes;
    }
    default:
      return null;
  }
}

/** An AnyValue (its length prefix next) as a value. */
function buildValue(w: Wire, end: number, depth: number, level: number): AttrValue {
  anyValueMember(w, end, depth, level);
  return buildMember(w, depth, level);
}

/**
 * KeyValue at message `depth` (its length prefix next), its value at AnyValue `level`: leaves
 * the pair in w.key / w.value and says whether its key is kept. With `keep`, a value under
 * another key is read with the same checks (the request is accepted or refused exactly as with
 * every value decoded) but never built. Inside a value, `depth` stays that of its attribute's
 * value: nesting there is bounded by `level` (MAX_VALUE_DEPTH), not by RECURSION_LIMIT.
 */
function keyValue(w: Wire, end: number, depth: number, level: number, keep?: ReadonlySet<string>): boolean {
  const c = keyValueFields(w, end, depth, level);
  const key = utf8(w, w.keyS, w.keyE);
  const kept = keep === undefined || keep.has(key);
  let value: AttrValue = null;
  if (w.valueAt >= 0) {
    w.pos = w.valueAt;
    const valueDepth = level === 0 ? depth + 1 : depth;
    if (kept) value = buildValue(w, c, valueDepth, level);
    else checkValue(w, c, valueDepth, level);
    w.pos = c;
  }
  w.key = key;
  w.value = value;
  return kept;
}

/**
 * One KeyValue of an attribute list into `attributes` (unless `keep` leaves its key out). Says
 * whether it was dropped for nesting deeper than MAX_VALUE_DEPTH: the caller then reports it
 * with droppedAttribute(), knowing where the list is.
 */
export function attribute(w: Wire, end: number, depth: number, attributes: Attributes, keep?: ReadonlySet<string>): boolean {
  const kept = keyValue(w, end, depth, 0, keep);
  if (w.valueTooDeep) {
    w.valueTooDeep = false;
    return true;
  }
  if (kept) attributes[w.key] = w.value;
  return false;
}

/** The problem of the attribute just dropped (w.key), at `field` (its `.value` added). */
export function droppedAttribute(w: Wire, field: string): void {
  if (w.problems.length < MAX_PROBLEMS) w.problems.push({ field: `${field}.value`, message: droppedAttributeMessage(w.key, VALUE_TOO_DEEP) });
}

/** The field of the span being read, for problems. */
export function spanField(w: Wire): string {
  return `resource_spans[${w.r}].scope_spans[${w.si}].spans[${w.i}]`;
}

/**
 * OTLP protobuf ExportTraceServiceRequest → Span in one pass over the bytes, with no message
 * objects in between: the wire reader builds the Span, Resource and Scope objects directly.
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
import { KvList, nanosToMs, newAttributes, type Attributes, type AttrValue, type Resource, type Scope, type Span, type SpanEvent, type SpanLink } from '../span.js';
import { droppedAttributeMessage, MAX_VALUE_DEPTH, VALUE_TOO_DEEP, type DecodeResult, type FieldProblem } from './decode-result.js';
import { checkIdBytes } from './ids.js';
import * as wireCommon from './wire-common.js';

// Module-local bindings of wire-common's exports: V8's optimized code reaches an import through a
// few more loads than a module's own constant, which shows on paths taken for every field.
const { allZero, divMillion, HEX_HI, HEX_LO, int64BigInt, readInt64, readUint32, skipValue, wireErrorMessage, wireOut } = wireCommon;

/** protobufjs' Reader.recursionLimit (util.recursionLimit): deeper messages are rejected. */
const RECURSION_LIMIT = 100;
const MAX_PROBLEMS = 100;
const PREFIX = 'not a valid OTLP protobuf trace request: ';

/** Node's native Buffer slicers (what protobufjs' BufferReader uses); not in @types/node. */
interface NativeSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** Reader state: one per request, monomorphic fields. */
class Wire {
  readonly buf: Uint8Array;
  readonly nb: Buffer & NativeSlices;
  readonly dv: DataView;
  /** Buffer input: strings clamp to the enclosing message and decode with utf8Slice. */
  readonly clamp: boolean;
  pos = 0;
  readonly spans: Span[] = [];
  readonly problems: FieldProblem[] = [];
  /** First bad link id of the span being read: its index, field and message (-1: none). */
  linkErr = -1;
  linkErrField = '';
  linkErrMessage = '';
  /** The previous span's trace id: its bytes' position and its string (-1: none yet). */
  lastTraceAt = -1;
  lastTraceId = '';
  /** The last KeyValue read. */
  key = '';
  value: AttrValue = null;
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

function fail(message: string): never {
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
function u32(w: Wire, end: number): number {
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

/** protobufjs readLongVarint → signed int64 as bigint (int_value). */
function int64(w: Wire, end: number): bigint {
  const v = readInt64(w.buf, w.pos, end);
  const next = wireOut.next;
  if (next < 0) wireError();
  w.pos = next;
  return v === v ? BigInt(v) : int64BigInt(wireOut.lo, wireOut.hi);
}

/** A fixed64's position (read later, once, if it is the last occurrence), after checking it. */
function fixed64At(w: Wire, end: number): number {
  const p = w.pos;
  if (p + 8 > end) fail(`fixed64 beyond the end at byte ${p}`);
  w.pos = p + 8;
  return p;
}

/**
 * nanosToMs of the unsigned 64-bit hi·2³² + lo, in exact number arithmetic (no bigint division):
 * whole milliseconds plus the remainder's fraction, the very same two numbers added.
 */
function msOf(lo: number, hi: number): number {
  const r = divMillion(lo, hi);
  return wireOut.quotient + r / 1e6;
}

/** nanosToMs(end − start) (truncating division), in exact numbers when the difference is under 2^53. */
function durationMs(startLo: number, startHi: number, endLo: number, endHi: number, start: bigint, end: bigint): number {
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

function fixed32(w: Wire, end: number): number {
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
function delimited(w: Wire, end: number): number {
  const len = u32(w, end);
  const s = w.pos;
  if (s + len > end) beyond(len, s);
  w.pos = s + len;
  return s;
}

/** A sub-message's end, after its length prefix. */
function sub(w: Wire, end: number): number {
  const len = u32(w, end);
  const c = w.pos + len;
  if (c > end) beyond(len, w.pos);
  return c;
}

function checkEnd(w: Wire, c: number): void {
  if (w.pos !== c) fail(`message overruns its length at byte ${w.pos}`);
}

function tooDeep(at: number): never {
  fail(`maximum nesting depth exceeded at byte ${at}`);
}

/** protobufjs Reader#skipType, depth-limited like it. */
function skip(w: Wire, end: number, wireType: number, depth: number): void {
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

function string(w: Wire, end: number): string {
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

/** A string field whose value is not needed, with the same checks. */
function skipString(w: Wire, end: number): void {
  const len = u32(w, end);
  const s = w.pos;
  let e = s + len;
  if (e > end) {
    if (!w.clamp) beyond(len, s);
    e = end;
  }
  w.pos = e;
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

function utf8(w: Wire, s: number, e: number): string {
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

/**
 * protobufjs' @protobufjs/utf8 read(), for invalid UTF-8 in non-Buffer input: stray
 * continuation bytes vanish, overlong forms become U+FFFD, sequences cut short read 0 bits.
 */
function protobufjsUtf8(buf: Uint8Array, start: number, end: number): string {
  const at = (i: number) => (i < end ? buf[i]! : 0);
  const units: number[] = [];
  while (start < end) {
    const t = buf[start++]!;
    if (t <= 0x7f) units.push(t);
    else if (t >= 0xc0 && t < 0xe0) {
      const c = ((t & 0x1f) << 6) | (at(start++) & 0x3f);
      units.push(c >= 0x80 ? c : 0xfffd);
    } else if (t >= 0xe0 && t < 0xf0) {
      const c = ((t & 0xf) << 12) | ((at(start++) & 0x3f) << 6) | (at(start++) & 0x3f);
      units.push(c >= 0x800 ? c : 0xfffd);
    } else if (t >= 0xf0) {
      let c = ((t & 7) << 18) | ((at(start++) & 0x3f) << 12) | ((at(start++) & 0x3f) << 6) | (at(start++) & 0x3f);
      if (c < 0x10000 || c > 0x10ffff) units.push(0xfffd);
      else {
        c -= 0x10000;
        units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
      }
    }
  }
  let out = '';
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.slice(i, i + 8192));
  return out;
}

// ---- ids -----------------------------------------------------------------------------------

/** Lowercase hex of a `size`-byte non-zero id, or '' when checkIdBytes would refuse it. */
function hexId(w: Wire, s: number, e: number, size: number): string {
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
function traceIdOf(w: Wire, s: number, e: number): string {
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

function idProblem(w: Wire, s: number, e: number, size: 8 | 16): string {
  const r = checkIdBytes(w.buf.subarray(s, e), size);
  return r.ok ? 'invalid id' : r.message;
}

// ---- AnyValue and attributes ---------------------------------------------------------------

/**
 * KeyValue at message `depth` (its length prefix next), its value at AnyValue `level`: leaves
 * the pair in w.key / w.value and says whether its key is kept. With `keep`, a value under
 * another key is walked with the same checks (the request is accepted or refused exactly as with
 * every value decoded) but never built. Inside a value, `depth` stays that of its attribute's
 * value: nesting there is bounded by `level` (MAX_VALUE_DEPTH), not by RECURSION_LIMIT.
 */
function keyValue(w: Wire, end: number, depth: number, keep?: ReadonlySet<string>, level = 0): boolean {
  const start = w.pos;
  const c = sub(w, end);
  const valueDepth = level === 0 ? depth + 1 : depth;
  let key = '';
  let value: AttrValue = null;
  let skippedValue = false;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        key = string(w, c);
        if (skippedValue) {
          // The key came after a value it may need (unusual order): read the pair again, whole.
          w.pos = start;
          keyValue(w, end, depth, undefined, level);
          return keep!.has(w.key);
        }
        break;
      case 2:
        if (keep === undefined || keep.has(key)) value = anyValue(w, c, valueDepth, level);
        else {
          skipAnyValue(w, c, valueDepth, level);
          skippedValue = true;
        }
        break;
      default:
        skip(w, c, tag & 7, depth);
    }
  }
  checkEnd(w, c);
  w.key = key;
  w.value = value;
  return keep === undefined || keep.has(key);
}

/** anyValue() without the value: the same checks, strings and bytes not decoded or copied. */
function skipAnyValue(w: Wire, end: number, depth: number, level: number): void {
  const c = sub(w, end);
  if (level > MAX_VALUE_DEPTH) {
    tooDeepValue(w, c);
    return;
  }
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        skipString(w, c);
        break;
      case 2:
        u32(w, c);
        break;
      case 3:
        int64(w, c);
        break;
      case 4:
        double(w, c);
        break;
      case 5:
        arrayValue(w, c, depth, level);
        break;
      case 6:
        kvList(w, c, depth, level);
        break;
      case 7:
        delimited(w, c);
        break;
      default:
        skip(w, c, tag & 7, depth);
    }
  }
  checkEnd(w, c);
}

/** AnyValue at AnyValue `level` (its length prefix next); `depth` for unknown fields (keyValue). */
function anyValue(w: Wire, end: number, depth: number, level: number): AttrValue {
  const c = sub(w, end);
  if (level > MAX_VALUE_DEPTH) return tooDeepValue(w, c);
  let seen = 0;
  let winner = 0;
  let value: AttrValue = null;
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    let v: AttrValue;
    switch (field) {
      case 1:
        v = string(w, c);
        break;
      case 2:
        v = u32(w, c) !== 0;
        break;
      case 3:
        v = int64(w, c);
        break;
      case 4:
        v = double(w, c);
        break;
      case 5:
        v = arrayValue(w, c, depth, level);
        break;
      case 6:
        v = kvList(w, c, depth, level);
        break;
      case 7: {
        const s = delimited(w, c);
        const bytes = new Uint8Array(w.pos - s);
        bytes.set(w.buf.subarray(s, w.pos));
        v = bytes;
        break;
      }
      default:
        skip(w, c, tag & 7, depth);
        continue;
    }
    const bit = 1 << field;
    if ((seen & bit) === 0) {
      seen |= bit;
      winner = field;
      value = v;
    } else if (field === winner) value = v;
  }
  checkEnd(w, c);
  return value;
}

/** The ArrayValue of an AnyValue at `level`: its values are one level deeper. */
function arrayValue(w: Wire, end: number, depth: number, level: number): AttrValue[] {
  const c = sub(w, end);
  const values: AttrValue[] = [];
  while (w.pos < c) {
    const tag = u32(w, c);
    if (tag >>> 3 === 1) values.push(anyValue(w, c, depth, level + 1));
    else skip(w, c, tag & 7, depth);
  }
  checkEnd(w, c);
  return values;
}

/** The KeyValueList of an AnyValue at `level`: its values are one level deeper. */
function kvList(w: Wire, end: number, depth: number, level: number): KvList {
  const c = sub(w, end);
  const entries: Array<[string, AttrValue]> = [];
  while (w.pos < c) {
    const tag = u32(w, c);
    if (tag >>> 3 === 1) {
      keyValue(w, c, depth, undefined, level + 1);
      entries.push([w.key, w.value]);
    } else skip(w, c, tag & 7, depth);
  }
  checkEnd(w, c);
  return new KvList(entries);
}

/**
 * An AnyValue nested deeper than MAX_VALUE_DEPTH (its bytes up to `c` unread): the attribute it
 * is in will be dropped (attribute()); reading goes on after it, so the recursion stays bounded.
 */
function tooDeepValue(w: Wire, c: number): null {
  w.valueTooDeep = true;
  w.pos = c;
  return null;
}

/**
 * One KeyValue of an attribute list into `attributes` (unless `keep` leaves its key out). Says
 * whether it was dropped for nesting deeper than MAX_VALUE_DEPTH: the caller then reports it
 * with droppedAttribute(), knowing where the list is.
 */
function attribute(w: Wire, end: number, depth: number, attributes: Attributes, keep?: ReadonlySet<string>): boolean {
  const kept = keyValue(w, end, depth, keep);
  if (w.valueTooDeep) {
    w.valueTooDeep = false;
    return true;
  }
  if (kept) attributes[w.key] = w.value;
  return false;
}

/** The problem of the attribute just dropped (w.key), at `field` (its `.value` added). */
function droppedAttribute(w: Wire, field: string): void {
  if (w.problems.length < MAX_PROBLEMS) w.problems.push({ field: `${field}.value`, message: droppedAttributeMessage(w.key, VALUE_TOO_DEEP) });
}

/** The field of the span being read, for problems. */
function spanField(w: Wire): string {
  return `resource_spans[${w.r}].scope_spans[${w.si}].spans[${w.i}]`;
}

// ---- messages ------------------------------------------------------------------------------
// Depths as protobufjs counts them: request 0, ResourceSpans 1, Resource / ScopeSpans 2,
// resource KeyValue / EntityRef / InstrumentationScope / Span 3, span KeyValue / Event / Link /
// Status 4, event and link KeyValue 5.

/** ExportTraceServiceRequest (= TracesData). */
function request(w: Wire, end: number): void {
  let r = 0;
  while (w.pos < end) {
    const tag = u32(w, end);
    if (tag >>> 3 === 1) resourceSpans(w, end, r++);
    else skip(w, end, tag & 7, 0);
  }
  checkEnd(w, end);
}

function resourceSpans(w: Wire, end: number, r: number): void {
  const c = sub(w, end);
  w.r = r;
  const resource: Resource = { attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
  let si = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        readResource(w, c, resource);
        break;
      case 2:
        scopeSpans(w, c, resource, r, si++);
        break;
      case 3:
        resource.schemaUrl = string(w, c);
        break;
      default:
        skip(w, c, tag & 7, 1);
    }
  }
  checkEnd(w, c);
}

/** A Resource occurrence replaces the previous one (protobufjs does not merge). */
function readResource(w: Wire, end: number, resource: Resource): void {
  const c = sub(w, end);
  const attributes = newAttributes();
  let dropped = 0;
  let attributeIndex = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        if (attribute(w, c, 3, attributes)) droppedAttribute(w, `resource_spans[${w.r}].resource.attributes[${attributeIndex}]`);
        attributeIndex++;
        break;
      case 2:
        dropped = u32(w, c);
        break;
      case 3:
        entityRef(w, c);
        break;
      default:
        skip(w, c, tag & 7, 2);
    }
  }
  checkEnd(w, c);
  resource.attributes = attributes;
  resource.droppedAttributesCount = dropped;
}

/** EntityRef: not kept, but decoded (and so checked) as protobufjs does. */
function entityRef(w: Wire, end: number): void {
  const c = sub(w, end);
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    if (field >= 1 && field <= 4) skipString(w, c);
    else skip(w, c, tag & 7, 3);
  }
  checkEnd(w, c);
}

function scopeSpans(w: Wire, end: number, resource: Resource, r: number, si: number): void {
  const c = sub(w, end);
  w.si = si;
  const scope: Scope = { name: '', version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
  let i = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        readScope(w, c, scope);
        break;
      case 2:
        span(w, c, resource, scope, r, si, i++);
        break;
      case 3:
        scope.schemaUrl = string(w, c);
        break;
      default:
        skip(w, c, tag & 7, 2);
    }
  }
  checkEnd(w, c);
}

function readScope(w: Wire, end: number, scope: Scope): void {
  const c = sub(w, end);
  let name = '';
  let version = '';
  const attributes = newAttributes();
  let dropped = 0;
  let attributeIndex = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        name = string(w, c);
        break;
      case 2:
        version = string(w, c);
        break;
      case 3:
        if (attribute(w, c, 4, attributes)) droppedAttribute(w, `resource_spans[${w.r}].scope_spans[${w.si}].scope.attributes[${attributeIndex}]`);
        attributeIndex++;
        break;
      case 4:
        dropped = u32(w, c);
        break;
      default:
        skip(w, c, tag & 7, 3);
    }
  }
  checkEnd(w, c);
  scope.name = name;
  scope.version = version;
  scope.attributes = attributes;
  scope.droppedAttributesCount = dropped;
}

function span(w: Wire, end: number, resource: Resource, scope: Scope, r: number, si: number, i: number): void {
  const c = sub(w, end);
  const buf = w.buf;
  let traceS = 0;
  let traceE = 0;
  let spanS = 0;
  let spanE = 0;
  let parentS = 0;
  let parentE = 0;
  let traceState = '';
  let name = '';
  let kind = 0;
  let startAt = -1;
  let endAt = -1;
  const attributes = newAttributes();
  let droppedAttributes = 0;
  const events: SpanEvent[] = [];
  let droppedEvents = 0;
  const links: SpanLink[] = [];
  let droppedLinks = 0;
  let statusCode = 0;
  let statusMessage = '';
  let flags = 0;
  let attributeIndex = 0;
  w.linkErr = -1;
  w.i = i;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        traceS = delimited(w, c);
        traceE = w.pos;
        break;
      case 2:
        spanS = delimited(w, c);
        spanE = w.pos;
        break;
      case 3:
        traceState = string(w, c);
        break;
      case 4:
        parentS = delimited(w, c);
        parentE = w.pos;
        break;
      case 5:
        name = string(w, c);
        break;
      case 6:
        kind = u32(w, c) | 0;
        break;
      case 7:
        startAt = fixed64At(w, c);
        break;
      case 8:
        endAt = fixed64At(w, c);
        break;
      case 9:
        if (attribute(w, c, 4, attributes, w.keep)) droppedAttribute(w, `${spanField(w)}.attributes[${attributeIndex}]`);
        attributeIndex++;
        break;
      case 10:
        droppedAttributes = u32(w, c);
        break;
      case 11:
        events.push(event(w, c, events.length));
        break;
      case 12:
        droppedEvents = u32(w, c);
        break;
      case 13:
        links.push(link(w, c, links.length));
        break;
      case 14:
        droppedLinks = u32(w, c);
        break;
      case 15: {
        // Status: a second occurrence replaces the first.
        const sc = sub(w, c);
        statusCode = 0;
        statusMessage = '';
        while (w.pos < sc) {
          const t = u32(w, sc);
          switch (t >>> 3) {
            case 2:
              statusMessage = string(w, sc);
              break;
            case 3:
              statusCode = u32(w, sc) | 0;
              break;
            default:
              skip(w, sc, t & 7, 4);
          }
        }
        checkEnd(w, sc);
        break;
      }
      case 16:
        flags = fixed32(w, c);
        break;
      default:
        skip(w, c, tag & 7, 3);
    }
  }
  checkEnd(w, c);

  // Id checks in the order the message-based decoder made them.
  const traceId = traceIdOf(w, traceS, traceE);
  if (traceId === '') return skipped(w, r, si, i, 'trace_id', idProblem(w, traceS, traceE, 16));
  const spanId = hexId(w, spanS, spanE, 8);
  if (spanId === '') return skipped(w, r, si, i, 'span_id', idProblem(w, spanS, spanE, 8));
  let parentSpanId = '';
  if (!allZero(buf, parentS, parentE)) {
    parentSpanId = hexId(w, parentS, parentE, 8);
    if (parentSpanId === '') return skipped(w, r, si, i, 'parent_span_id', idProblem(w, parentS, parentE, 8));
  }
  if (w.linkErr >= 0) return skipped(w, r, si, i, `links[${w.linkErr}].${w.linkErrField}`, w.linkErrMessage);

  const dv = w.dv;
  const startTimeUnixNano = startAt < 0 ? 0n : dv.getBigUint64(startAt, true);
  const endTimeUnixNano = endAt < 0 ? 0n : dv.getBigUint64(endAt, true);
  const startLo = startAt < 0 ? 0 : dv.getUint32(startAt, true);
  const startHi = startAt < 0 ? 0 : dv.getUint32(startAt + 4, true);
  const endLo = endAt < 0 ? 0 : dv.getUint32(endAt, true);
  const endHi = endAt < 0 ? 0 : dv.getUint32(endAt + 4, true);
  w.spans.push({
    traceId,
    spanId,
    parentSpanId,
    traceState,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount: droppedAttributes,
    events,
    droppedEventsCount: droppedEvents,
    links,
    droppedLinksCount: droppedLinks,
    status: { code: statusCode, message: statusMessage },
    flags,
    resource,
    scope,
    startMs: msOf(startLo, startHi),
    durationMs: durationMs(startLo, startHi, endLo, endHi, startTimeUnixNano, endTimeUnixNano),
  });
}

function skipped(w: Wire, r: number, si: number, i: number, field: string, message: string): void {
  if (w.problems.length < MAX_PROBLEMS) {
    w.problems.push({ field: `resource_spans[${r}].scope_spans[${si}].spans[${i}].${field}`, message: `span skipped: ${message}` });
  }
}

function event(w: Wire, end: number, index: number): SpanEvent {
  const c = sub(w, end);
  let timeAt = -1;
  let name = '';
  const attributes = newAttributes();
  let dropped = 0;
  let attributeIndex = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        timeAt = fixed64At(w, c);
        break;
      case 2:
        name = string(w, c);
        break;
      case 3:
        if (attribute(w, c, 5, attributes)) droppedAttribute(w, `${spanField(w)}.events[${index}].attributes[${attributeIndex}]`);
        attributeIndex++;
        break;
      case 4:
        dropped = u32(w, c);
        break;
      default:
        skip(w, c, tag & 7, 4);
    }
  }
  checkEnd(w, c);
  return { timeUnixNano: timeAt < 0 ? 0n : w.dv.getBigUint64(timeAt, true), name, attributes, droppedAttributesCount: dropped };
}

function link(w: Wire, end: number, index: number): SpanLink {
  const c = sub(w, end);
  let traceS = 0;
  let traceE = 0;
  let spanS = 0;
  let spanE = 0;
  let traceState = '';
  const attributes = newAttributes();
  let dropped = 0;
  let flags = 0;
  let attributeIndex = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        traceS = delimited(w, c);
        traceE = w.pos;
        break;
      case 2:
        spanS = delimited(w, c);
        spanE = w.pos;
        break;
      case 3:
        traceState = string(w, c);
        break;
      case 4:
        if (attribute(w, c, 5, attributes)) droppedAttribute(w, `${spanField(w)}.links[${index}].attributes[${attributeIndex}]`);
        attributeIndex++;
        break;
      case 5:
        dropped = u32(w, c);
        break;
      case 6:
        flags = fixed32(w, c);
        break;
      default:
        skip(w, c, tag & 7, 4);
    }
  }
  checkEnd(w, c);
  const traceId = hexId(w, traceS, traceE, 16);
  const spanId = traceId === '' ? '' : hexId(w, spanS, spanE, 8);
  if (spanId === '' && w.linkErr < 0) {
    w.linkErr = index;
    if (traceId === '') {
      w.linkErrField = 'trace_id';
      w.linkErrMessage = idProblem(w, traceS, traceE, 16);
    } else {
      w.linkErrField = 'span_id';
      w.linkErrMessage = idProblem(w, spanS, spanE, 8);
    }
  }
  return { traceId, spanId, traceState, attributes, droppedAttributesCount: dropped, flags };
}

/**
 * Decodes an OTLP protobuf ExportTraceServiceRequest (or TracesData) into spans. With
 * `keepSpanAttributes`, spans carry only those attribute keys (resource, scope, event and link
 * attributes stay whole); what is accepted or refused does not change.
 */
export function decodeTraceRequestWire(bytes: Uint8Array, keepSpanAttributes?: ReadonlySet<string>): DecodeResult {
  const w = new Wire(bytes, keepSpanAttributes);
  try {
    request(w, bytes.length);
  } catch (e) {
    // The nesting limit keeps the recursion shallow; a stack overflow anyway (a caller already
    // deep in its stack) is still bad input for this record, not a crash.
    if (e instanceof RangeError && /call stack/i.test(e.message)) fail('nesting too deep');
    throw e;
  }
  return { spans: w.spans, problems: w.problems };
}

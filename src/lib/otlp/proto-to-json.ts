/**
 * OTLP protobuf ExportTraceServiceRequest bytes → the UTF-8 bytes of its store line (OTLP/JSON
 * and a trailing '\n') in one pass, with no Span, string or JSON object in between: ids become
 * hex, times and int64 decimal, and string fields are copied byte for byte (escaped where JSON
 * needs it) into one growable scratch buffer.
 *
 * The result is exactly `Buffer.from(writeOtlpJsonTraces(decodeOtlpProtoTraces(body).spans) + '\n')`
 * (undefined when no span is accepted, as the store then keeps nothing). That holds only where
 * this module models the decoder's behaviour, which is every request real exporters send. On
 * anything else (a known field with an unexpected wire type, a group, an AnyValue with several
 * members, a singular message given twice or after the items it belongs to, a string that runs
 * past its message, invalid UTF-8, an attribute key given twice or one V8 would order first
 * (integer-like), deep nesting, and every malformed request) it throws its fallback sentinel
 * (see isTranscodeFallback) and the caller takes the exact, slower path: the reader (proto-wire.ts, proto-traces.ts) + json-write.ts.
 *
 * The acceptance rules are proto-wire.ts's: a span is skipped for a missing, wrong-sized or
 * all-zero trace or span id, a bad parent id, or a bad link id; a ResourceSpans or ScopeSpans
 * whose spans are all skipped is left out. Skipped spans are still written (then cut off), so
 * that everything the decoder would read is checked here too.
 */

import * as wireCommon from './wire-common.js';

// Module-local bindings of wire-common's exports: V8's optimized code reaches an import through a
// few more loads than a module's own constant, which shows on paths taken for every field.
const { allZero, divMillion, HEX_PAIR, int64BigInt, readInt64, readUint32, skipValue, wireOut } = wireCommon;

/** The one value this module throws (never anything else, barring a bug). */
const FALLBACK: Error = new Error('proto-to-json: request not modelled here; use the decoder');

/** True for the sentinel transcodeTraceRequest throws when the caller must take the slow path. */
export function isTranscodeFallback(e: unknown): boolean {
  return e === FALLBACK;
}

function fallback(): never {
  throw FALLBACK;
}

/**
 * AnyValue nesting allowed here; deeper requests fall back to the decoder, which keeps values up
 * to MAX_VALUE_DEPTH and drops deeper ones with a problem (decode-result.ts).
 */
const MAX_LEVEL = 20;
const INITIAL_SIZE = 1 << 16;
/** A scratch buffer grown beyond this by a huge request is dropped afterwards. */
const MAX_KEPT_SIZE = 16 << 20;

// ---- state (one request at a time, synchronously) -------------------------------------------

const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer, 0, 0);
/** The request. */
let inb: Uint8Array = EMPTY;
let dv: DataView = EMPTY_VIEW;
/** Read position in inb. */
let pos = 0;
/** The output scratch buffer and the write position in it. */
let out: Uint8Array = Buffer.allocUnsafeSlow(INITIAL_SIZE);
let odv = new DataView(out.buffer, out.byteOffset, out.length);
let o = 0;
/** Spans of the last request: on the wire, and written (the others were skipped for bad ids). */
let spansSeen = 0;
let spansWritten = 0;

function setOut(next: Uint8Array): void {
  out = next;
  odv = new DataView(next.buffer, next.byteOffset, next.length);
}

function grow(n: number): void {
  let size = out.length * 2;
  while (size < o + n) size *= 2;
  const next = Buffer.allocUnsafeSlow(size);
  next.set(out.subarray(0, o));
  setOut(next);
}

function ensure(n: number): void {
  if (o + n > out.length) grow(n);
}

// ---- output primitives ----------------------------------------------------------------------

/** A literal piece of output: its bytes as little-endian 32-bit words, the last one padded. */
class Lit {
  readonly n: number;
  readonly words: Int32Array;
  constructor(text: string) {
    const bytes = Buffer.alloc((text.length + 3) & ~3);
    bytes.write(text, 'latin1');
    this.n = text.length;
    this.words = new Int32Array(bytes.length / 4);
    for (let i = 0; i < this.words.length; i++) this.words[i] = bytes.readInt32LE(4 * i);
  }
}

/** Copies a literal a word at a time (the padding lands past o, where the next write goes). */
function lit(l: Lit): void {
  const n = l.n;
  if (o + n + 4 > out.length) grow(n + 4);
  const words = l.words;
  const d = odv;
  let q = o;
  for (let i = 0; i < words.length; i++, q += 4) d.setInt32(q, words[i]!, true);
  o += n;
}

function ascii(s: string): void {
  const n = s.length;
  if (o + n > out.length) grow(n);
  const dst = out;
  let q = o;
  for (let i = 0; i < n; i++) dst[q++] = s.charCodeAt(i);
  o = q;
}

function byte(b: number): void {
  if (o + 1 > out.length) grow(1);
  out[o++] = b;
}

/** Two decimal digits of 0…99 as a little-endian 16-bit word. */
const PAIRS = new Uint16Array(100);
for (let i = 0; i < 100; i++) PAIRS[i] = (48 + ((i / 10) | 0)) | ((48 + (i % 10)) << 8);

/** 0 ≤ n < 2^31 in decimal, with int32 arithmetic, two digits at a time. */
function small(n: number): void {
  const len = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  if (o + len > out.length) grow(len);
  const d = odv;
  let q = o + len;
  o = q;
  while (n >= 100) {
    const t = (n / 100) | 0;
    d.setUint16((q -= 2), PAIRS[n - t * 100]!, true);
    n = t;
  }
  if (n >= 10) d.setUint16(q - 2, PAIRS[n]!, true);
  else out[q - 1] = 48 + n;
}

/** 0 ≤ n < 10^width (width 6 or 9) in exactly `width` digits. */
function padded(n: number, width: number): void {
  if (o + width > out.length) grow(width);
  const d = odv;
  const start = o;
  let q = start + width;
  o = q;
  for (let i = width; i > 1; i -= 2) {
    const t = (n / 100) | 0;
    d.setUint16((q -= 2), PAIRS[n - t * 100]!, true);
    n = t;
  }
  if (q > start) out[start] = 48 + n; // an odd width: one digit left
}

/** A non-negative integer below 2^53 in decimal. */
function uint(n: number): void {
  if (n < 2147483648) small(n);
  else {
    let hi = Math.floor(n / 1e9); // < 2^24
    let r = n - hi * 1e9;
    if (r < 0) {
      hi--;
      r += 1e9;
    }
    small(hi);
    padded(r, 9);
  }
}

/** A signed integer of magnitude below 2^53. */
function int(n: number): void {
  if (n < 0) {
    byte(45);
    uint(-n);
  } else uint(n);
}

/** The unsigned 64-bit hi·2³² + lo in decimal. */
function u64(lo: number, hi: number): void {
  if (hi < 0x200000) {
    uint(hi * 4294967296 + lo);
    return;
  }
  // v = Q·10⁶ + R with Q < 2^45: exact in doubles (as proto-wire.ts' msOf splits it).
  const r = divMillion(lo, hi);
  uint(wireOut.quotient);
  padded(r, 6);
}

/** The fixed64 at input position `at` (-1: absent, 0) as a quoted-already decimal. */
function time(at: number): void {
  if (at < 0) byte(48);
  else u64(dv.getUint32(at, true), dv.getUint32(at + 4, true));
}

function hex(s: number, e: number): void {
  const n = e - s;
  if (o + 2 * n > out.length) grow(2 * n);
  const src = inb;
  const d = odv;
  const pairs = HEX_PAIR;
  let q = o;
  for (let p = s; p < e; p++, q += 2) d.setUint16(q, pairs[src[p]!]!, true);
  o = q;
}

const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');

/** Buffer#toString('base64') of input bytes s…e (padded), unquoted. */
function base64(s: number, e: number): void {
  const n = e - s;
  ensure(Math.ceil(n / 3) * 4);
  const src = inb;
  const dst = out;
  let q = o;
  let p = s;
  for (; p + 3 <= e; p += 3) {
    const v = (src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!;
    dst[q++] = B64[v >> 18]!;
    dst[q++] = B64[(v >> 12) & 63]!;
    dst[q++] = B64[(v >> 6) & 63]!;
    dst[q++] = B64[v & 63]!;
  }
  if (e - p === 1) {
    const v = src[p]! << 16;
    dst[q++] = B64[v >> 18]!;
    dst[q++] = B64[(v >> 12) & 63]!;
    dst[q++] = 61;
    dst[q++] = 61;
  } else if (e - p === 2) {
    const v = (src[p]! << 16) | (src[p + 1]! << 8);
    dst[q++] = B64[v >> 18]!;
    dst[q++] = B64[(v >> 12) & 63]!;
    dst[q++] = B64[(v >> 6) & 63]!;
    dst[q++] = 61;
  }
  o = q;
}

/**
 * Byte classes for strings: 0 copied as is, 1 escaped by JSON.stringify (`"`, `\`, controls;
 * DEL is not), 2 the lead or continuation byte of a multi-byte UTF-8 sequence.
 */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) CLASS[b] = 1;
CLASS[0x22] = 1;
CLASS[0x5c] = 1;
for (let b = 0x80; b < 0x100; b++) CLASS[b] = 2;

/** The escape JSON.stringify writes for a byte of class 1 (`\n`, `\u001f`, …). */
const ESCAPE: Uint8Array[] = [];
for (let b = 0; b < 0x60; b++) ESCAPE.push(Buffer.from(JSON.stringify(String.fromCharCode(b)).slice(1, -1), 'latin1'));

/**
 * The input bytes s…e as a JSON string (quotes included): what JSON.stringify writes for their
 * UTF-8 decoding, as UTF-8. Invalid UTF-8 (which Buffer decodes to U+FFFD) falls back.
 */
function str(s: number, e: number): void {
  const n = e - s;
  if (o + 6 * n + 8 > out.length) grow(6 * n + 8);
  const sdv = dv;
  const d = odv;
  let q = o;
  out[q++] = 34;
  let p = s;
  // Four bytes at a time while none is ≥ 0x80, < 0x20, '"' or '\\' (exact tests: no false
  // negatives); a last partial word is read overlapping the one before.
  if (n >= 4) {
    for (;;) {
      if (p + 4 > e) {
        if (p === e) {
          out[q] = 34;
          o = q + 1;
          return;
        }
        const back = p + 4 - e;
        p -= back;
        q -= back;
      }
      const w = sdv.getInt32(p, true);
      const x = w ^ 0x22222222;
      const y = w ^ 0x5c5c5c5c;
      if ((w | ((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) break;
      d.setInt32(q, w, true);
      p += 4;
      q += 4;
    }
  }
  strRest(p, e, q);
}

/** The rest of a string from input position p, output position q, a byte (or character) at a time. */
function strRest(p: number, e: number, q: number): void {
  const src = inb;
  const dst = out;
  while (p < e) {
    const b = src[p]!;
    const c = CLASS[b]!;
    if (c === 0) {
      dst[q++] = b;
      p++;
    } else if (c === 1) {
      const esc = ESCAPE[b]!;
      for (let i = 0; i < esc.length; i++) dst[q++] = esc[i]!;
      p++;
    } else {
      const len = utf8Length(src, p, e);
      for (let i = 0; i < len; i++) dst[q++] = src[p++]!;
    }
  }
  dst[q++] = 34;
  o = q;
}

/** The length of the valid UTF-8 sequence at p (lead byte ≥ 0x80); falls back on invalid UTF-8. */
function utf8Length(src: Uint8Array, p: number, e: number): number {
  const b = src[p]!;
  if (b < 0xc2) fallback(); // a continuation byte, or an overlong 2-byte lead
  if (b < 0xe0) {
    if (p + 1 >= e || (src[p + 1]! & 0xc0) !== 0x80) fallback();
    return 2;
  }
  if (b < 0xf0) {
    if (p + 2 >= e) fallback();
    const b1 = src[p + 1]!;
    if ((b1 & 0xc0) !== 0x80 || (src[p + 2]! & 0xc0) !== 0x80) fallback();
    if (b === 0xe0 ? b1 < 0xa0 : b === 0xed && b1 >= 0xa0) fallback(); // overlong; surrogate
    return 3;
  }
  if (b > 0xf4 || p + 3 >= e) fallback();
  const b1 = src[p + 1]!;
  if ((b1 & 0xc0) !== 0x80 || (src[p + 2]! & 0xc0) !== 0x80 || (src[p + 3]! & 0xc0) !== 0x80) fallback();
  if (b === 0xf0 ? b1 < 0x90 : b === 0xf4 && b1 >= 0x90) fallback(); // overlong; above U+10FFFF
  return 4;
}

const L = (s: string): Lit => new Lit(s);
const L_OPEN = L('{"resourceSpans":[');
const L_CLOSE = L(']}\n');
const L_RESOURCE = L('{"resource":');
const L_RESOURCE_NEXT = L(',{"resource":');
const L_SCOPE_SPANS = L(',"scopeSpans":[');
const L_SCOPE = L('{"scope":');
const L_SCOPE_NEXT = L(',{"scope":');
const L_SPANS = L(',"spans":[');
const L_END_SCHEMA = L('],"schemaUrl":');
const L_END = L(']}');
const L_EMPTY = L('{}');
const L_NAME_FIRST = L('{"name":');
const L_VERSION = L(',"version":');
const L_ATTRS = L(',"attributes":[{"key":');
const L_ATTRS_FIRST = L('"attributes":[{"key":');
const L_DROPPED_ATTRS = L(',"droppedAttributesCount":');
const L_DROPPED_ATTRS_FIRST = L('"droppedAttributesCount":');
const L_KEY = L('{"key":');
const L_KEY_NEXT = L(',{"key":');
const L_TRACE_ID = L('{"traceId":"');
const L_TRACE_ID_NEXT = L(',{"traceId":"');
const L_SPAN_ID = L('","spanId":"');
const L_TRACE_STATE = L(',"traceState":');
const L_PARENT = L(',"parentSpanId":"');
const L_FLAGS = L(',"flags":');
const L_NAME = L(',"name":');
const L_KIND = L(',"kind":');
const L_START = L(',"startTimeUnixNano":"');
const L_END_TIME = L('","endTimeUnixNano":"');
const L_EVENTS = L(',"events":[');
const L_EVENT = L('{"timeUnixNano":"');
const L_EVENT_NEXT = L(',{"timeUnixNano":"');
const L_EVENT_NAME = L('","name":');
const L_DROPPED_EVENTS = L(',"droppedEventsCount":');
const L_LINKS = L(',"links":[');
const L_DROPPED_LINKS = L(',"droppedLinksCount":');
const L_STATUS_MESSAGE = L(',"status":{"message":');
const L_CODE = L(',"code":');
const L_STATUS_CODE = L(',"status":{"code":');
const L_STATUS_EMPTY = L(',"status":{}}');
const L_CLOSE2 = L('}}');
/**
 * AnyValue pieces in two forms: [0] alone (in an array), [1] as a KeyValue's value, with the
 * `,"value":` before and the KeyValue's closing `}` after (fewer, longer copies).
 */
const V = (open: string, close: string): Array<[Lit, Lit]> => [
  [L(open), L(close)],
  [L(',"value":' + open), L(close + '}')],
];
const V_STRING = V('{"stringValue":', '}');
const V_TRUE = V('{"boolValue":true}', '');
const V_FALSE = V('{"boolValue":false}', '');
const V_INT = V('{"intValue":"', '"}');
const V_DOUBLE = V('{"doubleValue":', '}');
const V_DOUBLE_STRING = V('{"doubleValue":"', '"}');
const V_MINUS_ZERO = V('{"doubleValue":"-0"}', '');
const V_ARRAY = V('{"arrayValue":{"values":[', ']}}');
const V_KVLIST = V('{"kvlistValue":{"values":[', ']}}');
const V_BYTES = V('{"bytesValue":"', '"}');
const V_EMPTY = V('{}', '');

// ---- input primitives (wire-common.ts reads; every irregularity falls back) ------------------

/** protobufjs Reader#uint32: a varint's low 32 bits (one byte here, longer ones in wire-common). */
function u32(end: number): number {
  const p = pos;
  if (p < end) {
    const b = inb[p]!;
    if (b < 128) {
      pos = p + 1;
      return b;
    }
  }
  const v = readUint32(inb, p, end);
  if (v < 0) fallback();
  pos = wireOut.next;
  return v;
}

/** A length-delimited field: checks it, moves past it, returns its start (its end is pos). */
function delimited(end: number): number {
  const len = u32(end);
  const s = pos;
  if (s + len > end) fallback(); // also a string protobufjs would clamp to its message
  pos = s + len;
  return s;
}

/** A sub-message's end, after its length prefix. */
function sub(end: number): number {
  const len = u32(end);
  const c = pos + len;
  if (c > end) fallback();
  return c;
}

function checkEnd(c: number): void {
  if (pos !== c) fallback();
}

function fixed64At(end: number): number {
  const p = pos;
  if (p + 8 > end) fallback();
  pos = p + 8;
  return p;
}

function fixed32(end: number): number {
  const p = pos;
  if (p + 4 > end) fallback();
  pos = p + 4;
  return dv.getUint32(p, true);
}

/** An unknown field of wire type 0, 1, 2 or 5 (groups and invalid wire types fall back). */
function skip(end: number, wireType: number): void {
  const p = skipValue(inb, pos, end, wireType);
  if (p < 0) fallback();
  pos = p;
}

/** An int64 varint (AnyValue.int_value) in decimal, as bigint's toString writes it. */
function i64(end: number): void {
  const v = readInt64(inb, pos, end);
  const next = wireOut.next;
  if (next < 0) fallback();
  pos = next;
  if (v === v) int(v);
  else ascii(int64BigInt(wireOut.lo, wireOut.hi).toString());
}

// ---- attributes ------------------------------------------------------------------------------

/**
 * Keys of the attribute list being written, to fall back on a duplicate (the map keeps the first
 * position with the last value) — an open-addressing table of input ranges, cleared by
 * generation.
 */
const KEY_SLOTS = 1024;
const MAX_KEYS = 512;
const keyGen = new Int32Array(KEY_SLOTS);
const keyStart = new Int32Array(KEY_SLOTS);
const keyLength = new Int32Array(KEY_SLOTS);
let generation = 0;
let keyCount = 0;

function newKeyList(): void {
  if (++generation === 0x40000000) {
    keyGen.fill(0);
    generation = 1;
  }
  keyCount = 0;
}

/** Records an attribute key; falls back on a repeated key or an integer-like one (V8 orders those first). */
function addKey(s: number, e: number): void {
  const n = e - s;
  const buf = inb;
  if (n > 0 && n <= 10 && buf[s]! >= 48 && buf[s]! <= 57) {
    let p = s + 1;
    while (p < e && buf[p]! >= 48 && buf[p]! <= 57) p++;
    if (p === e) fallback();
  }
  if (++keyCount > MAX_KEYS) fallback();
  // The slot from the length and a few bytes; equal ones are told apart by comparing.
  let h = Math.imul(n, 0x9e3779b1);
  if (n > 0) {
    h = Math.imul(h ^ buf[s]!, 0x01000193);
    h = Math.imul(h ^ buf[e - 1]!, 0x01000193);
    h = Math.imul(h ^ buf[s + (n >> 1)]!, 0x01000193);
    h = Math.imul(h ^ buf[s + (n >> 2)]!, 0x01000193);
    h = Math.imul(h ^ buf[s + ((3 * n) >> 2)]!, 0x01000193);
  }
  let slot = (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
  while (keyGen[slot] === generation) {
    if (keyLength[slot] === n) {
      const t = keyStart[slot]!;
      let i = 0;
      while (i < n && buf[t + i] === buf[s + i]) i++;
      if (i === n) fallback();
    }
    slot = (slot + 1) & (KEY_SLOTS - 1);
  }
  keyGen[slot] = generation;
  keyStart[slot] = s;
  keyLength[slot] = n;
}

/**
 * A KeyValue (its length prefix next) as `{"key":…,"value":…}`; `isAttr`: one of an attribute
 * map's, whose keys must be distinct.
 */
function keyValue(end: number, level: number, isAttr: boolean): void {
  const c = sub(end);
  let keyS = 0;
  let keyE = 0;
  let hasKey = false;
  let valueAt = -1;
  // The usual layout first: key (tag 0x0a, a one-byte length), then value (0x12, one byte), nothing else.
  const buf = inb;
  const p = pos;
  if (p + 2 <= c && buf[p] === 0x0a && buf[p + 1]! < 128) {
    const ke = p + 2 + buf[p + 1]!;
    if (ke + 2 <= c && buf[ke] === 0x12 && buf[ke + 1]! < 128 && ke + 2 + buf[ke + 1]! === c) {
      hasKey = true;
      keyS = p + 2;
      keyE = ke;
      valueAt = ke + 1;
      pos = c;
    }
  }
  while (pos < c) {
    const tag = u32(c);
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) !== 2 || hasKey) fallback();
        hasKey = true;
        keyS = delimited(c);
        keyE = pos;
        break;
      case 2:
        if ((tag & 7) !== 2 || valueAt >= 0) fallback();
        valueAt = pos;
        delimited(c);
        break;
      default:
        skip(c, tag & 7);
    }
  }
  checkEnd(c);
  if (isAttr) addKey(keyS, keyE);
  str(keyS, keyE);
  if (valueAt < 0) {
    lit(V_EMPTY[1]![0]);
    lit(V_EMPTY[1]![1]);
  } else {
    pos = valueAt;
    anyValue(c, level + 1, 1);
    pos = c;
  }
}

/**
 * An AnyValue (its length prefix next); `level` counts AnyValue nesting; `form` 1: as a
 * KeyValue's value (see V).
 */
function anyValue(end: number, level: number, form: number): void {
  const c = sub(end);
  if (level > MAX_LEVEL) fallback();
  // The usual one: a string member alone (tag 0x0a, a one-byte length).
  const p = pos;
  if (p + 2 <= c && inb[p] === 0x0a && inb[p + 1]! < 128 && p + 2 + inb[p + 1]! === c) {
    const v = V_STRING[form]!;
    lit(v[0]);
    str(p + 2, c);
    lit(v[1]);
    pos = c;
    return;
  }
  let seen = false;
  while (pos < c) {
    const tag = u32(c);
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field >= 1 && field <= 7) {
      if (seen) fallback(); // protobufjs' choice among several members: the slow path's business
      seen = true;
    }
    let v: [Lit, Lit];
    switch (field) {
      case 1: {
        if (wt !== 2) fallback();
        const s = delimited(c);
        v = V_STRING[form]!;
        lit(v[0]);
        str(s, pos);
        break;
      }
      case 2:
        if (wt !== 0) fallback();
        v = u32(c) !== 0 ? V_TRUE[form]! : V_FALSE[form]!;
        lit(v[0]);
        break;
      case 3:
        if (wt !== 0) fallback();
        v = V_INT[form]!;
        lit(v[0]);
        i64(c);
        break;
      case 4: {
        if (wt !== 1) fallback();
        const p = fixed64At(c);
        const d = dv.getFloat64(p, true);
        // As the encoder: -0, NaN and ±Infinity as strings, other doubles as JSON numbers.
        if (!Number.isFinite(d)) v = V_DOUBLE_STRING[form]!;
        else if (d === 0 && 1 / d < 0) v = V_MINUS_ZERO[form]!;
        else v = V_DOUBLE[form]!;
        lit(v[0]);
        if (v !== V_MINUS_ZERO[form]) ascii(String(d));
        break;
      }
      case 5:
        if (wt !== 2) fallback();
        v = V_ARRAY[form]!;
        lit(v[0]);
        arrayValue(c, level);
        break;
      case 6:
        if (wt !== 2) fallback();
        v = V_KVLIST[form]!;
        lit(v[0]);
        kvList(c, level);
        break;
      case 7: {
        if (wt !== 2) fallback();
        const s = delimited(c);
        v = V_BYTES[form]!;
        lit(v[0]);
        base64(s, pos);
        break;
      }
      default:
        skip(c, wt);
        continue;
    }
    lit(v[1]);
  }
  checkEnd(c);
  if (!seen) {
    lit(V_EMPTY[form]![0]);
    lit(V_EMPTY[form]![1]);
  }
}

function arrayValue(end: number, level: number): void {
  const c = sub(end);
  let n = 0;
  while (pos < c) {
    const tag = u32(c);
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== 2) fallback();
      if (n++ > 0) byte(44);
      anyValue(c, level + 1, 0);
    } else skip(c, tag & 7);
  }
  checkEnd(c);
}

function kvList(end: number, level: number): void {
  const c = sub(end);
  let n = 0;
  while (pos < c) {
    const tag = u32(c);
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== 2) fallback();
      lit(n++ > 0 ? L_KEY_NEXT : L_KEY);
      keyValue(c, level, false);
    } else skip(c, tag & 7);
  }
  checkEnd(c);
}

/**
 * The attributes (field `field`, KeyValue messages) among the fields from…to of a message whose
 * fields were already checked, as `<lead>{…},{…}]`; returns whether there was any.
 */
function attributes(from: number, to: number, field: number, lead: Lit): boolean {
  if (from < 0) return false;
  const saved = pos;
  pos = from;
  newKeyList();
  let n = 0;
  while (pos < to) {
    const tag = u32(to);
    if (tag >>> 3 === field) {
      lit(n++ > 0 ? L_KEY_NEXT : lead);
      keyValue(to, 0, true);
    } else skip(to, tag & 7);
  }
  pos = saved;
  if (n > 0) byte(93);
  return n > 0;
}

/** `,"droppedAttributesCount":n` when n is not 0. */
function dropped(lead: Lit, n: number): void {
  if (n !== 0) {
    lit(lead);
    uint(n);
  }
}

// ---- resource and scope ----------------------------------------------------------------------

/** The Resource whose length prefix is at `at` (-1: none) in a message ending at `end`, as `{…}`. */
function resource(at: number, end: number): void {
  if (at < 0) {
    lit(L_EMPTY);
    return;
  }
  const saved = pos;
  pos = at;
  const c = sub(end);
  let attrFrom = -1;
  let attrTo = 0;
  let droppedCount = 0;
  while (pos < c) {
    const tagAt = pos;
    const tag = u32(c);
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) !== 2) fallback();
        if (attrFrom < 0) attrFrom = tagAt;
        delimited(c);
        attrTo = pos;
        break;
      case 2:
        if ((tag & 7) !== 0) fallback();
        droppedCount = u32(c);
        break;
      case 3:
        if ((tag & 7) !== 2) fallback();
        entityRef(c);
        break;
      default:
        skip(c, tag & 7);
    }
  }
  checkEnd(c);
  byte(123);
  const any = attributes(attrFrom, attrTo, 1, L_ATTRS_FIRST);
  dropped(any ? L_DROPPED_ATTRS : L_DROPPED_ATTRS_FIRST, droppedCount);
  byte(125);
  pos = saved;
}

/** EntityRef: not written, but checked as the decoder reads it (four string fields). */
function entityRef(end: number): void {
  const c = sub(end);
  while (pos < c) {
    const tag = u32(c);
    const field = tag >>> 3;
    if (field >= 1 && field <= 4) {
      if ((tag & 7) !== 2) fallback();
      delimited(c);
    } else skip(c, tag & 7);
  }
  checkEnd(c);
}

/** The InstrumentationScope whose length prefix is at `at` (-1: none), as `{"name":…}`. */
function scope(at: number, end: number): void {
  let nameS = 0;
  let nameE = 0;
  let versionS = 0;
  let versionE = 0;
  let attrFrom = -1;
  let attrTo = 0;
  let droppedCount = 0;
  const saved = pos;
  if (at >= 0) {
    pos = at;
    const c = sub(end);
    while (pos < c) {
      const tagAt = pos;
      const tag = u32(c);
      switch (tag >>> 3) {
        case 1:
          if ((tag & 7) !== 2) fallback();
          nameS = delimited(c);
          nameE = pos;
          break;
        case 2:
          if ((tag & 7) !== 2) fallback();
          versionS = delimited(c);
          versionE = pos;
          break;
        case 3:
          if ((tag & 7) !== 2) fallback();
          if (attrFrom < 0) attrFrom = tagAt;
          delimited(c);
          attrTo = pos;
          break;
        case 4:
          if ((tag & 7) !== 0) fallback();
          droppedCount = u32(c);
          break;
        default:
          skip(c, tag & 7);
      }
    }
    checkEnd(c);
  }
  lit(L_NAME_FIRST);
  str(nameS, nameE);
  if (versionE > versionS) {
    lit(L_VERSION);
    str(versionS, versionE);
  }
  attributes(attrFrom, attrTo, 3, L_ATTRS);
  dropped(L_DROPPED_ATTRS, droppedCount);
  byte(125);
  pos = saved;
}

// ---- spans ------------------------------------------------------------------------------------

function validId(s: number, e: number, size: number): boolean {
  return e - s === size && !allZero(inb, s, e);
}

/** A Link's ids (its length prefix next; only its top-level fields are read): both valid? */
function linkIdsValid(end: number): boolean {
  const c = sub(end);
  let traceS = 0;
  let traceE = 0;
  let spanS = 0;
  let spanE = 0;
  while (pos < c) {
    const tag = u32(c);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== 2) fallback();
        traceS = delimited(c);
        traceE = pos;
        break;
      case 2:
        if (wt !== 2) fallback();
        spanS = delimited(c);
        spanE = pos;
        break;
      case 3:
      case 4:
        if (wt !== 2) fallback();
        delimited(c);
        break;
      case 5:
        if (wt !== 0) fallback();
        skip(c, 0);
        break;
      case 6:
        if (wt !== 5) fallback();
        skip(c, 5);
        break;
      default:
        skip(c, wt);
    }
  }
  checkEnd(c);
  return validId(traceS, traceE, 16) && validId(spanS, spanE, 8);
}

/** A Span (its length prefix next): written (after a comma when `nth` > 0) if accepted. */
function span(end: number, nth: number): boolean {
  const c = sub(end);
  let traceS = 0;
  let traceE = 0;
  let spanS = 0;
  let spanE = 0;
  let parentS = 0;
  let parentE = 0;
  let stateS = 0;
  let stateE = 0;
  let nameS = 0;
  let nameE = 0;
  let kind = 0;
  let startAt = -1;
  let endAt = -1;
  let attrFrom = -1;
  let attrTo = 0;
  let droppedAttrs = 0;
  let eventFrom = -1;
  let eventTo = 0;
  let droppedEvents = 0;
  let linkFrom = -1;
  let linkTo = 0;
  let linksValid = true;
  let droppedLinks = 0;
  let statusCode = 0;
  let messageS = 0;
  let messageE = 0;
  let flags = 0;
  while (pos < c) {
    const tagAt = pos;
    const tag = u32(c);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== 2) fallback();
        traceS = delimited(c);
        traceE = pos;
        break;
      case 2:
        if (wt !== 2) fallback();
        spanS = delimited(c);
        spanE = pos;
        break;
      case 3:
        if (wt !== 2) fallback();
        stateS = delimited(c);
        stateE = pos;
        break;
      case 4:
        if (wt !== 2) fallback();
        parentS = delimited(c);
        parentE = pos;
        break;
      case 5:
        if (wt !== 2) fallback();
        nameS = delimited(c);
        nameE = pos;
        break;
      case 6:
        if (wt !== 0) fallback();
        kind = u32(c) | 0;
        break;
      case 7:
        if (wt !== 1) fallback();
        startAt = fixed64At(c);
        break;
      case 8:
        if (wt !== 1) fallback();
        endAt = fixed64At(c);
        break;
      case 9:
        if (wt !== 2) fallback();
        if (attrFrom < 0) attrFrom = tagAt;
        delimited(c);
        attrTo = pos;
        break;
      case 10:
        if (wt !== 0) fallback();
        droppedAttrs = u32(c);
        break;
      case 11:
        if (wt !== 2) fallback();
        if (eventFrom < 0) eventFrom = tagAt;
        delimited(c);
        eventTo = pos;
        break;
      case 12:
        if (wt !== 0) fallback();
        droppedEvents = u32(c);
        break;
      case 13:
        if (wt !== 2) fallback();
        if (linkFrom < 0) linkFrom = tagAt;
        if (!linkIdsValid(c)) linksValid = false;
        linkTo = pos;
        break;
      case 14:
        if (wt !== 0) fallback();
        droppedLinks = u32(c);
        break;
      case 15: {
        // Status: a second occurrence replaces the first.
        if (wt !== 2) fallback();
        const sc = sub(c);
        statusCode = 0;
        messageS = messageE = 0;
        while (pos < sc) {
          const t = u32(sc);
          switch (t >>> 3) {
            case 2:
              if ((t & 7) !== 2) fallback();
              messageS = delimited(sc);
              messageE = pos;
              break;
            case 3:
              if ((t & 7) !== 0) fallback();
              statusCode = u32(sc) | 0;
              break;
            default:
              skip(sc, t & 7);
          }
        }
        checkEnd(sc);
        break;
      }
      case 16:
        if (wt !== 5) fallback();
        flags = fixed32(c);
        break;
      default:
        skip(c, wt);
    }
  }
  checkEnd(c);

  const accepted =
    validId(traceS, traceE, 16) &&
    validId(spanS, spanE, 8) &&
    (allZero(inb, parentS, parentE) || validId(parentS, parentE, 8)) &&
    linksValid;
  // A skipped span is written all the same (then cut off): its contents are checked like this.
  const mark = o;
  lit(accepted && nth > 0 ? L_TRACE_ID_NEXT : L_TRACE_ID);
  hex(traceS, traceE);
  lit(L_SPAN_ID);
  hex(spanS, spanE);
  byte(34);
  if (stateE > stateS) {
    lit(L_TRACE_STATE);
    str(stateS, stateE);
  }
  if (!allZero(inb, parentS, parentE)) {
    lit(L_PARENT);
    hex(parentS, parentE);
    byte(34);
  }
  if (flags !== 0) {
    lit(L_FLAGS);
    uint(flags);
  }
  lit(L_NAME);
  str(nameS, nameE);
  lit(L_KIND);
  int(kind);
  lit(L_START);
  time(startAt);
  lit(L_END_TIME);
  time(endAt);
  byte(34);
  attributes(attrFrom, attrTo, 9, L_ATTRS);
  dropped(L_DROPPED_ATTRS, droppedAttrs);
  if (eventFrom >= 0) {
    lit(L_EVENTS);
    pos = eventFrom;
    let n = 0;
    while (pos < eventTo) {
      const tag = u32(eventTo);
      if (tag >>> 3 === 11) event(eventTo, n++);
      else skip(eventTo, tag & 7);
    }
    byte(93);
  }
  if (droppedEvents !== 0) {
    lit(L_DROPPED_EVENTS);
    uint(droppedEvents);
  }
  if (linkFrom >= 0) {
    lit(L_LINKS);
    pos = linkFrom;
    let n = 0;
    while (pos < linkTo) {
      const tag = u32(linkTo);
      if (tag >>> 3 === 13) link(linkTo, n++);
      else skip(linkTo, tag & 7);
    }
    byte(93);
  }
  if (droppedLinks !== 0) {
    lit(L_DROPPED_LINKS);
    uint(droppedLinks);
  }
  if (messageE > messageS) {
    lit(L_STATUS_MESSAGE);
    str(messageS, messageE);
    if (statusCode !== 0) {
      lit(L_CODE);
      int(statusCode);
    }
    lit(L_CLOSE2);
  } else if (statusCode !== 0) {
    lit(L_STATUS_CODE);
    int(statusCode);
    lit(L_CLOSE2);
  } else lit(L_STATUS_EMPTY);
  pos = c;
  if (!accepted) o = mark;
  return accepted;
}

function event(end: number, nth: number): void {
  const c = sub(end);
  let timeAt = -1;
  let nameS = 0;
  let nameE = 0;
  let attrFrom = -1;
  let attrTo = 0;
  let droppedCount = 0;
  while (pos < c) {
    const tagAt = pos;
    const tag = u32(c);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== 1) fallback();
        timeAt = fixed64At(c);
        break;
      case 2:
        if (wt !== 2) fallback();
        nameS = delimited(c);
        nameE = pos;
        break;
      case 3:
        if (wt !== 2) fallback();
        if (attrFrom < 0) attrFrom = tagAt;
        delimited(c);
        attrTo = pos;
        break;
      case 4:
        if (wt !== 0) fallback();
        droppedCount = u32(c);
        break;
      default:
        skip(c, wt);
    }
  }
  checkEnd(c);
  lit(nth > 0 ? L_EVENT_NEXT : L_EVENT);
  time(timeAt);
  lit(L_EVENT_NAME);
  str(nameS, nameE);
  attributes(attrFrom, attrTo, 3, L_ATTRS);
  dropped(L_DROPPED_ATTRS, droppedCount);
  byte(125);
}

function link(end: number, nth: number): void {
  const c = sub(end);
  let traceS = 0;
  let traceE = 0;
  let spanS = 0;
  let spanE = 0;
  let stateS = 0;
  let stateE = 0;
  let attrFrom = -1;
  let attrTo = 0;
  let droppedCount = 0;
  let flags = 0;
  while (pos < c) {
    const tagAt = pos;
    const tag = u32(c);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== 2) fallback();
        traceS = delimited(c);
        traceE = pos;
        break;
      case 2:
        if (wt !== 2) fallback();
        spanS = delimited(c);
        spanE = pos;
        break;
      case 3:
        if (wt !== 2) fallback();
        stateS = delimited(c);
        stateE = pos;
        break;
      case 4:
        if (wt !== 2) fallback();
        if (attrFrom < 0) attrFrom = tagAt;
        delimited(c);
        attrTo = pos;
        break;
      case 5:
        if (wt !== 0) fallback();
        droppedCount = u32(c);
        break;
      case 6:
        if (wt !== 5) fallback();
        flags = fixed32(c);
        break;
      default:
        skip(c, wt);
    }
  }
  checkEnd(c);
  lit(nth > 0 ? L_TRACE_ID_NEXT : L_TRACE_ID);
  hex(traceS, traceE);
  lit(L_SPAN_ID);
  hex(spanS, spanE);
  byte(34);
  if (stateE > stateS) {
    lit(L_TRACE_STATE);
    str(stateS, stateE);
  }
  if (flags !== 0) {
    lit(L_FLAGS);
    uint(flags);
  }
  attributes(attrFrom, attrTo, 4, L_ATTRS);
  dropped(L_DROPPED_ATTRS, droppedCount);
  byte(125);
}

// ---- the request -----------------------------------------------------------------------------

/** A ScopeSpans (its length prefix next): written (after a comma when `nth` > 0) if any span is. */
function scopeSpans(end: number, nth: number): boolean {
  const c = sub(end);
  let scopeAt = -1;
  let schemaS = 0;
  let schemaE = 0;
  let mark = -1;
  let spans = 0;
  while (pos < c) {
    const tag = u32(c);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        // A scope given twice (protobufjs keeps the last) or after spans: not modelled.
        if (wt !== 2 || scopeAt >= 0 || mark >= 0) fallback();
        scopeAt = pos;
        delimited(c);
        break;
      case 2:
        if (wt !== 2) fallback();
        if (mark < 0) {
          mark = o;
          lit(nth > 0 ? L_SCOPE_NEXT : L_SCOPE);
          scope(scopeAt, c);
          lit(L_SPANS);
        }
        spansSeen++;
        if (span(c, spans)) {
          spans++;
          spansWritten++;
        }
        break;
      case 3:
        if (wt !== 2) fallback();
        schemaS = delimited(c);
        schemaE = pos;
        break;
      default:
        skip(c, wt);
    }
  }
  checkEnd(c);
  if (spans === 0) {
    if (mark < 0) mark = o;
    if (scopeAt >= 0) scope(scopeAt, c); // checked all the same
    o = mark;
    return false;
  }
  if (schemaE > schemaS) {
    lit(L_END_SCHEMA);
    str(schemaS, schemaE);
    byte(125);
  } else lit(L_END);
  return true;
}

/** A ResourceSpans (its length prefix next): written (after a comma when `nth` > 0) if any span is. */
function resourceSpans(end: number, nth: number): boolean {
  const c = sub(end);
  let resourceAt = -1;
  let schemaS = 0;
  let schemaE = 0;
  let mark = -1;
  let groups = 0;
  while (pos < c) {
    const tag = u32(c);
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt !== 2 || resourceAt >= 0 || mark >= 0) fallback();
        resourceAt = pos;
        delimited(c);
        break;
      case 2:
        if (wt !== 2) fallback();
        if (mark < 0) {
          mark = o;
          lit(nth > 0 ? L_RESOURCE_NEXT : L_RESOURCE);
          resource(resourceAt, c);
          lit(L_SCOPE_SPANS);
        }
        if (scopeSpans(c, groups)) groups++;
        break;
      case 3:
        if (wt !== 2) fallback();
        schemaS = delimited(c);
        schemaE = pos;
        break;
      default:
        skip(c, wt);
    }
  }
  checkEnd(c);
  if (groups === 0) {
    if (mark < 0) mark = o;
    if (resourceAt >= 0) resource(resourceAt, c);
    o = mark;
    return false;
  }
  if (schemaE > schemaS) {
    lit(L_END_SCHEMA);
    str(schemaS, schemaE);
    byte(125);
  } else lit(L_END);
  return true;
}

/** Spans of the last transcodeTraceRequest() that returned: on the wire, and in the line. */
export function transcodedSpans(): { seen: number; written: number } {
  return { seen: spansSeen, written: spansWritten };
}

/**
 * The store line of an OTLP protobuf ExportTraceServiceRequest: the UTF-8 of
 * `writeOtlpJsonTraces(decodeOtlpProtoTraces(body).spans)` and '\n', in a buffer of its own
 * (transferable); undefined when no span is accepted. Throws the fallback sentinel
 * (isTranscodeFallback) for a request it does not model, malformed ones included: the caller
 * then takes the decoder path, which gives the exact result or error.
 */
export function transcodeTraceRequest(body: Buffer): Uint8Array<ArrayBuffer> | undefined {
  inb = body;
  dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  pos = 0;
  o = 0;
  spansSeen = 0;
  spansWritten = 0;
  try {
    lit(L_OPEN);
    const end = body.length;
    let n = 0;
    while (pos < end) {
      const tag = u32(end);
      if (tag >>> 3 === 1) {
        if ((tag & 7) !== 2) fallback();
        if (resourceSpans(end, n)) n++;
      } else skip(end, tag & 7);
    }
    if (n === 0) return undefined;
    lit(L_CLOSE);
    // A copy in memory of its own (not Buffer's pool): `out` is reused by the next request while
    // this line waits to be written.
    const line = Buffer.allocUnsafeSlow(o);
    line.set(new Uint8Array(out.buffer, out.byteOffset, o));
    return new Uint8Array(line.buffer, 0, o);
  } catch (e) {
    // A stack overflow cannot happen within the nesting allowed here, but is a fallback too.
    if (e instanceof RangeError) fallback();
    throw e;
  } finally {
    inb = EMPTY;
    dv = EMPTY_VIEW;
    if (out.length > MAX_KEPT_SIZE) setOut(Buffer.allocUnsafeSlow(INITIAL_SIZE));
  }
}

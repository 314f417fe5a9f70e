/**
 * An OTLP protobuf ExportTraceServiceRequest → its store line (OTLP/JSON and '\n') with no Span
 * in between, from proto-traces.ts' field positions through json-bytes.ts and json-write.ts'
 * literals (strings copied byte for byte, escaped where JSON needs it): the store worker's path
 * (receiver/keep.ts), exactly the bytes of otlpJsonTracesLine(decodeOtlpProtoTraces(body).spans).
 *
 * What this path cannot write as those bytes (malformed requests among them) it leaves to the
 * decoder path by throwing its fallback sentinel (isLineFallback): docs/architecture.md, "Where
 * `proto-line.ts` leaves a request to the decoder path".
 */
import * as jsonBytes from './json-bytes.js';
import * as J from './json-write.js';
import { anyValueMember, keyValueFields } from './proto-values.js';
import { allZero, checkEnd, delimited, int64BigInt, skip, stringAt, sub, u32, Wire } from './proto-wire.js';
import { EventFields, Positions, Range, ResourceOrScopeFields, scanEvent, scanLink, scanResourceOrScope, scanSpan, SpanFields } from './proto-traces.js';
import type { SpanStarts } from '../span.js';

// Module-local bindings: V8's optimized code reaches an import through a few more loads than a
// module's own constant, which shows on paths taken for every field.
const { ascii, byte, count, cutTo, hexOf, int, lit, mark, startLine, strOf, takeLine, u64 } = jsonBytes;
const { bytesValue, doubleValue } = J;

const FALLBACK: Error = new Error('proto-line: request not written here; use the decoder');

/** True for the sentinel protoTracesLine throws when the decoder path must decide. */
export function isLineFallback(e: unknown): boolean {
  return e === FALLBACK;
}

function fallback(): never {
  throw FALLBACK;
}

function string(w: Wire, s: number, e: number): void {
  if (!strOf(w.buf, w.dv, s, e)) fallback();
}

/** The fixed64 time at `at` (-1: absent, 0) in decimal. */
function time(w: Wire, at: number): void {
  if (at < 0) byte(48);
  else u64(w.dv.getUint32(at, true), w.dv.getUint32(at + 4, true));
}

function validId(w: Wire, r: Range, size: number): boolean {
  return r.e - r.s === size && !allZero(w.buf, r.s, r.e);
}

// ---- values and attributes ------------------------------------------------------------------

/** An AnyValue (its length prefix next) at AnyValue `level`, in a message ending at `end`. */
function value(w: Wire, end: number, depth: number, level: number): void {
  anyValueMember(w, end, depth, level);
  member(w, depth, level);
}

/** The AnyValue just read (anyValueMember). */
function member(w: Wire, depth: number, level: number): void {
  if (w.several || w.valueTooDeep) fallback();
  const s = w.valS;
  const e = w.valE;
  switch (w.member) {
    case 1:
      lit(J.V_STRING);
      string(w, s, e);
      return byte(125);
    case 2:
      return lit(w.num !== 0 ? J.V_TRUE : J.V_FALSE);
    case 3:
      lit(J.V_INT);
      if (w.num === w.num) int(w.num);
      else ascii(int64BigInt(w.lo, w.hi).toString());
      return lit(J.QUOTE_CLOSE);
    case 4:
      return doubleValue(w.num);
    case 5:
    case 6: {
      const member = w.member;
      lit(member === 5 ? J.V_ARRAY : J.V_KVLIST);
      w.pos = s;
      let n = 0;
      while (w.pos < e) {
        const tag = u32(w, e);
        if (tag >>> 3 !== 1) skip(w, e, tag & 7, depth);
        else if (member === 5) {
          if (n++ > 0) byte(44);
          value(w, e, depth, level + 1);
        } else {
          lit(n++ > 0 ? J.KEY_NEXT : J.KEY_FIRST);
          const kv = keyValueFields(w, e, depth, level + 1);
          if (w.several) fallback();
          string(w, w.keyS, w.keyE);
          keyValueValue(w, kv, depth, level + 1);
        }
      }
      checkEnd(w, e);
      return lit(J.V_LIST_END);
    }
    case 7:
      return bytesValue(w.buf.subarray(s, e));
    default:
      return lit(J.V_EMPTY);
  }
}

const VALUE_STRING = new jsonBytes.Lit(',"value":{"stringValue":');
const VALUE_EMPTY = new jsonBytes.Lit(',"value":{}}');

/** `,"value":…}` of the KeyValue just read (keyValueFields), which ends at `c`. */
function keyValueValue(w: Wire, c: number, depth: number, level: number): void {
  if (w.valueAt < 0) lit(VALUE_EMPTY);
  else {
    w.pos = w.valueAt;
    anyValueMember(w, c, depth, level);
    // The usual value, a string, in fewer and longer copies.
    if (w.member === 1 && !w.several) {
      lit(VALUE_STRING);
      string(w, w.valS, w.valE);
      lit(J.CLOSE2);
    } else {
      lit(J.VALUE);
      member(w, depth, level);
      byte(125);
    }
  }
  w.pos = c;
}

/**
 * Keys of the attribute list being written, by their bytes, to fall back on one given twice (a
 * map keeps its first place and last value) or an integer-like one (V8 puts those first): an
 * open-addressing table of input ranges, cleared by generation.
 */
const KEY_SLOTS = 1024;
const MAX_KEYS = 512;
const keyList = new Int32Array(KEY_SLOTS);
const keyStart = new Int32Array(KEY_SLOTS);
const keyLength = new Int32Array(KEY_SLOTS);
let list = 0;
let keyCount = 0;

function newKeyList(): void {
  if (++list === 0x40000000) {
    keyList.fill(0);
    list = 1;
  }
  keyCount = 0;
}

function addKey(buf: Uint8Array, s: number, e: number): void {
  const n = e - s;
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
  }
  let slot = (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
  while (keyList[slot] === list) {
    if (keyLength[slot] === n) {
      const t = keyStart[slot]!;
      let i = 0;
      while (i < n && buf[t + i] === buf[s + i]) i++;
      if (i === n) fallback();
    }
    slot = (slot + 1) & (KEY_SLOTS - 1);
  }
  keyList[slot] = list;
  keyStart[slot] = s;
  keyLength[slot] = n;
}

/**
 * `"attributes":[…]` (after a comma unless `first`) and `"droppedAttributesCount":n`, as
 * json-write.ts writes them: KeyValues at `depth` at `positions`, in a message ending at `c`.
 */
function attributes(w: Wire, c: number, positions: Positions, dropped: number, depth: number, first: boolean): void {
  const n = positions.n;
  if (n > 0) {
    lit(first ? J.ATTRIBUTES_FIRST : J.ATTRIBUTES);
    newKeyList();
    for (let k = 0; k < n; k++) {
      w.pos = positions.at[k]!;
      const kv = keyValueFields(w, c, depth, 0);
      if (w.several) fallback();
      addKey(w.buf, w.keyS, w.keyE);
      lit(k === 0 ? J.KEY_FIRST : J.KEY_NEXT);
      string(w, w.keyS, w.keyE);
      keyValueValue(w, kv, depth + 1, 0);
    }
    byte(93);
    w.pos = c;
  }
  count(n === 0 && first ? J.DROPPED_ATTRIBUTES_FIRST : J.DROPPED_ATTRIBUTES, dropped);
}

// ---- messages -------------------------------------------------------------------------------

const spanFields = new SpanFields();
const eventFields = new EventFields();
const linkFields = new SpanFields(); // a Link's fields (scanLink)
const resourceFields = new ResourceOrScopeFields();
const scopeFields = new ResourceOrScopeFields();

/** The ids and trace state of a span or link (the `nth` in its list), after checking the ids. */
function ids(w: Wire, f: SpanFields, nth: number): void {
  if (!validId(w, f.traceId, 16) || !validId(w, f.spanId, 8)) fallback();
  lit(nth > 0 ? J.TRACE_ID_NEXT : J.TRACE_ID);
  hexOf(w.buf, f.traceId.s, f.traceId.e);
  lit(J.SPAN_ID);
  hexOf(w.buf, f.spanId.s, f.spanId.e);
  if (f.traceState.e > f.traceState.s) {
    lit(J.TRACE_STATE);
    string(w, f.traceState.s, f.traceState.e);
  }
}

/** The span index's summary of the line being written (store/span-index.ts), start as two uint32 halves. */
const starts = { traceIds: [] as string[], lastTraceAt: -1, untimed: false, minHi: -1, minLo: 0, maxHi: -1, maxLo: 0 };

function resetStarts(): void {
  starts.traceIds = [];
  starts.lastTraceAt = -1;
  starts.untimed = false;
  starts.minHi = starts.maxHi = -1;
}

function addStart(w: Wire, f: SpanFields): void {
  const t = f.traceId.s;
  const last = starts.lastTraceAt;
  let same = last >= 0;
  for (let i = 0; same && i < 16; i++) same = w.buf[t + i] === w.buf[last + i];
  if (!same) starts.traceIds.push(w.nb.toString('hex', t, t + 16));
  starts.lastTraceAt = t;
  const at = f.startAt;
  const lo = at < 0 ? 0 : w.dv.getUint32(at, true);
  const hi = at < 0 ? 0 : w.dv.getUint32(at + 4, true);
  if (lo === 0 && hi === 0) {
    starts.untimed = true;
    return;
  }
  if (starts.minHi < 0 || hi < starts.minHi || (hi === starts.minHi && lo < starts.minLo)) {
    starts.minHi = hi;
    starts.minLo = lo;
  }
  if (starts.maxHi < 0 || hi > starts.maxHi || (hi === starts.maxHi && lo > starts.maxLo)) {
    starts.maxHi = hi;
    starts.maxLo = lo;
  }
}

function spanStarts(): SpanStarts {
  const ns = (hi: number, lo: number) => (hi < 0 ? undefined : (BigInt(hi) << 32n) | BigInt(lo));
  return { traceIds: starts.traceIds, minNs: ns(starts.minHi, starts.minLo), maxNs: ns(starts.maxHi, starts.maxLo), untimed: starts.untimed };
}

function span(w: Wire, end: number, nth: number): void {
  const f = spanFields;
  const c = scanSpan(w, end, f);
  const buf = w.buf;
  const root = allZero(buf, f.parent.s, f.parent.e);
  if (!root && !validId(w, f.parent, 8)) fallback();
  ids(w, f, nth);
  addStart(w, f);
  if (!root) {
    lit(J.PARENT);
    hexOf(buf, f.parent.s, f.parent.e);
  }
  count(J.FLAGS, f.flags);
  lit(J.NAME);
  string(w, f.name.s, f.name.e);
  lit(J.KIND);
  int(f.kind);
  lit(J.START);
  time(w, f.startAt);
  lit(J.END);
  time(w, f.endAt);
  byte(34);
  attributes(w, c, f.attributes, f.droppedAttributes, 4, false);
  if (f.events.n > 0) {
    lit(J.EVENTS);
    for (let k = 0; k < f.events.n; k++) {
      w.pos = f.events.at[k]!;
      const e = eventFields;
      const ec = scanEvent(w, c, e);
      lit(k > 0 ? J.EVENT_NEXT : J.EVENT);
      time(w, e.timeAt);
      lit(J.EVENT_NAME);
      string(w, e.name.s, e.name.e);
      attributes(w, ec, e.attributes, e.droppedAttributes, 5, false);
      byte(125);
    }
    byte(93);
  }
  count(J.DROPPED_EVENTS, f.droppedEvents);
  if (f.links.n > 0) {
    lit(J.LINKS);
    for (let k = 0; k < f.links.n; k++) {
      w.pos = f.links.at[k]!;
      const l = linkFields;
      const lc = scanLink(w, c, l);
      ids(w, l, k);
      count(J.FLAGS, l.flags);
      attributes(w, lc, l.attributes, l.droppedAttributes, 5, false);
      byte(125);
    }
    byte(93);
  }
  count(J.DROPPED_LINKS, f.droppedLinks);
  const message = f.statusMessage;
  if (message.e > message.s) {
    lit(J.STATUS_MESSAGE);
    string(w, message.s, message.e);
    count(J.CODE, f.statusCode);
    lit(J.CLOSE2);
  } else if (f.statusCode !== 0) {
    lit(J.STATUS_CODE);
    int(f.statusCode);
    lit(J.CLOSE2);
  } else lit(J.STATUS_EMPTY);
  w.spansOnWire++;
  w.pos = c;
}

/**
 * A ResourceSpans (`spans` false) or ScopeSpans (its length prefix next): written (after a comma
 * when `nth` > 0) when it holds a span, as json-write.ts groups spans; says whether it did.
 */
function group(w: Wire, end: number, nth: number, spans: boolean): boolean {
  const c = sub(w, end);
  let headAt = -1;
  let schemaS = 0;
  let schemaE = 0;
  const items = new Positions();
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        // A Resource or scope given twice: the decoder's (the last one counts, the earlier checked).
        if (headAt >= 0) fallback();
        headAt = w.pos;
        delimited(w, c);
        break;
      case 2:
        items.add(w.pos);
        delimited(w, c);
        break;
      case 3:
        schemaS = stringAt(w, c);
        schemaE = w.pos;
        break;
      default:
        skip(w, c, tag & 7, spans ? 2 : 1);
    }
  }
  checkEnd(w, c);
  const start = mark();
  const f = spans ? scopeFields : resourceFields;
  let fc = c;
  if (headAt >= 0) {
    w.pos = headAt;
    fc = scanResourceOrScope(w, c, f, spans);
  } else f.clear();
  if (spans) {
    lit(nth > 0 ? J.SCOPE_NEXT : J.SCOPE);
    lit(J.SCOPE_NAME);
    string(w, f.name.s, f.name.e);
    if (f.version.e > f.version.s) {
      lit(J.VERSION);
      string(w, f.version.s, f.version.e);
    }
    attributes(w, fc, f.attributes, f.droppedAttributes, 4, false);
    byte(125);
    lit(J.SPANS);
  } else {
    lit(nth > 0 ? J.RESOURCE_NEXT : J.RESOURCE);
    attributes(w, fc, f.attributes, f.droppedAttributes, 3, true);
    lit(J.SCOPE_SPANS);
  }
  let written = 0;
  for (let k = 0; k < items.n; k++) {
    w.pos = items.at[k]!;
    if (spans) span(w, c, written++);
    else if (group(w, c, written, true)) written++;
  }
  w.pos = c;
  if (written === 0) {
    cutTo(start);
    return false;
  }
  byte(93);
  if (schemaE > schemaS) {
    lit(J.SCHEMA);
    string(w, schemaS, schemaE);
  }
  byte(125);
  return true;
}

/**
 * The store line of an OTLP protobuf ExportTraceServiceRequest, with the number of its spans:
 * the bytes of otlpJsonTracesLine(decodeOtlpProtoTraces(body).spans) in memory of their own
 * (transferable); line undefined when there is no span. Throws the fallback sentinel
 * (isLineFallback) for a request it does not write (see the header), malformed ones included.
 */
export function protoTracesLine(body: Uint8Array): { line: Uint8Array<ArrayBuffer> | undefined; spans: number; starts?: SpanStarts } {
  const w = new Wire(body);
  const end = body.length;
  try {
    startLine();
    resetStarts();
    lit(J.OPEN);
    let n = 0;
    while (w.pos < end) {
      const tag = u32(w, end);
      if (tag >>> 3 === 1) {
        if (group(w, end, n, false)) n++;
      } else skip(w, end, tag & 7, 0);
    }
    if (n === 0) return { line: undefined, spans: 0 };
    lit(J.CLOSE);
    return { line: takeLine(), spans: w.spansOnWire, starts: spanStarts() };
  } catch (e) {
    if (e === FALLBACK) throw e;
    // Malformed (a DecodeError), or a stack overflow: the decoder path gives the exact answer.
    return fallback();
  }
}

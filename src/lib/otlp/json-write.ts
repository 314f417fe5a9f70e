/**
 * Span[] → one OTLP/JSON trace request as UTF-8 bytes: the one OTLP/JSON writer for traces
 * (the store's lines, the view thread's records, `demo`'s exports). Hex ids, int64 and fixed64 as
 * decimal strings, integer enums, lowerCamelCase keys, default values left out (as the proto3
 * JSON mapping allows; the decoder restores them), spans grouped back under their Resource and
 * Scope (by object identity, which the decoders share per ResourceSpans / ScopeSpans) in
 * first-seen order, strings escaped exactly as JSON.stringify escapes them.
 *
 * Written into one growable scratch buffer with no string or object in between: the bytes are
 * what the store appends, and no intermediate JSON text is built, flattened and encoded again
 * (docs/architecture.md, "One OTLP reader and writer").
 */
import { NEEDS_ESCAPE } from '../json-string.js';
import { KvList, type AttrValue, type Attributes, type Resource, type Scope, type Span } from '../span.js';

const INITIAL_SIZE = 1 << 16;
/** A scratch buffer grown beyond this by a huge request is dropped afterwards. */
const MAX_KEPT_SIZE = 16 << 20;

/** Node's native Buffer writer (what Buffer#write calls after its checks); not in @types/node. */
type Scratch = Buffer & { utf8Write(s: string, offset: number): number };

let out = Buffer.allocUnsafeSlow(INITIAL_SIZE) as Scratch;
let view = new DataView(out.buffer, out.byteOffset, out.length);
/** The write position in `out`. */
let at = 0;

function setOut(next: Scratch): void {
  out = next;
  view = new DataView(next.buffer, next.byteOffset, next.length);
}

function grow(n: number): void {
  let size = out.length * 2;
  while (size < at + n) size *= 2;
  const next = Buffer.allocUnsafeSlow(size) as Scratch;
  next.set(out.subarray(0, at));
  setOut(next);
}

/** A piece of output known in advance: its UTF-8 bytes as little-endian 32-bit words, the last one padded. */
class Lit {
  readonly n: number;
  readonly words: Int32Array;
  constructor(text: string) {
    const bytes = Buffer.from(text, 'utf8');
    const padded = Buffer.alloc((bytes.length + 3) & ~3);
    bytes.copy(padded);
    this.n = bytes.length;
    this.words = new Int32Array(padded.length / 4);
    for (let i = 0; i < this.words.length; i++) this.words[i] = padded.readInt32LE(4 * i);
  }
}

/** Copies a literal a word at a time (the padding lands past `at`, where the next write goes). */
function lit(l: Lit): void {
  const n = l.n;
  if (at + n + 4 > out.length) grow(n + 4);
  const words = l.words;
  const d = view;
  let q = at;
  for (let i = 0; i < words.length; i++, q += 4) d.setInt32(q, words[i]!, true);
  at += n;
}

function byte(b: number): void {
  if (at + 1 > out.length) grow(1);
  out[at++] = b;
}

/** ASCII text (the writer's own punctuation and keys, digits). */
function ascii(s: string): void {
  const n = s.length;
  if (at + n > out.length) grow(n);
  const dst = out;
  let q = at;
  for (let i = 0; i < n; i++) dst[q++] = s.charCodeAt(i);
  at = q;
}

/** A non-negative integer below 2^31, the common case of kind, flags, counts and codes. */
function small(n: number): void {
  if (n < 10) {
    if (at + 1 > out.length) grow(1);
    out[at++] = 48 + n;
  } else ascii(String(n));
}

/** An integer field (kind, flags, counts, status code) as JSON.stringify writes a number. */
function num(n: number): void {
  if (n >= 0 && n < 2147483648 && (n | 0) === n) small(n);
  else ascii(Number.isFinite(n) ? String(n) : 'null');
}

/** Strings up to this length are copied a character at a time; longer ones natively. */
const SHORT = 48;

/** A string as JSON text (quotes included), as the UTF-8 of what JSON.stringify writes. */
function str(s: string): void {
  const n = s.length;
  if (at + 3 * n + 2 > out.length) grow(3 * n + 2);
  const dst = out;
  let q = at;
  dst[q++] = 34;
  if (n <= SHORT) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII but '"' and '\': copied; anything else takes the general path.
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) return strEscaped(s);
      dst[q++] = c;
    }
  } else {
    if (NEEDS_ESCAPE.test(s)) return strEscaped(s);
    q += dst.utf8Write(s, q);
  }
  dst[q++] = 34;
  at = q;
}

/** The general path: JSON.stringify's text (lone surrogates escaped), encoded as UTF-8. */
function strEscaped(s: string): void {
  const text = NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
  if (at + 3 * text.length > out.length) grow(3 * text.length);
  at += out.utf8Write(text, at);
}

/** A uint64 time (or any bigint) in decimal. */
function big(n: bigint): void {
  ascii(n.toString());
}

const L = (text: string): Lit => new Lit(text);
const V_EMPTY = L('{}');
const V_STRING = L('{"stringValue":');
const V_TRUE = L('{"boolValue":true}');
const V_FALSE = L('{"boolValue":false}');
const V_INT = L('{"intValue":"');
const V_MINUS_ZERO = L('{"doubleValue":"-0"}');
const V_ARRAY = L('{"arrayValue":{"values":[');
const V_KVLIST = L('{"kvlistValue":{"values":[');
const V_LIST_END = L(']}}');
const QUOTE_CLOSE = L('"}');
const KEY_FIRST = L('{"key":');
const KEY_NEXT = L(',{"key":');
const VALUE = L(',"value":');
const ATTRIBUTES = L(',"attributes":[');
const ATTRIBUTES_FIRST = L('"attributes":[');
const DROPPED_ATTRIBUTES = L(',"droppedAttributesCount":');
const DROPPED_ATTRIBUTES_FIRST = L('"droppedAttributesCount":');
const TRACE_ID = L('{"traceId":');
const TRACE_ID_NEXT = L(',{"traceId":');
const SPAN_ID = L(',"spanId":');
const TRACE_STATE = L(',"traceState":');
const PARENT = L(',"parentSpanId":');
const FLAGS = L(',"flags":');
const NAME = L(',"name":');
const KIND = L(',"kind":');
const START = L(',"startTimeUnixNano":"');
const END = L('","endTimeUnixNano":"');
const EVENTS = L(',"events":[');
const EVENT = L('{"timeUnixNano":"');
const EVENT_NEXT = L(',{"timeUnixNano":"');
const EVENT_NAME = L('","name":');
const DROPPED_EVENTS = L(',"droppedEventsCount":');
const LINKS = L(',"links":[');
const DROPPED_LINKS = L(',"droppedLinksCount":');
const STATUS_MESSAGE = L(',"status":{"message":');
const CODE = L(',"code":');
const STATUS_CODE = L(',"status":{"code":');
const STATUS_EMPTY = L(',"status":{}}');
const CLOSE2 = L('}}');
const SCOPE_NAME = L('{"name":');
const VERSION = L(',"version":');
const OPEN = L('{"resourceSpans":[');
const RESOURCE = L('{"resource":{');
const RESOURCE_NEXT = L(',{"resource":{');
const SCOPE_SPANS = L('},"scopeSpans":[');
const SCOPE = L('{"scope":');
const SCOPE_NEXT = L(',{"scope":');
const SPANS = L(',"spans":[');
const SCHEMA = L(',"schemaUrl":');
const CLOSE = L(']}\n');

function anyValue(v: AttrValue): void {
  if (v === null) return lit(V_EMPTY);
  switch (typeof v) {
    case 'string':
      lit(V_STRING);
      str(v);
      return byte(125);
    case 'boolean':
      return lit(v ? V_TRUE : V_FALSE);
    case 'bigint':
      lit(V_INT);
      big(v);
      return lit(QUOTE_CLOSE);
    case 'number':
      // JSON has no NaN, ±Infinity or -0: the proto3 JSON mapping writes those as strings.
      if (Object.is(v, -0)) return lit(V_MINUS_ZERO);
      return ascii(Number.isFinite(v) ? '{"doubleValue":' + String(v) + '}' : '{"doubleValue":"' + String(v) + '"}');
  }
  if (v instanceof Uint8Array) return ascii('{"bytesValue":"' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') + '"}');
  if (v instanceof KvList) {
    lit(V_KVLIST);
    const entries = v.entries;
    for (let i = 0; i < entries.length; i++) {
      lit(i ? KEY_NEXT : KEY_FIRST);
      str(entries[i]![0]);
      lit(VALUE);
      anyValue(entries[i]![1]);
      byte(125);
    }
    return lit(V_LIST_END);
  }
  lit(V_ARRAY);
  for (let i = 0; i < v.length; i++) {
    if (i) byte(44);
    anyValue(v[i]!);
  }
  lit(V_LIST_END);
}

/**
 * `{"key":"k","value":` and `,{"key":"k","value":` of attribute keys, ready as bytes: keys recur
 * in every span. Bounded: the cache is dropped when it holds more than MAX_KEYS keys.
 */
const MAX_KEYS = 4096;
let keyLits = new Map<string, [Lit, Lit]>();

function keyLit(key: string, first: boolean): Lit {
  let pair = keyLits.get(key);
  if (pair === undefined) {
    if (keyLits.size >= MAX_KEYS) keyLits = new Map();
    const k = NEEDS_ESCAPE.test(key) ? JSON.stringify(key) : '"' + key + '"';
    pair = [L('{"key":' + k + ',"value":'), L(',{"key":' + k + ',"value":')];
    keyLits.set(key, pair);
  }
  return first ? pair[0] : pair[1];
}

/**
 * `"attributes":[…]` and `"droppedAttributesCount":n`, each only when not empty / zero, each
 * after a comma unless `first` (the first member of an object).
 */
function common(attrs: Attributes, dropped: number, first: boolean): void {
  let n = 0;
  // for…in: the attribute map's own order (integer-like keys first, as JSON.stringify has it).
  for (const key in attrs) {
    if (n === 0) lit(first ? ATTRIBUTES_FIRST : ATTRIBUTES);
    lit(keyLit(key, n === 0));
    const v = attrs[key]!;
    if (typeof v === 'string') {
      lit(V_STRING);
      str(v);
      byte(125);
    } else anyValue(v);
    byte(125);
    n++;
  }
  if (n) byte(93);
  if (dropped) {
    lit(n === 0 && first ? DROPPED_ATTRIBUTES_FIRST : DROPPED_ATTRIBUTES);
    num(dropped);
  }
}

function span(s: Span, nth: number): void {
  lit(nth ? TRACE_ID_NEXT : TRACE_ID);
  str(s.traceId);
  lit(SPAN_ID);
  str(s.spanId);
  if (s.traceState) {
    lit(TRACE_STATE);
    str(s.traceState);
  }
  if (s.parentSpanId) {
    lit(PARENT);
    str(s.parentSpanId);
  }
  if (s.flags) {
    lit(FLAGS);
    num(s.flags);
  }
  lit(NAME);
  str(s.name);
  lit(KIND);
  num(s.kind);
  lit(START);
  big(s.startTimeUnixNano);
  lit(END);
  big(s.endTimeUnixNano);
  byte(34);
  common(s.attributes, s.droppedAttributesCount, false);
  if (s.events.length) {
    lit(EVENTS);
    for (let i = 0; i < s.events.length; i++) {
      const e = s.events[i]!;
      lit(i ? EVENT_NEXT : EVENT);
      big(e.timeUnixNano);
      lit(EVENT_NAME);
      str(e.name);
      common(e.attributes, e.droppedAttributesCount, false);
      byte(125);
    }
    byte(93);
  }
  if (s.droppedEventsCount) {
    lit(DROPPED_EVENTS);
    num(s.droppedEventsCount);
  }
  if (s.links.length) {
    lit(LINKS);
    for (let i = 0; i < s.links.length; i++) {
      const l = s.links[i]!;
      lit(i ? TRACE_ID_NEXT : TRACE_ID);
      str(l.traceId);
      lit(SPAN_ID);
      str(l.spanId);
      if (l.traceState) {
        lit(TRACE_STATE);
        str(l.traceState);
      }
      if (l.flags) {
        lit(FLAGS);
        num(l.flags);
      }
      common(l.attributes, l.droppedAttributesCount, false);
      byte(125);
    }
    byte(93);
  }
  if (s.droppedLinksCount) {
    lit(DROPPED_LINKS);
    num(s.droppedLinksCount);
  }
  const status = s.status;
  if (status.message) {
    lit(STATUS_MESSAGE);
    str(status.message);
    if (status.code) {
      lit(CODE);
      num(status.code);
    }
    lit(CLOSE2);
  } else if (status.code) {
    lit(STATUS_CODE);
    num(status.code);
    lit(CLOSE2);
  } else lit(STATUS_EMPTY);
}

function scope(s: Scope): void {
  lit(SCOPE_NAME);
  str(s.name);
  if (s.version) {
    lit(VERSION);
    str(s.version);
  }
  common(s.attributes, s.droppedAttributesCount, false);
  byte(125);
}

/** Spans by Resource, then Scope, each in first-seen order. */
function groups(spans: readonly Span[]): Map<Resource, Map<Scope, Span[]>> {
  const byResource = new Map<Resource, Map<Scope, Span[]>>();
  let lastResource: Resource | undefined;
  let lastScope: Scope | undefined;
  let last: Span[] | undefined;
  for (const s of spans) {
    // Runs of spans under the same Resource and Scope, the usual case, skip the Map lookups.
    if (last !== undefined && s.resource === lastResource && s.scope === lastScope) {
      last.push(s);
      continue;
    }
    lastResource = s.resource;
    lastScope = s.scope;
    let scopes = byResource.get(lastResource);
    if (!scopes) byResource.set(lastResource, (scopes = new Map()));
    last = scopes.get(lastScope);
    if (last) last.push(s);
    else scopes.set(lastScope, (last = [s]));
  }
  return byResource;
}

function request(spans: readonly Span[]): void {
  lit(OPEN);
  let nthResource = 0;
  for (const [resource, scopes] of groups(spans)) {
    lit(nthResource++ ? RESOURCE_NEXT : RESOURCE);
    common(resource.attributes, resource.droppedAttributesCount, true);
    lit(SCOPE_SPANS);
    let nthScope = 0;
    for (const [sc, list] of scopes) {
      lit(nthScope++ ? SCOPE_NEXT : SCOPE);
      scope(sc);
      lit(SPANS);
      for (let i = 0; i < list.length; i++) span(list[i]!, i);
      byte(93);
      if (sc.schemaUrl) {
        lit(SCHEMA);
        str(sc.schemaUrl);
      }
      byte(125);
    }
    byte(93);
    if (resource.schemaUrl) {
      lit(SCHEMA);
      str(resource.schemaUrl);
    }
    byte(125);
  }
  lit(CLOSE);
}

/**
 * The spans as one OTLP/JSON trace request: its UTF-8 bytes and a trailing '\n' (a store line),
 * in memory of its own (transferable, and not reused by the next call).
 */
export function otlpJsonTracesLine(spans: readonly Span[]): Uint8Array<ArrayBuffer> {
  at = 0;
  try {
    request(spans);
    const line = Buffer.allocUnsafeSlow(at);
    line.set(out.subarray(0, at));
    return new Uint8Array(line.buffer, 0, at);
  } finally {
    if (out.length > MAX_KEPT_SIZE) setOut(Buffer.allocUnsafeSlow(INITIAL_SIZE) as Scratch);
  }
}

/** The same request as text, without the newline. */
export function writeOtlpJsonTraces(spans: readonly Span[]): string {
  const line = otlpJsonTracesLine(spans);
  return Buffer.from(line.buffer, 0, line.length - 1).toString('utf8');
}

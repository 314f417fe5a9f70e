/**
 * Span[] → one OTLP/JSON trace request as UTF-8 bytes, through json-bytes.ts (proto-line.ts
 * writes the same bytes straight from protobuf: docs/architecture.md, "One OTLP reader and
 * writer"). Hex ids, int64 and fixed64 as decimal strings, integer enums, lowerCamelCase keys,
 * default values left out (as the proto3 JSON mapping allows; the decoder restores them), spans
 * grouped back under their Resource and Scope (by object identity, which the decoders share per
 * ResourceSpans / ScopeSpans) in first-seen order.
 */
import { NEEDS_ESCAPE } from '../json-string.js';
import { KvList, type AttrValue, type Attributes, type Resource, type Scope, type Span } from '../span.js';
import * as jsonBytes from './json-bytes.js';

// Module-local bindings: V8's optimized code reaches an import through a few more loads than a
// module's own constant, which shows on paths taken for every field.
const { ascii, byte, count, int, lit, Lit, startLine, str, takeLine } = jsonBytes;

/** A uint64 time (or any bigint) in decimal. */
function big(n: bigint): void {
  ascii(n.toString());
}

const L = (text: string): jsonBytes.Lit => new Lit(text);
export const V_EMPTY = L('{}');
export const V_STRING = L('{"stringValue":');
export const V_TRUE = L('{"boolValue":true}');
export const V_FALSE = L('{"boolValue":false}');
export const V_INT = L('{"intValue":"');
export const V_MINUS_ZERO = L('{"doubleValue":"-0"}');
export const V_ARRAY = L('{"arrayValue":{"values":[');
export const V_KVLIST = L('{"kvlistValue":{"values":[');
export const V_LIST_END = L(']}}');
export const QUOTE_CLOSE = L('"}');
export const KEY_FIRST = L('{"key":');
export const KEY_NEXT = L(',{"key":');
export const VALUE = L(',"value":');
export const ATTRIBUTES = L(',"attributes":[');
export const ATTRIBUTES_FIRST = L('"attributes":[');
export const DROPPED_ATTRIBUTES = L(',"droppedAttributesCount":');
export const DROPPED_ATTRIBUTES_FIRST = L('"droppedAttributesCount":');
export const TRACE_ID = L('{"traceId":');
export const TRACE_ID_NEXT = L(',{"traceId":');
export const SPAN_ID = L(',"spanId":');
export const TRACE_STATE = L(',"traceState":');
export const PARENT = L(',"parentSpanId":');
export const FLAGS = L(',"flags":');
export const NAME = L(',"name":');
export const KIND = L(',"kind":');
export const START = L(',"startTimeUnixNano":"');
export const END = L('","endTimeUnixNano":"');
export const EVENTS = L(',"events":[');
export const EVENT = L('{"timeUnixNano":"');
export const EVENT_NEXT = L(',{"timeUnixNano":"');
export const EVENT_NAME = L('","name":');
export const DROPPED_EVENTS = L(',"droppedEventsCount":');
export const LINKS = L(',"links":[');
export const DROPPED_LINKS = L(',"droppedLinksCount":');
export const STATUS_MESSAGE = L(',"status":{"message":');
export const CODE = L(',"code":');
export const STATUS_CODE = L(',"status":{"code":');
export const STATUS_EMPTY = L(',"status":{}}');
export const CLOSE2 = L('}}');
export const SCOPE_NAME = L('{"name":');
export const VERSION = L(',"version":');
export const OPEN = L('{"resourceSpans":[');
export const RESOURCE = L('{"resource":{');
export const RESOURCE_NEXT = L(',{"resource":{');
export const SCOPE_SPANS = L('},"scopeSpans":[');
export const SCOPE = L('{"scope":');
export const SCOPE_NEXT = L(',{"scope":');
export const SPANS = L(',"spans":[');
export const SCHEMA = L(',"schemaUrl":');
export const CLOSE = L(']}\n');

export function doubleValue(v: number): void {
  // JSON has no NaN, ±Infinity or -0: the proto3 JSON mapping writes those as strings.
  if (Object.is(v, -0)) return lit(V_MINUS_ZERO);
  ascii(Number.isFinite(v) ? '{"doubleValue":' + String(v) + '}' : '{"doubleValue":"' + String(v) + '"}');
}

export function bytesValue(v: Uint8Array): void {
  ascii('{"bytesValue":"' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') + '"}');
}

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
      return doubleValue(v);
  }
  if (v instanceof Uint8Array) return bytesValue(v);
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
let keyLits = new Map<string, [jsonBytes.Lit, jsonBytes.Lit]>();

function keyLit(key: string, first: boolean): jsonBytes.Lit {
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
  count(n === 0 && first ? DROPPED_ATTRIBUTES_FIRST : DROPPED_ATTRIBUTES, dropped);
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
  count(FLAGS, s.flags);
  lit(NAME);
  str(s.name);
  lit(KIND);
  int(s.kind);
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
  count(DROPPED_EVENTS, s.droppedEventsCount);
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
      count(FLAGS, l.flags);
      common(l.attributes, l.droppedAttributesCount, false);
      byte(125);
    }
    byte(93);
  }
  count(DROPPED_LINKS, s.droppedLinksCount);
  const status = s.status;
  if (status.message) {
    lit(STATUS_MESSAGE);
    str(status.message);
    count(CODE, status.code);
    lit(CLOSE2);
  } else if (status.code) {
    lit(STATUS_CODE);
    int(status.code);
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
  startLine();
  request(spans);
  return takeLine();
}


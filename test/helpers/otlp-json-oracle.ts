/**
 * The test oracle of src/lib/otlp/json-write.ts, written the plain way (objects, then
 * JSON.stringify): Span → OTLP/JSON, the store's format (the Collector file exporter's): hex ids, int64 and
 * fixed64 as decimal strings, integer enums, lowerCamelCase keys. Default values are left out,
 * as the proto3 JSON mapping allows; the decoder restores them.
 */
import { KvList, type AttrValue, type Attributes, type Resource, type Scope, type Span } from '../../src/lib/span.js';

type Json = Record<string, unknown>;

export function encodeAnyValue(v: AttrValue): Json {
  if (v === null) return {};
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'bigint':
      return { intValue: v.toString() };
    case 'number':
      // JSON has no NaN, Infinity or -0: the proto3 JSON mapping writes those as strings.
      return { doubleValue: Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : String(v) };
  }
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof KvList) {
    return { kvlistValue: { values: v.entries.map(([key, value]) => ({ key, value: encodeAnyValue(value) })) } };
  }
  return { arrayValue: { values: v.map(encodeAnyValue) } };
}

export function encodeAttributes(attrs: Attributes): Json[] {
  const out: Json[] = [];
  for (const key in attrs) out.push({ key, value: encodeAnyValue(attrs[key]!) });
  return out;
}

function withCommon(target: Json, attrs: Attributes, dropped: number): Json {
  const encoded = encodeAttributes(attrs);
  if (encoded.length) target.attributes = encoded;
  if (dropped) target.droppedAttributesCount = dropped;
  return target;
}

function encodeResource(r: Resource): Json {
  return withCommon({}, r.attributes, r.droppedAttributesCount);
}

function encodeScope(s: Scope): Json {
  const out: Json = { name: s.name };
  if (s.version) out.version = s.version;
  return withCommon(out, s.attributes, s.droppedAttributesCount);
}

export function encodeSpan(s: Span): Json {
  const out: Json = { traceId: s.traceId, spanId: s.spanId };
  if (s.traceState) out.traceState = s.traceState;
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  if (s.flags) out.flags = s.flags;
  out.name = s.name;
  out.kind = s.kind;
  out.startTimeUnixNano = s.startTimeUnixNano.toString();
  out.endTimeUnixNano = s.endTimeUnixNano.toString();
  withCommon(out, s.attributes, s.droppedAttributesCount);
  if (s.events.length) {
    out.events = s.events.map((e) =>
      withCommon({ timeUnixNano: e.timeUnixNano.toString(), name: e.name }, e.attributes, e.droppedAttributesCount),
    );
  }
  if (s.droppedEventsCount) out.droppedEventsCount = s.droppedEventsCount;
  if (s.links.length) {
    out.links = s.links.map((l) => {
      const link: Json = { traceId: l.traceId, spanId: l.spanId };
      if (l.traceState) link.traceState = l.traceState;
      if (l.flags) link.flags = l.flags;
      return withCommon(link, l.attributes, l.droppedAttributesCount);
    });
  }
  if (s.droppedLinksCount) out.droppedLinksCount = s.droppedLinksCount;
  const status: Json = {};
  if (s.status.message) status.message = s.status.message;
  if (s.status.code) status.code = s.status.code;
  out.status = status;
  return out;
}

/**
 * Groups spans back under their Resource and Scope (by object identity, which decoders share
 * per ResourceSpans/ScopeSpans) into one `{"resourceSpans":[…]}` request.
 */
export function encodeOtlpJsonTraces(spans: Iterable<Span>): Json {
  const byResource = new Map<Resource, Map<Scope, Json[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) byResource.set(span.resource, (scopes = new Map()));
    let list = scopes.get(span.scope);
    if (!list) scopes.set(span.scope, (list = []));
    list.push(encodeSpan(span));
  }
  const resourceSpans: Json[] = [];
  for (const [resource, scopes] of byResource) {
    const scopeSpans: Json[] = [];
    for (const [scope, list] of scopes) {
      const ss: Json = { scope: encodeScope(scope), spans: list };
      if (scope.schemaUrl) ss.schemaUrl = scope.schemaUrl;
      scopeSpans.push(ss);
    }
    const rs: Json = { resource: encodeResource(resource), scopeSpans };
    if (resource.schemaUrl) rs.schemaUrl = resource.schemaUrl;
    resourceSpans.push(rs);
  }
  return { resourceSpans };
}

/**
 * Generated spans → an OTLP ExportTraceServiceRequest in protobuf, encoded with the official
 * .proto files (test/helpers/official-otlp.mjs, keepCase snake_case fields): ids as bytes, times
 * as unsigned Longs, ints as numbers, doubles as doubles.
 */
import protobuf from 'protobufjs';
import { groupSpans } from './encode-json.mjs';

const { Long } = protobuf.util;

function pbValue(v) {
  switch (typeof v) {
    case 'string':
      return { string_value: v };
    case 'boolean':
      return { bool_value: v };
    case 'number':
      return Number.isInteger(v) ? { int_value: v } : { double_value: v };
    default:
      if (Array.isArray(v)) return { array_value: { values: v.map(pbValue) } };
      return { double_value: v.dbl };
  }
}

const pbAttributes = (list) => list.map(([key, v]) => ({ key, value: pbValue(v) }));
const nanos = (us) => Long.fromString(`${us}000`, true);

function pbSpan(s) {
  const o = {
    trace_id: Buffer.from(s.traceId, 'hex'),
    span_id: Buffer.from(s.spanId, 'hex'),
    flags: 257,
    name: s.name,
    kind: s.kind,
    start_time_unix_nano: nanos(s.startUs),
    end_time_unix_nano: nanos(s.endUs),
    attributes: pbAttributes(s.attrs),
    events: s.events.map((e) => ({ time_unix_nano: nanos(e.timeUs), name: e.name, attributes: pbAttributes(e.attrs) })),
  };
  if (s.parentSpanId) o.parent_span_id = Buffer.from(s.parentSpanId, 'hex');
  if (s.status !== 0) o.status = { code: s.status, message: s.statusMessage };
  return o;
}

/** @param type officialTraceTypes().ExportTraceServiceRequest (test/helpers/official-otlp.mjs) */
export function encodeProtoRequest(type, spans, resources) {
  const resource_spans = [];
  for (const [res, scopes] of groupSpans(spans)) {
    const scope_spans = [];
    for (const [scope, list] of scopes) scope_spans.push({ scope: { name: scope.name, version: scope.version }, spans: list.map(pbSpan) });
    resource_spans.push({ resource: { attributes: pbAttributes(resources.get(res).list) }, scope_spans, schema_url: 'https://opentelemetry.io/schemas/1.26.0' });
  }
  return type.encode({ resource_spans }).finish();
}

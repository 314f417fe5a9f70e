/**
 * The protobufjs-based trace decoder that src/lib/otlp/proto-wire.ts replaced, kept verbatim as
 * the reference the wire decoder is compared against (test/otlp/proto-wire.test.ts): protobufjs
 * decodes the request into message objects, which are then mapped to Span.
 */
import protobuf from 'protobufjs';
import { DecodeError } from '../../src/lib/errors.js';
import type { DecodeResult, FieldProblem } from '../../src/lib/otlp/decode-result.js';
import { checkIdBytes } from '../../src/lib/otlp/ids.js';
import { pbAttributes, toBigInt } from '../../src/lib/otlp/pb-json.js';
import { officialTraceTypes } from '../helpers/official-otlp.mjs';
import { finishSpan, type Resource, type Scope, type Span } from '../../src/lib/span.js';

type PbKeyValue = NonNullable<Parameters<typeof pbAttributes>[0]>[number];

interface PbSpan {
  trace_id: Uint8Array;
  span_id: Uint8Array;
  trace_state: string;
  parent_span_id: Uint8Array;
  flags: number;
  name: string;
  kind: number;
  start_time_unix_nano: unknown;
  end_time_unix_nano: unknown;
  attributes: PbKeyValue[];
  dropped_attributes_count: number;
  events: Array<{ time_unix_nano: unknown; name: string; attributes: PbKeyValue[]; dropped_attributes_count: number }>;
  dropped_events_count: number;
  links: Array<{
    trace_id: Uint8Array;
    span_id: Uint8Array;
    trace_state: string;
    attributes: PbKeyValue[];
    dropped_attributes_count: number;
    flags: number;
  }>;
  dropped_links_count: number;
  status?: { message: string; code: number } | null;
}

interface PbRequest {
  resource_spans: Array<{
    resource?: { attributes: PbKeyValue[]; dropped_attributes_count: number } | null;
    schema_url: string;
    scope_spans: Array<{
      scope?: { name: string; version: string; attributes: PbKeyValue[]; dropped_attributes_count: number } | null;
      schema_url: string;
      spans: PbSpan[];
    }>;
  }>;
}

function id(bytes: Uint8Array, size: 8 | 16, path: string): string {
  const r = checkIdBytes(bytes, size);
  if (!r.ok) throw new DecodeError(r.message, path);
  return r.id;
}

function parentId(bytes: Uint8Array, path: string): string {
  if (!bytes || bytes.length === 0 || bytes.every((b) => b === 0)) return '';
  return id(bytes, 8, path);
}

function spanFromPb(s: PbSpan, resource: Resource, scope: Scope, path: string): Span {
  return finishSpan({
    traceId: id(s.trace_id, 16, `${path}.trace_id`),
    spanId: id(s.span_id, 8, `${path}.span_id`),
    parentSpanId: parentId(s.parent_span_id, `${path}.parent_span_id`),
    traceState: s.trace_state,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: toBigInt(s.start_time_unix_nano, false),
    endTimeUnixNano: toBigInt(s.end_time_unix_nano, false),
    attributes: pbAttributes(s.attributes),
    droppedAttributesCount: s.dropped_attributes_count,
    events: s.events.map((e) => ({
      timeUnixNano: toBigInt(e.time_unix_nano, false),
      name: e.name,
      attributes: pbAttributes(e.attributes),
      droppedAttributesCount: e.dropped_attributes_count,
    })),
    droppedEventsCount: s.dropped_events_count,
    links: s.links.map((l, i) => ({
      traceId: id(l.trace_id, 16, `${path}.links[${i}].trace_id`),
      spanId: id(l.span_id, 8, `${path}.links[${i}].span_id`),
      traceState: l.trace_state,
      attributes: pbAttributes(l.attributes),
      droppedAttributesCount: l.dropped_attributes_count,
      flags: l.flags,
    })),
    droppedLinksCount: s.dropped_links_count,
    status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
    flags: s.flags,
    resource,
    scope,
  });
}

/** Wire-decodes an ExportTraceServiceRequest (same layout as TracesData). */
function decodeTraceRequestBytes(bytes: Uint8Array): PbRequest {
  try {
    return officialTraceTypes().ExportTraceServiceRequest.decode(bytes) as unknown as PbRequest;
  } catch (e) {
    const msg = e instanceof protobuf.util.ProtocolError || e instanceof Error ? e.message : String(e);
    throw new DecodeError(`not a valid OTLP protobuf trace request: ${msg}`);
  }
}

export function decodeOtlpProtoTracesReference(bytes: Uint8Array): DecodeResult {
  const req = decodeTraceRequestBytes(bytes);
  const spans: Span[] = [];
  const problems: FieldProblem[] = [];
  let spansOnWire = 0;
  req.resource_spans.forEach((rs, r) => {
    const resource: Resource = {
      attributes: pbAttributes(rs.resource?.attributes),
      droppedAttributesCount: rs.resource?.dropped_attributes_count ?? 0,
      schemaUrl: rs.schema_url,
    };
    rs.scope_spans.forEach((ss, si) => {
      const scope: Scope = {
        name: ss.scope?.name ?? '',
        version: ss.scope?.version ?? '',
        attributes: pbAttributes(ss.scope?.attributes),
        droppedAttributesCount: ss.scope?.dropped_attributes_count ?? 0,
        schemaUrl: ss.schema_url,
      };
      spansOnWire += ss.spans.length;
      ss.spans.forEach((s, i) => {
        const path = `resource_spans[${r}].scope_spans[${si}].spans[${i}]`;
        try {
          spans.push(spanFromPb(s, resource, scope, path));
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          if (problems.length < 100) problems.push({ field: e.field ?? path, message: `span skipped: ${e.message}` });
        }
      });
    });
  });
  return { spans, problems, spansOnWire };
}

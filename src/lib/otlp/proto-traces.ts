/**
 * The messages of an OTLP protobuf ExportTraceServiceRequest (or TracesData) → Span, Resource and
 * Scope objects, read with proto-wire.ts (whose header lists the decoder's semantics).
 */
import { newAttributes, type Resource, type Scope, type SpanEvent, type SpanLink } from '../span.js';
import type { DecodeResult } from './decode-result.js';
import {
  attribute,
  checkEnd,
  delimited,
  droppedAttribute,
  durationMs,
  fail,
  fixed32,
  fixed64At,
  hexId,
  idProblem,
  MAX_PROBLEMS,
  msOf,
  skip,
  skipString,
  spanField,
  string,
  sub,
  traceIdOf,
  u32,
  Wire,
} from './proto-wire.js';
import { allZero } from './wire-common.js';

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

/**
 * Fields 1–3, alike in Span and Link: where trace_id and span_id are (checked once the message
 * is read), and trace_state. One for the span and one for the link inside it, reused.
 */
class IdFields {
  traceS = 0;
  traceE = 0;
  spanS = 0;
  spanE = 0;
  traceState = '';

  clear(): this {
    this.traceS = this.traceE = this.spanS = this.spanE = 0;
    this.traceState = '';
    return this;
  }

  read(w: Wire, c: number, field: number): void {
    if (field === 3) this.traceState = string(w, c);
    else if (field === 1) {
      this.traceS = delimited(w, c);
      this.traceE = w.pos;
    } else {
      this.spanS = delimited(w, c);
      this.spanE = w.pos;
    }
  }
}

const spanIds = new IdFields();
const linkIds = new IdFields();

function span(w: Wire, end: number, resource: Resource, scope: Scope, r: number, si: number, i: number): void {
  const c = sub(w, end);
  const buf = w.buf;
  const ids = spanIds.clear();
  let parentS = 0;
  let parentE = 0;
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
  w.spansOnWire++;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
      case 2:
      case 3:
        ids.read(w, c, tag >>> 3);
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
  const traceId = traceIdOf(w, ids.traceS, ids.traceE);
  if (traceId === '') return skipped(w, r, si, i, 'trace_id', idProblem(w, ids.traceS, ids.traceE, 16));
  const spanId = hexId(w, ids.spanS, ids.spanE, 8);
  if (spanId === '') return skipped(w, r, si, i, 'span_id', idProblem(w, ids.spanS, ids.spanE, 8));
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
    traceState: ids.traceState,
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
  const ids = linkIds.clear();
  const attributes = newAttributes();
  let dropped = 0;
  let flags = 0;
  let attributeIndex = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
      case 2:
      case 3:
        ids.read(w, c, tag >>> 3);
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
  const traceId = hexId(w, ids.traceS, ids.traceE, 16);
  const spanId = traceId === '' ? '' : hexId(w, ids.spanS, ids.spanE, 8);
  if (spanId === '' && w.linkErr < 0) {
    w.linkErr = index;
    if (traceId === '') {
      w.linkErrField = 'trace_id';
      w.linkErrMessage = idProblem(w, ids.traceS, ids.traceE, 16);
    } else {
      w.linkErrField = 'span_id';
      w.linkErrMessage = idProblem(w, ids.spanS, ids.spanE, 8);
    }
  }
  return { traceId, spanId, traceState: ids.traceState, attributes, droppedAttributesCount: dropped, flags };
}

/**
 * Decodes an OTLP protobuf ExportTraceServiceRequest (or TracesData) into spans. With
 * `keepSpanAttributes`, spans carry only those attribute keys (resource, scope, event and link
 * attributes stay whole); what is accepted or refused does not change.
 */
export function decodeOtlpProtoTraces(bytes: Uint8Array, keepSpanAttributes?: ReadonlySet<string>): DecodeResult {
  const w = new Wire(bytes, keepSpanAttributes);
  try {
    request(w, bytes.length);
  } catch (e) {
    // The nesting limit keeps the recursion shallow; a stack overflow anyway (a caller already
    // deep in its stack) is still bad input for this record, not a crash.
    if (e instanceof RangeError && /call stack/i.test(e.message)) fail('nesting too deep');
    throw e;
  }
  return { spans: w.spans, problems: w.problems, spansOnWire: w.spansOnWire };
}

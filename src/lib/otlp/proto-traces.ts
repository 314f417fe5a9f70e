/**
 * The messages of an OTLP protobuf ExportTraceServiceRequest (or TracesData): each read once
 * into its fields' positions (scanSpan, scanEvent, …: every field checked, nothing built), from
 * which this file builds Spans and proto-line.ts writes the store line (docs/architecture.md,
 * "One OTLP reader and writer").
 */
import { newAttributes, type Attributes, type Resource, type Scope, type SpanEvent, type SpanLink } from '../span.js';
import type { DecodeResult } from './decode-result.js';
import { attribute } from './proto-values.js';
import {
  allZero,
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
  spanField,
  stringAt,
  sub,
  traceIdOf,
  u32,
  utf8,
  Wire,
} from './proto-wire.js';

// Depths as protobufjs counts them: request 0, ResourceSpans 1, Resource / ScopeSpans 2,
// resource KeyValue / EntityRef / InstrumentationScope / Span 3, span KeyValue / Event / Link /
// Status 4, event and link KeyValue 5.

/** Where the occurrences of a repeated message field are (their length prefixes), in wire order. */
export class Positions {
  at = new Int32Array(16);
  n = 0;

  add(p: number): void {
    if (this.n === this.at.length) {
      const next = new Int32Array(this.n * 2);
      next.set(this.at);
      this.at = next;
    }
    this.at[this.n++] = p;
  }
}

/** A string or bytes field: where its bytes are (s = e: absent or empty; the last occurrence counts). */
export class Range {
  s = 0;
  e = 0;

  set(s: number, e: number): void {
    this.s = s;
    this.e = e;
  }
}

/** Fields 1–3, alike in Span and Link: trace_id, span_id and trace_state (checked later). */
class IdFields {
  readonly traceId = new Range();
  readonly spanId = new Range();
  readonly traceState = new Range();
  readonly attributes = new Positions();
  droppedAttributes = 0;
  flags = 0;

  clearIds(): void {
    this.traceId.set(0, 0);
    this.spanId.set(0, 0);
    this.traceState.set(0, 0);
    this.attributes.n = 0;
    this.droppedAttributes = this.flags = 0;
  }

  read(w: Wire, c: number, field: number): void {
    if (field === 3) this.traceState.set(stringAt(w, c), w.pos);
    else (field === 1 ? this.traceId : this.spanId).set(delimited(w, c), w.pos);
  }
}

export class SpanFields extends IdFields {
  readonly parent = new Range();
  readonly name = new Range();
  kind = 0;
  /** Where the fixed64 times are (-1: absent, 0). */
  startAt = -1;
  endAt = -1;
  readonly events = new Positions();
  droppedEvents = 0;
  readonly links = new Positions();
  droppedLinks = 0;
  statusCode = 0;
  readonly statusMessage = new Range();
}

export class EventFields {
  timeAt = -1;
  readonly name = new Range();
  readonly attributes = new Positions();
  droppedAttributes = 0;
}

/** Resource (attributes 1, dropped 2) and InstrumentationScope (name 1, version 2, attributes 3, dropped 4). */
export class ResourceOrScopeFields {
  readonly name = new Range();
  readonly version = new Range();
  readonly attributes = new Positions();
  droppedAttributes = 0;

  clear(): void {
    this.name.set(0, 0);
    this.version.set(0, 0);
    this.attributes.n = this.droppedAttributes = 0;
  }
}

/** A Span (its length prefix next) into `f`; returns its end. */
export function scanSpan(w: Wire, end: number, f: SpanFields): number {
  const c = sub(w, end);
  f.clearIds();
  f.parent.set(0, 0);
  f.name.set(0, 0);
  f.kind = f.droppedEvents = f.droppedLinks = f.statusCode = 0;
  f.startAt = f.endAt = -1;
  f.events.n = f.links.n = 0;
  f.statusMessage.set(0, 0);
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    switch (field) {
      case 1:
      case 2:
      case 3:
        f.read(w, c, field);
        break;
      case 4:
        f.parent.set(delimited(w, c), w.pos);
        break;
      case 5:
        f.name.set(stringAt(w, c), w.pos);
        break;
      case 6:
        f.kind = u32(w, c) | 0;
        break;
      case 7:
        f.startAt = fixed64At(w, c);
        break;
      case 8:
        f.endAt = fixed64At(w, c);
        break;
      case 9:
      case 11:
      case 13:
        (field === 9 ? f.attributes : field === 11 ? f.events : f.links).add(w.pos);
        delimited(w, c);
        break;
      case 10:
        f.droppedAttributes = u32(w, c);
        break;
      case 12:
        f.droppedEvents = u32(w, c);
        break;
      case 14:
        f.droppedLinks = u32(w, c);
        break;
      case 15: {
        // Status: a second occurrence replaces the first.
        const sc = sub(w, c);
        f.statusCode = 0;
        f.statusMessage.set(0, 0);
        while (w.pos < sc) {
          const t = u32(w, sc);
          if (t >>> 3 === 2) f.statusMessage.set(stringAt(w, sc), w.pos);
          else if (t >>> 3 === 3) f.statusCode = u32(w, sc) | 0;
          else skip(w, sc, t & 7, 4);
        }
        checkEnd(w, sc);
        break;
      }
      case 16:
        f.flags = fixed32(w, c);
        break;
      default:
        skip(w, c, tag & 7, 3);
    }
  }
  checkEnd(w, c);
  return c;
}

/** A Span.Event (its length prefix next) into `f`; returns its end. */
export function scanEvent(w: Wire, end: number, f: EventFields): number {
  const c = sub(w, end);
  f.timeAt = -1;
  f.name.set(0, 0);
  f.attributes.n = f.droppedAttributes = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1:
        f.timeAt = fixed64At(w, c);
        break;
      case 2:
        f.name.set(stringAt(w, c), w.pos);
        break;
      case 3:
        f.attributes.add(w.pos);
        delimited(w, c);
        break;
      case 4:
        f.droppedAttributes = u32(w, c);
        break;
      default:
        skip(w, c, tag & 7, 4);
    }
  }
  checkEnd(w, c);
  return c;
}

/** A Span.Link (its length prefix next) into `f` (its fields 1–3, attributes, dropped count, flags); returns its end. */
export function scanLink(w: Wire, end: number, f: SpanFields): number {
  const c = sub(w, end);
  f.clearIds();
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    if (field >= 1 && field <= 3) f.read(w, c, field);
    else if (field === 4) {
      f.attributes.add(w.pos);
      delimited(w, c);
    } else if (field === 5) f.droppedAttributes = u32(w, c);
    else if (field === 6) f.flags = fixed32(w, c);
    else skip(w, c, tag & 7, 4);
  }
  checkEnd(w, c);
  return c;
}

/**
 * A Resource (`scope` false) or InstrumentationScope (its length prefix next) into `f`; returns
 * its end. A Resource's entity refs are not kept, but read (and so checked) as protobufjs does.
 */
export function scanResourceOrScope(w: Wire, end: number, f: ResourceOrScopeFields, scope: boolean): number {
  const c = sub(w, end);
  f.clear();
  const attributesField = scope ? 3 : 1;
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    if (field === attributesField) {
      f.attributes.add(w.pos);
      delimited(w, c);
    } else if (field === attributesField + 1) f.droppedAttributes = u32(w, c);
    else if (scope && field <= 2 && field >= 1) (field === 1 ? f.name : f.version).set(stringAt(w, c), w.pos);
    else if (!scope && field === 3) entityRef(w, c);
    else skip(w, c, tag & 7, scope ? 3 : 2);
  }
  checkEnd(w, c);
  return c;
}

/** EntityRef: four string fields, checked and not kept. */
function entityRef(w: Wire, end: number): void {
  const c = sub(w, end);
  while (w.pos < c) {
    const tag = u32(w, c);
    const field = tag >>> 3;
    if (field >= 1 && field <= 4) stringAt(w, c);
    else skip(w, c, tag & 7, 3);
  }
  checkEnd(w, c);
}

// ---- building Span, Resource and Scope ---------------------------------------------------------

const RESOURCE = 0;
const SCOPE = 1;
const SPAN = 2;
const EVENT = 3;
const LINK = 4;

/** The field of a list of attributes, for problems: of the RESOURCE, SCOPE, SPAN, or the span's `index`th EVENT or LINK. */
function attributesField(w: Wire, of: number, index: number): string {
  const resource = `resource_spans[${w.r}]`;
  if (of === RESOURCE) return `${resource}.resource`;
  if (of === SCOPE) return `${resource}.scope_spans[${w.si}].scope`;
  return spanField(w) + (of === SPAN ? '' : `.${of === EVENT ? 'events' : 'links'}[${index}]`);
}

/** The attributes at `list` (KeyValues at `depth`, in a message ending at `c`) of `of` (attributesField). */
function buildAttributes(w: Wire, c: number, list: Positions, depth: number, of: number, index: number, keep?: ReadonlySet<string>): Attributes {
  const attributes = newAttributes();
  for (let k = 0; k < list.n; k++) {
    w.pos = list.at[k]!;
    if (attribute(w, c, depth, attributes, keep)) droppedAttribute(w, `${attributesField(w, of, index)}.attributes[${k}]`);
  }
  w.pos = c;
  return attributes;
}

const str = (w: Wire, r: Range): string => utf8(w, r.s, r.e);

/** ExportTraceServiceRequest (= TracesData). */
function request(w: Wire, end: number): void {
  let r = 0;
  while (w.pos < end) {
    const tag = u32(w, end);
    if (tag >>> 3 === 1) group(w, end, r++, undefined);
    else skip(w, end, tag & 7, 0);
  }
  checkEnd(w, end);
}

const headFields = new ResourceOrScopeFields();

/**
 * A ResourceSpans (`resource` undefined) or the ScopeSpans of `resource` (its length prefix next):
 * its Resource or scope, then its items. A Resource or scope given again replaces the previous
 * one (protobufjs does not merge), also for the spans read before it: they share this object.
 */
function group(w: Wire, end: number, index: number, resource: Resource | undefined): void {
  const c = sub(w, end);
  const scope = resource !== undefined;
  if (scope) w.si = index;
  else w.r = index;
  const head: Resource | Scope = scope
    ? { name: '', version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' }
    : { attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
  let n = 0;
  while (w.pos < c) {
    const tag = u32(w, c);
    switch (tag >>> 3) {
      case 1: {
        const f = headFields;
        const hc = scanResourceOrScope(w, c, f, scope);
        if ('name' in head) {
          head.name = str(w, f.name);
          head.version = str(w, f.version);
        }
        head.attributes = buildAttributes(w, hc, f.attributes, scope ? 4 : 3, scope ? SCOPE : RESOURCE, 0);
        head.droppedAttributesCount = f.droppedAttributes;
        break;
      }
      case 2:
        if (!scope) group(w, c, n++, head);
        else {
          w.i = n++;
          span(w, c, resource, head as Scope);
        }
        break;
      case 3:
        head.schemaUrl = utf8(w, stringAt(w, c), w.pos);
        break;
      default:
        skip(w, c, tag & 7, scope ? 2 : 1);
    }
  }
  checkEnd(w, c);
}

const spanFields = new SpanFields();
const eventFields = new EventFields();
// A Link's fields in a SpanFields too: one object shape for the reads of fields 1–3 (monomorphic).
const linkFields = new SpanFields();

function span(w: Wire, end: number, resource: Resource, scope: Scope): void {
  const f = spanFields;
  const c = scanSpan(w, end, f);
  w.spansOnWire++;
  const attributes = buildAttributes(w, c, f.attributes, 4, SPAN, 0, w.keep);
  const events: SpanEvent[] = [];
  for (let k = 0; k < f.events.n; k++) {
    w.pos = f.events.at[k]!;
    const ec = scanEvent(w, c, eventFields);
    const e = eventFields;
    const dv = w.dv;
    events.push({
      timeUnixNano: e.timeAt < 0 ? 0n : dv.getBigUint64(e.timeAt, true),
      name: str(w, e.name),
      attributes: buildAttributes(w, ec, e.attributes, 5, EVENT, k),
      droppedAttributesCount: e.droppedAttributes,
    });
  }
  // Of the links' ids, the first bad one (in wire order) skips the span.
  let linkField = '';
  let linkProblem = '';
  const links: SpanLink[] = [];
  for (let k = 0; k < f.links.n; k++) {
    w.pos = f.links.at[k]!;
    const lc = scanLink(w, c, linkFields);
    const l = linkFields;
    const traceId = hexId(w, l.traceId.s, l.traceId.e, 16);
    const spanId = traceId === '' ? '' : hexId(w, l.spanId.s, l.spanId.e, 8);
    if (spanId === '' && linkField === '') {
      const r = traceId === '' ? l.traceId : l.spanId;
      linkField = `links[${k}].${traceId === '' ? 'trace_id' : 'span_id'}`;
      linkProblem = idProblem(w, r.s, r.e, traceId === '' ? 16 : 8);
    }
    links.push({
      traceId,
      spanId,
      traceState: str(w, l.traceState),
      attributes: buildAttributes(w, lc, l.attributes, 5, LINK, k),
      droppedAttributesCount: l.droppedAttributes,
      flags: l.flags,
    });
  }
  w.pos = c;

  // Id checks in the order the message-based decoder made them.
  const traceId = traceIdOf(w, f.traceId.s, f.traceId.e);
  if (traceId === '') return skipped(w, 'trace_id', idProblem(w, f.traceId.s, f.traceId.e, 16));
  const spanId = hexId(w, f.spanId.s, f.spanId.e, 8);
  if (spanId === '') return skipped(w, 'span_id', idProblem(w, f.spanId.s, f.spanId.e, 8));
  let parentSpanId = '';
  if (!allZero(w.buf, f.parent.s, f.parent.e)) {
    parentSpanId = hexId(w, f.parent.s, f.parent.e, 8);
    if (parentSpanId === '') return skipped(w, 'parent_span_id', idProblem(w, f.parent.s, f.parent.e, 8));
  }
  if (linkField !== '') return skipped(w, linkField, linkProblem);

  const dv = w.dv;
  const startAt = f.startAt;
  const endAt = f.endAt;
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
    traceState: str(w, f.traceState),
    name: str(w, f.name),
    kind: f.kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount: f.droppedAttributes,
    events,
    droppedEventsCount: f.droppedEvents,
    links,
    droppedLinksCount: f.droppedLinks,
    status: { code: f.statusCode, message: str(w, f.statusMessage) },
    flags: f.flags,
    resource,
    scope,
    startMs: msOf(startLo, startHi),
    durationMs: durationMs(startLo, startHi, endLo, endHi, startTimeUnixNano, endTimeUnixNano),
  });
}

function skipped(w: Wire, field: string, message: string): void {
  if (w.problems.length < MAX_PROBLEMS) w.problems.push({ field: `${spanField(w)}.${field}`, message: `span skipped: ${message}` });
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

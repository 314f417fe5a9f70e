/**
 * Rows of the exporter's `otel_traces` table back into `Span`. The exporter writes every
 * attribute value as text (ints as decimal, bools as 'true'/'false', arrays and maps as JSON);
 * the original types are gone, so values stay strings here, as for Zipkin tags: the GenAI view,
 * cost and lint read numeric strings as numbers (docs/architecture.md, "ClickHouse source").
 */
import { DecodeError } from '../../errors.js';
import { finishSpan, newAttributes, SpanKind, StatusCode, type Attributes, type Resource, type Scope, type Span, type SpanEvent, type SpanLink } from '../../span.js';

/** The columns read, in this order (query.ts builds the SELECT from it). */
export const SPAN_COLUMNS = [
  'start', 'TraceId', 'SpanId', 'ParentSpanId', 'TraceState', 'SpanName', 'SpanKind', 'ResourceAttributes',
  'ScopeName', 'ScopeVersion', 'SpanAttributes', 'dur', 'StatusCode', 'StatusMessage',
  'evTimes', 'evNames', 'evAttrs', 'lnTraceIds', 'lnSpanIds', 'lnStates', 'lnAttrs',
] as const;

const KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: SpanKind.UNSPECIFIED,
  SPAN_KIND_INTERNAL: SpanKind.INTERNAL,
  SPAN_KIND_SERVER: SpanKind.SERVER,
  SPAN_KIND_CLIENT: SpanKind.CLIENT,
  SPAN_KIND_PRODUCER: SpanKind.PRODUCER,
  SPAN_KIND_CONSUMER: SpanKind.CONSUMER,
  // Older exporter versions wrote the names without the prefix (traceutil.SpanKindStr history).
  Unspecified: SpanKind.UNSPECIFIED,
  Internal: SpanKind.INTERNAL,
  Server: SpanKind.SERVER,
  Client: SpanKind.CLIENT,
  Producer: SpanKind.PRODUCER,
  Consumer: SpanKind.CONSUMER,
};

const STATUSES: Record<string, number> = {
  STATUS_CODE_UNSET: StatusCode.UNSET,
  STATUS_CODE_OK: StatusCode.OK,
  STATUS_CODE_ERROR: StatusCode.ERROR,
  Unset: StatusCode.UNSET,
  Ok: StatusCode.OK,
  Error: StatusCode.ERROR,
};

/** 32 lowercase hex digits, not all zero (OTLP's invalid id: files skip it too). query.ts `VALID_TRACE_ID_SQL`. */
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
/** 16 lowercase hex digits, not all zero: files skip a span with an invalid span id (otlp/ids.ts). */
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;
/** An all-zero parent id means no parent, as for files (otlp/json-decode.ts `parentId`: some SDKs send it). */
const NO_PARENT = /^0{16}$/;
const PARENT_ID = /^[0-9a-f]{16}$/;
const U64 = 1n << 64n;
const I64_MAX = (1n << 63n) - 1n;

export interface RowDecoder {
  /** A Span, or throws DecodeError naming the column. */
  decode(row: unknown): Span;
}

/**
 * `scopeInAttributes`: the table has no ScopeName/ScopeVersion columns (exporter layouts before
 * they were added put the scope into SpanAttributes as otel.scope.name/version).
 */
export function rowDecoder(scopeInAttributes: boolean): RowDecoder {
  // Spans of one resource share its Resource object, as for files: memory of held traces.
  let resources = new Map<string, Resource>();
  return {
    decode(row: unknown): Span {
      if (!Array.isArray(row) || row.length !== SPAN_COLUMNS.length) throw new DecodeError(`a row of ${SPAN_COLUMNS.length} columns was expected`);
      const [start, traceId, spanId, parentId, traceState, name, kind, resAttrs, scopeName, scopeVersion, spanAttrs, dur, status, statusMessage, evTimes, evNames, evAttrs, lnTraceIds, lnSpanIds, lnStates, lnAttrs] = row as unknown[];
      const tid = str(traceId, 'TraceId');
      const sid = str(spanId, 'SpanId');
      let pid = str(parentId, 'ParentSpanId');
      if (!TRACE_ID.test(tid)) throw new DecodeError(`span skipped: trace id ${show(tid)} is not 32 lowercase hex digits, not all zero`, 'TraceId');
      if (!SPAN_ID.test(sid)) throw new DecodeError(`span skipped: span id ${show(sid)} is not 16 lowercase hex digits, not all zero`, 'SpanId');
      if (NO_PARENT.test(pid)) pid = '';
      else if (pid !== '' && !PARENT_ID.test(pid)) throw new DecodeError(`span skipped: parent span id ${show(pid)} is not 16 lowercase hex digits`, 'ParentSpanId');
      const startNs = nanos(start, 'Timestamp');
      // Duration is UInt64 (Int64 in old layouts): the exporter's negative end − start wraps around.
      let d = nanos(dur, 'Duration');
      if (d > I64_MAX) d -= U64;
      const resKey = JSON.stringify(resAttrs);
      let resource = resources.get(resKey);
      if (!resource) {
        if (resources.size >= 1000) resources = new Map();
        resource = { attributes: attrs(resAttrs, 'ResourceAttributes'), droppedAttributesCount: 0, schemaUrl: '' };
        resources.set(resKey, resource);
      }
      const attributes = attrs(spanAttrs, 'SpanAttributes');
      const scope: Scope = { name: '', version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' };
      if (scopeInAttributes) {
        scope.name = takeString(attributes, 'otel.scope.name');
        scope.version = takeString(attributes, 'otel.scope.version');
      } else {
        scope.name = str(scopeName, 'ScopeName');
        scope.version = str(scopeVersion, 'ScopeVersion');
      }
      const kindText = str(kind, 'SpanKind');
      const statusText = str(status, 'StatusCode');
      return finishSpan({
        traceId: tid,
        spanId: sid,
        parentSpanId: pid,
        traceState: str(traceState, 'TraceState'),
        name: str(name, 'SpanName'),
        kind: KINDS[kindText] ?? SpanKind.UNSPECIFIED,
        startTimeUnixNano: startNs,
        endTimeUnixNano: startNs + d,
        attributes,
        droppedAttributesCount: 0,
        events: events(evTimes, evNames, evAttrs),
        droppedEventsCount: 0,
        links: links(lnTraceIds, lnSpanIds, lnStates, lnAttrs),
        droppedLinksCount: 0,
        status: { code: STATUSES[statusText] ?? StatusCode.UNSET, message: str(statusMessage, 'StatusMessage') },
        flags: 0,
        resource,
        scope,
      });
    },
  };
}

function show(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new DecodeError('not a string', field);
  return v;
}

/** Nanoseconds read as decimal text (the query selects them with toString: JSON numbers lose digits). */
function nanos(v: unknown, field: string): bigint {
  if (typeof v !== 'string' || !/^-?\d{1,20}$/.test(v)) throw new DecodeError('not an integer of nanoseconds', field);
  return BigInt(v);
}

function attrs(v: unknown, field: string): Attributes {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError('not a map', field);
  const out = newAttributes();
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw new DecodeError(`value of ${show(k)} is not a string`, field);
    out[k] = val;
  }
  return out;
}

function takeString(a: Attributes, key: string): string {
  const v = a[key];
  delete a[key];
  return typeof v === 'string' ? v : '';
}

function list(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new DecodeError('not an array', field);
  return v;
}

function events(times: unknown, names: unknown, attrList: unknown): SpanEvent[] {
  const t = list(times, 'Events.Timestamp');
  const n = list(names, 'Events.Name');
  const a = list(attrList, 'Events.Attributes');
  if (n.length !== t.length || a.length !== t.length) throw new DecodeError('Events columns differ in length', 'Events');
  return t.map((time, i) => ({ timeUnixNano: nanos(time, 'Events.Timestamp'), name: str(n[i], 'Events.Name'), attributes: attrs(a[i], 'Events.Attributes'), droppedAttributesCount: 0 }));
}

/** A link's id, checked as the span's own: files skip a span with an invalid link id (json-decode.ts `decodeLink`). query.ts `INVALID_LINK_SQL`. */
function linkId(v: unknown, valid: RegExp, field: string): string {
  const id = str(v, field);
  if (!valid.test(id)) throw new DecodeError(`span skipped: link ${field === 'Links.TraceId' ? 'trace' : 'span'} id ${show(id)} is not ${field === 'Links.TraceId' ? 32 : 16} lowercase hex digits, not all zero`, field);
  return id;
}

function links(traceIds: unknown, spanIds: unknown, states: unknown, attrList: unknown): SpanLink[] {
  const t = list(traceIds, 'Links.TraceId');
  const s = list(spanIds, 'Links.SpanId');
  const st = list(states, 'Links.TraceState');
  const a = list(attrList, 'Links.Attributes');
  if (s.length !== t.length || st.length !== t.length || a.length !== t.length) throw new DecodeError('Links columns differ in length', 'Links');
  return t.map((tid, i) => ({ traceId: linkId(tid, TRACE_ID, 'Links.TraceId'), spanId: linkId(s[i], SPAN_ID, 'Links.SpanId'), traceState: str(st[i], 'Links.TraceState'), attributes: attrs(a[i], 'Links.Attributes'), droppedAttributesCount: 0, flags: 0 }));
}

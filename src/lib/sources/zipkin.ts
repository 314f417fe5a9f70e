/**
 * Zipkin v2 JSON → Span: a span array (`/api/v2/trace/{id}`, the UI's "Download JSON"), or the
 * array of such arrays that `/api/v2/traces` returns.
 */
import { DecodeError } from '../errors.js';
import type { DecodeResult } from '../otlp/decode-result.js';
import { typeName } from '../otlp/ids.js';
import {
  type AttrValue,
  type Attributes,
  type Resource,
  type Scope,
  type Span,
  type SpanEvent,
  SpanKind,
  StatusCode,
  finishSpan,
  newAttributes,
} from '../span.js';
import {
  KINDS,
  type Obj,
  Problems,
  checkPaddedId,
  isNoId,
  isObj,
  microsToNanos,
  safeJson,
  takeOtelStatus,
  takeScope,
  untypedAttr,
} from './trace-json-common.js';

const ZIPKIN_KINDS = new Map<string, number>([
  ['CLIENT', SpanKind.CLIENT],
  ['SERVER', SpanKind.SERVER],
  ['PRODUCER', SpanKind.PRODUCER],
  ['CONSUMER', SpanKind.CONSUMER],
]);

/**
 * Zipkin has no resource, so OTel exporters copy resource attributes into every span's tags.
 * These well-known resource keys go back to the Resource (as the Collector's receiver does), so
 * spans of one service share one Resource instead of repeating them.
 */
const RESOURCE_PREFIXES = ['service.', 'telemetry.sdk.', 'telemetry.distro.', 'deployment.', 'host.', 'os.', 'process.runtime.', 'container.', 'k8s.', 'cloud.'];

function isResourceKey(key: string): boolean {
  return key === 'process.pid' || RESOURCE_PREFIXES.some((p) => key.startsWith(p));
}

interface Ctx {
  problems: Problems;
  resources: Map<string, Resource>;
  scopes: Map<string, Scope>;
}

function resourceOf(localEndpoint: unknown, lifted: Array<[string, string]>, ctx: Ctx): Resource {
  const svc = isObj(localEndpoint) && typeof localEndpoint.serviceName === 'string' ? localEndpoint.serviceName : '';
  const key = safeJson([svc, lifted]);
  let resource = ctx.resources.get(key);
  if (!resource) {
    const attributes = newAttributes();
    // localEndpoint.serviceName is what Zipkin indexes; a copied `service.name` tag is a fallback.
    if (svc !== '') attributes['service.name'] = svc;
    for (const [k, v] of lifted) if (!(k in attributes)) attributes[k] = v;
    resource = { attributes, droppedAttributesCount: 0, schemaUrl: '' };
    ctx.resources.set(key, resource);
  }
  return resource;
}

/** The Collector writes an event that has attributes as `name|{json attributes}|droppedCount`. */
function parseAnnotation(value: string): { name: string; attributes: Attributes; dropped: number } {
  const attributes = newAttributes();
  const m = /^([^|]*)\|(\{.*\})\|(\d{1,9})$/s.exec(value);
  if (m) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(m[2] ?? '');
    } catch {
      /* an ordinary annotation that happens to contain pipes */
    }
    if (isObj(parsed)) {
      for (const [k, v] of Object.entries(parsed)) attributes[k] = untypedAttr(v);
      return { name: m[1] ?? '', attributes, dropped: Number(m[3]) };
    }
  }
  return { name: value, attributes, dropped: 0 };
}

function decodeAnnotations(raw: unknown, path: string, ctx: Ctx): SpanEvent[] {
  const events: SpanEvent[] = [];
  if (!Array.isArray(raw)) return events;
  raw.forEach((a, i) => {
    const time = isObj(a) ? microsToNanos(a.timestamp) : undefined;
    if (!isObj(a) || time === undefined) {
      ctx.problems.add(`${path}.annotations[${i}].timestamp`, 'annotation without a valid timestamp (µs) dropped');
      return;
    }
    const { name, attributes, dropped } = parseAnnotation(typeof a.value === 'string' ? a.value : '');
    events.push({ timeUnixNano: time, name, attributes, droppedAttributesCount: dropped });
  });
  return events;
}

/** remoteEndpoint → semconv attributes, never overriding tags the producer wrote itself. */
function addRemote(ep: Obj, kind: number, attrs: Attributes): void {
  // A server's remote endpoint is its caller; for every other kind it is the peer being called.
  const side = kind === SpanKind.SERVER ? 'client' : 'server';
  const setIfAbsent = (k: string, v: AttrValue) => {
    if (!(k in attrs)) attrs[k] = v;
  };
  if (typeof ep.serviceName === 'string' && ep.serviceName !== '') setIfAbsent('peer.service', ep.serviceName);
  const address = [ep.ipv4, ep.ipv6].find((x): x is string => typeof x === 'string' && x !== '');
  if (address !== undefined) setIfAbsent(`${side}.address`, address);
  if (typeof ep.port === 'number' && Number.isInteger(ep.port) && ep.port > 0) setIfAbsent(`${side}.port`, BigInt(ep.port));
}

function kindOf(raw: unknown, attrs: Attributes): number {
  const kind = typeof raw === 'string' ? ZIPKIN_KINDS.get(raw.toUpperCase()) : undefined;
  if (kind !== undefined) return kind;
  // The Collector's exporter marks INTERNAL spans with a `span.kind` tag.
  const tag = attrs['span.kind'];
  const fromTag = typeof tag === 'string' ? KINDS.get(tag.toLowerCase()) : undefined;
  if (fromTag !== undefined) {
    delete attrs['span.kind'];
    return fromTag;
  }
  // Zipkin has no INTERNAL kind: the OTel Zipkin exporter spec says to omit `kind` for INTERNAL
  // spans, and Zipkin itself calls a kind-less span a local one, which is what INTERNAL means.
  // (The Collector's receiver says UNSPECIFIED instead, losing that.) An unknown kind string is
  // a different matter: we cannot tell what it was.
  return raw === undefined || raw === null ? SpanKind.INTERNAL : SpanKind.UNSPECIFIED;
}

function statusOf(attrs: Attributes): { code: number; message: string } {
  let status = takeOtelStatus(attrs) ?? { code: StatusCode.UNSET, message: '' };
  const err = attrs.error;
  // Zipkin marks failure with an `error` tag whose value is the message; the Collector's
  // exporter writes a bare "true" and the description in otel.status_description.
  if (typeof err === 'string' && err !== 'false' && status.code !== StatusCode.OK) {
    status = { code: StatusCode.ERROR, message: status.message || (err === 'true' ? '' : err) };
    delete attrs.error;
  }
  return status;
}

function decodeSpan(raw: unknown, path: string, ctx: Ctx): Span | undefined {
  const bad = (field: string, message: string) => ctx.problems.add(field, `span skipped: ${message}`);
  if (!isObj(raw)) return bad(path, `expected a span object, got ${typeName(raw)}`);
  const traceId = checkPaddedId(raw.traceId, 32);
  if (!traceId.ok) return bad(`${path}.traceId`, traceId.message);
  const spanId = checkPaddedId(raw.id, 16);
  if (!spanId.ok) return bad(`${path}.id`, spanId.message);
  let parentSpanId = '';
  if (!isNoId(raw.parentId)) {
    const parent = checkPaddedId(raw.parentId, 16);
    if (!parent.ok) return bad(`${path}.parentId`, parent.message);
    // Some tracers mark a root with parentId == id; a self-parent would be a cycle downstream.
    if (parent.id !== spanId.id) parentSpanId = parent.id;
  }
  // Zipkin leaves timestamp out of spans it only partly received; they cannot be placed in time.
  const start = microsToNanos(raw.timestamp);
  if (start === undefined) return bad(`${path}.timestamp`, `expected µs, got ${typeName(raw.timestamp)}`);
  const duration = raw.duration === undefined || raw.duration === null ? 0n : microsToNanos(raw.duration);
  if (duration === undefined) return bad(`${path}.duration`, `expected µs, got ${typeName(raw.duration)}`);

  // Tags are strings in Zipkin; numbers stay strings here because attrNumber reads them anyway.
  const attributes = newAttributes();
  const lifted: Array<[string, string]> = [];
  if (isObj(raw.tags)) {
    for (const [k, v] of Object.entries(raw.tags)) {
      const value = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
      if (value === undefined) continue;
      if (isResourceKey(k)) lifted.push([k, value]);
      else attributes[k] = value;
    }
  }
  const kind = kindOf(raw.kind, attributes);
  const status = statusOf(attributes);
  const scope = takeScope(attributes, ctx.scopes);
  const traceState = attributes['w3c.tracestate'];
  delete attributes['w3c.tracestate'];
  if (isObj(raw.remoteEndpoint)) addRemote(raw.remoteEndpoint, kind, attributes);

  // A server span with `shared: true` reuses its client's id (B3 single-host spans). Both are
  // kept here, and the duplicate id is resolved downstream where whole traces are assembled.
  return finishSpan({
    traceId: traceId.id,
    spanId: spanId.id,
    parentSpanId,
    traceState: typeof traceState === 'string' ? traceState : '',
    name: typeof raw.name === 'string' ? raw.name : '',
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: start + duration,
    attributes,
    droppedAttributesCount: 0,
    events: decodeAnnotations(raw.annotations, path, ctx),
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status,
    flags: 0,
    resource: resourceOf(raw.localEndpoint, lifted, ctx),
    scope,
  });
}

export function decodeZipkinV2(doc: unknown): DecodeResult {
  if (!Array.isArray(doc)) throw new DecodeError(`expected a JSON array of Zipkin v2 spans, got ${typeName(doc)}`, '$');
  const ctx: Ctx = { problems: new Problems(), resources: new Map(), scopes: new Map() };
  const spans: Span[] = [];
  let spansOnWire = 0;
  const add = (raw: unknown, path: string) => {
    spansOnWire++;
    const span = decodeSpan(raw, path, ctx);
    if (span) spans.push(span);
  };
  doc.forEach((el: unknown, i) => {
    if (Array.isArray(el)) el.forEach((s: unknown, j) => add(s, `[${i}][${j}]`));
    else add(el, `[${i}]`);
  });
  return { spans, problems: ctx.problems.list, spansOnWire };
}

/** Format sniffing: an array of Zipkin v2 spans (or of traces), not Zipkin v1. */
export function isZipkinV2(doc: unknown): boolean {
  if (!Array.isArray(doc)) return false;
  const first: unknown = Array.isArray(doc[0]) ? doc[0][0] : doc[0];
  return (
    isObj(first) &&
    typeof first.traceId === 'string' &&
    typeof first.id === 'string' &&
    ('timestamp' in first || 'name' in first || 'localEndpoint' in first) &&
    // v1 spans carry the same ids but keep tags in binaryAnnotations.
    !('binaryAnnotations' in first)
  );
}

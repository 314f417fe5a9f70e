/**
 * Jaeger UI JSON (the "Download JSON" of a trace, or `/api/traces` responses) → Span.
 * Also accepts a bare trace object `{traceID, spans, processes}`.
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
  type SpanLink,
  SpanKind,
  StatusCode,
  finishSpan,
  newAttributes,
} from '../span.js';

import {
  KINDS,
  type Obj,
  Problems,
  attrsKey,
  checkPaddedId,
  isNoId,
  isObj,
  microsToNanos,
  takeOtelStatus,
  takeScope,
  untypedAttr,
} from './trace-json-common.js';

/** A Jaeger typed value. int64 arrives as a string when it does not fit a double. */
function tagValue(type: unknown, v: unknown): AttrValue {
  switch (typeof type === 'string' ? type.toLowerCase() : '') {
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      break;
    case 'int64':
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
        const n = BigInt(v);
        if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
      }
      break;
    case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
      if (v === 'NaN') return NaN;
      break;
    case 'binary':
      if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
      break;
  }
  return untypedAttr(v);
}

function tagsToAttributes(tags: unknown, into: Attributes = newAttributes()): Attributes {
  if (!Array.isArray(tags)) return into;
  for (const t of tags) {
    if (isObj(t) && typeof t.key === 'string') into[t.key] = tagValue(t.type, t.value);
  }
  return into;
}

interface Ctx {
  problems: Problems;
  /** By content, so equal processes of different traces share one Resource. */
  resources: Map<string, Resource>;
  /** By the raw process object, so each is converted once rather than once per span. */
  byProcess: Map<unknown, Resource>;
  scopes: Map<string, Scope>;
  /** Spans met, valid or not (DecodeResult.spansOnWire). */
  spansOnWire: number;
}

function resourceOf(process: unknown, ctx: Ctx): Resource {
  const known = ctx.byProcess.get(process);
  if (known) return known;
  const attributes = newAttributes();
  if (isObj(process)) {
    tagsToAttributes(process.tags, attributes);
    // serviceName is the authority; a `service.name` tag only fills in when it is missing.
    if (typeof process.serviceName === 'string' && process.serviceName !== '') {
      attributes['service.name'] = process.serviceName;
    }
  }
  const key = attrsKey(attributes);
  let resource = ctx.resources.get(key);
  if (!resource) {
    resource = { attributes, droppedAttributesCount: 0, schemaUrl: '' };
    ctx.resources.set(key, resource);
  }
  ctx.byProcess.set(process, resource);
  return resource;
}

function decodeLogs(logs: unknown, path: string, ctx: Ctx): SpanEvent[] {
  const events: SpanEvent[] = [];
  if (!Array.isArray(logs)) return events;
  logs.forEach((log, i) => {
    const time = isObj(log) ? microsToNanos(log.timestamp) : undefined;
    if (!isObj(log) || time === undefined) {
      ctx.problems.add(`${path}.logs[${i}].timestamp`, 'log without a valid timestamp (µs) dropped');
      return;
    }
    const attributes = tagsToAttributes(log.fields);
    // OpenTracing and the OTel→Jaeger exporters put the event name in an `event` field.
    const name = attributes.event;
    if (typeof name === 'string') delete attributes.event;
    events.push({ timeUnixNano: time, name: typeof name === 'string' ? name : 'log', attributes, droppedAttributesCount: 0 });
  });
  return events;
}

type Refs = { parentSpanId: string; links: SpanLink[] } | { field: string; message: string };

/** The first same-trace CHILD_OF (else FOLLOWS_FROM) is the parent; every other reference a link. */
function decodeRefs(span: Obj, traceId: string, spanId: string, path: string): Refs {
  const refs: Array<{ type: string; traceId: string; spanId: string }> = [];
  const raw = Array.isArray(span.references) ? span.references : [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    if (!isObj(r) || (isNoId(r.spanID) && isNoId(r.traceID))) continue;
    const rt = r.traceID === undefined ? { ok: true as const, id: traceId } : checkPaddedId(r.traceID, 32);
    if (!rt.ok) return { field: `${path}.references[${i}].traceID`, message: rt.message };
    const rs = checkPaddedId(r.spanID, 16);
    if (!rs.ok) return { field: `${path}.references[${i}].spanID`, message: rs.message };
    const type = typeof r.refType === 'string' ? r.refType.toUpperCase() : 'CHILD_OF';
    // A span referencing itself would make a cycle downstream.
    if (rs.id !== spanId || rt.id !== traceId) refs.push({ type, traceId: rt.id, spanId: rs.id });
  }
  const parent =
    refs.find((r) => r.type === 'CHILD_OF' && r.traceId === traceId) ??
    refs.find((r) => r.type === 'FOLLOWS_FROM' && r.traceId === traceId);
  let parentSpanId = parent?.spanId ?? '';
  // Clients from before the references field wrote only `parentSpanID`.
  if (!parent && !isNoId(span.parentSpanID)) {
    const legacy = checkPaddedId(span.parentSpanID, 16);
    if (!legacy.ok) return { field: `${path}.parentSpanID`, message: legacy.message };
    if (legacy.id !== spanId) parentSpanId = legacy.id;
  }
  const links = refs
    .filter((r) => r !== parent)
    .map((r): SpanLink => {
      const attributes = newAttributes();
      // The attribute the Collector's Jaeger receiver uses, so the reference type survives.
      attributes['opentracing.ref_type'] = r.type.toLowerCase();
      return { traceId: r.traceId, spanId: r.spanId, traceState: '', attributes, droppedAttributesCount: 0, flags: 0 };
    });
  return { parentSpanId, links };
}

function decodeSpan(raw: unknown, path: string, trace: Obj, ctx: Ctx): Span | undefined {
  const bad = (field: string, message: string) => ctx.problems.add(field, `span skipped: ${message}`);
  if (!isObj(raw)) return bad(path, `expected a span object, got ${typeName(raw)}`);
  const traceId = checkPaddedId(raw.traceID ?? trace.traceID, 32);
  if (!traceId.ok) return bad(`${path}.traceID`, traceId.message);
  const spanId = checkPaddedId(raw.spanID, 16);
  if (!spanId.ok) return bad(`${path}.spanID`, spanId.message);
  const refs = decodeRefs(raw, traceId.id, spanId.id, path);
  if ('field' in refs) return bad(refs.field, refs.message);
  const start = microsToNanos(raw.startTime);
  if (start === undefined) return bad(`${path}.startTime`, `expected µs as an integer, got ${typeName(raw.startTime)}`);
  // A zero duration may be omitted by protobuf-style serializers.
  const duration = raw.duration === undefined ? 0n : microsToNanos(raw.duration);
  if (duration === undefined) return bad(`${path}.duration`, `expected µs as an integer, got ${typeName(raw.duration)}`);

  const attributes = tagsToAttributes(raw.tags);
  // Jaeger has no kind field; OTel exporters write `internal` explicitly, so absence means
  // the producer never said (UNSPECIFIED), not INTERNAL.
  let kind: number = SpanKind.UNSPECIFIED;
  const kindTag = attributes['span.kind'];
  const mapped = typeof kindTag === 'string' ? KINDS.get(kindTag.toLowerCase()) : undefined;
  if (mapped !== undefined) {
    kind = mapped;
    delete attributes['span.kind'];
  }
  let status = takeOtelStatus(attributes) ?? { code: StatusCode.UNSET, message: '' };
  const errorTag = attributes.error;
  if (errorTag === true || errorTag === 'true') {
    if (status.code === StatusCode.UNSET) status = { code: StatusCode.ERROR, message: '' };
    // OTel→Jaeger writes `error=true` next to otel.status_code; it is status, not an attribute.
    if (status.code === StatusCode.ERROR) delete attributes.error;
  }
  const scope = takeScope(attributes, ctx.scopes);

  const processes = isObj(trace.processes) ? trace.processes : {};
  const pid = raw.processID;
  const process = typeof pid === 'string' && Object.hasOwn(processes, pid) ? processes[pid] : raw.process;

  return finishSpan({
    traceId: traceId.id,
    spanId: spanId.id,
    parentSpanId: refs.parentSpanId,
    traceState: '',
    name: typeof raw.operationName === 'string' ? raw.operationName : '',
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: start + duration,
    attributes,
    droppedAttributesCount: 0,
    events: decodeLogs(raw.logs, path, ctx),
    droppedEventsCount: 0,
    links: refs.links,
    droppedLinksCount: 0,
    status,
    flags: 0,
    resource: resourceOf(process, ctx),
    scope,
  });
}

/** `base` is the trace's path, '' for a bare trace document. */
function decodeTrace(trace: unknown, base: string, ctx: Ctx, out: Span[]): void {
  const prefix = base === '' ? '' : `${base}.`;
  if (!isObj(trace) || !Array.isArray(trace.spans)) {
    const field = isObj(trace) ? `${prefix}spans` : base || '$';
    ctx.problems.add(field, 'trace without a spans array skipped');
    return;
  }
  if (trace.processes !== undefined && !isObj(trace.processes)) {
    ctx.problems.add(`${prefix}processes`, 'processes is not an object; service names lost');
  }
  ctx.spansOnWire += trace.spans.length;
  trace.spans.forEach((raw, i) => {
    const span = decodeSpan(raw, `${prefix}spans[${i}]`, trace, ctx);
    if (span) out.push(span);
  });
}

export function decodeJaegerUi(doc: unknown): DecodeResult {
  if (!isObj(doc)) throw new DecodeError('expected a Jaeger UI JSON object', '$');
  const ctx: Ctx = { problems: new Problems(), resources: new Map(), byProcess: new Map(), scopes: new Map(), spansOnWire: 0 };
  const spans: Span[] = [];
  if ('data' in doc) {
    if (!Array.isArray(doc.data)) {
      // The query API answers `{"data":null,"errors":[{"msg":…}]}` for a missing trace.
      const err = Array.isArray(doc.errors) && isObj(doc.errors[0]) ? doc.errors[0].msg : undefined;
      throw new DecodeError(typeof err === 'string' ? `Jaeger API error: ${err}` : 'data is not an array of traces', 'data');
    }
    doc.data.forEach((trace, t) => decodeTrace(trace, `data[${t}]`, ctx, spans));
  } else if (Array.isArray(doc.spans)) {
    decodeTrace(doc, '', ctx, spans);
  } else {
    throw new DecodeError('expected {"data":[traces]} or a trace {traceID, spans, processes}', 'spans' in doc ? 'spans' : 'data');
  }
  return { spans, problems: ctx.problems.list, spansOnWire: ctx.spansOnWire };
}

/** Format sniffing: a Jaeger UI download or a bare Jaeger trace. */
export function isJaegerUi(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  if (Array.isArray(doc.data)) {
    const first: unknown = doc.data[0];
    return isObj(first) && Array.isArray(first.spans) && ('traceID' in first || 'processes' in first);
  }
  return Array.isArray(doc.spans) && (typeof doc.traceID === 'string' || isObj(doc.processes));
}

/**
 * OTLP/JSON → Span, by the OTLP/JSON rules: hex ids (any case), integer enums, int64 as decimal
 * strings or numbers, lowerCamelCase keys (snake_case accepted too, as proto3 JSON parsers must),
 * unknown fields ignored, every AnyValue shape. A bad span is skipped and reported; a bad
 * attribute is dropped and reported; the rest of the record is kept.
 */
import { DecodeError } from '../errors.js';
import {
  KvList,
  finishSpan,
  newAttributes,
  type AttrValue,
  type Attributes,
  type Resource,
  type Scope,
  type Span,
  type SpanEvent,
  type SpanLink,
} from '../span.js';
import { droppedAttributeMessage, VALUE_TOO_DEEP, MAX_VALUE_DEPTH, type DecodeResult, type FieldProblem } from './decode-result.js';
import { checkHexId, normalizeHexId, typeName } from './ids.js';

type Obj = Record<string, unknown>;

const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** proto3 JSON accepts the lowerCamelCase and the original snake_case name. */
function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

function list(o: Obj, camel: string, snake: string, path: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`expected an array, got ${typeName(v)}`, path ? `${path}.${camel}` : camel);
  return v;
}

/**
 * Where the decoder is, kept as indices so the path string of a field is only built when there
 * is a problem to report: building it eagerly for every field doubled the decoding time.
 */
class Ctx {
  problems: FieldProblem[] = [];
  r = -1;
  s = -1;
  i = -1;
  where(): string {
    let w = `resourceSpans[${this.r}]`;
    if (this.s >= 0) w += `.scopeSpans[${this.s}]`;
    if (this.i >= 0) w += `.spans[${this.i}]`;
    return w;
  }
  /** `rel` is relative to the current resource, scope or span. */
  problem(rel: string | undefined, message: string) {
    // A pathological record could produce millions of problems; keep the first few per record.
    if (this.problems.length > 100) return;
    const field = rel ? `${this.where()}.${rel}` : this.where();
    this.problems.push(this.problems.length < 100 ? { field, message } : { field, message: 'further problems in this record not shown' });
  }
}

/** Prefixes the relative field of an error thrown below `prefix`. */
function under(prefix: string, e: unknown): never {
  if (e instanceof ValueTooDeep) throw e;
  if (e instanceof DecodeError) throw new DecodeError(e.message, e.field ? `${prefix}.${e.field}` : prefix);
  throw e;
}

/** 1 to 20 ASCII digits from `from` to the end (a char loop: a regex here cost 2% of decoding). */
function isDigits(v: string, from: number): boolean {
  const len = v.length - from;
  if (len < 1 || len > 20) return false;
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function parseUnsigned64(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint;
  if (typeof v === 'string') {
    if (!isDigits(v, 0)) throw new DecodeError(`expected an unsigned integer string, got ${JSON.stringify(v.slice(0, 30))}`, path);
    n = BigInt(v);
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new DecodeError(`expected an unsigned integer, got ${v}`, path);
    n = BigInt(v);
  } else {
    throw new DecodeError(`expected an integer, got ${typeName(v)}`, path);
  }
  if (n > MAX_U64) throw new DecodeError('value exceeds 64 bits', path);
  return n;
}

export function parseSigned64(v: unknown, path: string): bigint {
  let n: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new DecodeError(`expected an integer, got ${v}`, path);
    n = BigInt(v);
  } else if (typeof v === 'string') {
    if (!isDigits(v, v.charCodeAt(0) === 45 /* - */ ? 1 : 0)) throw new DecodeError(`expected an integer string, got ${JSON.stringify(v.slice(0, 30))}`, path);
    n = BigInt(v);
  } else {
    throw new DecodeError(`expected an integer, got ${typeName(v)}`, path);
  }
  if (n < MIN_I64 || n > MAX_I64) throw new DecodeError('value exceeds int64', path);
  return n;
}

/** A 32-bit integer (uint32 and fixed32, or `signed`: int32 and sint32): a number or a decimal string. */
export function parseInt32(v: unknown, path: string, signed = false): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && (signed ? /^-?\d{1,10}$/ : /^\d{1,10}$/).test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && (signed ? n >= -0x80000000 && n <= 0x7fffffff : n >= 0 && n <= 0xffffffff)) return n;
  throw new DecodeError(`expected ${signed ? 'an int32' : 'a uint32'}, got ${JSON.stringify(v)?.slice(0, 40)}`, path);
}

export function parseDouble(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new DecodeError(`expected a number, got ${typeName(v)}`, path);
}

export function parseString(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw new DecodeError(`expected a string, got ${typeName(v)}`, path);
}

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Enums are integers in OTLP/JSON; the proto3 names are accepted because some tools write them. */
function parseEnum(v: unknown, names: Record<string, number>, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff) return v;
  if (typeof v === 'string' && Object.hasOwn(names, v)) return names[v]!;
  throw new DecodeError(`expected an enum integer, got ${JSON.stringify(v)?.slice(0, 40)}`, path);
}

export function decodeBase64(v: string, path: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) throw new DecodeError('not base64', path);
  return Uint8Array.from(Buffer.from(v, 'base64'));
}

/** Nesting beyond MAX_VALUE_DEPTH: its field is the attribute's value, not the 64 levels below it. */
class ValueTooDeep extends DecodeError {}

/** An AnyValue; errors carry a field relative to the value (e.g. `arrayValue.values[2].intValue`). */
function decodeAnyValue(v: unknown, depth = 0): AttrValue {
  if (!isObj(v)) throw new DecodeError(`expected an AnyValue object, got ${typeName(v)}`);
  if (depth > MAX_VALUE_DEPTH) throw new ValueTooDeep(VALUE_TOO_DEEP);
  let x: unknown;
  if ((x = v.stringValue) !== undefined || (x = v.string_value) !== undefined) return parseString(x, 'stringValue');
  if ((x = v.intValue) !== undefined || (x = v.int_value) !== undefined) return parseSigned64(x, 'intValue');
  if ((x = v.doubleValue) !== undefined || (x = v.double_value) !== undefined) return parseDouble(x, 'doubleValue');
  if ((x = v.boolValue) !== undefined || (x = v.bool_value) !== undefined) {
    if (typeof x !== 'boolean') throw new DecodeError(`expected a boolean, got ${typeName(x)}`, 'boolValue');
    return x;
  }
  if ((x = field(v, 'arrayValue', 'array_value')) !== undefined) {
    if (!isObj(x)) throw new DecodeError(`expected an object, got ${typeName(x)}`, 'arrayValue');
    const values = list(x, 'values', 'values', 'arrayValue');
    const out: AttrValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      try {
        out[i] = decodeAnyValue(values[i], depth + 1);
      } catch (e) {
        under(`arrayValue.values[${i}]`, e);
      }
    }
    return out;
  }
  if ((x = field(v, 'kvlistValue', 'kvlist_value')) !== undefined) {
    if (!isObj(x)) throw new DecodeError(`expected an object, got ${typeName(x)}`, 'kvlistValue');
    const values = list(x, 'values', 'values', 'kvlistValue');
    const entries: Array<[string, AttrValue]> = [];
    for (let i = 0; i < values.length; i++) {
      const kv = values[i];
      try {
        if (!isObj(kv)) throw new DecodeError(`expected a KeyValue object, got ${typeName(kv)}`);
        let value: AttrValue = null;
        try {
          value = kv.value === undefined || kv.value === null ? null : decodeAnyValue(kv.value, depth + 1);
        } catch (e) {
          under('value', e);
        }
        entries.push([parseString(kv.key, 'key'), value]);
      } catch (e) {
        under(`kvlistValue.values[${i}]`, e);
      }
    }
    return new KvList(entries);
  }
  if ((x = field(v, 'bytesValue', 'bytes_value')) !== undefined) {
    if (typeof x !== 'string') throw new DecodeError(`expected base64, got ${typeName(x)}`, 'bytesValue');
    return decodeBase64(x, 'bytesValue');
  }
  return null;
}

/** Decodes a KeyValue list; a bad entry is dropped with a problem, never the whole owner. */
function decodeAttributes(raw: unknown, rel: string, ctx: Ctx): Attributes {
  const attrs = newAttributes();
  if (raw === undefined || raw === null) return attrs;
  if (!Array.isArray(raw)) {
    ctx.problem(rel, `expected an array, got ${typeName(raw)}`);
    return attrs;
  }
  for (let i = 0; i < raw.length; i++) {
    const kv: unknown = raw[i];
    if (!isObj(kv) || typeof kv.key !== 'string') {
      ctx.problem(`${rel}[${i}]`, 'expected {key, value} with a string key');
      continue;
    }
    const value = kv.value;
    if (value === undefined || value === null) {
      attrs[kv.key] = null;
      continue;
    }
    try {
      attrs[kv.key] = decodeAnyValue(value);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      ctx.problem(`${rel}[${i}].value${e.field ? `.${e.field}` : ''}`, droppedAttributeMessage(kv.key, e.message));
    }
  }
  return attrs;
}

function decodeResource(raw: unknown, schemaUrl: string, ctx: Ctx): Resource {
  const r = isObj(raw) ? raw : {};
  return {
    attributes: decodeAttributes(r.attributes, 'resource.attributes', ctx),
    droppedAttributesCount: parseInt32(field(r, 'droppedAttributesCount', 'dropped_attributes_count'), 'resource.droppedAttributesCount'),
    schemaUrl,
  };
}

function decodeScope(raw: unknown, schemaUrl: string, ctx: Ctx): Scope {
  const s = isObj(raw) ? raw : {};
  return {
    name: parseString(s.name, 'scope.name'),
    version: parseString(s.version, 'scope.version'),
    attributes: decodeAttributes(s.attributes, 'scope.attributes', ctx),
    droppedAttributesCount: parseInt32(field(s, 'droppedAttributesCount', 'dropped_attributes_count'), 'scope.droppedAttributesCount'),
    schemaUrl,
  };
}

function requireId(v: unknown, bytes: 8 | 16, path: string): string {
  const id = normalizeHexId(v, bytes);
  if (id !== undefined) return id;
  const r = checkHexId(v, bytes);
  throw new DecodeError(r.ok ? 'invalid id' : r.message, path);
}

/** Parent ids: empty or absent means root; all zero is treated as root too (some SDKs send it). */
function parentId(v: unknown, path: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'string' && /^0+$/.test(v)) return '';
  return requireId(v, 8, path);
}

function decodeEvent(raw: unknown, rel: string, ctx: Ctx): SpanEvent {
  if (!isObj(raw)) throw new DecodeError(`expected an event object, got ${typeName(raw)}`, rel);
  return {
    timeUnixNano: parseUnsigned64(field(raw, 'timeUnixNano', 'time_unix_nano'), `${rel}.timeUnixNano`),
    name: parseString(raw.name, `${rel}.name`),
    attributes: decodeAttributes(raw.attributes, `${rel}.attributes`, ctx),
    droppedAttributesCount: parseInt32(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), `${rel}.droppedAttributesCount`),
  };
}

function decodeLink(raw: unknown, rel: string, ctx: Ctx): SpanLink {
  if (!isObj(raw)) throw new DecodeError(`expected a link object, got ${typeName(raw)}`, rel);
  return {
    traceId: requireId(field(raw, 'traceId', 'trace_id'), 16, `${rel}.traceId`),
    spanId: requireId(field(raw, 'spanId', 'span_id'), 8, `${rel}.spanId`),
    traceState: parseString(field(raw, 'traceState', 'trace_state'), `${rel}.traceState`),
    attributes: decodeAttributes(raw.attributes, `${rel}.attributes`, ctx),
    droppedAttributesCount: parseInt32(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), `${rel}.droppedAttributesCount`),
    flags: parseInt32(raw.flags, `${rel}.flags`),
  };
}

const NO_EVENTS: never[] = [];

/** One span; errors carry fields relative to the span (the caller knows where it is). */
function decodeSpan(raw: unknown, resource: Resource, scope: Scope, ctx: Ctx): Span {
  if (!isObj(raw)) throw new DecodeError(`expected a span object, got ${typeName(raw)}`);
  const statusRaw = raw.status;
  const status = isObj(statusRaw)
    ? { code: parseEnum(statusRaw.code, STATUS_NAMES, 'status.code'), message: parseString(statusRaw.message, 'status.message') }
    : { code: 0, message: '' };
  const rawEvents = list(raw, 'events', 'events', '');
  const rawLinks = list(raw, 'links', 'links', '');
  return finishSpan({
    traceId: requireId(field(raw, 'traceId', 'trace_id'), 16, 'traceId'),
    spanId: requireId(field(raw, 'spanId', 'span_id'), 8, 'spanId'),
    parentSpanId: parentId(field(raw, 'parentSpanId', 'parent_span_id'), 'parentSpanId'),
    traceState: parseString(field(raw, 'traceState', 'trace_state'), 'traceState'),
    name: parseString(raw.name, 'name'),
    kind: parseEnum(raw.kind, SPAN_KIND_NAMES, 'kind'),
    startTimeUnixNano: parseUnsigned64(field(raw, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endTimeUnixNano: parseUnsigned64(field(raw, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    attributes: decodeAttributes(raw.attributes, 'attributes', ctx),
    droppedAttributesCount: parseInt32(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount'),
    events: rawEvents.length ? rawEvents.map((e, i) => decodeEvent(e, `events[${i}]`, ctx)) : NO_EVENTS,
    droppedEventsCount: parseInt32(field(raw, 'droppedEventsCount', 'dropped_events_count'), 'droppedEventsCount'),
    links: rawLinks.length ? rawLinks.map((l, i) => decodeLink(l, `links[${i}]`, ctx)) : NO_EVENTS,
    droppedLinksCount: parseInt32(field(raw, 'droppedLinksCount', 'dropped_links_count'), 'droppedLinksCount'),
    status,
    flags: parseInt32(raw.flags, 'flags'),
    resource,
    scope,
  });
}

/**
 * Decodes one `ExportTraceServiceRequest` / `TracesData` object. Throws DecodeError when the
 * object is not one; otherwise returns every valid span and a problem per skipped one.
 */
export function decodeOtlpJsonTraces(doc: unknown): DecodeResult {
  if (!isObj(doc)) throw new DecodeError(`expected an object with resourceSpans, got ${typeName(doc)}`);
  const rsList = field(doc, 'resourceSpans', 'resource_spans');
  if (rsList === undefined) throw new DecodeError('no resourceSpans: not an OTLP trace request', 'resourceSpans');
  if (!Array.isArray(rsList)) throw new DecodeError(`expected an array, got ${typeName(rsList)}`, 'resourceSpans');
  const ctx = new Ctx();
  const spans: Span[] = [];
  let spansOnWire = 0;
  for (let r = 0; r < rsList.length; r++) {
    const rs: unknown = rsList[r];
    ctx.r = r;
    ctx.s = -1;
    ctx.i = -1;
    try {
      if (!isObj(rs)) throw new DecodeError(`expected an object, got ${typeName(rs)}`);
      const resource = decodeResource(rs.resource, parseString(field(rs, 'schemaUrl', 'schema_url'), 'schemaUrl'), ctx);
      const ssList = list(rs, 'scopeSpans', 'scope_spans', '');
      for (let s = 0; s < ssList.length; s++) {
        const ss: unknown = ssList[s];
        ctx.s = s;
        ctx.i = -1;
        try {
          if (!isObj(ss)) throw new DecodeError(`expected an object, got ${typeName(ss)}`);
          const scope = decodeScope(ss.scope, parseString(field(ss, 'schemaUrl', 'schema_url'), 'schemaUrl'), ctx);
          const rawSpans = list(ss, 'spans', 'spans', '');
          spansOnWire += rawSpans.length;
          for (let i = 0; i < rawSpans.length; i++) {
            ctx.i = i;
            try {
              spans.push(decodeSpan(rawSpans[i], resource, scope, ctx));
            } catch (e) {
              if (!(e instanceof DecodeError)) throw e;
              ctx.problem(e.field, `span skipped: ${e.message}`);
            }
          }
          ctx.i = -1;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          ctx.problem(e.field, `scopeSpans skipped: ${e.message}`);
        }
      }
      ctx.s = -1;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      ctx.problem(e.field, `resourceSpans skipped: ${e.message}`);
    }
  }
  return { spans, problems: ctx.problems, spansOnWire };
}

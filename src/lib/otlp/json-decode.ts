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
import type { DecodeResult, FieldProblem } from './decode-result.js';
import { checkHexId, typeName } from './ids.js';

type Obj = Record<string, unknown>;

const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

function isObj(v: unknown): v is Obj {
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
  if (!Array.isArray(v)) throw new DecodeError(`expected an array, got ${typeName(v)}`, `${path}.${camel}`);
  return v;
}

class Ctx {
  problems: FieldProblem[] = [];
  problem(field: string, message: string) {
    // A pathological record could produce millions of problems; keep the first few per record.
    if (this.problems.length < 100) this.problems.push({ field, message });
    else if (this.problems.length === 100) this.problems.push({ field, message: 'further problems in this record not shown' });
  }
}

export function parseUnsigned64(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint;
  if (typeof v === 'string') {
    if (!/^\d{1,20}$/.test(v)) throw new DecodeError(`expected an unsigned integer string, got ${JSON.stringify(v.slice(0, 30))}`, path);
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

function parseSigned64(v: unknown, path: string): bigint {
  let n: bigint;
  if (typeof v === 'string') {
    if (!/^-?\d{1,20}$/.test(v)) throw new DecodeError(`expected an integer string, got ${JSON.stringify(v.slice(0, 30))}`, path);
    n = BigInt(v);
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new DecodeError(`expected an integer, got ${v}`, path);
    n = BigInt(v);
  } else {
    throw new DecodeError(`expected an integer, got ${typeName(v)}`, path);
  }
  if (n < MIN_I64 || n > MAX_I64) throw new DecodeError('value exceeds int64', path);
  return n;
}

function parseUint32(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new DecodeError(`expected a uint32, got ${JSON.stringify(v)}`, path);
  }
  return n;
}

function parseDouble(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new DecodeError(`expected a number, got ${typeName(v)}`, path);
}

function parseString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new DecodeError(`expected a string, got ${typeName(v)}`, path);
  return v;
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
  if (typeof v === 'string' && v in names) return names[v]!;
  throw new DecodeError(`expected an enum integer, got ${JSON.stringify(v)}`, path);
}

function decodeBase64(v: string, path: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) throw new DecodeError('bytesValue is not base64', path);
  return Uint8Array.from(Buffer.from(v, 'base64'));
}

const MAX_VALUE_DEPTH = 64;

export function decodeAnyValue(v: unknown, path: string, depth = 0): AttrValue {
  if (!isObj(v)) throw new DecodeError(`expected an AnyValue object, got ${typeName(v)}`, path);
  if (depth > MAX_VALUE_DEPTH) throw new DecodeError('value nested too deeply', path);
  let x: unknown;
  if ((x = field(v, 'stringValue', 'string_value')) !== undefined) return parseString(x, `${path}.stringValue`);
  if ((x = field(v, 'intValue', 'int_value')) !== undefined) return parseSigned64(x, `${path}.intValue`);
  if ((x = field(v, 'doubleValue', 'double_value')) !== undefined) return parseDouble(x, `${path}.doubleValue`);
  if ((x = field(v, 'boolValue', 'bool_value')) !== undefined) {
    if (typeof x !== 'boolean') throw new DecodeError(`expected a boolean, got ${typeName(x)}`, `${path}.boolValue`);
    return x;
  }
  if ((x = field(v, 'arrayValue', 'array_value')) !== undefined) {
    if (!isObj(x)) throw new DecodeError(`expected an object, got ${typeName(x)}`, `${path}.arrayValue`);
    const values = list(x, 'values', 'values', `${path}.arrayValue`);
    return values.map((item, i) => decodeAnyValue(item, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if ((x = field(v, 'kvlistValue', 'kvlist_value')) !== undefined) {
    if (!isObj(x)) throw new DecodeError(`expected an object, got ${typeName(x)}`, `${path}.kvlistValue`);
    const values = list(x, 'values', 'values', `${path}.kvlistValue`);
    return new KvList(
      values.map((kv, i): [string, AttrValue] => {
        const p = `${path}.kvlistValue.values[${i}]`;
        if (!isObj(kv)) throw new DecodeError(`expected a KeyValue object, got ${typeName(kv)}`, p);
        const value = kv.value === undefined || kv.value === null ? null : decodeAnyValue(kv.value, `${p}.value`, depth + 1);
        return [parseString(kv.key, `${p}.key`), value];
      }),
    );
  }
  if ((x = field(v, 'bytesValue', 'bytes_value')) !== undefined) {
    if (typeof x !== 'string') throw new DecodeError(`expected base64, got ${typeName(x)}`, `${path}.bytesValue`);
    return decodeBase64(x, `${path}.bytesValue`);
  }
  return null;
}

/** Decodes a KeyValue list; a bad entry is dropped with a problem, never the whole owner. */
function decodeAttributes(raw: unknown, path: string, ctx: Ctx): Attributes {
  const attrs = newAttributes();
  if (raw === undefined || raw === null) return attrs;
  if (!Array.isArray(raw)) {
    ctx.problem(path, `expected an array, got ${typeName(raw)}`);
    return attrs;
  }
  for (let i = 0; i < raw.length; i++) {
    const kv: unknown = raw[i];
    const p = `${path}[${i}]`;
    if (!isObj(kv) || typeof kv.key !== 'string') {
      ctx.problem(p, 'expected {key, value} with a string key');
      continue;
    }
    try {
      attrs[kv.key] = kv.value === undefined || kv.value === null ? null : decodeAnyValue(kv.value, `${p}.value`);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      ctx.problem(e.field ?? p, `attribute ${JSON.stringify(kv.key)} dropped: ${e.message}`);
    }
  }
  return attrs;
}

function decodeResource(raw: unknown, schemaUrl: string, path: string, ctx: Ctx): Resource {
  const r = isObj(raw) ? raw : {};
  return {
    attributes: decodeAttributes(r.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: parseUint32(field(r, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`),
    schemaUrl,
  };
}

function decodeScope(raw: unknown, schemaUrl: string, path: string, ctx: Ctx): Scope {
  const s = isObj(raw) ? raw : {};
  return {
    name: parseString(s.name, `${path}.name`),
    version: parseString(s.version, `${path}.version`),
    attributes: decodeAttributes(s.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: parseUint32(field(s, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`),
    schemaUrl,
  };
}

function requireId(v: unknown, bytes: 8 | 16, path: string): string {
  const r = checkHexId(v, bytes);
  if (!r.ok) throw new DecodeError(r.message, path);
  return r.id;
}

/** Parent ids: empty or absent means root; all zero is treated as root too (some SDKs send it). */
function parentId(v: unknown, path: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'string' && /^0+$/.test(v)) return '';
  return requireId(v, 8, path);
}

function decodeEvent(raw: unknown, path: string, ctx: Ctx): SpanEvent {
  if (!isObj(raw)) throw new DecodeError(`expected an event object, got ${typeName(raw)}`, path);
  return {
    timeUnixNano: parseUnsigned64(field(raw, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`),
    name: parseString(raw.name, `${path}.name`),
    attributes: decodeAttributes(raw.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: parseUint32(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`),
  };
}

function decodeLink(raw: unknown, path: string, ctx: Ctx): SpanLink {
  if (!isObj(raw)) throw new DecodeError(`expected a link object, got ${typeName(raw)}`, path);
  return {
    traceId: requireId(field(raw, 'traceId', 'trace_id'), 16, `${path}.traceId`),
    spanId: requireId(field(raw, 'spanId', 'span_id'), 8, `${path}.spanId`),
    traceState: parseString(field(raw, 'traceState', 'trace_state'), `${path}.traceState`),
    attributes: decodeAttributes(raw.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: parseUint32(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`),
    flags: parseUint32(raw.flags, `${path}.flags`),
  };
}

function decodeSpan(raw: unknown, resource: Resource, scope: Scope, path: string, ctx: Ctx): Span {
  if (!isObj(raw)) throw new DecodeError(`expected a span object, got ${typeName(raw)}`, path);
  const statusRaw = raw.status;
  const status = isObj(statusRaw)
    ? {
        code: parseEnum(statusRaw.code, STATUS_NAMES, `${path}.status.code`),
        message: parseString(statusRaw.message, `${path}.status.message`),
      }
    : { code: 0, message: '' };
  const events = list(raw, 'events', 'events', path).map((e, i) => decodeEvent(e, `${path}.events[${i}]`, ctx));
  const links = list(raw, 'links', 'links', path).map((l, i) => decodeLink(l, `${path}.links[${i}]`, ctx));
  return finishSpan({
    traceId: requireId(field(raw, 'traceId', 'trace_id'), 16, `${path}.traceId`),
    spanId: requireId(field(raw, 'spanId', 'span_id'), 8, `${path}.spanId`),
    parentSpanId: parentId(field(raw, 'parentSpanId', 'parent_span_id'), `${path}.parentSpanId`),
    traceState: parseString(field(raw, 'traceState', 'trace_state'), `${path}.traceState`),
    name: parseString(raw.name, `${path}.name`),
    kind: parseEnum(raw.kind, SPAN_KIND_NAMES, `${path}.kind`),
    startTimeUnixNano: parseUnsigned64(field(raw, 'startTimeUnixNano', 'start_time_unix_nano'), `${path}.startTimeUnixNano`),
    endTimeUnixNano: parseUnsigned64(field(raw, 'endTimeUnixNano', 'end_time_unix_nano'), `${path}.endTimeUnixNano`),
    attributes: decodeAttributes(raw.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: parseUint32(field(raw, 'droppedAttributesCount', 'dropped_attributes_count'), `${path}.droppedAttributesCount`),
    events,
    droppedEventsCount: parseUint32(field(raw, 'droppedEventsCount', 'dropped_events_count'), `${path}.droppedEventsCount`),
    links,
    droppedLinksCount: parseUint32(field(raw, 'droppedLinksCount', 'dropped_links_count'), `${path}.droppedLinksCount`),
    status,
    flags: parseUint32(raw.flags, `${path}.flags`),
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
  for (let r = 0; r < rsList.length; r++) {
    const rs: unknown = rsList[r];
    const rPath = `resourceSpans[${r}]`;
    try {
      if (!isObj(rs)) throw new DecodeError(`expected an object, got ${typeName(rs)}`, rPath);
      const resource = decodeResource(rs.resource, parseString(field(rs, 'schemaUrl', 'schema_url'), `${rPath}.schemaUrl`), `${rPath}.resource`, ctx);
      const ssList = list(rs, 'scopeSpans', 'scope_spans', rPath);
      for (let s = 0; s < ssList.length; s++) {
        const ss: unknown = ssList[s];
        const sPath = `${rPath}.scopeSpans[${s}]`;
        try {
          if (!isObj(ss)) throw new DecodeError(`expected an object, got ${typeName(ss)}`, sPath);
          const scope = decodeScope(ss.scope, parseString(field(ss, 'schemaUrl', 'schema_url'), `${sPath}.schemaUrl`), `${sPath}.scope`, ctx);
          const rawSpans = list(ss, 'spans', 'spans', sPath);
          for (let i = 0; i < rawSpans.length; i++) {
            const p = `${sPath}.spans[${i}]`;
            try {
              spans.push(decodeSpan(rawSpans[i], resource, scope, p, ctx));
            } catch (e) {
              if (!(e instanceof DecodeError)) throw e;
              ctx.problem(e.field ?? p, `span skipped: ${e.message}`);
            }
          }
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          ctx.problem(e.field ?? sPath, `scopeSpans skipped: ${e.message}`);
        }
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      ctx.problem(e.field ?? rPath, `resourceSpans skipped: ${e.message}`);
    }
  }
  return { spans, problems: ctx.problems };
}

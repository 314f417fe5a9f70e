/**
 * Generic conversion between protobufjs messages of our OTLP schema (keepCase snake_case fields,
 * Long int64) and OTLP/JSON, driven by the reflected Type. Used for logs and metrics, which the
 * store keeps losslessly without a dedicated model: every field of the schema round-trips. JSON
 * scalars are read by the trace JSON reader's rules (json-decode.ts): both families accept the
 * same values. OTLP/JSON is proto3 JSON with the OTLP deviations: lowerCamelCase keys, hex
 * trace/span ids, integer enums, 64-bit integers as decimal strings. Defaults are left out,
 * except for oneof members (including proto3 `optional`), whose presence is the information.
 */
import protobuf from 'protobufjs';
import { DecodeError } from '../errors.js';
import { bytesToHex, typeName } from './ids.js';
import { decodeBase64, isObj, parseDouble, parseInt32, parseSigned64, parseString, parseUnsigned64 } from './json-decode.js';
import { KvList, newAttributes, type AttrValue, type Attributes } from '../span.js';

// ---- protobufjs message objects → values (AnyValue, KeyValue lists, Long) ---------------------

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

/** int64/fixed64 arrive as Long (or number when small); convert exactly to bigint. */
export function toBigInt(v: unknown, signed: boolean): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  const l = v as LongLike;
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return signed ? BigInt.asIntN(64, u) : u;
}

interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
interface PbAnyValue {
  value?: string;
  string_value?: string;
  bool_value?: boolean;
  int_value?: unknown;
  double_value?: number;
  array_value?: { values?: PbAnyValue[] };
  kvlist_value?: { values?: PbKeyValue[] };
  bytes_value?: Uint8Array;
}

/** A protobufjs AnyValue message as an attribute value (null: none). */
export function pbAnyValue(v: PbAnyValue | null | undefined): AttrValue {
  if (!v) return null;
  // The oneof virtual field names which member is set (with keepCase it is the snake name).
  switch (v.value) {
    case 'string_value':
      return v.string_value ?? '';
    case 'bool_value':
      return v.bool_value ?? false;
    case 'int_value':
      return toBigInt(v.int_value, true);
    case 'double_value':
      return v.double_value ?? 0;
    case 'array_value':
      return (v.array_value?.values ?? []).map(pbAnyValue);
    case 'kvlist_value':
      return new KvList((v.kvlist_value?.values ?? []).map((kv) => [kv.key, pbAnyValue(kv.value)]));
    case 'bytes_value':
      return Uint8Array.from(v.bytes_value ?? []);
    default:
      return null;
  }
}

export function pbAttributes(list: PbKeyValue[] | undefined): Attributes {
  const attrs = newAttributes();
  if (list) for (const kv of list) attrs[kv.key] = pbAnyValue(kv.value);
  return attrs;
}

export type PbMessage = Record<string, unknown>;
type Json = Record<string, unknown>;

const HEX_ID_FIELDS = new Set(['trace_id', 'span_id', 'parent_span_id']);
const SIGNED_64 = new Set(['int64', 'sint64', 'sfixed64']);
const UNSIGNED_64 = new Set(['uint64', 'fixed64']);
const INT_32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT_32 = new Set(['uint32', 'fixed32']);
const MAX_DEPTH = 128;

type Kind = 'message' | 'bytes' | 'hexid' | 'int64' | 'uint64' | 'int32' | 'uint32' | 'double' | 'bool' | 'string';

interface FieldPlan {
  name: string;
  key: string;
  kind: Kind;
  repeated: boolean;
  /** The oneof (real or synthetic for `optional`) this field belongs to. */
  oneof?: string;
  message?: protobuf.Type;
}

const plans = new Map<protobuf.Type, FieldPlan[]>();

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function planFor(type: protobuf.Type): FieldPlan[] {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = type.fieldsArray.map((f): FieldPlan => {
    f.resolve();
    const p: FieldPlan = { name: f.name, key: lowerCamel(f.name), kind: 'string', repeated: f.repeated, oneof: f.partOf?.name };
    // OTLP has no maps. An enum (the official .proto files' SpanKind, StatusCode: tests encode
    // traces with them) is an int32 on the wire and an integer in OTLP/JSON.
    if (f.map) throw new Error(`unsupported field ${type.fullName}.${f.name}`);
    if (f.resolvedType instanceof protobuf.Enum) p.kind = 'int32';
    else if (f.resolvedType instanceof protobuf.Type) Object.assign(p, { kind: 'message', message: f.resolvedType });
    else if (f.type === 'bytes') p.kind = HEX_ID_FIELDS.has(f.name) ? 'hexid' : 'bytes';
    else if (SIGNED_64.has(f.type)) p.kind = 'int64';
    else if (UNSIGNED_64.has(f.type)) p.kind = 'uint64';
    else if (INT_32.has(f.type)) p.kind = 'int32';
    else if (UINT_32.has(f.type)) p.kind = 'uint32';
    else if (f.type === 'double' || f.type === 'float') p.kind = 'double';
    else if (f.type === 'bool') p.kind = 'bool';
    return p;
  });
  plans.set(type, plan);
  return plan;
}

// ---------------------------------------------------------------- message → OTLP/JSON

function isDefault(p: FieldPlan, v: unknown): boolean {
  switch (p.kind) {
    case 'int64':
    case 'uint64':
      return toBigInt(v, p.kind === 'int64') === 0n;
    case 'bytes':
    case 'hexid':
      return (v as Uint8Array).length === 0;
    default:
      return Object.is(v, 0) || v === '' || v === false;
  }
}

function jsonValue(p: FieldPlan, v: unknown): unknown {
  switch (p.kind) {
    case 'message':
      return pbToOtlpJson(p.message!, v as PbMessage);
    case 'hexid':
      return bytesToHex(v as Uint8Array);
    case 'bytes': {
      const b = v as Uint8Array;
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
    }
    case 'int64':
    case 'uint64':
      return toBigInt(v, p.kind === 'int64').toString();
    case 'double':
      // JSON has no NaN or Infinity, and JSON.stringify turns -0 into 0; proto3 JSON accepts
      // a double as a string, so these are written as strings.
      return Object.is(v, -0) ? '-0' : Number.isFinite(v) ? v : String(v);
    default:
      return v;
  }
}

/** One decoded message (and everything under it) as an OTLP/JSON object. */
export function pbToOtlpJson(type: protobuf.Type, msg: PbMessage): Json {
  const out: Json = {};
  for (const p of planFor(type)) {
    const v = msg[p.name];
    if (v === undefined || v === null) continue;
    if (p.oneof !== undefined) {
      // protobufjs names the set member through the oneof's virtual property.
      if (msg[p.oneof] === p.name) out[p.key] = jsonValue(p, v);
    } else if (p.repeated) {
      if (Array.isArray(v) && v.length > 0) out[p.key] = v.map((x) => jsonValue(p, x));
    } else if (p.kind === 'message' || !isDefault(p, v)) {
      out[p.key] = jsonValue(p, v);
    }
  }
  return out;
}

// ---------------------------------------------------------------- OTLP/JSON → message

function parseValue(p: FieldPlan, v: unknown, path: string, depth: number): unknown {
  const bad = (what: string) => new DecodeError(`expected ${what}, got ${typeName(v)}`, path);
  switch (p.kind) {
    case 'message':
      return otlpJsonToPb(p.message!, v, path, depth + 1);
    case 'hexid':
      if (typeof v !== 'string') throw bad('a hex id string');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(v)) throw new DecodeError(`not a hex id: ${JSON.stringify(v.slice(0, 40))}`, path);
      return Buffer.from(v, 'hex');
    case 'bytes':
      if (typeof v !== 'string') throw bad('a base64 string');
      return decodeBase64(v, path);
    case 'int64':
    case 'uint64': {
      // A Long, as protobufjs itself decodes to and encodes from (a message from JSON may be encoded).
      const signed = p.kind === 'int64';
      const bits = BigInt.asUintN(64, signed ? parseSigned64(v, path) : parseUnsigned64(v, path));
      return new protobuf.util.Long(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, !signed);
    }
    case 'int32':
    case 'uint32':
      return parseInt32(v, path, p.kind === 'int32');
    case 'double':
      return parseDouble(v, path);
    case 'bool':
      if (typeof v !== 'boolean') throw bad('a boolean');
      return v;
    case 'string':
      return parseString(v, path);
  }
}

/**
 * Parses OTLP/JSON into a message of `type`, shaped like protobufjs's own decode output (so the
 * same code serves both encodings). Accepts lowerCamelCase and snake_case keys, ignores unknown
 * ones; for a oneof given several members the first in field order wins. Throws DecodeError with
 * the field path on a wrong type.
 */
export function otlpJsonToPb(type: protobuf.Type, json: unknown, path = '', depth = 0): PbMessage {
  if (!isObj(json)) throw new DecodeError(`expected an object, got ${typeName(json)}`, path || undefined);
  if (depth > MAX_DEPTH) throw new DecodeError('nested too deeply', path);
  // An instance of the reflected class carries the oneof getters pbToOtlpJson relies on.
  const msg = new (type.ctor as unknown as new () => PbMessage)();
  for (const p of planFor(type)) {
    let raw = json[p.key];
    if (raw === undefined) raw = json[p.name];
    if (raw === undefined || raw === null) continue;
    if (p.oneof !== undefined && msg[p.oneof] !== undefined) continue;
    const fieldPath = path ? `${path}.${p.key}` : p.key;
    if (p.repeated) {
      if (!Array.isArray(raw)) throw new DecodeError(`expected an array, got ${typeName(raw)}`, fieldPath);
      msg[p.name] = raw.map((x, i) => parseValue(p, x, `${fieldPath}[${i}]`, depth));
    } else {
      msg[p.name] = parseValue(p, raw, fieldPath, depth);
    }
  }
  return msg;
}

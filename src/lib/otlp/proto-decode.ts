/**
 * OTLP protobuf → Span. Trace requests are decoded by the single-pass wire reader in
 * proto-wire.ts; the helpers here map protobufjs message objects (AnyValue, KeyValue lists,
 * Long) for the other signals, which protobufjs still decodes (signals.ts, pb-json.ts).
 */
import { KvList, newAttributes, type AttrValue, type Attributes } from '../span.js';
import type { DecodeResult } from './decode-result.js';
import { decodeTraceRequestWire } from './proto-wire.js';

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

function anyValue(v: PbAnyValue | null | undefined): AttrValue {
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
      return (v.array_value?.values ?? []).map(anyValue);
    case 'kvlist_value':
      return new KvList((v.kvlist_value?.values ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
    case 'bytes_value':
      return Uint8Array.from(v.bytes_value ?? []);
    default:
      return null;
  }
}

export function pbAttributes(list: PbKeyValue[] | undefined): Attributes {
  const attrs = newAttributes();
  if (list) for (const kv of list) attrs[kv.key] = anyValue(kv.value);
  return attrs;
}

/**
 * Decodes an OTLP protobuf ExportTraceServiceRequest (same layout as TracesData) into spans, in
 * one pass over the bytes (proto-wire.ts). A truncated or garbled request throws DecodeError;
 * spans with bad ids are skipped and reported in `problems`.
 */
export function decodeOtlpProtoTraces(bytes: Uint8Array, keepSpanAttributes?: ReadonlySet<string>): DecodeResult {
  return decodeTraceRequestWire(bytes, keepSpanAttributes);
}

/**
 * Response bodies of the OTLP receivers, in the request's encoding (the spec requires it):
 * Export…ServiceResponse on success (with partial_success when items were rejected) and
 * google.rpc.Status on errors.
 */
import protobuf from 'protobufjs';
import { pbToOtlpJson, type PbMessage } from '../otlp/pb-json.js';
import { otlpType } from '../otlp/schema.js';
import type { Signal } from '../store/layout.js';

export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<Encoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** google.rpc.Code values used by the receivers (HTTP puts them in Status.code too). */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejected_spans',
  logs: 'rejected_log_records',
  metrics: 'rejected_data_points',
};

const RESPONSE: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
};
const STATUS = 'google.rpc.Status';

function encode(type: protobuf.Type, msg: PbMessage, encoding: Encoding): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify(pbToOtlpJson(type, msg)));
  const bytes = type.encode(msg).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Export…ServiceResponse; partial_success is left unset when nothing was rejected or said. */
export function exportResponseBody(signal: Signal, encoding: Encoding, rejected = 0, message = ''): Buffer {
  const type = otlpType(RESPONSE[signal]);
  const partial = rejected > 0 || message !== '' ? { [REJECTED_FIELD[signal]]: rejected, error_message: message } : undefined;
  return encode(type, type.fromObject(partial ? { partial_success: partial } : {}) as unknown as PbMessage, encoding);
}

export function statusBody(encoding: Encoding, code: number, message: string): Buffer {
  const type = otlpType(STATUS);
  return encode(type, type.fromObject({ code, message }) as unknown as PbMessage, encoding);
}

/**
 * google.rpc.Status with a RetryInfo detail (gRPC's `grpc-status-details-bin` trailer): how long
 * to wait, as HTTP's Retry-After says it. OTLP exporters honour it on UNAVAILABLE.
 */
export function retryStatusDetails(code: number, message: string, retryAfterSeconds: number): Buffer {
  // RetryInfo { google.protobuf.Duration retry_delay = 1 } with Duration { int64 seconds = 1 }.
  const retryInfo = protobuf.Writer.create().uint32((1 << 3) | 2).fork().uint32(1 << 3).int64(retryAfterSeconds).ldelim().finish();
  const type = otlpType(STATUS);
  const status = type.fromObject({ code, message, details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }] });
  return Buffer.from(type.encode(status).finish());
}

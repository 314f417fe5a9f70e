/**
 * OTLP logs and metrics requests: decoding from protobuf or OTLP/JSON into one message shape,
 * the store's JSON line, item counts, and the log records the live view needs. The message is
 * kept whole (no model of its own) so the stored line loses nothing.
 */
import protobuf from 'protobufjs';
import { DecodeError } from '../errors.js';
import type { AttrValue, Attributes } from '../span.js';
import { typeName, bytesToHex } from './ids.js';
import { otlpJsonToPb, pbAnyValue, pbAttributes, pbToOtlpJson, toBigInt, type PbMessage } from './pb-json.js';
import { otlpType } from './schema.js';

/** A log record as the live view needs it (GenAI events are log records tied to a span). */
export interface LogRecordView {
  traceId: string;
  spanId: string;
  eventName: string;
  timeUnixNano: bigint;
  severityText: string;
  body: AttrValue;
  attributes: Attributes;
  serviceName: string;
  /** The record's own event name field as sent (Codex puts a source location there). */
  recordEventName?: string;
  /** The resource's attributes (shared by the records of one resource). */
  resource?: Attributes;
}

export type OtherSignal = 'logs' | 'metrics';

/** The signal's export request: LogsData or MetricsData, the same message on the wire. */
export function requestType(signal: OtherSignal): protobuf.Type {
  return otlpType(signal === 'logs' ? 'opentelemetry.proto.logs.v1.LogsData' : 'opentelemetry.proto.metrics.v1.MetricsData');
}

const TOP_KEY = { logs: ['resourceLogs', 'resource_logs'], metrics: ['resourceMetrics', 'resource_metrics'] } as const;

export function decodeSignalProtobuf(signal: OtherSignal, bytes: Uint8Array): PbMessage {
  try {
    return requestType(signal).decode(bytes) as unknown as PbMessage;
  } catch (e) {
    throw new DecodeError(`not a valid OTLP protobuf ${signal} request: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Parsed JSON → message; the top level must be an object with the signal's resource array. */
export function decodeSignalJson(signal: OtherSignal, doc: unknown): PbMessage {
  const [camel, snake] = TOP_KEY[signal];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new DecodeError(`expected an object with ${camel}, got ${typeName(doc)}`);
  }
  const top = (doc as Record<string, unknown>)[camel] ?? (doc as Record<string, unknown>)[snake];
  if (!Array.isArray(top)) throw new DecodeError(`no ${camel} array: not an OTLP ${signal} request`, camel);
  return otlpJsonToPb(requestType(signal), doc);
}

export function signalToOtlpJson(signal: OtherSignal, msg: PbMessage): Record<string, unknown> {
  return pbToOtlpJson(requestType(signal), msg);
}

// The shapes below are the keepCase field names of schema.ts; values are whatever protobufjs
// (or otlpJsonToPb) produced, hence the loose types.
type List<T> = T[] | undefined;
type PbKeyValues = Parameters<typeof pbAttributes>[0];
interface PbLogRecord {
  time_unix_nano?: unknown;
  observed_time_unix_nano?: unknown;
  severity_text?: string;
  body?: unknown;
  attributes?: Array<{ key: string; value?: unknown }>;
  trace_id?: Uint8Array;
  span_id?: Uint8Array;
  event_name?: string;
}
interface PbResource {
  attributes?: Array<{ key: string; value?: unknown }>;
}
interface PbLogs {
  resource_logs?: List<{ resource?: PbResource | null; scope_logs?: List<{ log_records?: List<PbLogRecord> }> }>;
}
type DataPoints = { data_points?: List<unknown> } | null | undefined;
interface PbMetrics {
  resource_metrics?: List<{
    scope_metrics?: List<{
      metrics?: List<{ gauge?: DataPoints; sum?: DataPoints; histogram?: DataPoints; exponential_histogram?: DataPoints; summary?: DataPoints }>;
    }>;
  }>;
}

export function countLogRecords(msg: PbMessage): number {
  let n = 0;
  for (const rl of (msg as PbLogs).resource_logs ?? []) for (const sl of rl.scope_logs ?? []) n += sl.log_records?.length ?? 0;
  return n;
}

export function countDataPoints(msg: PbMessage): number {
  let n = 0;
  for (const rm of (msg as PbMetrics).resource_metrics ?? []) {
    for (const sm of rm.scope_metrics ?? []) {
      for (const m of sm.metrics ?? []) {
        for (const data of [m.gauge, m.sum, m.histogram, m.exponential_histogram, m.summary]) n += data?.data_points?.length ?? 0;
      }
    }
  }
  return n;
}

function hexOrEmpty(b: Uint8Array | undefined): string {
  return b && b.length > 0 && b.some((x) => x !== 0) ? bytesToHex(b) : '';
}

/** The records of a logs request as the live view reads them. */
export function logRecordViews(msg: PbMessage): LogRecordView[] {
  const out: LogRecordView[] = [];
  for (const rl of (msg as PbLogs).resource_logs ?? []) {
    const resourceAttrs = pbAttributes(rl.resource?.attributes as PbKeyValues);
    const svc = resourceAttrs['service.name'];
    const serviceName = typeof svc === 'string' && svc !== '' ? svc : 'unknown_service';
    for (const sl of rl.scope_logs ?? []) {
      for (const r of sl.log_records ?? []) {
        const attributes = pbAttributes(r.attributes as PbKeyValues);
        const eventAttr = attributes['event.name'];
        const time = toBigInt(r.time_unix_nano, false);
        out.push({
          traceId: hexOrEmpty(r.trace_id),
          spanId: hexOrEmpty(r.span_id),
          eventName: r.event_name || (typeof eventAttr === 'string' ? eventAttr : ''),
          // time_unix_nano is optional in OTLP; the observed time is what the collector uses then.
          timeUnixNano: time !== 0n ? time : toBigInt(r.observed_time_unix_nano, false),
          severityText: r.severity_text ?? '',
          body: pbAnyValue(r.body as Parameters<typeof pbAnyValue>[0]),
          attributes,
          serviceName,
          recordEventName: r.event_name ?? '',
          resource: resourceAttrs,
        });
      }
    }
  }
  return out;
}

/**
 * Which signal a protobuf request that is not a trace request is: logs or metrics, or undefined.
 * A protobuf body does not name its signal, but the three differ in the wire types of the
 * innermost records' first fields (a log record starts with a fixed64 time, a metric with its
 * name, a span with its 16-byte trace id and a varint kind), so a body of one signal fails to
 * decode as another. Used for dumps given as files (`cost`, `stats`).
 */
export function protobufSignalOf(bytes: Uint8Array): OtherSignal | undefined {
  for (const signal of ['logs', 'metrics'] as const) {
    try {
      const msg = decodeSignalProtobuf(signal, bytes);
      if (signal === 'logs' ? countLogRecords(msg) > 0 : countDataPoints(msg) > 0) return signal;
    } catch {
      // not this signal
    }
  }
  return undefined;
}

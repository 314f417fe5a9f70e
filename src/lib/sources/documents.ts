/**
 * Recognizes one parsed JSON record (a JSON Lines line, an array element or a whole document)
 * and decodes it with the right decoder: OTLP trace requests (bare, or wrapped by Jaeger v2's
 * api_v3 in `{"result": …}`), Jaeger UI downloads, Zipkin v2 arrays. OTLP logs and metrics are
 * recognized so they are not mistaken for garbage; they carry no spans.
 */
import { DecodeError } from '../errors.js';
import type { DecodeResult } from '../otlp/decode-result.js';
import { decodeOtlpJsonTraces } from '../otlp/json-decode.js';
import { typeName } from '../otlp/ids.js';
import { decodeSignalJson, logRecordViews } from '../otlp/signals.js';
import type { SpanLogEvent } from '../otlp/decode-result.js';
import { decodeJaegerUi, isJaegerUi } from './jaeger.js';
import { decodeZipkinV2, isZipkinV2 } from './zipkin.js';

export type RecordKind = 'otlp-traces' | 'otlp-logs' | 'otlp-metrics' | 'jaeger-api-v3' | 'jaeger-ui' | 'zipkin' | 'otlp-array';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function recognize(doc: unknown): RecordKind | undefined {
  if (Array.isArray(doc)) {
    if (doc.length > 0 && isZipkinV2(doc)) return 'zipkin';
    if (doc.length > 0 && doc.every((d) => !Array.isArray(d) && recognize(d) !== undefined)) return 'otlp-array';
    return undefined;
  }
  if (!isObj(doc)) return undefined;
  if ('resourceSpans' in doc || 'resource_spans' in doc) return 'otlp-traces';
  if ('resourceLogs' in doc || 'resource_logs' in doc) return 'otlp-logs';
  if ('resourceMetrics' in doc || 'resource_metrics' in doc) return 'otlp-metrics';
  if (isObj(doc.result)) return 'jaeger-api-v3';
  if (isJaegerUi(doc)) return 'jaeger-ui';
  return undefined;
}

const EMPTY: DecodeResult = { spans: [], problems: [] };

export function decodeRecord(doc: unknown): DecodeResult {
  switch (recognize(doc)) {
    case 'otlp-traces':
      return decodeOtlpJsonTraces(doc);
    case 'jaeger-api-v3': {
      const result = (doc as { result: Record<string, unknown> }).result;
      return 'resourceSpans' in result || 'resource_spans' in result ? decodeOtlpJsonTraces(result) : EMPTY;
    }
    case 'jaeger-ui':
      return decodeJaegerUi(doc);
    case 'zipkin':
      return decodeZipkinV2(doc);
    case 'otlp-array': {
      const out: DecodeResult = { spans: [], problems: [] };
      (doc as unknown[]).forEach((d, i) => {
        const r = decodeRecord(d);
        for (const s of r.spans) out.spans.push(s);
        if (r.metricsRequest) out.metricsRequest = true;
        if (r.logsRequest) out.logsRequest = true;
        for (const p of r.problems) out.problems.push({ ...p, field: `[${i}]${p.field ? `.${p.field}` : ''}` });
      });
      return out;
    }
    case 'otlp-logs':
      return { spans: [], problems: [], logEvents: logEventsOf(doc), logsRequest: true };
    case 'otlp-metrics':
      return { spans: [], problems: [], metricsRequest: true };
    default:
      throw new DecodeError(
        `not a trace record (expected OTLP JSON with resourceSpans, a Jaeger or a Zipkin document; got ${describe(doc)})`,
      );
  }
}

function describe(doc: unknown): string {
  if (isObj(doc)) {
    const keys = Object.keys(doc).slice(0, 4);
    return keys.length ? `an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty object';
  }
  return typeName(doc);
}

/** Log records with a span id (GenAI events); the rest belong to no span and are not shown. */
function logEventsOf(doc: unknown): SpanLogEvent[] {
  const out: SpanLogEvent[] = [];
  for (const r of logRecordViews(decodeSignalJson('logs', doc))) {
    if (r.spanId) out.push({ traceId: r.traceId, spanId: r.spanId, name: r.eventName || r.severityText || 'log', timeUnixNano: r.timeUnixNano });
  }
  return out;
}

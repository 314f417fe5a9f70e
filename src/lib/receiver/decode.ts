/**
 * One export request body → what the receiver needs: spans or log records for the hooks, the
 * item count, the partial-success numbers, and the store line. Throws DecodeError for a body
 * that is not a request of its signal at all (the receiver answers 400 / INVALID_ARGUMENT).
 *
 * Traces go through the Span decoders, so the store holds exactly the spans that were accepted
 * and every stored line decodes back to them; logs and metrics are stored via the generic
 * message converter, which keeps every field.
 */
import type { PbMessage } from '../otlp/pb-json.js';
import { DecodeError } from '../errors.js';
import type { DecodeResult, FieldProblem } from '../otlp/decode-result.js';
import { decodeOtlpJsonTraces } from '../otlp/json-decode.js';
import { otlpJsonTracesLine } from '../otlp/json-write.js';
import { dropPlaceholderSpans } from '../otlp/placeholder-spans.js';
import { decodeOtlpProtoTraces } from '../otlp/proto-traces.js';
import {
  countDataPoints,
  countLogRecords,
  decodeSignalJson,
  decodeSignalProtobuf,
  logRecordViews,
  signalToOtlpJson,
} from '../otlp/signals.js';
import { spanStartsOf, type Span, type SpanStarts } from '../span.js';
import type { Signal } from '../store/layout.js';
import type { Encoding } from './responses.js';
import type { LogRecordView } from './types.js';

export interface DecodedExport {
  spans: Span[];
  logs: LogRecordView[];
  /** A metrics request, decoded (the live view reads coding agents' token metrics from it). */
  metrics?: PbMessage;
  /** Items in the request, accepted or not. */
  itemCount: number;
  /** Items refused (spans with bad ids); reported as partial success, never retried. */
  rejected: number;
  /** Partial-success message: what was skipped or dropped, empty when all was well. */
  warning: string;
  /**
   * One OTLP/JSON line for the store (UTF-8 bytes with their newline, or text without it), or
   * undefined when there is nothing to keep.
   */
  storeLine: Uint8Array | string | undefined;
  /** A trace store line's spans as the store's span index needs them (span.ts SpanStarts). */
  storeStarts?: SpanStarts;
}

export interface DecodeOptions {
  /** False when the line is made elsewhere (store-lines.ts): storeLine stays undefined. */
  storeLine?: boolean;
  /**
   * Without a store line: the only span attributes the caller reads (protobuf requests decode
   * faster; what is accepted does not change).
   */
  keepSpanAttributes?: ReadonlySet<string>;
}

export function decodeExport(signal: Signal, encoding: Encoding, body: Uint8Array, opts: DecodeOptions = {}): DecodedExport {
  const withStoreLine = opts.storeLine ?? true;
  if (signal === 'traces') return decodeTraces(encoding, body, withStoreLine, withStoreLine ? undefined : opts.keepSpanAttributes);
  const msg = encoding === 'protobuf' ? decodeSignalProtobuf(signal, body) : decodeSignalJson(signal, parseJson(body));
  const itemCount = signal === 'logs' ? countLogRecords(msg) : countDataPoints(msg);
  return {
    spans: [],
    logs: signal === 'logs' ? logRecordViews(msg) : [],
    ...(signal === 'metrics' ? { metrics: msg } : {}),
    itemCount,
    rejected: 0,
    warning: '',
    storeLine: itemCount > 0 && withStoreLine ? JSON.stringify(signalToOtlpJson(signal, msg)) : undefined,
  };
}

function decodeTraces(encoding: Encoding, body: Uint8Array, withStoreLine: boolean, keep: ReadonlySet<string> | undefined): DecodedExport {
  let result: DecodeResult;
  let total: number;
  if (encoding === 'protobuf') {
    result = decodeOtlpProtoTraces(body, keep);
    total = result.spansOnWire ?? result.spans.length;
  } else {
    const doc = parseJson(body);
    result = decodeOtlpJsonTraces(doc);
    total = countJsonSpans(doc);
  }
  // Placeholder spans were received, not rejected: the store keeps them as sent (as the store
  // worker's line does) and readers drop them; the view never sees them.
  return {
    spans: dropPlaceholderSpans(result).spans,
    logs: [],
    itemCount: Math.max(total, result.spans.length),
    rejected: Math.max(0, total - result.spans.length),
    warning: summarize(result.problems),
    storeLine: result.spans.length > 0 && withStoreLine ? otlpJsonTracesLine(result.spans) : undefined,
    storeStarts: result.spans.length > 0 && withStoreLine ? spanStartsOf(result.spans) : undefined,
  };
}

/**
 * What to tell the client when decoding threw: anything thrown while decoding (a DecodeError,
 * or a stack overflow on absurd nesting) means the body is unusable — the client's problem.
 */
export function decodeFailure(signal: Signal, e: unknown): string {
  return e instanceof DecodeError
    ? `${e.field ? `${e.field}: ` : ''}${e.message}`
    : `cannot decode the ${signal} request: ${e instanceof Error ? e.message : String(e)}`;
}

function parseJson(body: Uint8Array): unknown {
  let text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DecodeError(`invalid JSON: ${(e as Error).message}`);
  }
}

function arr(o: unknown, camel: string, snake: string): unknown[] {
  if (typeof o !== 'object' || o === null) return [];
  const v = (o as Record<string, unknown>)[camel] ?? (o as Record<string, unknown>)[snake];
  return Array.isArray(v) ? v : [];
}

function countJsonSpans(doc: unknown): number {
  let n = 0;
  for (const rs of arr(doc, 'resourceSpans', 'resource_spans')) {
    for (const ss of arr(rs, 'scopeSpans', 'scope_spans')) n += arr(ss, 'spans', 'spans').length;
  }
  return n;
}

function summarize(problems: FieldProblem[]): string {
  const shown = problems.slice(0, 3).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
  const more = problems.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more}${problems.length > 100 ? '+' : ''} more` : '');
}

import type { Span } from '../span.js';

/** A log record tied to a span (GenAI events): only what `tree` shows, never the body. */
export interface SpanLogEvent {
  traceId: string;
  spanId: string;
  name: string;
  timeUnixNano: bigint;
}

/** A problem inside one record; the source layer adds file and line. */
export interface FieldProblem {
  field?: string;
  message: string;
}

/**
 * What every decoder returns for one record (one request, one JSON line, one dump document).
 * Bad spans are skipped and reported in `problems`; a record that is unusable as a whole throws
 * a DecodeError instead.
 */
export interface DecodeResult {
  spans: Span[];
  problems: FieldProblem[];
  /** Log records tied to spans, from OTLP logs records (the store's logs files). */
  logEvents?: SpanLogEvent[];
  /** The record was an OTLP metrics request (no spans; `stats` reads it in a pass of its own). */
  metricsRequest?: boolean;
  /** The record was an OTLP logs request (`cost` and `stats` read agents' events from it in a pass of their own). */
  logsRequest?: boolean;
  /**
   * Spans in the request, accepted or skipped (the protobuf reader counts them as it reads), so
   * that rejected = on the wire − accepted even when the problem list is capped.
   */
  spansOnWire?: number;
}

/**
 * AnyValue levels an attribute's value may nest (the value itself is level 0), in OTLP/JSON and
 * protobuf alike: a deeper value drops its attribute with a problem, and its span is kept
 * (docs/architecture.md, "Nesting limit parity").
 */
export const MAX_VALUE_DEPTH = 64;
export const VALUE_TOO_DEEP = `value nested too deeply (more than ${MAX_VALUE_DEPTH} levels)`;

/** The problem message of an attribute left out of its span, resource or scope. */
export function droppedAttributeMessage(key: string, reason: string): string {
  return `attribute ${JSON.stringify(key)} dropped: ${reason}`;
}

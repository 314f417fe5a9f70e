/**
 * Spans that stand in for another span and are not spans of their own (docs/architecture.md,
 * "Placeholder spans"): Logfire exports, for every span it starts, a zero-length copy with
 * `logfire.span_type=pending_span` (same name and attributes, no usage, a child of the real
 * span) so its UI can show work in progress. Counting it would add a second model or tool span.
 * They are dropped where decoding ends, for every source and the listener's view alike.
 */
import type { Span } from '../span.js';
import type { DecodeResult } from './decode-result.js';

export const LOGFIRE_SPAN_TYPE = 'logfire.span_type';
export const LOGFIRE_PENDING_SPAN = 'pending_span';

/** Span attribute keys a decoder that keeps only some keys must keep for this filter. */
export const PLACEHOLDER_KEYS: readonly string[] = Object.freeze([LOGFIRE_SPAN_TYPE]);

export function isPlaceholderSpan(span: Span): boolean {
  return span.attributes[LOGFIRE_SPAN_TYPE] === LOGFIRE_PENDING_SPAN;
}

/** The result without placeholder spans (the same object when there are none). */
export function dropPlaceholderSpans(result: DecodeResult): DecodeResult {
  let i = 0;
  const spans = result.spans;
  while (i < spans.length && !isPlaceholderSpan(spans[i]!)) i++;
  if (i === spans.length) return result;
  return { ...result, spans: spans.filter((s) => !isPlaceholderSpan(s)) };
}

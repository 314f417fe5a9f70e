/** Small readers shared by the rules. */
import { CORE, EXCEPTION_EVENT } from '../../genai/conventions.js';
import { SPANORA, SPANORA_TOOL_STATUSES } from '../../genai/conventions-langsmith-spanora.js';
import type { GenAiView } from '../../genai/types.js';
import { StatusCode, type AttrValue, type Attributes, type Span } from '../../span.js';
import type { FailureGap } from '../types.js';

/** An attribute that carries a value: empty strings and nulls (OTLP empty AnyValue) do not. */
export function present(attrs: Attributes, key: string): boolean {
  const v: AttrValue | undefined = attrs[key];
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** The attribute as display text (for expected span names and facts). */
export function text(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * How a span fails to record its failure, if it does. OTel: a failed operation sets status
 * ERROR, and GenAI spans also carry `error.type` ("conditionally required if the operation ended
 * in an error"). An `exception` event on a span whose status is not ERROR means the failure was
 * seen but never marked. A tool span with Spanora's `spanora.tool.status` has recorded its
 * outcome there (docs/architecture.md, "Library conventions"). `checkType` is false for vendor-only spans, whose convention has no
 * `error.type` (vendor-only-convention reports that gap once).
 */
export function failureGap(span: Span, checkType: boolean): { gap: FailureGap; errorType?: string } | undefined {
  const errorType = text(span.attributes, CORE.ERROR_TYPE);
  const isError = span.status.code === StatusCode.ERROR;
  if (isError && errorType === undefined && checkType) return { gap: 'error-without-type' };
  const spanora = text(span.attributes, SPANORA.TOOL_STATUS);
  if (spanora !== undefined && SPANORA_TOOL_STATUSES.has(spanora.toLowerCase())) return undefined;
  if (!isError && errorType !== undefined) return { gap: 'type-without-error-status', errorType };
  if (!isError && span.events.some((e) => e.name === EXCEPTION_EVENT.NAME)) return { gap: 'exception-without-error-status' };
  return undefined;
}

/** The call failed (status ERROR or `error.type`): response-side attributes are not expected. */
export function failed(view: GenAiView): boolean {
  return view.error !== undefined;
}

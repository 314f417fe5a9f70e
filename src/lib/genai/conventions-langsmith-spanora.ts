/**
 * Keys of LangSmith's OpenTelemetry mode and of Spanora, as data (like ./conventions.ts, which
 * holds the other conventions): classify() and the linter read the same tables.
 */
import { table } from './conventions.js';

// ───────────────────────────── LangSmith (OTel mode) ─────────────────────────────

export const LANGSMITH = {
  SPAN_KIND: 'langsmith.span.kind',
  /** The run's name: for a tool run, the tool's name. */
  TRACE_NAME: 'langsmith.trace.name',
  /**
   * JSON strings: `{"cache_read":11,"cache_creation":0,"audio":0}` and `{"reasoning":32}`. The
   * input/output counts next to them are the provider's, so their inclusivity varies (Gemini's
   * output excludes reasoning); `USAGE_METADATA` holds the provider's true total.
   */
  INPUT_TOKEN_DETAILS: 'gen_ai.usage.input_token_details',
  OUTPUT_TOKEN_DETAILS: 'gen_ai.usage.output_token_details',
  USAGE_METADATA: 'langsmith.usage_metadata',
} as const;

/** Keys inside LangSmith's token detail JSON. */
export const LANGSMITH_DETAIL_KEYS = {
  CACHE_READ: 'cache_read',
  CACHE_WRITE: 'cache_creation',
  REASONING: 'reasoning',
  TOTAL: 'total_tokens',
} as const;

/**
 * Keys besides `gen_ai.tool.name` that name the tool on a tool span, in conventions whose tool
 * spans also carry `gen_ai.*` keys (LangSmith's tool runs: the run's name). Lint's
 * `tool-missing-name` accepts them.
 */
export const VENDOR_TOOL_NAME_KEYS: readonly string[] = Object.freeze([LANGSMITH.TRACE_NAME]);

// ───────────────────────────── Spanora ─────────────────────────────

/** Spanora's attributes (root user/tenant context, a tool's outcome). */
export const SPANORA = {
  USER_ID: 'spanora.user.id',
  ORG_ID: 'spanora.org.id',
  /** `success`, `error` or `timeout`: the tool span's recorded outcome. */
  TOOL_STATUS: 'spanora.tool.status',
} as const;

/** `spanora.tool.status` values: a tool span carrying one has recorded its outcome. */
export const SPANORA_TOOL_STATUSES: ReadonlySet<string> = new Set(['success', 'error', 'timeout']);

/** `spanora.tool.status` values that record a failed tool call → the `error.type` they mean. */
export const SPANORA_FAILED_TOOL_STATUS: Readonly<Record<string, string>> = table({
  error: '_OTHER',
  timeout: 'timeout',
});

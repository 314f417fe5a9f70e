/** Types of the GenAI view: what a span is, whatever convention it was written in. */

export type GenAiKind = 'llm' | 'embeddings' | 'tool' | 'agent' | 'workflow' | 'retrieval' | 'other';

export type Convention =
  | 'gen_ai'
  | 'gen_ai.deprecated'
  | 'openinference'
  | 'vercel'
  | 'openllmetry'
  | 'openlit'
  | 'langfuse'
  | 'none';

/**
 * Normalized token usage. `input` INCLUDES cached tokens (cacheRead + cacheWrite) and `output`
 * INCLUDES reasoning tokens: the OpenTelemetry GenAI rule (conventions.md, "usage").
 */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface GenAiView {
  kind: GenAiKind;
  /** `gen_ai.operation.name` as written; else the GenAI operation equivalent of a vendor kind. */
  operation?: string;
  /** Normalized to the current `gen_ai.provider.name` values where known. */
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  /** Undefined when the span carries no token counts at all. */
  usage?: Usage;
  finishReasons?: string[];
  toolName?: string;
  agentName?: string;
  conversationId?: string;
  userId?: string;
  /** `error.type`, or the status message when status is ERROR, or 'error'. */
  error?: string;
  /**
   * The failure's type for counting (`stats` errorTypes): `error.type`, else `_OTHER` (the
   * semantic conventions' fallback value) for a span that failed without one (status ERROR,
   * Langfuse level ERROR). Set exactly when `error` is.
   */
  errorType?: string;
  /** Time to the first chunk of a streamed response, in ms (model spans only). */
  ttftMs?: number;
  /** The convention that supplied the kind (else the usage, else the model/provider). */
  convention: Convention;
}

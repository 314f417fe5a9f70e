/**
 * Attribute keys of every convention llmtrace understands, as data, so that `classify` and the
 * linter read the same tables. Sources: the OpenTelemetry semantic-conventions v1.41.0 GenAI
 * registry (fixtures/shared/semconv/) and the current code of OpenInference, the Vercel AI SDK,
 * OpenLLMetry, OpenLIT and Langfuse (spans they emit: fixtures/instrumented/).
 *
 * Lookup tables keyed by values that come from spans are null-prototype objects, so a value
 * such as `constructor` or `__proto__` never hits Object.prototype.
 */
import type { Convention, GenAiKind } from './types.js';

/** A frozen null-prototype lookup table. */
export function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

// ───────────────────────────── OpenTelemetry GenAI (current) ─────────────────────────────

export const GEN_AI = {
  OPERATION: 'gen_ai.operation.name',
  PROVIDER: 'gen_ai.provider.name',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  CACHE_READ: 'gen_ai.usage.cache_read.input_tokens',
  /** v1.41 name. */
  CACHE_CREATION: 'gen_ai.usage.cache_creation.input_tokens',
  /** Newer draft's name for the same count: accept both (conventions.md). */
  CACHE_WRITE: 'gen_ai.usage.cache_write.input_tokens',
  REASONING: 'gen_ai.usage.reasoning.output_tokens',
  FINISH_REASONS: 'gen_ai.response.finish_reasons',
  /** Seconds from the request to the first chunk of a streamed response. */
  TIME_TO_FIRST_CHUNK: 'gen_ai.response.time_to_first_chunk',
  RESPONSE_ID: 'gen_ai.response.id',
  AGENT_NAME: 'gen_ai.agent.name',
  AGENT_ID: 'gen_ai.agent.id',
  WORKFLOW_NAME: 'gen_ai.workflow.name',
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_TYPE: 'gen_ai.tool.type',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  DATA_SOURCE_ID: 'gen_ai.data_source.id',
  OUTPUT_TYPE: 'gen_ai.output.type',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  TOOL_DEFINITIONS: 'gen_ai.tool.definitions',
} as const;

/** Core (non-GenAI) keys the view reads. */
export const CORE = {
  ERROR_TYPE: 'error.type',
  USER_ID: 'user.id',
  /** Deprecated core key for the user; still read. */
  ENDUSER_ID: 'enduser.id',
  SESSION_ID: 'session.id',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  TELEMETRY_SDK_NAME: 'telemetry.sdk.name',
} as const;

/**
 * Keys holding a tool call's arguments, in the order tried: GenAI, the Vercel AI SDK (≤ v4,
 * v5+), OpenInference's TOOL span input. Content (sensitive, opt-in): read only by `stats` to
 * recognise identical calls, never shown beyond a short excerpt.
 */
export const TOOL_ARGUMENT_KEYS: readonly string[] = ['gen_ai.tool.call.arguments', 'ai.toolCall.args', 'ai.toolCall.input', 'input.value'];

/** Finish reasons that mean the output was cut off at the token limit (OpenAI and most: `length`; Anthropic: `max_tokens`; Gemini: `MAX_TOKENS`). */
const CUT_OFF_FINISH_REASONS: ReadonlySet<string> = new Set(['length', 'max_tokens']);

/**
 * Seconds (the conventions' unit for durations) in ms, to 15 significant digits: 2.007 s is
 * 2007 ms, not 2.007 · 1000 = 2007.0000000000002, which would show in stats and fail a gate at 2007ms.
 */
export function secondsToMs(seconds: number): number {
  return Number((seconds * 1000).toPrecision(15));
}

export function isCutOff(finishReason: string): boolean {
  return CUT_OFF_FINISH_REASONS.has(finishReason.toLowerCase());
}

/** `gen_ai.operation.name` value → kind (conventions.md, "operation"). */
export const OPERATION_KINDS: Readonly<Record<string, GenAiKind>> = table<GenAiKind>({
  chat: 'llm',
  generate_content: 'llm',
  text_completion: 'llm',
  embeddings: 'embeddings',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  invoke_workflow: 'workflow',
  retrieval: 'retrieval',
});

/** The GenAI operation name used for a kind when a vendor convention supplied the kind. */
export const KIND_OPERATIONS: Readonly<Record<GenAiKind, string | undefined>> = {
  llm: 'chat',
  embeddings: 'embeddings',
  tool: 'execute_tool',
  agent: 'invoke_agent',
  workflow: 'invoke_workflow',
  retrieval: 'retrieval',
  other: undefined,
};

/** `gen_ai.provider.name` well-known values (v1.41 registry + moonshot_ai). */
export const KNOWN_PROVIDERS: ReadonlySet<string> = new Set([
  'openai',
  'anthropic',
  'aws.bedrock',
  'azure.ai.inference',
  'azure.ai.openai',
  'gcp.gen_ai',
  'gcp.vertex_ai',
  'gcp.gemini',
  'cohere',
  'ibm.watsonx.ai',
  'perplexity',
  'x_ai',
  'deepseek',
  'groq',
  'mistral_ai',
  'moonshot_ai',
]);

/** Deprecated `gen_ai.system` values renamed in `gen_ai.provider.name` (registry-deprecated.yaml). */
export const DEPRECATED_PROVIDER_VALUES: Readonly<Record<string, string>> = table({
  vertex_ai: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  'az.ai.inference': 'azure.ai.inference',
  'az.ai.openai': 'azure.ai.openai',
  xai: 'x_ai',
});

/**
 * Lower-cased provider spellings → `gen_ai.provider.name`. Holds the deprecated `gen_ai.system`
 * renames plus what vendor conventions write: Vercel's `ai.model.provider` first segments
 * (`amazon-bedrock`, `google.generative-ai`, `google.vertex.*`, `azure.*`, `mistral.*`, `xai.*`),
 * OpenInference's `llm.provider`/`llm.system` (`google`, `aws`, `mistralai`, `vertexai`) and
 * OpenLLMetry's capitalised `gen_ai.system` (`OpenAI`, `MistralAI`) once lower-cased.
 * Dotted keys are matched as prefixes by `normalizeProvider` (longest first).
 */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = table({
  ...DEPRECATED_PROVIDER_VALUES,
  'x-ai': 'x_ai',
  google: 'gcp.gen_ai',
  'google.generative-ai': 'gcp.gemini',
  'google-generative-ai': 'gcp.gemini',
  'google.vertex': 'gcp.vertex_ai',
  'google-vertex': 'gcp.vertex_ai',
  vertex: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  gcp: 'gcp.gen_ai',
  azure: 'azure.ai.openai',
  'azure-openai': 'azure.ai.openai',
  azure_openai: 'azure.ai.openai',
  azureopenai: 'azure.ai.openai',
  'azure.openai': 'azure.ai.openai',
  'azure-ai-inference': 'azure.ai.inference',
  bedrock: 'aws.bedrock',
  'amazon-bedrock': 'aws.bedrock',
  amazon_bedrock: 'aws.bedrock',
  aws: 'aws.bedrock',
  'aws-bedrock': 'aws.bedrock',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
  'mistral-ai': 'mistral_ai',
  watsonx: 'ibm.watsonx.ai',
  'ibm-watsonx': 'ibm.watsonx.ai',
  'watsonx.ai': 'ibm.watsonx.ai',
  moonshot: 'moonshot_ai',
  moonshotai: 'moonshot_ai',
});

// ───────────────────────────── Deprecated keys ─────────────────────────────

/**
 * Deprecated attribute → its replacement (null: no attribute replacement). conventions.md,
 * "Deprecated keys and their replacements" (= v1.41 registry-deprecated.yaml).
 */
export const DEPRECATED_KEYS: Readonly<Record<string, string | null>> = table<string | null>({
  'gen_ai.system': 'gen_ai.provider.name',
  'gen_ai.usage.prompt_tokens': 'gen_ai.usage.input_tokens',
  'gen_ai.usage.completion_tokens': 'gen_ai.usage.output_tokens',
  'gen_ai.prompt': null,
  'gen_ai.completion': null,
  'gen_ai.openai.request.seed': 'gen_ai.request.seed',
  'gen_ai.openai.request.response_format': 'gen_ai.output.type',
  'gen_ai.openai.request.service_tier': 'openai.request.service_tier',
  'gen_ai.openai.response.service_tier': 'openai.response.service_tier',
  'gen_ai.openai.response.system_fingerprint': 'openai.response.system_fingerprint',
});

/**
 * Deprecated key families (indexed `gen_ai.prompt.0.content` …): prefix → replacement. Content
 * moved to the opt-in `gen_ai.input.messages` / `gen_ai.output.messages`; no attribute replaces
 * them one for one. Only indexed keys belong to a family (`inIndexedFamily`).
 */
export const DEPRECATED_PREFIXES: Readonly<Record<string, string | null>> = table<string | null>({
  'gen_ai.prompt.': null,
  'gen_ai.completion.': null,
});

/** Deprecated GenAI event names → the attribute that replaces them. */
export const DEPRECATED_EVENTS: Readonly<Record<string, string>> = table({
  'gen_ai.system.message': 'gen_ai.system_instructions',
  'gen_ai.user.message': 'gen_ai.input.messages',
  'gen_ai.assistant.message': 'gen_ai.input.messages',
  'gen_ai.tool.message': 'gen_ai.input.messages',
  'gen_ai.choice': 'gen_ai.output.messages',
});

/** Deprecated usage keys (kept separately: they tag the usage as `gen_ai.deprecated`). */
export const GEN_AI_DEPRECATED = {
  SYSTEM: 'gen_ai.system',
  PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens',
  COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens',
} as const;

// Sensitive content: content-keys.ts (re-exported, so the convention tables stay one import).
export { CONTENT_KEYS, CONTENT_KEY_EXACT, CONTENT_KEY_PREFIXES, inIndexedFamily, isContentKey } from './content-keys.js';

// ───────────────────────────── OpenInference (Arize Phoenix) ─────────────────────────────

export const OPENINFERENCE = {
  SPAN_KIND: 'openinference.span.kind',
  PROVIDER: 'llm.provider',
  SYSTEM: 'llm.system',
  /** Set from the request and overwritten with the response's model by the JS instrumentation. */
  MODEL_NAME: 'llm.model_name',
  REQUEST_MODEL_NAME: 'llm.request.model_name',
  RESPONSE_MODEL_NAME: 'llm.response.model_name',
  EMBEDDING_MODEL_NAME: 'embedding.model_name',
  PROMPT_TOKENS: 'llm.token_count.prompt',
  COMPLETION_TOKENS: 'llm.token_count.completion',
  CACHE_READ: 'llm.token_count.prompt_details.cache_read',
  CACHE_WRITE: 'llm.token_count.prompt_details.cache_write',
  REASONING: 'llm.token_count.completion_details.reasoning',
  TOTAL_TOKENS: 'llm.token_count.total',
  FINISH_REASON: 'llm.finish_reason',
  TOOL_NAME: 'tool.name',
  AGENT_NAME: 'agent.name',
  SESSION_ID: 'session.id',
  USER_ID: 'user.id',
  METADATA: 'metadata',
  TAGS: 'tag.tags',
} as const;

/** `openinference.span.kind` → kind. */
export const OPENINFERENCE_KINDS: Readonly<Record<string, GenAiKind>> = table<GenAiKind>({
  LLM: 'llm',
  EMBEDDING: 'embeddings',
  TOOL: 'tool',
  AGENT: 'agent',
  CHAIN: 'workflow',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  GUARDRAIL: 'other',
  EVALUATOR: 'other',
  PROMPT: 'other',
  UNKNOWN: 'other',
});

// ───────────────────────────── Vercel AI SDK ─────────────────────────────

export const VERCEL = {
  OPERATION_ID: 'ai.operationId',
  FUNCTION_ID: 'ai.telemetry.functionId',
  METADATA_PREFIX: 'ai.telemetry.metadata.',
  PROVIDER: 'ai.model.provider',
  MODEL_ID: 'ai.model.id',
  RESPONSE_MODEL: 'ai.response.model',
  FINISH_REASON: 'ai.response.finishReason',
  /** ≤ v4 */
  PROMPT_TOKENS: 'ai.usage.promptTokens',
  COMPLETION_TOKENS: 'ai.usage.completionTokens',
  /** v5+ */
  INPUT_TOKENS: 'ai.usage.inputTokens',
  OUTPUT_TOKENS: 'ai.usage.outputTokens',
  CACHED_INPUT_TOKENS: 'ai.usage.cachedInputTokens',
  REASONING_TOKENS: 'ai.usage.reasoningTokens',
  TOTAL_TOKENS: 'ai.usage.totalTokens',
  /** v6 input split: total = noCache + cacheRead + cacheWrite. */
  NO_CACHE_TOKENS: 'ai.usage.inputTokenDetails.noCacheTokens',
  CACHE_READ_TOKENS: 'ai.usage.inputTokenDetails.cacheReadTokens',
  CACHE_WRITE_TOKENS: 'ai.usage.inputTokenDetails.cacheWriteTokens',
  OUTPUT_REASONING_TOKENS: 'ai.usage.outputTokenDetails.reasoningTokens',
  /** Embeddings (`ai.embed`, `ai.embedMany`). */
  EMBED_TOKENS: 'ai.usage.tokens',
  TOOL_NAME: 'ai.toolCall.name',
  TOOL_CALL_ID: 'ai.toolCall.id',
  /** Milliseconds from the call's start to the first chunk of a stream (`doStream` spans). */
  MS_TO_FIRST_CHUNK: 'ai.response.msToFirstChunk',
  /** The span event a `doStream` span records at the first chunk (its time gives the TTFT). */
  FIRST_CHUNK_EVENT: 'ai.stream.firstChunk',
} as const;

/** Vercel span name / `ai.operationId` → kind. Outer spans are LLM-level operations too. */
export const VERCEL_OPERATIONS: Readonly<Record<string, GenAiKind>> = table<GenAiKind>({
  'ai.generateText': 'llm',
  'ai.generateText.doGenerate': 'llm',
  'ai.streamText': 'llm',
  'ai.streamText.doStream': 'llm',
  'ai.generateObject': 'llm',
  'ai.generateObject.doGenerate': 'llm',
  'ai.streamObject': 'llm',
  'ai.streamObject.doStream': 'llm',
  'ai.toolCall': 'tool',
  'ai.embed': 'embeddings',
  'ai.embed.doEmbed': 'embeddings',
  'ai.embedMany': 'embeddings',
  'ai.embedMany.doEmbed': 'embeddings',
  'ai.rerank': 'retrieval',
  'ai.rerank.doRerank': 'retrieval',
});

/**
 * Vercel's outer spans (`ai.generateText` over its `doGenerate` steps, `ai.embed` over
 * `doEmbed`, …): they repeat their steps' model and usage and are no call of their own
 * (conventions.md, "Double counting traps"; docs/architecture.md, "Counting model calls").
 */
export const VERCEL_WRAPPERS: ReadonlySet<string> = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.embed',
  'ai.embedMany',
  'ai.rerank',
]);

// ───────────────────────────── OpenLLMetry / Traceloop ─────────────────────────────

export const TRACELOOP = {
  SPAN_KIND: 'traceloop.span.kind',
  ENTITY_NAME: 'traceloop.entity.name',
  WORKFLOW_NAME: 'traceloop.workflow.name',
  ASSOCIATION_PREFIX: 'traceloop.association.properties.',
  REQUEST_TYPE: 'llm.request.type',
  CACHE_READ: 'gen_ai.usage.cache_read_input_tokens',
  CACHE_CREATION: 'gen_ai.usage.cache_creation_input_tokens',
  REASONING: 'gen_ai.usage.reasoning_tokens',
  TOTAL_TOKENS: 'llm.usage.total_tokens',
  GEN_AI_TOTAL_TOKENS: 'gen_ai.usage.total_tokens',
} as const;

/** `traceloop.span.kind` → kind. */
export const TRACELOOP_KINDS: Readonly<Record<string, GenAiKind>> = table<GenAiKind>({
  workflow: 'workflow',
  task: 'workflow',
  agent: 'agent',
  tool: 'tool',
});

/** `llm.request.type` → kind. */
export const TRACELOOP_REQUEST_TYPES: Readonly<Record<string, GenAiKind>> = table<GenAiKind>({
  chat: 'llm',
  completion: 'llm',
  embedding: 'embeddings',
  embeddings: 'embeddings',
  rerank: 'retrieval',
});

/** Keys only OpenLLMetry writes: their presence marks a gen_ai-shaped span as OpenLLMetry's. */
export const TRACELOOP_MARKER_KEYS: readonly string[] = Object.freeze([
  TRACELOOP.SPAN_KIND,
  TRACELOOP.ENTITY_NAME,
  TRACELOOP.WORKFLOW_NAME,
  TRACELOOP.REQUEST_TYPE,
  TRACELOOP.TOTAL_TOKENS,
  TRACELOOP.CACHE_READ,
  TRACELOOP.CACHE_CREATION,
]);

/** Instrumentation scope name prefixes of OpenLLMetry's JS packages. */
export const TRACELOOP_SCOPE_PREFIXES: readonly string[] = Object.freeze(['@traceloop/']);

// ───────────────────────────── OpenLIT ─────────────────────────────

export const OPENLIT = {
  REASONING: 'gen_ai.usage.reasoning_tokens',
  TOTAL_TOKENS: 'gen_ai.usage.total_tokens',
  COST: 'gen_ai.usage.cost',
  APPLICATION_NAME: 'gen_ai.application_name',
  ENVIRONMENT: 'gen_ai.environment',
  /** OpenLIT's resource sets `telemetry.sdk.name` to this. */
  SDK_NAME: 'openlit',
  /** Seconds to the first token of a stream. */
  TIME_TO_FIRST_TOKEN: 'gen_ai.server.time_to_first_token',
} as const;

/** Span keys only OpenLIT writes. */
export const OPENLIT_MARKER_KEYS: readonly string[] = Object.freeze([
  OPENLIT.COST,
  OPENLIT.APPLICATION_NAME,
  OPENLIT.ENVIRONMENT,
]);

// ───────────────────────────── Langfuse ─────────────────────────────

export const LANGFUSE = {
  OBSERVATION_TYPE: 'langfuse.observation.type',
  MODEL_NAME: 'langfuse.observation.model.name',
  USAGE_DETAILS: 'langfuse.observation.usage_details',
  COST_DETAILS: 'langfuse.observation.cost_details',
  TRACE_NAME: 'langfuse.trace.name',
  /** DEBUG, DEFAULT, WARNING or ERROR: ERROR marks a failed observation. */
  LEVEL: 'langfuse.observation.level',
  STATUS_MESSAGE: 'langfuse.observation.status_message',
  TRACE_METADATA_PREFIX: 'langfuse.trace.metadata.',
  /** Langfuse writes trace-level user and session as the core `user.id` / `session.id`. */
  USER_ID: 'user.id',
  SESSION_ID: 'session.id',
} as const;

/** `langfuse.observation.type` → kind. */
export const LANGFUSE_TYPES: Readonly<Record<string, GenAiKind>> = table<GenAiKind>({
  generation: 'llm',
  embedding: 'embeddings',
  agent: 'agent',
  tool: 'tool',
  chain: 'workflow',
  retriever: 'retrieval',
  span: 'other',
  event: 'other',
  evaluator: 'other',
  guardrail: 'other',
});

/**
 * Keys inside the `langfuse.observation.usage_details` JSON. Langfuse's own keys are disjoint
 * buckets that sum to `total` (`input` excludes `input_*` cache buckets, `output` excludes
 * `output_reasoning_tokens`); OpenAI-shaped keys (`prompt_tokens`) include them; Anthropic-shaped
 * `input_tokens` excludes `cache_*_input_tokens`.
 */
export const LANGFUSE_USAGE_KEYS = {
  /** [key, reported exclusive of cache tokens] */
  INPUT: [
    ['input', true],
    ['prompt_tokens', false],
    ['promptTokens', false],
    ['input_tokens', true],
  ] as ReadonlyArray<readonly [string, boolean]>,
  /** [key, reported exclusive of reasoning tokens] */
  OUTPUT: [
    ['output', true],
    ['completion_tokens', false],
    ['completionTokens', false],
    ['output_tokens', false],
  ] as ReadonlyArray<readonly [string, boolean]>,
  CACHE_READ: ['cache_read_input_tokens', 'input_cached_tokens', 'input_cache_read', 'cache_read'] as readonly string[],
  CACHE_WRITE: [
    'cache_creation_input_tokens',
    'cache_write_input_tokens',
    'input_cache_creation',
    'input_cache_write',
    'cache_write',
  ] as readonly string[],
  REASONING: ['output_reasoning_tokens', 'output_reasoning', 'reasoning_tokens', 'reasoning'] as readonly string[],
  TOTAL: ['total', 'total_tokens', 'totalTokens'] as readonly string[],
} as const;

/**
 * The Langfuse SDK's OpenAI wrapper (`observeOpenAI`) marks embeddings calls
 * `langfuse.observation.type=generation` too, naming them `OpenAI.embeddings` with an embedding
 * model: a generation whose name or model contains this is an embeddings call.
 */
export const LANGFUSE_EMBEDDING_HINT = 'embed';

/** The OTel exception event name (`span.recordException`) and its attributes. */
export const EXCEPTION_EVENT = {
  NAME: 'exception',
  TYPE: 'exception.type',
  MESSAGE: 'exception.message',
} as const;

// ───────────────────────────── Usage key chains (used by classify) ─────────────────────────────

/**
 * Where each usage count is read from, best first, with the convention each key marks: current
 * gen_ai keys before deprecated and vendor ones. A junk value (non-numeric string, negative, NaN)
 * is skipped and the next key tried.
 */
export type TaggedKeys = ReadonlyArray<readonly [key: string, convention: Convention]>;

export const CACHE_READ_KEYS: TaggedKeys = Object.freeze([
  [GEN_AI.CACHE_READ, 'gen_ai'],
  [TRACELOOP.CACHE_READ, 'openllmetry'],
  [OPENINFERENCE.CACHE_READ, 'openinference'],
  [VERCEL.CACHE_READ_TOKENS, 'vercel'],
  [VERCEL.CACHED_INPUT_TOKENS, 'vercel'],
] as const);

export const CACHE_WRITE_KEYS: TaggedKeys = Object.freeze([
  [GEN_AI.CACHE_CREATION, 'gen_ai'],
  [GEN_AI.CACHE_WRITE, 'gen_ai'],
  [TRACELOOP.CACHE_CREATION, 'openllmetry'],
  [OPENINFERENCE.CACHE_WRITE, 'openinference'],
  [VERCEL.CACHE_WRITE_TOKENS, 'vercel'],
] as const);

export const REASONING_KEYS: TaggedKeys = Object.freeze([
  [GEN_AI.REASONING, 'gen_ai'],
  [TRACELOOP.REASONING, 'openllmetry'], // OpenLIT writes the same key
  [OPENINFERENCE.REASONING, 'openinference'],
  [VERCEL.OUTPUT_REASONING_TOKENS, 'vercel'],
  [VERCEL.REASONING_TOKENS, 'vercel'],
  // Codex's `handle_responses` spans (docs/coding-agents.md): output includes it, as in GenAI.
  ['codex.usage.reasoning_output_tokens', 'gen_ai'],
] as const);

/** No total attribute exists in GenAI; vendors write one. Used only to disambiguate inclusivity. */
export const TOTAL_KEYS: readonly string[] = Object.freeze([
  OPENINFERENCE.TOTAL_TOKENS,
  'codex.usage.total_tokens',
  VERCEL.TOTAL_TOKENS,
  TRACELOOP.TOTAL_TOKENS,
  TRACELOOP.GEN_AI_TOTAL_TOKENS,
]);

/** Keys of the current GenAI convention (for "works without a vendor SDK" checks). */
export const CURRENT_GEN_AI_KEYS: readonly string[] = Object.freeze(Object.values(GEN_AI));

/**
 * Input / output token keys, best first, with the convention each one marks. All of them are
 * reported INCLUDING cached (input) / reasoning (output) tokens by their conventions' main
 * producers; classify() still corrects a count that is smaller than its own part (see there).
 */
export const INPUT_KEYS: TaggedKeys = Object.freeze([
  [GEN_AI.INPUT_TOKENS, 'gen_ai'],
  [GEN_AI_DEPRECATED.PROMPT_TOKENS, 'gen_ai.deprecated'],
  [OPENINFERENCE.PROMPT_TOKENS, 'openinference'],
  [VERCEL.INPUT_TOKENS, 'vercel'],
  [VERCEL.PROMPT_TOKENS, 'vercel'],
  [VERCEL.EMBED_TOKENS, 'vercel'],
] as const);

export const OUTPUT_KEYS: TaggedKeys = Object.freeze([
  [GEN_AI.OUTPUT_TOKENS, 'gen_ai'],
  [GEN_AI_DEPRECATED.COMPLETION_TOKENS, 'gen_ai.deprecated'],
  [OPENINFERENCE.COMPLETION_TOKENS, 'openinference'],
  [VERCEL.OUTPUT_TOKENS, 'vercel'],
  [VERCEL.COMPLETION_TOKENS, 'vercel'],
] as const);

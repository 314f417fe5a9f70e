/**
 * The GenAI view: what a span is (LLM call, embeddings, tool, agent, workflow, retrieval, other)
 * and its normalized fields, whatever convention wrote it. Derived, never stored in the span.
 *
 * Runs once per span on million-span inputs, so it is a straight sequence of property lookups
 * on the (null-prototype) attribute map: no iteration over keys, no regular expressions, and
 * JSON is parsed only for the keys that hold it (Langfuse's usage, LangSmith's token details),
 * when present.
 * Key names and value tables live in ./conventions.ts, with their sources.
 */
import { StatusCode, attrStringArray, timeKnown, type AttrValue, type Attributes, type Span } from '../span.js';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  CORE,
  EXCEPTION_EVENT,
  GEN_AI,
  GEN_AI_DEPRECATED,
  INPUT_KEYS,
  KIND_OPERATIONS,
  LANGFUSE,
  LANGFUSE_EMBEDDING_HINT,
  LANGFUSE_TYPES,
  OPENINFERENCE,
  OPENINFERENCE_KINDS,
  OPENLIT,
  OPENLIT_MARKER_KEYS,
  OPERATION_KINDS,
  OUTPUT_KEYS,
  REASONING_KEYS,
  TOTAL_KEYS,
  TRACELOOP,
  TRACELOOP_KINDS,
  TRACELOOP_MARKER_KEYS,
  TRACELOOP_REQUEST_TYPES,
  TRACELOOP_SCOPE_PREFIXES,
  VERCEL,
  VERCEL_OPERATIONS,
  isContentKey,
  secondsToMs,
} from './conventions.js';
import { LANGCHAIN_METADATA } from './producers.js';
import { LANGSMITH, SPANORA, SPANORA_FAILED_TOOL_STATUS } from './conventions-langsmith-spanora.js';
import { normalizeProvider } from './provider.js';
import { detailsLookup, readUsage } from './read-usage.js';
import type { Convention, GenAiKind, GenAiView } from './types.js';

export type { Convention, GenAiKind, GenAiView, Usage } from './types.js';
export { normalizeProvider } from './provider.js';
export { toTokenCount } from './read-usage.js';

/** A non-empty string attribute value. */
function str(v: AttrValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** An id-like value: a non-empty string, or an integer written as a number. */
function idStr(v: AttrValue | undefined): string | undefined {
  if (typeof v === 'string') return v !== '' ? v : undefined;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** `execute_tool search_docs` → `search_docs` (span names of the GenAI convention). */
function nameAfter(name: string, prefix: string): string | undefined {
  if (name.length > prefix.length && name.startsWith(prefix)) {
    const rest = name.slice(prefix.length).trim();
    return rest !== '' ? rest : undefined;
  }
  return undefined;
}

/**
 * Every span attribute key classify() may read (a superset, content keys excluded): a span that
 * carries only these is classified exactly as the whole span (test/genai/classify.test.ts, CLASSIFY_KEYS),
 * so a decoder feeding nothing but classification may keep just these.
 */
export const CLASSIFY_KEYS: ReadonlySet<string> = new Set(
  [
    ...[GEN_AI, CORE, GEN_AI_DEPRECATED, OPENINFERENCE, VERCEL, TRACELOOP, OPENLIT, LANGFUSE, LANGSMITH, SPANORA].flatMap((o) => Object.values(o) as unknown[]),
    ...[CACHE_READ_KEYS, CACHE_WRITE_KEYS, REASONING_KEYS, INPUT_KEYS, OUTPUT_KEYS].flatMap((list) => list.map(([key]) => key)),
    ...TOTAL_KEYS,
    ...TRACELOOP_MARKER_KEYS,
    ...OPENLIT_MARKER_KEYS,
  ].filter((k): k is string => typeof k === 'string' && !isContentKey(k)),
);

/**
 * The keys classify() finds a model call or token usage by: those a kind is read from (a model
 * kind needs one) and every usage key (a call without a kind key needs usage). A span with none
 * of them, whose name is no Vercel operation (VERCEL_OPERATIONS), is neither a model call nor
 * carries usage (test/cost/projection.test.ts), so a trace without such a span adds nothing to
 * `cost` or `stats` (docs/architecture.md, "ClickHouse pushdown").
 */
export const CALL_MARKER_KEYS: ReadonlySet<string> = new Set([
  GEN_AI.OPERATION,
  OPENINFERENCE.SPAN_KIND,
  VERCEL.OPERATION_ID,
  TRACELOOP.SPAN_KIND,
  TRACELOOP.REQUEST_TYPE,
  LANGFUSE.OBSERVATION_TYPE,
  LANGFUSE.USAGE_DETAILS,
  ...[INPUT_KEYS, OUTPUT_KEYS, CACHE_READ_KEYS, CACHE_WRITE_KEYS, REASONING_KEYS].flatMap((list) => list.map(([key]) => key)),
]);

export function classify(span: Span): GenAiView {
  const a = span.attributes;

  // ── families present ────────────────────────────────────────────────────────────────
  // OpenInference marks every span with `openinference.span.kind` and the Vercel AI SDK with
  // `ai.operationId` (and its span names): their other keys are read only on their spans,
  // which keeps the lookups on unrelated spans (HTTP, DB, …) few.
  const oiKind = str(a[OPENINFERENCE.SPAN_KIND]);
  const isOI = oiKind !== undefined;
  const vercelOpId = str(a[VERCEL.OPERATION_ID]);
  const vercelKind = VERCEL_OPERATIONS[vercelOpId ?? span.name];
  const isVercel = vercelOpId !== undefined || vercelKind !== undefined;

  // ── kind: current gen_ai first, then the vendor markers ──────────────────────────────
  let kind: GenAiKind | undefined;
  /** Convention that supplied the kind. */
  let kindConv: Convention | undefined;
  /** Convention of a marker key present with a value we do not map (e.g. a new operation). */
  let markerConv: Convention | undefined;
  let operation = str(a[GEN_AI.OPERATION]);
  if (operation !== undefined) {
    kind = OPERATION_KINDS[operation];
    if (kind !== undefined) kindConv = 'gen_ai';
    else markerConv = 'gen_ai';
  }
  let derivedOperation: string | undefined;
  if (kind === undefined && oiKind !== undefined) {
    kind = OPENINFERENCE_KINDS[oiKind] ?? OPENINFERENCE_KINDS[oiKind.toUpperCase()];
    if (kind !== undefined) kindConv = 'openinference';
    else markerConv ??= 'openinference';
  }
  if (kind === undefined && isVercel) {
    kind = vercelKind;
    if (kind !== undefined) kindConv = 'vercel';
    else markerConv ??= 'vercel';
  }
  if (kind === undefined) {
    const tl = str(a[TRACELOOP.SPAN_KIND]);
    if (tl !== undefined) {
      kind = TRACELOOP_KINDS[tl] ?? TRACELOOP_KINDS[tl.toLowerCase()];
      if (kind !== undefined) kindConv = 'openllmetry';
      else markerConv ??= 'openllmetry';
    }
    if (kind === undefined) {
      const rt = str(a[TRACELOOP.REQUEST_TYPE]);
      if (rt !== undefined) {
        kind = TRACELOOP_REQUEST_TYPES[rt];
        if (kind !== undefined) {
          kindConv = 'openllmetry';
          if (rt === 'completion') derivedOperation = 'text_completion';
        } else markerConv ??= 'openllmetry';
      }
    }
  }
  if (kind === undefined) {
    const lf = str(a[LANGFUSE.OBSERVATION_TYPE]);
    if (lf !== undefined) {
      kind = LANGFUSE_TYPES[lf] ?? LANGFUSE_TYPES[lf.toLowerCase()];
      // Its OpenAI wrapper writes embeddings as generations: the name or model tells them apart.
      if (kind === 'llm' && (isEmbeddingName(span.name) || isEmbeddingName(str(a[LANGFUSE.MODEL_NAME])))) kind = 'embeddings';
      if (kind !== undefined) kindConv = 'langfuse';
      else markerConv ??= 'langfuse';
    }
  }
  // A vendor kind gets the GenAI operation name it corresponds to (chat, execute_tool, …).
  if (operation === undefined && kind !== undefined) operation = derivedOperation ?? KIND_OPERATIONS[kind];

  // ── models and provider ─────────────────────────────────────────────────────────────
  let requestModel = str(a[GEN_AI.REQUEST_MODEL]);
  let responseModel = str(a[GEN_AI.RESPONSE_MODEL]);
  let providerRaw = str(a[GEN_AI.PROVIDER]) ?? str(a[GEN_AI_DEPRECATED.SYSTEM]);
  if (isOI) {
    // OpenInference has one `llm.model_name`: its JS instrumentation sets it from the request
    // and overwrites it with the response's model, so it serves as both when nothing better.
    const oiModel = str(a[OPENINFERENCE.MODEL_NAME]);
    requestModel ??=
      str(a[OPENINFERENCE.REQUEST_MODEL_NAME]) ?? oiModel ?? str(a[OPENINFERENCE.EMBEDDING_MODEL_NAME]);
    responseModel ??= str(a[OPENINFERENCE.RESPONSE_MODEL_NAME]) ?? oiModel;
    providerRaw ??= str(a[OPENINFERENCE.PROVIDER]) ?? str(a[OPENINFERENCE.SYSTEM]);
    if (providerRaw === undefined && (kind === 'llm' || kind === 'embeddings')) providerRaw = langchainProvider(a[OPENINFERENCE.METADATA]);
  }
  if (isVercel) {
    requestModel ??= str(a[VERCEL.MODEL_ID]);
    responseModel ??= str(a[VERCEL.RESPONSE_MODEL]);
    providerRaw ??= str(a[VERCEL.PROVIDER]);
  }
  requestModel ??= str(a[LANGFUSE.MODEL_NAME]);
  const provider = providerRaw === undefined ? undefined : normalizeProvider(providerRaw);

  // ── usage ───────────────────────────────────────────────────────────────────────────
  const view: GenAiView = {
    kind: 'other',
    operation,
    provider,
    requestModel,
    responseModel,
    usage: undefined,
    finishReasons: undefined,
    toolName: undefined,
    agentName: undefined,
    conversationId: undefined,
    userId: undefined,
    error: undefined,
    errorType: undefined,
    ttftMs: undefined,
    convention: 'none',
  };
  const usageConv = readUsage(a, view, isOI, isVercel, span.scope.name);

  // A span with a model and token usage but no explicit operation is an LLM call; one with no
  // operation at all that names a tool (`gen_ai.tool.name`, an attribute of the execute_tool
  // span alone, as seed instrumentations write it) is a tool call, its operation left unset.
  if (kind === undefined) {
    if (view.usage !== undefined && (requestModel !== undefined || responseModel !== undefined)) kind = 'llm';
    else if (operation === undefined && str(a[GEN_AI.TOOL_NAME]) !== undefined) {
      kind = 'tool';
      kindConv = 'gen_ai';
    } else kind = 'other';
  }
  view.kind = kind;

  // ── convention ──────────────────────────────────────────────────────────────────────
  let convention: Convention =
    kindConv ??
    markerConv ??
    usageConv ??
    (a[GEN_AI.REQUEST_MODEL] !== undefined || a[GEN_AI.PROVIDER] !== undefined
      ? 'gen_ai'
      : a[GEN_AI_DEPRECATED.SYSTEM] !== undefined
        ? 'gen_ai.deprecated'
        : 'none');
  if (convention === 'gen_ai') convention = refineGenAi(span, usageConv);
  view.convention = convention;

  // ── names, context, outcome ─────────────────────────────────────────────────────────
  let toolName = str(a[GEN_AI.TOOL_NAME]);
  if (toolName === undefined && kind === 'tool') {
    toolName =
      str(a[OPENINFERENCE.TOOL_NAME]) ??
      str(a[VERCEL.TOOL_NAME]) ??
      (kindConv === 'openllmetry' ? str(a[TRACELOOP.ENTITY_NAME]) : undefined) ??
      nameAfter(span.name, 'execute_tool ') ??
      (kindConv === 'langfuse' && span.name !== '' ? span.name : undefined) ??
      // LangSmith names a tool run only by the run's name.
      (str(a[LANGSMITH.SPAN_KIND]) === 'tool' ? str(a[LANGSMITH.TRACE_NAME]) : undefined);
  }
  view.toolName = toolName;

  let agentName = str(a[GEN_AI.AGENT_NAME]);
  if (agentName === undefined && kind === 'agent') {
    agentName =
      str(a[OPENINFERENCE.AGENT_NAME]) ??
      (kindConv === 'openllmetry' ? str(a[TRACELOOP.ENTITY_NAME]) : undefined) ??
      nameAfter(span.name, 'invoke_agent ') ??
      nameAfter(span.name, 'create_agent ') ??
      (kindConv === 'langfuse' && span.name !== '' ? span.name : undefined);
  }
  view.agentName = agentName;

  // OpenInference and Langfuse write the session as the core `session.id`.
  view.conversationId = idStr(a[GEN_AI.CONVERSATION_ID]) ?? idStr(a[CORE.SESSION_ID]);
  view.userId = idStr(a[CORE.USER_ID]) ?? idStr(a[CORE.ENDUSER_ID]);

  view.finishReasons = readFinishReasons(a, isOI, isVercel);

  const errorType = str(a[CORE.ERROR_TYPE]);
  view.error =
    errorType ??
    (span.status.code === StatusCode.ERROR ? span.status.message || 'error' : undefined) ??
    // Langfuse marks a failed observation by its level, often with status OK.
    (str(a[LANGFUSE.LEVEL]) === 'ERROR' ? str(a[LANGFUSE.STATUS_MESSAGE]) || 'error' : undefined);
  if (view.error !== undefined) view.errorType = errorType ?? OTHER_ERROR_TYPE;
  else if (kind === 'tool') readToolStatus(a, view);
  // A model call that recorded an exception failed, whatever its status (LangSmith keeps OK).
  else if (kind === 'llm' || kind === 'embeddings') readException(span, view);

  if (kind === 'llm' || kind === 'embeddings') view.ttftMs = readTtftMs(span, isVercel);

  return view;
}

function isEmbeddingName(name: string | undefined): boolean {
  return name !== undefined && name.toLowerCase().includes(LANGFUSE_EMBEDDING_HINT);
}

/** Spanora's `spanora.tool.status` (`error`, `timeout`) records a failed tool call. */
function readToolStatus(a: Attributes, view: GenAiView): void {
  const status = str(a[SPANORA.TOOL_STATUS]);
  const type = status === undefined ? undefined : SPANORA_FAILED_TOOL_STATUS[status.toLowerCase()];
  if (type === undefined) return;
  view.error = status;
  view.errorType = type;
}

/** An `exception` event: its message is the error, its type the error type. */
function readException(span: Span, view: GenAiView): void {
  for (const e of span.events) {
    if (e.name !== EXCEPTION_EVENT.NAME) continue;
    view.error = str(e.attributes[EXCEPTION_EVENT.MESSAGE]) ?? str(e.attributes[EXCEPTION_EVENT.TYPE]) ?? 'exception';
    view.errorType = str(e.attributes[EXCEPTION_EVENT.TYPE]) ?? OTHER_ERROR_TYPE;
    return;
  }
}

/** `error.type`'s fallback value in the semantic conventions, for a failure without a type. */
export const OTHER_ERROR_TYPE = '_OTHER';

/**
 * Time to first chunk in ms: `gen_ai.response.time_to_first_chunk` (seconds), OpenLIT's
 * `gen_ai.server.time_to_first_token` (seconds), the Vercel AI SDK's `ai.response.msToFirstChunk`
 * (ms), else its `ai.stream.firstChunk` event's time after the span's start. Negative and
 * non-finite values are junk, not times.
 */
function readTtftMs(span: Span, isVercel: boolean): number | undefined {
  const a = span.attributes;
  const seconds = num(a[GEN_AI.TIME_TO_FIRST_CHUNK]) ?? num(a[OPENLIT.TIME_TO_FIRST_TOKEN]);
  if (seconds !== undefined) return secondsToMs(seconds);
  if (!isVercel) return undefined;
  const ms = num(a[VERCEL.MS_TO_FIRST_CHUNK]);
  if (ms !== undefined) return ms;
  // From times only when the start is known (span.ts `timeKnown`): from 1970 it would be decades.
  if (!timeKnown(span.startMs)) return undefined;
  for (const e of span.events) {
    if (e.name !== VERCEL.FIRST_CHUNK_EVENT) continue;
    const at = Number(e.timeUnixNano - span.startTimeUnixNano) / 1e6;
    return at >= 0 ? at : undefined;
  }
  return undefined;
}

/** A non-negative finite number from a number, bigint or numeric string. */
function num(v: AttrValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function readFinishReasons(a: Attributes, isOI: boolean, isVercel: boolean): string[] | undefined {
  if (a[GEN_AI.FINISH_REASONS] !== undefined) {
    const list = attrStringArray(a, GEN_AI.FINISH_REASONS);
    if (list !== undefined && list.length > 0) return list;
  }
  const single =
    (isOI ? str(a[OPENINFERENCE.FINISH_REASON]) : undefined) ??
    (isVercel ? str(a[VERCEL.FINISH_REASON]) : undefined);
  return single === undefined ? undefined : [single];
}

/**
 * A span whose kind/usage came from current `gen_ai.*` keys: say which convention wrote it.
 * Deprecated usage keys (`gen_ai.usage.prompt_tokens`) make it `gen_ai.deprecated`; OpenLIT and
 * OpenLLMetry write the GenAI keys too and are recognised by their own extra keys / scope.
 * (A deprecated `gen_ai.system` next to current keys — the official OpenAI instrumentation
 * 0.20.0 — stays `gen_ai`: the linter reports the key itself.)
 */
function refineGenAi(span: Span, usageConv: Convention | undefined): Convention {
  if (usageConv === 'gen_ai.deprecated') return 'gen_ai.deprecated';
  const a = span.attributes;
  if (span.resource.attributes[CORE.TELEMETRY_SDK_NAME] === OPENLIT.SDK_NAME || span.scope.name.startsWith('openlit')) {
    return 'openlit';
  }
  for (const k of OPENLIT_MARKER_KEYS) if (a[k] !== undefined) return 'openlit';
  for (const k of TRACELOOP_MARKER_KEYS) if (a[k] !== undefined) return 'openllmetry';
  for (const p of TRACELOOP_SCOPE_PREFIXES) if (span.scope.name.startsWith(p)) return 'openllmetry';
  return 'gen_ai';
}

/** `ls_provider` from OpenInference's `metadata` JSON (LANGCHAIN_METADATA), when it is a non-empty string. */
function langchainProvider(v: AttrValue | undefined): string | undefined {
  if (typeof v !== 'string' || v.length > LANGCHAIN_METADATA.MAX_CHARS) return undefined;
  const p = detailsLookup(v)?.(LANGCHAIN_METADATA.PROVIDER);
  return typeof p === 'string' && p !== '' ? p : undefined;
}

/**
 * The small-span variant (issue #18, "small spans"): the same traces with only the attributes a
 * reader needs to classify, count and attribute a call, no events, 100 spans a line, and the lines
 * in end-time order, as one BatchSpanProcessor exports them. Spans of about 0.7 KB instead of
 * about 1.2 KB make per-span overhead visible that large spans hide.
 */
import { FEATURE_KEYS } from './catalog.mjs';

/**
 * Attributes that change nothing `cost` counts or attributes: content, request parameters,
 * response ids and reasons, ids of users, sessions and tool calls, network peers. Everything else
 * (operation, system/provider, models, usage, span kinds, the feature keys) stays, so the
 * generator's totals hold for the slim spans unchanged.
 */
const DROPPED = new Set([
  'gen_ai.response.finish_reasons', 'gen_ai.response.id', 'gen_ai.request.temperature', 'gen_ai.request.max_tokens',
  'gen_ai.request.stream', 'gen_ai.openai.request.seed', 'gen_ai.openai.response.system_fingerprint',
  'gen_ai.tool.call.id', 'gen_ai.tool.type', 'gen_ai.agent.id', 'gen_ai.conversation.id', 'gen_ai.input.messages',
  'server.address', 'server.port', 'user.id', 'session.id', 'tenant.id', 'code.function',
  'ai.response.finishReason', 'ai.response.timestamp', 'ai.response.id', 'ai.response.text', 'ai.settings.maxRetries',
  'ai.prompt', 'ai.toolCall.args', 'ai.telemetry.metadata.tenant', 'resource.name', 'ai.toolCall.id', 'tool.description',
  'ai.usage.totalTokens', 'ai.usage.outputTokenDetails.textTokens', 'llm.token_count.total',
  // Vercel's older usage names, repeated beside the detailed ones; operation.name repeats ai.operationId.
  'ai.usage.cachedInputTokens', 'ai.usage.reasoningTokens', 'ai.usage.inputTokenDetails.noCacheTokens', 'operation.name',
  'llm.invocation_parameters', 'llm.finish_reason', 'input.mime_type', 'output.mime_type', 'input.value', 'output.value',
]);
const KEPT = new Set(FEATURE_KEYS);
/** Message content of the indexed conventions (llm.input_messages.0.message.content, gen_ai.prompt.0.content…). */
const CONTENT = /^(llm\.(input|output)_messages\.|gen_ai\.(prompt|completion)\.\d|embedding\.embeddings\.\d+\.embedding\.text)/;

const slimKey = (key) => KEPT.has(key) || (!DROPPED.has(key) && !CONTENT.test(key));

/** A copy of the span for writing: fewer attributes (a response model equal to the requested one is left out too), no events. */
export function slimSpan(span) {
  const requested = span.attrs.find(([key]) => key === 'gen_ai.request.model')?.[1];
  const attrs = span.attrs.filter(([key, v]) => slimKey(key) && !(key === 'gen_ai.response.model' && v === requested));
  return { ...span, attrs, events: [] };
}

/**
 * Spans of many traces in end-time order across traces, `size` a line: traces start in order
 * (give or take `jitterUs`), so a span that ended before the latest trace's start minus the
 * jitter can no longer be overtaken and is written.
 */
export function* endTimeBatches(nextTrace, { size = 100, jitterUs = 5_000_000 } = {}) {
  let pending = [];
  let out = [];
  let latestStart = -Infinity;
  const flushUpTo = function* (limit) {
    pending.sort((a, b) => a.endUs - b.endUs);
    let i = 0;
    while (i < pending.length && pending[i].endUs < limit) {
      out.push(pending[i++]);
      if (out.length === size) {
        yield out;
        out = [];
      }
    }
    pending = pending.slice(i);
  };
  for (let spans = nextTrace(); spans; spans = nextTrace()) {
    let traceStart = Infinity;
    for (const s of spans) traceStart = Math.min(traceStart, s.startUs);
    latestStart = Math.max(latestStart, traceStart);
    pending.push(...spans);
    if (pending.length >= 4 * size) yield* flushUpTo(latestStart - jitterUs);
  }
  yield* flushUpTo(Infinity);
  if (out.length) yield out;
}

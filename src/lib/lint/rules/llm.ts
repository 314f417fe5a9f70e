/**
 * Rules for LLM and embeddings spans: the attributes the GenAI span definitions require, the
 * recommended response-side attributes, span name and kind, failure recording.
 *
 * A span written only in a vendor convention (OpenInference, Vercel `ai.*` …) gets ONE
 * `vendor-only-convention` finding instead of one finding per missing `gen_ai.*` key: for such
 * spans the "missing" rules below check the information itself (the normalized view), so they
 * fire only when a model, provider or usage is absent in every convention.
 */
import { GEN_AI, GEN_AI_DEPRECATED, CORE } from '../../genai/conventions.js';
import { SpanKind } from '../../span.js';
import { isModelCall, requirement, roleOf, spanKindName } from '../definitions.js';
import { FactsMemo, codeOf, codesKey, listKey } from '../facts-memo.js';
import type { RuleDef, RuleFacts, SpanInput, SpanRole } from '../types.js';
import { failed, failureGap, present, text } from './util.js';

/**
 * Shared facts (facts-memo.ts), keyed by what they hold: roles, levels and the keys checked are
 * a few constants (keyed by their codes); span names go through listKey.
 */
const operationFacts = new FactsMemo<RuleFacts['llm-missing-operation']>();
const providerFacts = new FactsMemo<RuleFacts['llm-missing-provider']>();
const modelFacts = new FactsMemo<RuleFacts['llm-missing-model']>();
const usageFacts = new FactsMemo<RuleFacts['llm-missing-usage']>();
const recommendedFacts = new FactsMemo<RuleFacts['llm-recommended-attributes']>();
const nameFacts = new FactsMemo<RuleFacts['llm-span-name']>();

function modelCallRole(input: SpanInput): SpanRole | undefined {
  return isModelCall(input.view) ? roleOf(input.view) : undefined;
}

export const llmMissingOperation: RuleDef<'llm-missing-operation'> = {
  id: 'llm-missing-operation',
  defaultSeverity: 'error',
  description: 'LLM and embeddings spans carry gen_ai.operation.name',
  docs: {
    checks: 'An LLM or embeddings span (recognized by its model and token usage, or a vendor kind) has no `gen_ai.operation.name`.',
    why: 'The operation is required by every GenAI span definition; backends use it to tell chat, completion and embeddings calls apart and to name spans.',
    fix: 'Set `gen_ai.operation.name` (`chat`, `generate_content`, `text_completion`, `embeddings`) when the span starts.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined) return undefined;
    const ok = input.vendorOnly ? input.view.operation !== undefined : present(input.span.attributes, GEN_AI.OPERATION);
    return ok ? undefined : (operationFacts.get(role) ?? operationFacts.put(role, { role, expected: GEN_AI.OPERATION }));
  },
};

export const llmMissingProvider: RuleDef<'llm-missing-provider'> = {
  id: 'llm-missing-provider',
  defaultSeverity: 'error',
  description: 'LLM and embeddings spans carry gen_ai.provider.name',
  docs: {
    checks: 'An LLM or embeddings span names no provider: neither `gen_ai.provider.name` nor the deprecated `gen_ai.system` (nor, for vendor-only spans, the vendor\'s provider key).',
    why: 'The provider is required; it selects the provider-specific conventions, and cost and dashboards group by it.',
    fix: 'Set `gen_ai.provider.name` (`openai`, `anthropic`, `aws.bedrock`, `gcp.vertex_ai`, …) at span creation.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined) return undefined;
    const a = input.span.attributes;
    // The deprecated gen_ai.system still names the provider; deprecated-attribute reports the key.
    const ok = input.vendorOnly ? input.view.provider !== undefined : present(a, GEN_AI.PROVIDER) || present(a, GEN_AI_DEPRECATED.SYSTEM);
    if (ok) return undefined;
    const level = requirement(input.def, GEN_AI.PROVIDER)?.level ?? 'required';
    const key = codesKey([codeOf(role), codeOf(level)]);
    if (key === undefined) return { role, expected: GEN_AI.PROVIDER, level };
    return providerFacts.get(key) ?? providerFacts.put(key, { role, expected: GEN_AI.PROVIDER, level });
  },
};

export const llmMissingModel: RuleDef<'llm-missing-model'> = {
  id: 'llm-missing-model',
  defaultSeverity: 'error',
  description: 'LLM and embeddings spans carry gen_ai.request.model',
  docs: {
    checks: 'An LLM or embeddings span has no `gen_ai.request.model` (vendor-only spans: no model in any key).',
    why: 'Conditionally required "if available" — and it is always available to the caller (required outright for OpenAI). Without it calls cannot be priced or compared by model.',
    fix: 'Set `gen_ai.request.model` to the model requested, and `gen_ai.response.model` to the one that answered.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined) return undefined;
    const v = input.view;
    const ok = input.vendorOnly ? (v.requestModel ?? v.responseModel) !== undefined : present(input.span.attributes, GEN_AI.REQUEST_MODEL);
    if (ok) return undefined;
    const level = requirement(input.def, GEN_AI.REQUEST_MODEL)?.level ?? 'conditionally_required';
    const pricedByResponse = v.responseModel !== undefined;
    const key = codesKey([codeOf(role), codeOf(level), pricedByResponse ? 1 : 0]);
    if (key === undefined) return { role, expected: GEN_AI.REQUEST_MODEL, level, pricedByResponse };
    return modelFacts.get(key) ?? modelFacts.put(key, { role, expected: GEN_AI.REQUEST_MODEL, level, pricedByResponse });
  },
};

/** Usage keys and their deprecated aliases (which still carry the count). */
const USAGE_ALIASES: Readonly<Record<string, string>> = {
  [GEN_AI.INPUT_TOKENS]: GEN_AI_DEPRECATED.PROMPT_TOKENS,
  [GEN_AI.OUTPUT_TOKENS]: GEN_AI_DEPRECATED.COMPLETION_TOKENS,
};

const LLM_USAGE: readonly string[] = [GEN_AI.INPUT_TOKENS, GEN_AI.OUTPUT_TOKENS];
const EMBEDDINGS_USAGE: readonly string[] = [GEN_AI.INPUT_TOKENS];

export const llmMissingUsage: RuleDef<'llm-missing-usage'> = {
  id: 'llm-missing-usage',
  defaultSeverity: 'error',
  description: 'LLM and embeddings spans carry token usage',
  docs: {
    checks: 'A successful LLM call lacks `gen_ai.usage.input_tokens` or `gen_ai.usage.output_tokens` (embeddings: input tokens). Failed calls (status ERROR or `error.type`) are exempt. Vendor-only spans pass when any convention carries usage.',
    why: 'Token usage is what cost attribution and budgets are computed from; the rollout checklist requires it on every LLM call. Streaming calls are the usual culprit.',
    fix: 'Record the usage from the response; for OpenAI streaming pass `stream_options: {include_usage: true}` so the last chunk carries it.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined || failed(input.view)) return undefined;
    const expected = role === 'embeddings' ? EMBEDDINGS_USAGE : LLM_USAGE;
    let missing = expected;
    if (input.vendorOnly) {
      if (input.view.usage !== undefined) return undefined;
    } else {
      const a = input.span.attributes;
      // A span written in the GenAI convention must carry usage under its keys (or their
      // deprecated aliases, reported by deprecated-attribute): those are what backends read.
      missing = expected.filter((k) => !present(a, k) && !present(a, USAGE_ALIASES[k] ?? k));
      if (!missing.length) return undefined;
    }
    const key = codesKey([codeOf(role), ...missing.map(codeOf)]);
    if (key === undefined) return { role, expected: [...missing] };
    return usageFacts.get(key) ?? usageFacts.put(key, { role, expected: [...missing] });
  },
};

/**
 * Response-side and connection attributes checked by `llm-recommended-attributes` — the ones
 * every successful call can set (README.md "Rules"). Request parameters (temperature, max_tokens, …) are
 * recommended only when the request used them, so their absence says nothing and is not checked.
 * Each is checked only where the span's definition makes it unconditionally recommended.
 */
export const CHECKED_RECOMMENDED: readonly string[] = [CORE.SERVER_ADDRESS, GEN_AI.RESPONSE_MODEL, GEN_AI.FINISH_REASONS];

export const llmRecommendedAttributes: RuleDef<'llm-recommended-attributes'> = {
  id: 'llm-recommended-attributes',
  defaultSeverity: 'info',
  description: 'LLM and embeddings spans carry the recommended response model, finish reasons and server address',
  docs: {
    checks: 'A successful LLM or embeddings span lacks one of `server.address`, `gen_ai.response.model`, `gen_ai.response.finish_reasons` where its span definition recommends it (embeddings have no finish reasons).',
    why: 'The response model is the one actually billed (an alias such as `gpt-4o` resolves to a dated snapshot); finish reasons show truncation (`length`) and tool calls; the server address tells a proxy or Azure deployment from the provider itself.',
    fix: 'Set them from the response: `gen_ai.response.model`, `gen_ai.response.finish_reasons` (string array), and `server.address`/`server.port` from the client\'s base URL.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined || input.vendorOnly || failed(input.view)) return undefined;
    const a = input.span.attributes;
    const missing = CHECKED_RECOMMENDED.filter((k) => {
      const r = requirement(input.def, k);
      return r !== undefined && r.level === 'recommended' && r.condition === undefined && !present(a, k);
    });
    if (!missing.length) return undefined;
    const key = codesKey([codeOf(role), ...missing.map(codeOf)]);
    if (key === undefined) return { role, missing };
    return recommendedFacts.get(key) ?? recommendedFacts.put(key, { role, missing });
  },
};

/**
 * `{gen_ai.operation.name} {gen_ai.request.model}` → the name this span should have; a missing
 * model is dropped (the definitions allow `{operation}` alone), and without an operation there
 * is no expected name (llm-missing-operation reports that).
 */
export function expectedName(template: string, input: SpanInput): string | undefined {
  const a = input.span.attributes;
  let name = '';
  for (const part of templateParts(template)) {
    if (typeof part === 'string') name += part;
    else if (part.key !== GEN_AI.OPERATION) name += text(a, part.key) ?? '';
    else {
      const op = text(a, part.key) ?? input.view.operation;
      if (op === undefined) return undefined;
      name += op;
    }
  }
  // Whitespace runs become one space, ends are trimmed: only names that need it are rewritten.
  return NEEDS_SQUASH.test(name) ? name.replace(/\s+/g, ' ').trim() : name;
}

/** A name `replace(/\s+/g, ' ').trim()` would change: whitespace other than a single inner space. */
const NEEDS_SQUASH = /[^\S ]| {2}|^ | $/;

/** Templates are few and the check runs per span: split each once. */
const PARTS = new Map<string, Array<string | { key: string }>>();

function templateParts(template: string): Array<string | { key: string }> {
  let parts = PARTS.get(template);
  if (parts === undefined) {
    parts = template.split(/(\{[^}]+\})/).filter((p) => p !== '').map((p) => (p.startsWith('{') ? { key: p.slice(1, -1) } : p));
    PARTS.set(template, parts);
  }
  return parts;
}

export const llmSpanName: RuleDef<'llm-span-name'> = {
  id: 'llm-span-name',
  defaultSeverity: 'warn',
  description: 'LLM and embeddings spans are named "{operation} {model}"',
  docs: {
    checks: 'The span name differs from its definition\'s template, `{gen_ai.operation.name} {gen_ai.request.model}` (just the operation when there is no model). Vendor-only spans are not checked.',
    why: 'A low-cardinality, predictable name is what trace UIs list and group by; names like `openai.chat` or `llm` hide the model.',
    fix: 'Name the span `chat gpt-4o`, `embeddings text-embedding-3-small`, … when you start it.',
  },
  span(input) {
    const role = modelCallRole(input);
    const template = input.def?.nameTemplate;
    if (role === undefined || input.vendorOnly || template === undefined) return undefined;
    const expected = expectedName(template, input);
    if (expected === undefined || expected === '' || input.span.name === expected) return undefined;
    const actual = input.span.name;
    const key = listKey([role, template, expected, actual]);
    if (key === undefined) return { role, expected, actual, template };
    return nameFacts.get(key) ?? nameFacts.put(key, { role, expected, actual, template });
  },
};

export const llmSpanKind: RuleDef<'llm-span-kind'> = {
  id: 'llm-span-kind',
  defaultSeverity: 'warn',
  description: 'LLM and embeddings spans have span kind CLIENT',
  docs: {
    checks: 'An LLM or embeddings span whose kind is not CLIENT. INTERNAL is accepted when the span has no `server.address` (the conventions allow it for models running in the same process). Vendor-only spans are not checked.',
    why: 'A call to a model over the network is a client span; service maps and latency breakdowns rely on it.',
    fix: 'Start the span with `kind: SpanKind.CLIENT`.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined || input.vendorOnly) return undefined;
    const kind = input.span.kind;
    if (kind === SpanKind.CLIENT) return undefined;
    if (kind === SpanKind.INTERNAL && !present(input.span.attributes, CORE.SERVER_ADDRESS)) return undefined;
    return { role, expected: 'CLIENT', actual: spanKindName(kind) };
  },
};

export const llmFailureUnrecorded: RuleDef<'llm-failure-unrecorded'> = {
  id: 'llm-failure-unrecorded',
  defaultSeverity: 'warn',
  description: 'failed LLM and embeddings calls set status ERROR and error.type',
  docs: {
    checks: 'An LLM or embeddings span with status ERROR but no `error.type`, with `error.type` but a status other than ERROR, or with an `exception` event but no ERROR status.',
    why: 'Error rates and alerts count ERROR statuses; `error.type` (conditionally required when the call failed) groups failures by cause (`429`, `timeout`, …).',
    fix: 'On failure call `span.recordException(e)`, `span.setStatus({code: SpanStatusCode.ERROR})` and set `error.type` to the status code or exception class.',
  },
  span(input) {
    const role = modelCallRole(input);
    if (role === undefined) return undefined;
    const gap = failureGap(input.span, !input.vendorOnly);
    return gap ? { role, ...gap, statusCode: input.span.status.code } : undefined;
  },
};

/**
 * What particular producers write differently from their convention, as data next to the
 * convention tables (./conventions.ts), so that classify, cost, the live view and lint read them
 * alike: by instrumentation scope, or by a vendor's marker key. Each entry was seen on the
 * library's own output (test/genai/instrumented-libs.test.ts).
 */
import type { Attributes } from '../span.js';
import { TRACELOOP, table } from './conventions.js';

/**
 * Keys that name a feature (or another inherited dimension) only on spans of one kind: the
 * Traceloop SDK's `withAgent` writes the agent's name into `traceloop.workflow.name` on its span
 * and on every span below it, so only the `traceloop.span.kind=workflow` span names the workflow
 * (docs/architecture.md, "A key that names a feature only on some spans").
 */
export const DIMENSION_KEY_SCOPES: Readonly<Record<string, readonly [key: string, value: string]>> = table({
  [TRACELOOP.WORKFLOW_NAME]: [TRACELOOP.SPAN_KIND, 'workflow'],
});

/** Whether `key`'s value on a span with attributes `a` counts as a dimension value (DIMENSION_KEY_SCOPES). */
export function dimensionKeyApplies(a: Attributes, key: string): boolean {
  const scope = DIMENSION_KEY_SCOPES[key];
  return scope === undefined || a[scope[0]] === scope[1];
}

/**
 * Producers that copy Anthropic's usage as the API reports it: input WITHOUT the cache reads and
 * writes (conventions.md: "Anthropic: input = input + cache_read + cache_creation"), by
 * instrumentation scope name, and provider where one scope serves several. Their input is read as
 * exclusive of the cache whatever the counts look like (their `gen_ai.usage.total_tokens` is that
 * input + output, so it cannot tell), and lint does not call a cache larger than that input
 * invalid. OpenInference's Anthropic instrumentation (0.2.8) and the SDK's own spans include the
 * cache: not listed.
 */
export const INPUT_EXCLUDES_CACHE: ReadonlyArray<{ readonly scope: string; readonly provider?: string }> = Object.freeze([
  { scope: '@traceloop/instrumentation-anthropic' },
  // openlit 1.15's Anthropic wrapper writes `result.usage.input_tokens` as the API reports it.
  { scope: '@openlit/instrumentation-anthropic' },
]);

/** The span's producer reports input tokens without the cache (INPUT_EXCLUDES_CACHE). */
export function reportsInputWithoutCache(scopeName: string, provider: string | undefined): boolean {
  for (const p of INPUT_EXCLUDES_CACHE) if (p.scope === scopeName && (p.provider === undefined || p.provider === provider)) return true;
  return false;
}

/**
 * OpenInference's LangChain instrumentation writes no `llm.provider`: LangChain's run metadata,
 * copied into the `metadata` JSON attribute, names it as `ls_provider` (`"openai"`). Read only on
 * model spans without a provider, and only from a `metadata` value up to this many characters.
 */
export const LANGCHAIN_METADATA = { PROVIDER: 'ls_provider', MAX_CHARS: 64 * 1024 } as const;

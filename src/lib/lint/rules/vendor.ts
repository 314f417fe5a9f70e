/**
 * "The instrumentation works without any vendor-specific SDK" (rollout checklist): a GenAI span
 * that only a vendor's convention describes (OpenInference, Vercel `ai.*`, Traceloop, Langfuse)
 * is invisible to backends that read the OpenTelemetry GenAI keys.
 */
import { GEN_AI, GEN_AI_DEPRECATED } from '../../genai/conventions.js';
import { isModelCall, roleOf } from '../definitions.js';
import type { RuleDef } from '../types.js';
import { present } from './util.js';

/** Key prefixes of the vendor conventions llmtrace understands (conventions.md). */
const VENDOR_PREFIXES = ['openinference.', 'llm.', 'embedding.', 'tool.', 'agent.', 'ai.', 'traceloop.', 'langfuse.'];

/** At most this many vendor keys are listed in the facts. */
const MAX_KEYS = 8;

export const vendorOnlyConvention: RuleDef<'vendor-only-convention'> = {
  id: 'vendor-only-convention',
  defaultSeverity: 'warn',
  description: 'GenAI spans carry gen_ai.* attributes, not only a vendor convention',
  docs: {
    checks: 'An LLM, embeddings, tool, agent, workflow or retrieval span is recognized only through a vendor convention (OpenInference, Vercel AI SDK `ai.*`, OpenLLMetry/Traceloop, Langfuse) and carries no `gen_ai.*` attribute at all. Reported once per span, listing the `gen_ai.*` keys to add; the other rules then check the information in whatever convention it is.',
    why: 'Telemetry that only one vendor\'s backend understands ties you to that vendor: OpenTelemetry-native backends see an unnamed span without model, provider or tokens.',
    fix: 'Enable the library\'s OpenTelemetry GenAI semantic-conventions mode, add an instrumentation that emits `gen_ai.*`, or map the keys in a span processor or the Collector (`transform` processor).',
  },
  span({ view, keys, vendorOnly, def }) {
    const role = roleOf(view);
    if (role === undefined || !vendorOnly) return undefined;
    const vendorKeys = keys.filter((k) => VENDOR_PREFIXES.some((p) => k.startsWith(p))).slice(0, MAX_KEYS);
    const expected = new Set<string>([GEN_AI.OPERATION]);
    for (const [k, r] of Object.entries(def?.attributes ?? {})) if (r.level === 'required') expected.add(k);
    if (isModelCall(view)) {
      expected.add(GEN_AI.PROVIDER).add(GEN_AI.REQUEST_MODEL).add(GEN_AI.INPUT_TOKENS);
      if (role === 'llm') expected.add(GEN_AI.OUTPUT_TOKENS);
    }
    return { role, convention: view.convention, vendorKeys, expected: [...expected] };
  },
};

export const genaiRequiredAttributes: RuleDef<'genai-required-attributes'> = {
  id: 'genai-required-attributes',
  defaultSeverity: 'warn',
  description: 'agent, workflow and retrieval spans carry the attributes their definition requires',
  docs: {
    checks: 'An agent (`invoke_agent`, `create_agent`), workflow (`invoke_workflow`) or retrieval span written in the GenAI convention lacks an attribute its v1.41 span definition marks required (e.g. `gen_ai.provider.name` on `invoke_agent`). LLM, embeddings and tool spans have their own rules.',
    why: 'Required attributes are the minimum a backend needs to interpret the span; the levels come straight from the semantic-conventions YAML (src/lib/lint/semconv-requirements.ts).',
    fix: 'Set the listed attributes when the span starts.',
  },
  span({ span, view, vendorOnly, def }) {
    if (vendorOnly || def === undefined) return undefined;
    if (view.kind !== 'agent' && view.kind !== 'workflow' && view.kind !== 'retrieval') return undefined;
    const missing: string[] = [];
    for (const [k, r] of Object.entries(def.attributes)) {
      if (r.level !== 'required') continue;
      // The deprecated gen_ai.system still names the provider (deprecated-attribute reports it).
      const alias = k === GEN_AI.PROVIDER && present(span.attributes, GEN_AI_DEPRECATED.SYSTEM);
      if (!alias && !present(span.attributes, k)) missing.push(k);
    }
    return missing.length ? { role: view.kind, definition: def.id, missing } : undefined;
  },
};

/**
 * "The instrumentation works without any vendor-specific SDK" (rollout checklist): a GenAI span
 * that only a vendor's convention describes (OpenInference, Vercel `ai.*`, Traceloop, Langfuse)
 * is invisible to backends that read the OpenTelemetry GenAI keys.
 */
import { GEN_AI, GEN_AI_DEPRECATED } from '../../genai/conventions.js';
import { isModelCall, roleOf } from '../definitions.js';
import { FactsMemo, codeOf, codesKey } from '../facts-memo.js';
import { KEY_VENDOR } from '../keys.js';
import type { SpanDefinition } from '../semconv-requirements.js';
import type { RuleDef, RuleFacts, SpanRole } from '../types.js';
import { present } from './util.js';

/** At most this many vendor keys are listed in the facts. */
const MAX_KEYS = 8;

/** The keys a definition requires, listed once per definition (not per span). */
const REQUIRED = new Map<SpanDefinition, readonly string[]>();

function requiredKeys(def: SpanDefinition): readonly string[] {
  let keys = REQUIRED.get(def);
  if (keys === undefined) {
    keys = Object.entries(def.attributes).filter(([, r]) => r.level === 'required').map(([k]) => k);
    REQUIRED.set(def, keys);
  }
  return keys;
}

/**
 * The gen_ai.* keys a vendor-only span should add, by definition and role (the facts list
 * these only): a definition's other required keys, such as the Bedrock span's
 * `aws.bedrock.guardrail.id`, are no part of moving from a vendor convention to gen_ai.*.
 */
function expectedKeys(def: SpanDefinition | undefined, role: SpanRole, modelCall: boolean): string[] {
  const expected = new Set<string>([GEN_AI.OPERATION]);
  if (def) for (const k of requiredKeys(def)) if (k.startsWith('gen_ai.')) expected.add(k);
  if (modelCall) {
    expected.add(GEN_AI.PROVIDER).add(GEN_AI.REQUEST_MODEL).add(GEN_AI.INPUT_TOKENS);
    if (role === 'llm') expected.add(GEN_AI.OUTPUT_TOKENS);
  }
  return [...expected];
}

/**
 * Shared facts (facts-memo.ts): an instrumentation writes the same vendor keys on every span.
 * Keyed by the codes of the role, convention, definition and vendor keys.
 */
const vendorFacts = new FactsMemo<RuleFacts['vendor-only-convention']>();
const requiredFacts = new FactsMemo<RuleFacts['genai-required-attributes']>();

export const vendorOnlyConvention: RuleDef<'vendor-only-convention'> = {
  id: 'vendor-only-convention',
  defaultSeverity: 'warn',
  description: 'GenAI spans carry gen_ai.* attributes, not only a vendor convention',
  docs: {
    checks: 'An LLM, embeddings, tool, agent, workflow or retrieval span is recognized only through a vendor convention (OpenInference, Vercel AI SDK `ai.*`, OpenLLMetry/Traceloop, Langfuse) and carries no `gen_ai.*` attribute at all. Reported once per span, listing the `gen_ai.*` keys to add; the other rules then check the information in whatever convention it is. The Vercel AI SDK\'s outer spans (`ai.generateText` over its `doGenerate` steps, `ai.embed`, …) are no calls: their steps are judged, by every rule and the scorecard.',
    why: 'Telemetry that only one vendor\'s backend understands ties you to that vendor: OpenTelemetry-native backends see an unnamed span without model, provider or tokens.',
    fix: 'Enable the library\'s OpenTelemetry GenAI semantic-conventions mode, add an instrumentation that emits `gen_ai.*`, or map the keys in a span processor or the Collector (`transform` processor).',
  },
  span({ view, keys, infos, keyFlags, vendorOnly, def }) {
    const role = roleOf(view);
    if (role === undefined || !vendorOnly) return undefined;
    const codes = [codeOf(role), codeOf(view.convention), def === undefined ? 0 : codeOf(def.id)];
    const vendorKeys: string[] = [];
    if (keyFlags & KEY_VENDOR) {
      for (let i = 0; i < keys.length && vendorKeys.length < MAX_KEYS; i++) {
        if (infos[i]!.flags & KEY_VENDOR) {
          vendorKeys.push(keys[i]!);
          codes.push(infos[i]!.code);
        }
      }
    }
    const make = () => ({ role, convention: view.convention, vendorKeys, expected: expectedKeys(def, role, isModelCall(view)) });
    const memoKey = codesKey(codes);
    if (memoKey === undefined) return make();
    return vendorFacts.get(memoKey) ?? vendorFacts.put(memoKey, make());
  },
};

export const genaiRequiredAttributes: RuleDef<'genai-required-attributes'> = {
  id: 'genai-required-attributes',
  defaultSeverity: 'warn',
  description: 'agent, workflow, retrieval and tool spans carry the attributes their definition requires',
  docs: {
    checks: 'An agent (`invoke_agent`, `create_agent`), workflow (`invoke_workflow`), retrieval or tool (`execute_tool`) span written in the GenAI convention lacks an attribute its v1.41 span definition marks required (e.g. `gen_ai.provider.name` on `invoke_agent`, `gen_ai.operation.name` on a tool span known by its `gen_ai.tool.name`). LLM and embeddings spans have their own rules, and so has a tool\'s name (`tool-missing-name`).',
    why: 'Required attributes are the minimum a backend needs to interpret the span; the levels come straight from the semantic-conventions YAML (src/lib/lint/semconv-requirements.ts).',
    fix: 'Set the listed attributes when the span starts.',
  },
  span({ span, view, vendorOnly, def }) {
    if (vendorOnly || def === undefined) return undefined;
    if (view.kind !== 'agent' && view.kind !== 'workflow' && view.kind !== 'retrieval' && view.kind !== 'tool') return undefined;
    const missing: string[] = [];
    for (const k of requiredKeys(def)) {
      if (k === GEN_AI.TOOL_NAME) continue; // tool-missing-name's
      // The deprecated gen_ai.system still names the provider (deprecated-attribute reports it).
      const alias = k === GEN_AI.PROVIDER && present(span.attributes, GEN_AI_DEPRECATED.SYSTEM);
      if (!alias && !present(span.attributes, k)) missing.push(k);
    }
    if (!missing.length) return undefined;
    // Required keys are the definition's own (no NUL), so the joined list is unambiguous.
    const memoKey = `${def.id}\0${view.kind}\0${missing.join('\0')}`;
    return requiredFacts.get(memoKey) ?? requiredFacts.put(memoKey, { role: view.kind, definition: def.id, missing });
  },
};

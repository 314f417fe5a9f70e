/**
 * Deprecated GenAI attributes, attribute values and span events, each with its replacement.
 * The tables are those `classify` reads (src/lib/genai/conventions.ts, from conventions.md);
 * a unit test checks they cover the generated semconv table (registry-deprecated.yaml).
 */
import { DEPRECATED_EVENTS, DEPRECATED_PROVIDER_VALUES, GEN_AI, GEN_AI_DEPRECATED } from '../../genai/conventions.js';
import { FactsMemo } from '../facts-memo.js';
import { KEY_DEPRECATED } from '../keys.js';
import type { RuleDef, RuleFacts } from '../types.js';
import { present } from './util.js';

type Facts = RuleFacts['deprecated-attribute'];

/** Attributes whose values are provider names, where renamed values are deprecated too. */
const PROVIDER_KEYS = [GEN_AI.PROVIDER, GEN_AI_DEPRECATED.SYSTEM];

/** Shared facts (facts-memo.ts); attribute facts are built once per key (keys.ts). */
const values = new FactsMemo<Facts>();
const events = new FactsMemo<Facts>();

export const deprecatedAttribute: RuleDef<'deprecated-attribute'> = {
  id: 'deprecated-attribute',
  defaultSeverity: 'warn',
  description: 'no deprecated GenAI attributes, values or events',
  docs: {
    checks: 'A span carries a deprecated GenAI attribute (`gen_ai.system`, `gen_ai.usage.prompt_tokens`, `gen_ai.usage.completion_tokens`, `gen_ai.prompt`/`gen_ai.completion` and their indexed forms, `gen_ai.openai.*`), a renamed provider value (`vertex_ai`, `gemini`, `az.ai.*`, `xai`), or a deprecated GenAI event (`gen_ai.user.message`, `gen_ai.choice`, …). One finding per key, value or event name, naming the replacement.',
    why: 'Backends that follow the current conventions ignore the old keys, so the data is there but invisible (no provider, no usage); old instrumentation (e.g. `@opentelemetry/instrumentation-openai` 0.20 writes `gen_ai.system`) is the usual source.',
    fix: 'Upgrade the instrumentation, or rename the keys (`gen_ai.system` → `gen_ai.provider.name`, `prompt_tokens` → `input_tokens`, `completion_tokens` → `output_tokens`); record content with the opt-in `gen_ai.input.messages`/`gen_ai.output.messages`.',
  },
  span({ span, keys, infos, keyFlags }) {
    let out: Facts[] | undefined;
    const a = span.attributes;
    if (keyFlags & KEY_DEPRECATED) {
      let families: Set<string> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const d = infos[i]!.deprecated;
        if (d === undefined) continue;
        const k = keys[i]!;
        if (d.key === k) {
          (out ??= []).push(d.replacement !== null && present(a, d.replacement) ? d.factsReplaced : d.facts);
        } else if (!(families ??= new Set()).has(d.key)) {
          // Indexed families (`gen_ai.prompt.0.content`): one finding per family, not per index.
          families.add(d.key);
          (out ??= []).push(d.facts);
        }
      }
    }
    for (const key of PROVIDER_KEYS) {
      const v = a[key];
      if (typeof v === 'string' && v in DEPRECATED_PROVIDER_VALUES) {
        const memoKey = `${key}\0${v}`;
        (out ??= []).push(values.get(memoKey) ?? values.put(memoKey, { what: 'value', key, value: v, replacement: DEPRECATED_PROVIDER_VALUES[v]! }));
      }
    }
    if (span.events.length) {
      const seen = new Set<string>();
      for (const e of span.events) {
        const replacement = DEPRECATED_EVENTS[e.name];
        if (replacement !== undefined && !seen.has(e.name)) {
          seen.add(e.name);
          (out ??= []).push(events.get(e.name) ?? events.put(e.name, { what: 'event', event: e.name, replacement }));
        }
      }
    }
    return out;
  },
};

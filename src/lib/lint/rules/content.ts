/**
 * Captured prompt and completion content (privacy). The key list is the one the rest of
 * llmtrace uses (CONTENT_KEYS / isContentKey in src/lib/genai/conventions.ts); deprecated GenAI
 * events (`gen_ai.user.message`, `gen_ai.choice`, …) carry their text in a `content` or
 * `message` attribute, which is checked on those events only.
 */
import { DEPRECATED_EVENTS } from '../../genai/conventions.js';
import { FactsMemo, codesKey, listKey } from '../facts-memo.js';
import { KEY_CONTENT, keyInfo } from '../keys.js';
import type { RuleDef, RuleFacts } from '../types.js';

type Facts = RuleFacts['content-captured'];

/** Shared facts (facts-memo.ts): an instrumentation captures the same keys on every span. */
const memo = new FactsMemo<Facts>();

const EVENT_CONTENT_KEYS = new Set(['content', 'message', 'tool_calls']);

export const contentCaptured: RuleDef<'content-captured'> = {
  id: 'content-captured',
  defaultSeverity: 'warn',
  description: 'spans do not capture prompt or completion content',
  docs: {
    checks: 'A span (or one of its events) carries prompt, completion, system-instruction or tool-argument content: `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`, `gen_ai.tool.call.arguments`/`result`, `gen_ai.retrieval.query.text`/`documents`, the deprecated `gen_ai.prompt.*`/`gen_ai.completion.*`, and the vendor equivalents (`input.value`, `llm.input_messages.*`, `ai.prompt`, `ai.response.text`, `traceloop.entity.input`, …). One finding per span, listing the keys.',
    why: 'Content is opt-in in the conventions because it is likely to contain personal data and secrets; captured in production it lands in every trace backend, log archive and CI artifact. Turn this rule off only where capture is a deliberate, reviewed choice.',
    fix: 'Disable content capture in production (e.g. `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false`, `traceContent: false` for OpenLLMetry, `recordInputs/recordOutputs: false` in the Vercel AI SDK), or redact it in a span processor or the Collector.',
  },
  span({ span, keys, infos, keyFlags }) {
    let found: string[] | undefined;
    const codes: number[] = [];
    if (keyFlags & KEY_CONTENT) {
      for (let i = 0; i < keys.length; i++) {
        if (infos[i]!.content) {
          (found ??= []).push(keys[i]!);
          codes.push(infos[i]!.code);
        }
      }
    }
    let eventKeys: string[] | undefined;
    for (const e of span.events) {
      const deprecated = DEPRECATED_EVENTS[e.name] !== undefined;
      for (const k of Object.keys(e.attributes)) {
        if (keyInfo(k).content || (deprecated && EVENT_CONTENT_KEYS.has(k))) {
          const label = `${e.name}:${k}`;
          if (!(eventKeys ??= []).includes(label)) eventKeys.push(label);
        }
      }
    }
    if (found === undefined && eventKeys === undefined) return undefined;
    const make = (): Facts => ({ keys: found ?? [], eventKeys: eventKeys ?? [] });
    // Keyed by the codes of the keys found (facts-memo.ts), and the event labels after a NUL.
    let memoKey = codesKey(codes);
    if (memoKey === undefined) return make();
    if (eventKeys !== undefined) {
      const labels = listKey(eventKeys);
      if (labels === undefined) return make();
      memoKey += `\0${labels}`;
    }
    return memo.get(memoKey) ?? memo.put(memoKey, make());
  },
};

/**
 * Per attribute key facts the span rules ask for on every span (content? deprecated? GenAI?),
 * memoized: a dump repeats a few hundred distinct keys millions of times, so each key is
 * classified once. The memo is bounded so pathological inputs (unique keys) cannot grow it.
 *
 * The span linter ORs the flags of a span's keys once (SpanInput.keyFlags), so a rule can skip
 * a span that has no key of its kind without looking at any attribute.
 */
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  DEPRECATED_KEYS,
  DEPRECATED_PREFIXES,
  INPUT_KEYS,
  OUTPUT_KEYS,
  REASONING_KEYS,
  TOTAL_KEYS,
  inIndexedFamily,
  isContentKey,
} from '../genai/conventions.js';
import { CODE_LIMIT, share } from './facts-memo.js';
import type { RuleFacts } from './types.js';

/** Any `gen_ai.*` key, current or deprecated. */
export const KEY_GENAI = 1;
/** Prompt/completion content (CONTENT_KEYS). */
export const KEY_CONTENT = 2;
/** A deprecated key (KeyInfo.deprecated says which). */
export const KEY_DEPRECATED = 4;
/** A key some convention writes a token count under (TOKEN_KEYS). */
export const KEY_TOKENS = 8;
/** A key of a vendor convention (VENDOR_PREFIXES). */
export const KEY_VENDOR = 16;

type AttributeFacts = Extract<RuleFacts['deprecated-attribute'], { what: 'attribute' }>;

export interface KeyInfo {
  /** KEY_* bits. */
  flags: number;
  /** A number for the key in memo keys (facts-memo.ts codesKey); -1 when the key has none. */
  code: number;
  /** Prompt/completion content (CONTENT_KEYS). */
  content: boolean;
  /**
   * Deprecated: the key as reported (`gen_ai.prompt.*` for an indexed family) and its
   * replacement, with the rule's facts built once (shared) for either state of the replacement.
   */
  deprecated?: { key: string; replacement: string | null; facts: AttributeFacts; factsReplaced: AttributeFacts };
}

/** Every key any convention writes a token count under, once (rules/values.ts checks them). */
export const TOKEN_KEYS: readonly string[] = [
  ...new Set([...INPUT_KEYS, ...OUTPUT_KEYS, ...CACHE_READ_KEYS, ...CACHE_WRITE_KEYS, ...REASONING_KEYS].map(([k]) => k).concat(TOTAL_KEYS)),
];

/** Key prefixes of the vendor conventions llmtrace understands (conventions.md). */
export const VENDOR_PREFIXES: readonly string[] = ['openinference.', 'llm.', 'embedding.', 'tool.', 'agent.', 'ai.', 'traceloop.', 'langfuse.'];

/** A memoized key's code is its place in the memo, from 1 (never NUL), below CODE_LIMIT. */
const MEMO_LIMIT = CODE_LIMIT - 1;
const memo = new Map<string, KeyInfo>();
const PREFIXES = Object.keys(DEPRECATED_PREFIXES);
const TOKENS = new Set(TOKEN_KEYS);

function deprecation(key: string, replacement: string | null): KeyInfo['deprecated'] {
  const facts = (replacementPresent: boolean): AttributeFacts => share({ what: 'attribute', key, replacement, replacementPresent });
  return { key, replacement, facts: facts(false), factsReplaced: facts(true) };
}

function classifyKey(key: string): KeyInfo {
  const genAi = key.startsWith('gen_ai.');
  let deprecated: KeyInfo['deprecated'];
  if (genAi) {
    if (key in DEPRECATED_KEYS) deprecated = deprecation(key, DEPRECATED_KEYS[key] ?? null);
    else {
      const prefix = PREFIXES.find((p) => inIndexedFamily(key, p));
      if (prefix !== undefined) deprecated = deprecation(`${prefix}*`, DEPRECATED_PREFIXES[prefix] ?? null);
    }
  }
  const content = isContentKey(key);
  const flags =
    (genAi ? KEY_GENAI : 0) |
    (content ? KEY_CONTENT : 0) |
    (deprecated ? KEY_DEPRECATED : 0) |
    (TOKENS.has(key) ? KEY_TOKENS : 0) |
    (VENDOR_PREFIXES.some((p) => key.startsWith(p)) ? KEY_VENDOR : 0);
  return deprecated ? { flags, code: -1, content, deprecated } : { flags, code: -1, content };
}

export function keyInfo(key: string): KeyInfo {
  let info = memo.get(key);
  if (info === undefined) {
    info = classifyKey(key);
    if (memo.size < MEMO_LIMIT) {
      info.code = memo.size + 1;
      memo.set(key, info);
    }
  }
  return info;
}

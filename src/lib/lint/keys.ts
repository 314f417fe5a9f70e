/**
 * Per attribute key facts the span rules ask for on every span (content? deprecated? GenAI?),
 * memoized: a dump repeats a few hundred distinct keys millions of times, so each key is
 * classified once. The memo is bounded so pathological inputs (unique keys) cannot grow it.
 */
import { DEPRECATED_KEYS, DEPRECATED_PREFIXES, isContentKey } from '../genai/conventions.js';

export interface KeyInfo {
  /** Any `gen_ai.*` key, current or deprecated. */
  genAi: boolean;
  /** Prompt/completion content (CONTENT_KEYS). */
  content: boolean;
  /** Deprecated: the key as reported (`gen_ai.prompt.*` for an indexed family) and its replacement. */
  deprecated?: { key: string; replacement: string | null };
}

const MEMO_LIMIT = 20_000;
const memo = new Map<string, KeyInfo>();
const PREFIXES = Object.keys(DEPRECATED_PREFIXES);

function classifyKey(key: string): KeyInfo {
  const genAi = key.startsWith('gen_ai.');
  let deprecated: KeyInfo['deprecated'];
  if (genAi) {
    if (key in DEPRECATED_KEYS) deprecated = { key, replacement: DEPRECATED_KEYS[key] ?? null };
    else {
      const prefix = PREFIXES.find((p) => key.startsWith(p));
      if (prefix !== undefined) deprecated = { key: `${prefix}*`, replacement: DEPRECATED_PREFIXES[prefix] ?? null };
    }
  }
  return deprecated ? { genAi, content: isContentKey(key), deprecated } : { genAi, content: isContentKey(key) };
}

export function keyInfo(key: string): KeyInfo {
  let info = memo.get(key);
  if (info === undefined) {
    info = classifyKey(key);
    if (memo.size < MEMO_LIMIT) memo.set(key, info);
  }
  return info;
}

import { KNOWN_PROVIDERS, PROVIDER_ALIASES } from './conventions.js';

/** Raw value → normalized provider. Providers are few, so a small cache saves the string work. */
const cache = new Map<string, string | undefined>();
const CACHE_LIMIT = 2048;

/**
 * Normalize a provider string from any convention to a `gen_ai.provider.name` value:
 * - deprecated `gen_ai.system` values are renamed (vertex_ai → gcp.vertex_ai, gemini →
 *   gcp.gemini, az.ai.inference → azure.ai.inference, az.ai.openai → azure.ai.openai,
 *   xai → x_ai; conventions.md "Deprecated keys");
 * - Vercel `ai.model.provider` (`openai.chat`, `anthropic.messages`, `google.vertex.chat`) keeps
 *   the longest dot-prefix that is a known provider or alias, so `aws.bedrock`,
 *   `azure.ai.openai`, `gcp.*` and `ibm.watsonx.ai` stay whole; an unknown dotted value keeps
 *   the part before its first dot;
 * - case is folded (`OpenAI` → `openai`).
 */
export function normalizeProvider(raw: string): string | undefined {
  const hit = cache.get(raw);
  if (hit !== undefined || cache.has(raw)) return hit;
  const result = resolve(raw.trim().toLowerCase());
  if (cache.size < CACHE_LIMIT) cache.set(raw, result);
  return result;
}

function resolve(t: string): string | undefined {
  if (t === '') return undefined;
  const known = lookup(t);
  if (known !== undefined) return known;
  let i = t.lastIndexOf('.');
  if (i <= 0) return t;
  while (i > 0) {
    const found = lookup(t.slice(0, i));
    if (found !== undefined) return found;
    i = t.lastIndexOf('.', i - 1);
  }
  const first = t.slice(0, t.indexOf('.'));
  return first === '' ? t : first;
}

function lookup(t: string): string | undefined {
  const alias = PROVIDER_ALIASES[t];
  if (alias !== undefined) return alias;
  return KNOWN_PROVIDERS.has(t) ? t : undefined;
}

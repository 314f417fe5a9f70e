/**
 * LiteLLM's `model_prices_and_context_window.json`, accepted as is: one object keyed by model id
 * (`gpt-4o`, `azure/gpt-4o`, `us.anthropic.claude-…-v1:0`, `vertex_ai/claude-…@…`), prices in
 * USD per token. Entries without token prices (images, audio per second, `sample_spec`) are
 * skipped; a token price that is not a non-negative number is an error naming the key.
 */
import type { PriceEntry, RawPrice, Tier } from './types.js';
import { describe, isObject, nonNegative, parseRates, pricingError } from './validate.js';

const BASE = {
  input: 'input_cost_per_token',
  output: 'output_cost_per_token',
  cacheRead: 'cache_read_input_token_cost',
  cacheWrite: 'cache_creation_input_token_cost',
  reasoning: 'output_cost_per_reasoning_token',
} as const;

/** `input_cost_per_token_above_200k_tokens` and its siblings: a tier for the whole call. */
const TIER_RE = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;
const TIER_FIELD: Record<string, keyof RawPrice> = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
};

/** Detected by shape: LiteLLM's `sample_spec`, or model objects with per-token prices. */
export function isLiteLlmShape(doc: unknown): doc is Record<string, unknown> {
  if (!isObject(doc)) return false;
  if (isObject(doc.sample_spec)) return true;
  let seen = 0;
  for (const v of Object.values(doc)) {
    if (isObject(v) && ('litellm_provider' in v || BASE.input in v || BASE.output in v)) return true;
    if (++seen >= 50) break;
  }
  return false;
}

/** USD per token → USD per 1M tokens, without float noise (2.5e-6 → 2.5). */
function perMillion(v: number): number {
  return Number((v * 1e6).toPrecision(12));
}

export function parseLiteLlm(doc: Record<string, unknown>, label: string): PriceEntry[] {
  const out: PriceEntry[] = [];
  for (const [key, v] of Object.entries(doc)) {
    if (key === 'sample_spec') continue;
    const where = `models[${JSON.stringify(key)}]`;
    if (!isObject(v)) throw pricingError(label, where, `expected a model object, got ${describe(v)}`);
    if (v[BASE.input] === undefined && v[BASE.output] === undefined) continue; // not priced per token
    const get = (field: string): number | undefined =>
      v[field] === undefined || v[field] === null ? undefined : perMillion(nonNegative(label, `${where}.${field}`, v[field]));
    const base: RawPrice = { input: get(BASE.input) ?? 0, output: get(BASE.output) ?? 0 };
    for (const k of ['cacheRead', 'cacheWrite', 'reasoning'] as const) {
      const p = get(BASE[k]);
      if (p !== undefined) base[k] = p;
    }
    const rates = parseRates(label, where, base as unknown as Record<string, unknown>);
    const entry: PriceEntry = { name: key, layer: label, points: [{ rates, tiers: tiersOf(v, base, get, label, where) }], aliases: [] };
    if (typeof v.litellm_provider === 'string') entry.provider = v.litellm_provider;
    out.push(entry);
  }
  return out;
}

function tiersOf(
  v: Record<string, unknown>,
  base: RawPrice,
  get: (field: string) => number | undefined,
  label: string,
  where: string,
): Tier[] {
  const byThreshold = new Map<number, Partial<RawPrice>>();
  for (const field of Object.keys(v)) {
    const m = TIER_RE.exec(field);
    if (!m) continue;
    const price = get(field);
    if (price === undefined) continue;
    const above = Number(m[2]) * 1000;
    let t = byThreshold.get(above);
    if (!t) byThreshold.set(above, (t = {}));
    t[TIER_FIELD[m[1]!]!] = price;
  }
  const tiers: Tier[] = [];
  for (const [above, t] of byThreshold) {
    const input = t.input ?? base.input;
    const output = t.output ?? base.output;
    // A tier that lists no cache price: scale the base cache price like the input price
    // (LiteLLM omits them for some models whose cache price doubles with the input price).
    const scale = base.input > 0 ? input / base.input : 1;
    const raw: RawPrice = {
      input,
      output,
      cacheRead: t.cacheRead ?? (base.cacheRead === undefined ? input : Number((base.cacheRead * scale).toPrecision(12))),
      cacheWrite: t.cacheWrite ?? (base.cacheWrite === undefined ? input : Number((base.cacheWrite * scale).toPrecision(12))),
    };
    if (base.reasoning !== undefined) raw.reasoning = base.reasoning;
    tiers.push({ above, rates: parseRates(label, `${where} (above ${above / 1000}k)`, raw as unknown as Record<string, unknown>) });
  }
  return tiers.sort((a, b) => a.above - b.above);
}

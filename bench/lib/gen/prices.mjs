/**
 * The generator's own prices and cost formula, so the USD total of `llmtrace cost` is checked
 * against a number computed without llmtrace's code. The prices (USD per 1M tokens) are data
 * copied from llmtrace's built-in table (src/lib/cost/builtin-prices.ts, as of 2025-11-24) for
 * the entries the catalog's models are reported under; the rules are docs/architecture.md "Pricing":
 * cacheRead and cacheWrite default to input, reasoning to output; a tier prices the whole call
 * when its input tokens (cached included) exceed `above`; a dated list is chosen by the call's
 * start (since inclusive, until exclusive).
 *
 * Money is kept exact, in BigInt picodollars (1e-12 USD): each price here is a whole number of
 * picodollars per token, so a total over a million calls has no rounding at all.
 */
import { MODELS } from './catalog.mjs';

/** Entry name (as the report shows it) → price, or a dated list of prices. */
export const PRICES = {
  'gpt-4o': [
    { until: '2024-10-02', input: 5, output: 15 },
    { input: 2.5, output: 10, cacheRead: 1.25 },
  ],
  'gpt-4o-2024-08-06': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  // Anthropic: cache reads 0.1× input, 5-minute cache writes 1.25× input.
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, tiers: [{ above: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5 }] },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cacheRead: 0.125, tiers: [{ above: 200_000, input: 2.5, output: 15, cacheRead: 0.25 }] },
  'mistral-large': { input: 2, output: 6 },
  // meta-llama/Llama-3.1-70B-Instruct (self-hosted) has no price: unpriced, never $0.
};

const RATE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'];

/** USD per 1M tokens → BigInt picodollars per token (refuses a price that is not whole there). */
function picoPerToken(usdPerMillion) {
  const pico = Math.round(usdPerMillion * 1e6);
  if (Math.abs(usdPerMillion * 1e6 - pico) > 1e-6) throw new Error(`price ${usdPerMillion} is not a whole number of picodollars per token`);
  return BigInt(pico);
}

/** A written price with its defaults filled in, in picodollars per token. */
function resolveRates(p) {
  const usd = { input: p.input, output: p.output, cacheRead: p.cacheRead ?? p.input, cacheWrite: p.cacheWrite ?? p.input, reasoning: p.reasoning ?? p.output };
  return Object.fromEntries(RATE_KEYS.map((k) => [k, picoPerToken(usd[k])]));
}

/** 'YYYY-MM-DD' (00:00 UTC) or an RFC 3339 time → epoch µs, as the generator's clock counts. */
const dateUs = (s) => Date.parse(/T/.test(s) ? s : `${s}T00:00:00Z`) * 1000;

/** Entry name → list of { sinceUs, untilUs, rates, tiers: [{ above, rates }] ascending }. */
const RESOLVED = new Map(
  Object.entries(PRICES).map(([name, written]) => [
    name,
    (Array.isArray(written) ? written : [written]).map((p) => ({
      sinceUs: p.since === undefined ? -Infinity : dateUs(p.since),
      untilUs: p.until === undefined ? Infinity : dateUs(p.until),
      rates: resolveRates(p),
      tiers: (p.tiers ?? []).map((t) => ({ above: t.above, rates: resolveRates(t) })).sort((a, b) => a.above - b.above),
    })),
  ]),
);

/** Is there a price for this entry (else its calls are unpriced)? */
export const isPriced = (entry) => RESOLVED.has(entry);

/**
 * The cost of one call in picodollars, or null when unpriced. Usage follows the OTel rule
 * (input includes cached tokens, output includes reasoning), so the cached and reasoning parts
 * come out of input and output before they are priced at their own rates:
 *   (input − cacheRead − cacheWrite)·input + cacheRead·cacheRead + cacheWrite·cacheWrite
 *   + (output − reasoning)·output + reasoning·reasoning
 */
export function callCostPico(entry, usage, startUs) {
  const points = RESOLVED.get(entry);
  if (!points) return null;
  const point = points.find((p) => startUs >= p.sinceUs && startUs < p.untilUs);
  if (!point) return null;
  let rates = point.rates;
  for (const t of point.tiers) if (usage.input > t.above) rates = t.rates;
  const plainInput = usage.input - usage.cacheRead - usage.cacheWrite;
  const plainOutput = usage.output - usage.reasoning;
  if (plainInput < 0 || plainOutput < 0) throw new Error(`generator wrote inconsistent usage ${JSON.stringify(usage)}`);
  const n = BigInt;
  return n(plainInput) * rates.input + n(usage.cacheRead) * rates.cacheRead + n(usage.cacheWrite) * rates.cacheWrite + n(plainOutput) * rates.output + n(usage.reasoning) * rates.reasoning;
}

/** Picodollars → USD: the double nearest the exact decimal (no float noise from the sum). */
export function picoToUsd(pico) {
  const sign = pico < 0n ? '-' : '';
  const abs = pico < 0n ? -pico : pico;
  return Number(`${sign}${abs / 10n ** 12n}.${String(abs % 10n ** 12n).padStart(12, '0')}`);
}

// Every model the catalog can report must be priced here or be known as unpriced.
for (const [id, m] of Object.entries(MODELS)) {
  for (const entry of new Set([m.entry, m.requestEntry ?? m.entry])) {
    if (!isPriced(entry) && entry !== id) throw new Error(`prices.mjs: no price for ${entry} (model ${id})`);
  }
}

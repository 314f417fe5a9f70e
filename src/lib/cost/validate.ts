/** Validation helpers shared by the pricing-file parsers: errors name file, key and field. */
import { LlmtraceError } from '../errors.js';
import type { Rates } from './types.js';

/** Thrown for a malformed pricing file: exit 2, naming file, key and field. */
export function pricingError(label: string, where: string, problem: string): LlmtraceError {
  return new LlmtraceError(
    `${label}: ${where}${where ? ': ' : ''}${problem}`,
    'see the pricing file format in the README (llmtrace cost --help), or pass LiteLLM\'s model_prices_and_context_window.json',
    2,
  );
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function nonNegative(label: string, where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw pricingError(label, where, `expected a non-negative number, got ${describe(v)}`);
  }
  return v;
}

/**
 * USD per 1M tokens above which a price is a mistake ($1 a token; the dearest real price is under
 * $1,000 per 1M): a garbage price such as 1e308 made costs of $∞, `NaN%` shares and a JSON
 * `"cost": null`, which reads as unpriced.
 */
export const MAX_PRICE_PER_MILLION = 1_000_000;

function price(label: string, where: string, v: unknown): number {
  const p = nonNegative(label, where, v);
  if (p > MAX_PRICE_PER_MILLION) throw pricingError(label, where, `a price of ${p} USD per 1M tokens is above ${MAX_PRICE_PER_MILLION.toLocaleString('en-US')}: not a real price`);
  return p;
}

/** Prices with their defaults (docs/architecture.md "Pricing"): cache prices default to input, reasoning to output. */
export function parseRates(label: string, where: string, o: Record<string, unknown>): Rates {
  const input = price(label, `${where}.input`, o.input);
  const output = price(label, `${where}.output`, o.output);
  const opt = (k: 'cacheRead' | 'cacheWrite' | 'reasoning', dflt: number) =>
    o[k] === undefined ? dflt : price(label, `${where}.${k}`, o[k]);
  return { input, output, cacheRead: opt('cacheRead', input), cacheWrite: opt('cacheWrite', input), reasoning: opt('reasoning', output) };
}


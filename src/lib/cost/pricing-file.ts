/**
 * Pricing files → validated PriceEntry lists. Two shapes, told apart by content:
 * - llmtrace's format (docs/architecture.md "Pricing") `{ "currency": "USD", "models": { name: price | [dated prices] } }`;
 * - LiteLLM's `model_prices_and_context_window.json` (./litellm.ts), accepted as is.
 * Mistakes are errors, not guesses: a typo such as `cache_read` would otherwise price cached
 * tokens at the input price without a word. Messages name the file, the model key and the field.
 */
import { isLiteLlmShape, parseLiteLlm } from './litellm.js';
import type { PriceEntry, PricePoint, Tier } from './types.js';
import { describe, isObject, nonNegative, parseRates, pricingError } from './validate.js';
import { parseInstant } from './window.js';

const PRICE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;
const INFO_KEYS = ['aliases', 'match', 'provider', 'source'] as const;
const POINT_KEYS = new Set<string>([...PRICE_KEYS, ...INFO_KEYS, 'since', 'until', 'tiers']);
const TIER_KEYS = new Set<string>([...PRICE_KEYS, 'above']);
const TOP_KEYS = new Set(['currency', 'models', 'asOf', 'source', 'description']);

/** Any pricing document (already JSON-parsed) → entries, in file order. */
export function parsePricingDocument(doc: unknown, label: string): PriceEntry[] {
  if (isObject(doc) && 'models' in doc) return parseDesignFile(doc, label);
  if (isLiteLlmShape(doc)) return parseLiteLlm(doc, label);
  throw pricingError(
    label,
    '',
    'not a pricing file: expected {"currency": "USD", "models": {…}} or LiteLLM\'s model_prices_and_context_window.json',
  );
}

function parseDesignFile(doc: Record<string, unknown>, label: string): PriceEntry[] {
  for (const k of Object.keys(doc)) {
    if (!TOP_KEYS.has(k) && !k.startsWith('$')) throw pricingError(label, k, `unknown field (expected ${[...TOP_KEYS].join(', ')})`);
  }
  if (doc.currency !== undefined && doc.currency !== 'USD') {
    throw pricingError(label, 'currency', `only "USD" is supported, got ${describe(doc.currency)}`);
  }
  if (!isObject(doc.models)) throw pricingError(label, 'models', `expected an object of model prices, got ${describe(doc.models)}`);
  const entries = Object.entries(doc.models).map(([name, raw]) => parseModel(label, name, raw));
  // An alias two entries claim would price by key order, silently: a copy-paste mistake, refused
  // like an unknown field. (Across files the later file wins: that is layering, not ambiguity.)
  const aliasOf = new Map<string, string>();
  for (const e of entries) {
    for (const a of e.aliases) {
      const other = aliasOf.get(a);
      if (other !== undefined && other !== e.name) throw pricingError(label, `models[${JSON.stringify(e.name)}].aliases`, `${JSON.stringify(a)} is already an alias of ${JSON.stringify(other)}`);
      aliasOf.set(a, e.name);
    }
  }
  return entries;
}

function parseModel(label: string, name: string, raw: unknown): PriceEntry {
  const at = `models[${JSON.stringify(name)}]`;
  if (name.trim() === '') throw pricingError(label, at, 'a model key must not be empty');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw pricingError(label, at, 'a dated price list must not be empty');
  const entry: PriceEntry = { name, layer: label, points: [], aliases: [] };
  list.forEach((el, i) => {
    const where = Array.isArray(raw) ? `${at}[${i}]` : at;
    if (!isObject(el)) throw pricingError(label, where, `expected a price object, got ${describe(el)}`);
    for (const k of Object.keys(el)) {
      if (!POINT_KEYS.has(k)) throw pricingError(label, `${where}.${k}`, `unknown field (expected ${[...POINT_KEYS].join(', ')})`);
    }
    entry.points.push(parsePoint(label, where, el));
    readInfo(label, where, el, entry);
  });
  return entry;
}

function parsePoint(label: string, where: string, el: Record<string, unknown>): PricePoint {
  const point: PricePoint = { rates: parseRates(label, where, el), tiers: [] };
  for (const k of ['since', 'until'] as const) {
    if (el[k] === undefined) continue;
    const ms = typeof el[k] === 'string' ? parseInstant(el[k]) : undefined;
    if (ms === undefined) throw pricingError(label, `${where}.${k}`, `expected a date (YYYY-MM-DD) or an RFC 3339 time, got ${describe(el[k])}`);
    point[k === 'since' ? 'sinceMs' : 'untilMs'] = ms;
  }
  if (point.sinceMs !== undefined && point.untilMs !== undefined && point.sinceMs >= point.untilMs) {
    throw pricingError(label, where, '"since" must be before "until"');
  }
  if (el.tiers !== undefined) {
    if (!Array.isArray(el.tiers)) throw pricingError(label, `${where}.tiers`, `expected a list of tiers, got ${describe(el.tiers)}`);
    point.tiers = el.tiers.map((t, i): Tier => {
      const tw = `${where}.tiers[${i}]`;
      if (!isObject(t)) throw pricingError(label, tw, `expected a tier object, got ${describe(t)}`);
      for (const k of Object.keys(t)) if (!TIER_KEYS.has(k)) throw pricingError(label, `${tw}.${k}`, `unknown field (expected ${[...TIER_KEYS].join(', ')})`);
      return { above: nonNegative(label, `${tw}.above`, t.above), rates: parseRates(label, tw, t) };
    });
    point.tiers.sort((a, b) => a.above - b.above);
    for (let i = 1; i < point.tiers.length; i++) {
      if (point.tiers[i]!.above === point.tiers[i - 1]!.above) throw pricingError(label, `${where}.tiers`, `two tiers above ${point.tiers[i]!.above}`);
    }
  }
  return point;
}

function readInfo(label: string, where: string, el: Record<string, unknown>, entry: PriceEntry): void {
  if (el.aliases !== undefined) {
    if (!Array.isArray(el.aliases) || !el.aliases.every((a) => typeof a === 'string' && a !== '')) {
      throw pricingError(label, `${where}.aliases`, `expected a list of model ids, got ${describe(el.aliases)}`);
    }
    for (const a of el.aliases as string[]) if (!entry.aliases.includes(a)) entry.aliases.push(a);
  }
  if (el.match !== undefined) {
    if (typeof el.match !== 'string' || el.match === '') throw pricingError(label, `${where}.match`, `expected a regular expression string, got ${describe(el.match)}`);
    try {
      entry.match = new RegExp(el.match);
    } catch (e) {
      throw pricingError(label, `${where}.match`, `invalid regular expression: ${(e as Error).message}`);
    }
  }
  for (const k of ['provider', 'source'] as const) {
    if (el[k] === undefined) continue;
    if (typeof el[k] !== 'string') throw pricingError(label, `${where}.${k}`, `expected a string, got ${describe(el[k])}`);
    entry[k] ??= el[k];
  }
}

/**
 * Pricing types. Two layers: what a pricing file says (RawPricingFile: docs/architecture.md "Pricing", what
 * users write and what the built-in table is written in) and what matching and the math use
 * (PriceEntry: validated, defaults resolved, dates as epoch ms).
 */

/** One price as written: USD per 1M tokens. */
export interface RawPrice {
  input: number;
  output: number;
  /** Defaults to `input`. */
  cacheRead?: number;
  /** Defaults to `input`. */
  cacheWrite?: number;
  /** Defaults to `output` (reasoning billed as output). */
  reasoning?: number;
}

export interface RawTier extends RawPrice {
  /** The tier applies to the whole call when its input tokens (cached included) exceed this. */
  above: number;
}

/** Fields that describe the model rather than a price; allowed on the entry or any dated element. */
export interface RawModelInfo {
  aliases?: string[];
  match?: string;
  provider?: string;
  /** Where the price was taken from (page and date): shown by --pricing-info. */
  source?: string;
}

export interface RawPricePoint extends RawPrice, RawModelInfo {
  /** Inclusive start (YYYY-MM-DD = 00:00 UTC, or an RFC 3339 time). */
  since?: string;
  /** Exclusive end. */
  until?: string;
  tiers?: RawTier[];
}

export type RawModel = RawPricePoint | RawPricePoint[];

export interface RawPricingFile {
  currency?: 'USD';
  asOf?: string;
  source?: string;
  models: Record<string, RawModel>;
}

/** Resolved prices, USD per 1M tokens. */
export interface Rates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface Tier {
  above: number;
  rates: Rates;
}

export interface PricePoint {
  /** Inclusive, epoch ms; undefined = since always. */
  sinceMs?: number;
  /** Exclusive, epoch ms; undefined = still valid. */
  untilMs?: number;
  rates: Rates;
  /** Sorted by `above`, ascending. */
  tiers: Tier[];
}

export interface PriceEntry {
  name: string;
  /** `built-in`, or the pricing file / URL it came from. */
  layer: string;
  /** Dated prices in file order; a single undated price is a list of one. */
  points: PricePoint[];
  aliases: string[];
  match?: RegExp;
  provider?: string;
  source?: string;
}

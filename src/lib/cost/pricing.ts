/**
 * The pricing API other commands reuse (`tree`, the live `tail` view): load the layered price
 * table once, then price each span's usage with `priceCall`.
 */
import { resolveStoreDir } from '../store/layout.js';
import { BUILTIN_PRICING } from './builtin-prices.js';
import { PriceBook, type PriceLayer } from './pricebook.js';
import { tellOverlap } from './match.js';
import { parsePricingDocument } from './pricing-file.js';
import { readPricingSource } from './pricing-source.js';

export { PriceBook, priceCall, type PricedCall } from './pricebook.js';
export type { PriceEntry } from './types.js';

export const BUILTIN_LABEL = 'built-in';

export interface LoadPricingOptions {
  /** `--pricing` files or http(s) URLs, in order: later ones override earlier ones. */
  files?: string[];
  /** The built-in table underneath (default true; `--no-builtin-pricing` turns it off). */
  builtin?: boolean;
  /** Store directory for the URL cache (default: --store / LLMTRACE_STORE / ./.llmtrace). */
  storeDir?: string;
  /** Where warnings go (a stale cached URL copy, two `match` patterns of one file matching a model): commands pass their diagnostic writer; library code prints nothing. */
  warn?: (message: string) => void;
  fetchTimeoutMs?: number;
}

let builtinLayer: PriceLayer | undefined;

export function builtinPriceLayer(): PriceLayer {
  builtinLayer ??= { label: BUILTIN_LABEL, entries: parsePricingDocument(BUILTIN_PRICING, BUILTIN_LABEL) };
  return builtinLayer;
}

export async function loadPricing(opts: LoadPricingOptions = {}): Promise<PriceBook> {
  const layers: PriceLayer[] = [];
  if (opts.builtin !== false) layers.push(builtinPriceLayer());
  const warn = opts.warn ?? (() => {});
  const storeDir = opts.storeDir ?? resolveStoreDir(undefined);
  for (const source of opts.files ?? []) {
    layers.push({ label: source, entries: await readPricingSource(source, { storeDir, warn, fetchTimeoutMs: opts.fetchTimeoutMs }) });
  }
  return new PriceBook(layers, tellOverlap(warn));
}

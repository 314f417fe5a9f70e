/** Runs a cost computation in-process the way the command does (sources → report). */
import { loadPricing, type LoadPricingOptions } from '../../src/lib/cost/pricing.js';
import { computeCost, type CostRunOptions } from '../../src/lib/cost/run.js';
import { openSources } from '../../src/lib/sources/open.js';
import { Writable } from 'node:stream';

export const quiet = new Writable({ write: (_c, _e, cb) => cb() });

export async function costOf(files: string[], opts: Partial<CostRunOptions> & { pricing?: LoadPricingOptions } = {}) {
  const book = await loadPricing({ storeDir: '/nonexistent-store', ...opts.pricing });
  const opened = await openSources({ sources: files, diagnostic: () => {} });
  const run = await computeCost(opened, { book, groupBy: ['feature', 'model'], ...opts });
  return { ...run, read: opened.finish() };
}

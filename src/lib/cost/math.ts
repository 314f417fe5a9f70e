/**
 * The cost of one call, pure (docs/architecture.md "Pricing"), USD with prices per 1M tokens:
 *   (input − cacheRead − cacheWrite)·input + cacheRead·cacheRead + cacheWrite·cacheWrite
 *   + (output − reasoning)·output + reasoning·reasoning
 * Usage follows the OTel rule (input includes cached tokens, output includes reasoning), so the
 * cached and reasoning parts are taken out of input and output before they are priced apart.
 */
import type { Usage } from '../genai/types.js';
import type { PriceEntry, PricePoint, Rates } from './types.js';

/** The dated price in force at `startMs` (since inclusive, until exclusive; first in file order). */
export function pointAt(entry: PriceEntry, startMs: number): PricePoint | undefined {
  for (const p of entry.points) {
    if ((p.sinceMs === undefined || startMs >= p.sinceMs) && (p.untilMs === undefined || startMs < p.untilMs)) return p;
  }
  return undefined;
}

/**
 * The price of a call whose start is unknown (span.ts `timeKnown`): the entry's, when it does
 * not depend on the date (every point prices alike and one holds at every date); undefined when
 * it does: no date can be chosen, and 1970's price would be a guess (docs/architecture.md
 * "Unset span times").
 */
export function undatedPoint(entry: PriceEntry): PricePoint | undefined {
  const always = entry.points.find((p) => p.sinceMs === undefined && p.untilMs === undefined);
  if (always === undefined) return undefined;
  const same = (p: PricePoint) => JSON.stringify([p.rates, p.tiers]) === JSON.stringify([always.rates, always.tiers]);
  return entry.points.every(same) ? always : undefined;
}

/** The rates for a call: the highest tier whose `above` its input tokens exceed, for the whole call. */
export function ratesFor(point: PricePoint, inputTokens: number): Rates {
  let rates = point.rates;
  for (const t of point.tiers) {
    if (inputTokens > t.above) rates = t.rates;
    else break;
  }
  return rates;
}

export function callCost(r: Rates, u: Usage): number {
  // Inconsistent counts (cache larger than input) must not produce negative money.
  const plainIn = Math.max(0, u.input - u.cacheRead - u.cacheWrite);
  const plainOut = Math.max(0, u.output - u.reasoning);
  return (
    (plainIn * r.input + u.cacheRead * r.cacheRead + u.cacheWrite * r.cacheWrite + plainOut * r.output + u.reasoning * r.reasoning) /
    1e6
  );
}

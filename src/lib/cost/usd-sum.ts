/**
 * Exact sums of USD amounts, for every command that adds costs (`cost`, `tail`; docs/
 * architecture.md, "Exact USD sums"). An amount becomes two integers, whole micro-dollars and
 * the rest in 1e-12 USD, and a sum adds integers: a total never depends on the order of its
 * amounts, on take-backs, or on how the work was split between threads.
 */

export interface UsdSum {
  micros: number;
  picos: number;
}

const PICOS_PER_MICRO = 1_000_000;
/** Below this, an amount's 1e-12 USD units are exact integers of a double (2^53 / 1e12 ≈ 9,007). */
const EXACT_PICOS_BELOW = 9_000;

export function emptyUsdSum(): UsdSum {
  return { micros: 0, picos: 0 };
}

/**
 * Adds `times` copies of an amount (1; −1 takes one back; a whole number). Prices are per million tokens, so a price
 * with up to six decimals (every table's so far: $0.01875 is the finest) makes a call's cost a
 * whole number of 1e-12 USD: the rounding only takes out the float noise of the division. An
 * amount of $9,000 or more (a reported figure) is held to the micro-dollar, where a double's own
 * precision already ends.
 */
export function addUsd(sum: UsdSum, usd: number, times = 1): void {
  if (Math.abs(usd) < EXACT_PICOS_BELOW) {
    const picos = Math.round(usd * 1e12);
    const micros = Math.floor(picos / PICOS_PER_MICRO);
    sum.micros += times * micros;
    sum.picos += times * (picos - micros * PICOS_PER_MICRO);
  } else sum.micros += times * Math.round(usd * 1e6);
}

/** Adds `from` into `into` (exact, in any order). */
export function addUsdSum(into: UsdSum, from: UsdSum, sign: 1 | -1 = 1): void {
  into.micros += sign * from.micros;
  into.picos += sign * from.picos;
}

/** The sum in USD: the exact integer total, then one rounding to a double. */
export function usdOf(sum: UsdSum): number {
  // Beyond 2^53 micro-dollars ($9e9: a garbage figure, such as a token count of 1e308) nothing
  // is exact any more, not even a double's integers: the float sum then, never a crash.
  if (!Number.isSafeInteger(sum.micros) || !Number.isSafeInteger(sum.picos)) return sum.micros / 1e6 + sum.picos / 1e12;
  // Both parts are exact integers; BigInt joins them exactly.
  const picos = BigInt(sum.micros) * BigInt(PICOS_PER_MICRO) + BigInt(sum.picos);
  return Number(picos) / 1e12;
}

/** a − b in USD, subtracted exactly before the one rounding. */
export function usdDifference(a: UsdSum, b: UsdSum): number {
  return usdOf({ micros: a.micros - b.micros, picos: a.picos - b.picos });
}

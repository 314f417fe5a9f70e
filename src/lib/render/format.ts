/** Number, duration, money and time formatting shared by every renderer. */
import { clipEnd } from './text-width.js';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInt(n: number): string {
  return grouped.format(n);
}

/** Token counts are integers on the wire; a fractional one (bad data) is shown as it is. */
export function formatTokens(n: number): string {
  return Number.isInteger(n) ? grouped.format(n) : String(n);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  // Each unit's cut-off is where its rounding would reach the next unit's size, so 999.7 ms is
  // 1.00s and 1 min 59.6 s is 2m00s, never "1000ms" or "1m60s".
  if (Math.round(a * 1000) < 1000) return `${sign}${Math.round(a * 1000)}µs`;
  if (a < 9.95) return `${sign}${a.toFixed(1)}ms`;
  if (Math.round(a) < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 9_995) return `${sign}${(a / 1000).toFixed(2)}s`;
  if (a < 59_950) return `${sign}${(a / 1000).toFixed(1)}s`;
  const seconds = Math.round(a / 1000);
  if (seconds < 3600) return `${sign}${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  // Agent sessions run for hours: 2h05m reads better than 125m00s.
  const minutes = Math.round(a / 60_000);
  return `${sign}${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** One formatter per number of decimals: `toLocaleString` with options builds one per call. */
const usdFormats = new Map<number, Intl.NumberFormat>();

function usdFormat(decimals: number): Intl.NumberFormat {
  let f = usdFormats.get(decimals);
  if (!f) usdFormats.set(decimals, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
  return f;
}

/** Money with enough decimals to be honest: at least two significant digits below a cent. */
export function formatUsd(v: number): string {
  const a = Math.abs(v);
  // Below what 8 decimals show (float residue of sums): zero, never "-$0.00000000".
  if (a < 5e-9) return '$0.00';
  const decimals = a >= 1 ? 2 : Math.min(8, Math.max(2, 1 - Math.floor(Math.log10(a)) + 1));
  return `${v < 0 ? '-' : ''}$${usdFormat(decimals).format(a)}`;
}

/** `2026-11-22 02:47:20.123 UTC` from epoch milliseconds. */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '?';
  return `${d.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** Plain text cut at the end to `width` terminal columns (wide characters count two). */
export function truncate(s: string, width: number): string {
  return clipEnd(s, width);
}

/** `1 trace`, `2 traces`, `12,480 spans`. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatInt(n)} ${n === 1 ? singular : plural}`;
}

/** The formats gate messages write figures in (cost/gates.ts GateWording), passed by the commands. */
export const figureWords = { usd: formatUsd, tokens: formatTokens, duration: formatDuration };

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
  if (a < 1) return `${sign}${Math.round(a * 1000)}µs`;
  if (a < 1000) return `${sign}${a < 10 ? a.toFixed(1) : Math.round(a)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(a / 60_000);
  const s = Math.round((a % 60_000) / 1000);
  return `${sign}${m}m${String(s).padStart(2, '0')}s`;
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

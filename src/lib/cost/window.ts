/**
 * Time windows for `--since` / `--until` (docs/architecture.md "`cost` and `stats` reports"): durations back from now (`30m`,
 * `24h`, `7d`, `1h30m`), dates (`2026-11-01`, midnight UTC) and RFC 3339 times. The clock is a
 * parameter, so tests (and reproducible CI reports, via LLMTRACE_NOW) can fix "now".
 * A window is [since, until): since inclusive, until exclusive, compared with a call's start.
 */

export type TimeSpec = { kind: 'ago'; ms: number; text: string } | { kind: 'at'; ms: number; text: string };

export interface TimeWindow {
  sinceMs?: number;
  untilMs?: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?$/;

/**
 * A date (midnight UTC) or an RFC 3339 time as epoch ms; undefined when `text` is neither.
 * A time without an offset is read as UTC, like everything else llmtrace prints.
 */
export function parseInstant(text: string): number | undefined {
  const d = DATE_RE.exec(text);
  if (d) return validDate(+d[1]!, +d[2]!, +d[3]!, 0, 0, 0, 0, 0);
  const t = TIME_RE.exec(text);
  if (!t) return undefined;
  let offsetMin = 0;
  const zone = t[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const hh = +zone.slice(1, 3);
    const mm = +zone.slice(4, 6);
    if (hh > 23 || mm > 59) return undefined;
    offsetMin = sign * (hh * 60 + mm);
  }
  const ms = t[7] ? Math.floor(Number(`0${t[7]}`) * 1000) : 0;
  return validDate(+t[1]!, +t[2]!, +t[3]!, +t[4]!, +t[5]!, t[6] ? +t[6] : 0, ms, offsetMin);
}

function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const base = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  // Date.UTC rolls 2026-02-31 over into March: reject what does not round-trip.
  if (new Date(base).getUTCDate() !== d) return undefined;
  return base - offsetMin * 60_000;
}

/** Parses a `--since`/`--until` value; throws an Error with a usage message when invalid. */
export function parseTimeSpec(flag: string, text: string): TimeSpec {
  const v = text.trim();
  if (DURATION_RE.test(v)) {
    let ms = 0;
    for (const m of v.matchAll(PART_RE)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    return { kind: 'ago', ms, text };
  }
  const at = parseInstant(v);
  if (at !== undefined) return { kind: 'at', ms: at, text };
  throw new Error(
    `${flag} must be a duration (30m, 24h, 7d), a date (2026-11-01) or an RFC 3339 time (2026-11-01T12:00:00Z), got ${JSON.stringify(text)}`,
  );
}

/** The earliest time a Date holds (ECMAScript's time range): -271821-04-20T00:00:00Z. */
const EARLIEST_MS = -8.64e15;

/** The window against `nowMs`; throws a usage Error when a duration reaches back before any date. */
export function resolveWindow(since: TimeSpec | undefined, until: TimeSpec | undefined, nowMs: number): TimeWindow {
  const at = (flag: string, s: TimeSpec) => {
    if (s.kind === 'at') return s.ms;
    // Beyond it the window could not be printed or compared (a report's since/until are times).
    if (!(nowMs - s.ms >= EARLIEST_MS)) throw new Error(`${flag} ${s.text} reaches back before the earliest time there is (${new Date(EARLIEST_MS).toISOString()})`);
    return nowMs - s.ms;
  };
  return { sinceMs: since && at('--since', since), untilMs: until && at('--until', until) };
}

/** A window that leaves calls out (`--since` or `--until` given). */
export function bounded(w: TimeWindow): boolean {
  return w.sinceMs !== undefined || w.untilMs !== undefined;
}

export function inWindow(w: TimeWindow, ms: number): boolean {
  return (w.sinceMs === undefined || ms >= w.sinceMs) && (w.untilMs === undefined || ms < w.untilMs);
}

/** "Now" for windows: LLMTRACE_NOW (a date or RFC 3339 time) when set, else the system clock. */
export function clockNow(env: NodeJS.ProcessEnv = process.env, system: () => number = Date.now): number {
  const fixed = env.LLMTRACE_NOW;
  if (fixed === undefined || fixed === '') return system();
  const ms = parseInstant(fixed);
  if (ms === undefined) throw new Error(`LLMTRACE_NOW must be a date or an RFC 3339 time, got ${JSON.stringify(fixed)}`);
  return ms;
}

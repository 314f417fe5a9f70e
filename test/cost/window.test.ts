import { describe, expect, it } from 'vitest';
import { clockNow, inWindow, parseInstant, parseTimeSpec, resolveWindow } from '../../src/lib/cost/window.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('--since / --until', () => {
  it.each([
    ['30m', NOW - 30 * 60_000],
    ['24h', NOW - 86_400_000],
    ['7d', NOW - 7 * 86_400_000],
    ['1h30m', NOW - 90 * 60_000],
    ['2026-11-01', Date.UTC(2026, 10, 1)],
    ['2026-11-01T10:00:00Z', Date.UTC(2026, 10, 1, 10)],
    ['2026-11-01T10:00:00.250+02:00', Date.UTC(2026, 10, 1, 8, 0, 0, 250)],
    ['2026-11-01T10:00', Date.UTC(2026, 10, 1, 10)],
  ])('%s', (text, ms) => {
    expect(resolveWindow(parseTimeSpec('--since', text), undefined, NOW).sinceMs).toBe(ms);
  });

  it.each(['yesterdayish', '24', '-1h', '2026-13-01', '2026-02-30', '2026-11-01T25:00Z', '', 'h'])('rejects %j', (text) => {
    expect(() => parseTimeSpec('--since', text)).toThrow(/--since must be a duration \(30m, 24h, 7d\), a date .* or an RFC 3339 time/);
  });

  it('refuses a duration that reaches back before the earliest time a date can hold', () => {
    // `--since 99999999999999999999d` ended in "unexpected error: Invalid time value" when the report printed the window.
    expect(() => resolveWindow(parseTimeSpec('--since', '99999999999999999999d'), undefined, NOW)).toThrow(/--since 99999999999999999999d reaches back before .*-271821-04-20/);
    expect(() => resolveWindow(undefined, parseTimeSpec('--until', '100100000d'), NOW)).toThrow(/--until 100100000d reaches back before/);
    // The earliest time there is is still a window's start.
    expect(resolveWindow(parseTimeSpec('--since', `${8.64e15 + NOW}ms`), undefined, NOW).sinceMs).toBe(-8.64e15);
  });

  it('is [since, until): since inclusive, until exclusive', () => {
    const w = { sinceMs: 10, untilMs: 20 };
    expect([9, 10, 19, 20].map((ms) => inWindow(w, ms))).toEqual([false, true, true, false]);
  });

  it('takes a fixed now from LLMTRACE_NOW', () => {
    expect(clockNow({ LLMTRACE_NOW: '2026-11-22T12:00:00Z' }, () => 0)).toBe(NOW);
    expect(clockNow({}, () => 42)).toBe(42);
    expect(() => clockNow({ LLMTRACE_NOW: 'soon' })).toThrow(/LLMTRACE_NOW/);
    expect(parseInstant('2025-09-05T16:00:00Z')).toBe(Date.UTC(2025, 8, 5, 16));
  });
});

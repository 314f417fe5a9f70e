/**
 * What the report commands (`cost`, `stats`) do alike around their lib call: flag parsing
 * wrappers, the time window from --since/--until, and the GitHub step summary.
 */
import { InvalidArgumentError } from 'commander';
import { appendFile } from 'node:fs/promises';
import { clockNow, resolveWindow, type TimeSpec, type TimeWindow } from './cost/window.js';
import { LlmtraceError } from './errors.js';
import { toPlain } from './render/terminal.js';

/** Wraps a lib parser that throws Error into commander's usage error (exit 2). */
export function usage<T>(parse: (v: string, prev?: T) => T) {
  return (v: string, prev?: T): T => {
    try {
      return parse(v, prev);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

/** A repeatable option's values. */
export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The window of --since/--until against now (LLMTRACE_NOW or the clock); exit 2 when empty. */
export function windowOf(since: TimeSpec | undefined, until: TimeSpec | undefined): TimeWindow {
  let now: number;
  try {
    now = clockNow();
  } catch (e) {
    throw new LlmtraceError((e as Error).message);
  }
  const window = resolveWindow(since, until, now);
  if (window.sinceMs !== undefined && window.untilMs !== undefined && window.sinceMs >= window.untilMs) {
    throw new LlmtraceError(`--since (${since!.text}) must be before --until (${until!.text})`);
  }
  return window;
}

/** Appends the markdown report to $GITHUB_STEP_SUMMARY when it is set (a warning if it cannot). */
export async function appendStepSummary(markdown: string, warn: (m: string) => void): Promise<void> {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return;
  try {
    await appendFile(summaryFile, toPlain(`${markdown}\n`));
  } catch (e) {
    warn(`warning: cannot append to $GITHUB_STEP_SUMMARY (${summaryFile}): ${(e as Error).message}`);
  }
}

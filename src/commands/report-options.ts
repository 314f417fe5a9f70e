/**
 * What the report commands (`cost`, `stats`) do alike around their lib call: flag parsing
 * wrappers, the options they share, the time window from --since/--until, and the GitHub step
 * summary.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { appendFile } from 'node:fs/promises';
import { commaList } from '../lib/cli-options.js';
import { DEFAULT_FEATURE_KEYS } from '../lib/cost/tracked-keys.js';
import { checkDimension } from '../lib/cost/dimensions.js';
import { clockNow, parseTimeSpec, resolveWindow, type TimeSpec, type TimeWindow } from '../lib/cost/window.js';
import { LlmtraceError, formatProblem, type Problem } from '../lib/errors.js';
import type { SignalInputs } from '../lib/cost/run.js';
import { metricsInputs, readMetricsRequests, type MetricsReadStats } from '../lib/sources/metrics.js';
import type { ReadStats } from '../lib/sources/read.js';
import { plainText } from '../lib/render/terminal.js';

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
  let window: TimeWindow;
  try {
    window = resolveWindow(since, until, clockNow());
  } catch (e) {
    throw new LlmtraceError((e as Error).message);
  }
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
    await appendFile(summaryFile, plainText(`${markdown}\n`));
  } catch (e) {
    warn(`warning: cannot append to $GITHUB_STEP_SUMMARY (${summaryFile}): ${(e as Error).message}`);
  }
}

/** A dimension once: twice made two columns of one name in CSV and one key for both in JSON rows. */
function addDimension(dims: string[], dim: string): string[] {
  if (dims.includes(dim)) throw new Error(`--by: ${dim} is given twice`);
  return [...dims, dim];
}

/** The options `cost` and `stats` share, in this order: the window, the grouping, the feature keys. */
export function windowAndGroupOptions(command: Command, defaultBy: readonly string[]): Command {
  return command
    .option('--since <when>', 'only calls that started at or after: a duration back from now (30m, 24h, 7d), a date or an RFC 3339 time', usage((v) => parseTimeSpec('--since', v)))
    .option('--until <when>', 'only calls that started before this time (same forms as --since)', usage((v) => parseTimeSpec('--until', v)))
    .option('--by <dims>', `group by (comma-separated): model, model.raw, provider, feature, service, agent, operation, day, hour, trace, user, conversation, session, attr:<key> (default ${defaultBy.join(',')})`, usage<string[]>((v, prev) => commaList(v).map(checkDimension).reduce(addDimension, prev ?? [])))
    .option('--feature-key <key>', `attribute naming the feature, tried in order (repeatable; default ${DEFAULT_FEATURE_KEYS.join(', ')})`, collect);
}

/** Problems met while reading logs and metrics files (records or points skipped), as one count. */
export interface SignalProblems {
  report(p: Problem): void;
  count(): number;
}

/**
 * At most 20 printed, each counted once: `stats` reads the metrics files twice (its GenAI metrics
 * and the coding agents' usage), and a bad line met by both readers is one problem. Each remembered
 * text is short (a file, a line, a message), and a flood of distinct ones stops being remembered
 * past 100,000 (then a line met twice may count twice: the count is still never lower).
 */
export function signalProblems(diagnostic: (line: string) => void): SignalProblems {
  const seen = new Set<string>();
  let count = 0;
  return {
    report(p) {
      const text = formatProblem(p);
      if (seen.has(text)) return;
      if (seen.size < 100_000) seen.add(text);
      if (++count <= 20) diagnostic(`llmtrace: ${text}`);
    },
    count: () => count,
  };
}

/**
 * The coding agents' log events and metrics for `cost` and `stats` (cost/signal-usage.ts): the
 * store's logs and metrics files, and the dumps given as sources when the span reader saw such
 * requests in them. Problems go to `problems` (printed at most 20, counted once).
 */
export function agentSignals(
  sources: readonly string[],
  store: string | undefined,
  seen: Pick<ReadStats, 'logsRequests' | 'metricsRequests'>,
  problems: SignalProblems,
): SignalInputs & { read: MetricsReadStats } {
  const read: MetricsReadStats = { inputs: 0, requests: 0, badRecords: 0, unreadableInputs: 0 };
  const onProblem = (p: Problem) => problems.report(p);
  return {
    read,
    onProblem,
    async open() {
      const logs = await metricsInputs(sources, store, seen.logsRequests > 0, 'logs');
      const metrics = await metricsInputs(sources, store, seen.metricsRequests > 0, 'metrics');
      return { logs: readMetricsRequests(logs, onProblem, read), metrics: readMetricsRequests(metrics, onProblem, read) };
    },
  };
}

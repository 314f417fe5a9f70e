/**
 * What commands call to read spans: the given sources, or the local store when none are given.
 * Problems go to `diagnostic` (the command's writer) as one line each (capped), with a summary; the exit decision (2 for
 * unusable input) is returned to the command, which leaves setting it to the CLI layer.
 */
import { access } from 'node:fs/promises';
import { LlmtraceError, formatProblem, type Problem } from '../errors.js';
import { resolveStoreDir } from '../store/layout.js';
import { isClickHouseSource } from './clickhouse/url.js';
import { openClickHouse, type ClickHousePushdown } from './clickhouse/source.js';
import { resolveInputs, storeInputs, type Input, type StoreWindow } from './inputs.js';
import type { StartWindow } from '../store/span-index.js';
import type { MapperSpec } from './mapper.js';
import { workerCount } from '../parallel/pool.js';
import { readMapped } from './mapped.js';
import { newReadStats, readSpanBatches, type ReadStats, type SpanBatch } from './read.js';

export interface OpenSourcesOptions {
  sources: string[];
  store?: string;
  stdin?: NodeJS.ReadableStream;
  /** Takes each problem line; the command passes its terminal writer (sources print nothing themselves). */
  diagnostic: (line: string) => void;
  /** Also read the store's logs files (GenAI log events shown under their span by `tree`). */
  withLogs?: boolean;
  /** How many problem lines to print before summarizing the rest. */
  maxProblemLines?: number;
  /**
   * What the command will keep, for a source that can select it where the data is (ClickHouse:
   * a window, trace ids, the newest N traces, fewer columns). Files are read whole regardless;
   * the command still applies every filter itself.
   */
  pushdown?: ClickHousePushdown;
  /**
   * `cost`/`stats`: the window the command applies. A store read alone then leaves out the trace
   * files that cannot add to it (inputs.ts directoryInputs, docs/architecture.md "Span index").
   */
  window?: StartWindow;
}

export interface CallGroupsSource {
  scopeColumns: boolean;
  selected(): { sql: string; params: Record<string, unknown> };
  rows(query: string, params: Record<string, unknown>, what: string): AsyncGenerator<unknown[]>;
  /** Instead of `mapped`: the spans of the selected traces that `condition` also selects. */
  mappedWhere<C, R>(condition: { sql: string; params: Record<string, unknown> }, spec: MapperSpec<C, R>): AsyncGenerator<R>;
}

export interface OpenedSources {
  batches: AsyncGenerator<SpanBatch>;
  /**
   * Instead of `batches` (read one or the other): each batch mapped to a compact result, large
   * JSON Lines inputs decoded and mapped on worker threads (`LLMTRACE_WORKERS`).
   */
  mapped<C, R>(spec: MapperSpec<C, R>): AsyncGenerator<R>;
  stats: ReadStats;
  /**
   * A ClickHouse source: `cost` may decide calls where the data is (cost/pushdown-sql.ts), and
   * read only the traces it cannot decide there as spans (`mappedWhere`).
   */
  callGroups?: CallGroupsSource;
  /**
   * Problems in the order found, at most MAX_HELD_PROBLEMS at a time: a consumer may take them
   * out as it goes (lint makes each a finding), which makes room for more.
   */
  problems: Problem[];
  /**
   * A ClickHouse source that looked up only the newest N traces (pushdown `newest`) and found N:
   * how many there are in all, for `tree`'s "the newest N of M".
   */
  traceCount?: number;
  /** Problems found while `problems` was full: counted in the summary, but nobody saw them. */
  readonly problemsLeftOut: number;
  fromStore: boolean;
  /** Store trace files left unread under the window: they hold spans, none of which counts in it. */
  unreadStoreFiles: number;
  label: string;
  /**
   * After reading: a one-line summary of problems (or undefined); whether input was unusable (an
   * input could not be read, or nothing was); and whether nothing at all was (then a command
   * prints no report: stdout stays empty).
   */
  finish(): { summary?: string; unusable: boolean; nothingRead: boolean };
}

/**
 * The exit-2 message when inputs could not be read: how many (each was named on stderr above),
 * not the list of every source given, most of which may have been read.
 */
export function unreadableMessage(unreadable: number, leftOut: (them: string) => string): string {
  const n = unreadable > 0 ? `${unreadable} input${unreadable === 1 ? '' : 's'}` : 'some input';
  return `${n} could not be read (named above): ${leftOut(unreadable > 1 ? 'them' : 'it')}`;
}

/** Problems held for a consumer at once: a flood of bad records must not fill the memory. */
const MAX_HELD_PROBLEMS = 10_000;

export async function openSources(opts: OpenSourcesOptions): Promise<OpenedSources> {
  const maxLines = opts.maxProblemLines ?? 20;
  const clickhouse = opts.sources.filter(isClickHouseSource);
  // One database per run, alone: a ClickHouse source is read with the work pushed down to it,
  // which a file beside it could not share (docs/architecture.md, "ClickHouse source").
  if (clickhouse.length && opts.sources.length > 1) {
    throw new LlmtraceError('a clickhouse:// source cannot be combined with other sources in one run', 'run the command once per source; to compare, write each report with --format json');
  }
  let inputs: Input[];
  let fromStore = false;
  let label: string;
  const storeWindow: StoreWindow | undefined = opts.window && { window: opts.window, unreadFiles: 0 };
  if (opts.sources.length) {
    inputs = clickhouse.length ? [] : await resolveInputs(opts.sources, opts.stdin, opts.withLogs, storeWindow);
    label = opts.sources.join(', ');
  } else {
    const dir = resolveStoreDir(opts.store);
    try {
      await access(dir);
    } catch {
      throw new LlmtraceError(
        `no trace sources given and no local store at ${dir}`,
        'run `llmtrace tail` while your app exports traces, or pass files: llmtrace tree dump.jsonl',
      );
    }
    inputs = await storeInputs(dir, opts.withLogs, storeWindow);
    fromStore = true;
    label = dir;
  }
  const stats = newReadStats();
  const problems: Problem[] = [];
  let found = 0;
  let leftOut = 0;
  let printed = 0;
  const onProblem = (p: Problem) => {
    found++;
    if (problems.length < MAX_HELD_PROBLEMS) problems.push(p);
    else leftOut++;
    if (printed < maxLines) {
      opts.diagnostic(`llmtrace: ${formatProblem(p)}`);
      printed++;
    }
  };
  if (clickhouse.length) {
    const reader = await openClickHouse(clickhouse[0]!, opts.pushdown ?? {});
    const batches = reader.read(stats, onProblem);
    return {
      batches,
      // Rows arrive as Spans already (no bytes to decode on worker threads): mapped here.
      mapped: async function* (spec) {
        const map = spec.create(spec.config);
        for await (const b of batches) yield map(b);
      },
      // `cost` decides calls in SQL (docs/architecture.md, "ClickHouse cost pushdown").
      callGroups: !reader.pushdown ? undefined : {
        scopeColumns: reader.pushdown.scopeColumns,
        selected: reader.pushdown.selected,
        rows: reader.pushdown.rows,
        mappedWhere: async function* (condition, spec) {
          const map = spec.create(spec.config);
          for await (const b of reader.pushdown!.readWhere(condition, stats, onProblem)) yield map(b);
        },
      },
      stats,
      problems,
      get problemsLeftOut() {
        return leftOut;
      },
      fromStore: false,
      unreadStoreFiles: 0,
      label: reader.target.label,
      traceCount: reader.traceCount,
      // Every query is done when the command finishes reading: the connection closes.
      finish: () => {
        void reader.close();
        return finish(false);
      },
    };
  }
  const batches = readSpanBatches(inputs, { onProblem, stats });
  return {
    batches,
    mapped: (spec) => readMapped(inputs, { onProblem, stats, workers: workerCount() }, spec),
    stats,
    problems,
    get problemsLeftOut() {
      return leftOut;
    },
    fromStore,
    unreadStoreFiles: storeWindow?.unreadFiles ?? 0,
    label,
    finish: () => finish(inputs.length > 0),
  };

  /**
   * `givenInputs`: files were named, so reading no span from them is unusable input. A database
   * query that selects no span (a window with no calls) is an empty report, not an error.
   */
  function finish(givenInputs: boolean) {
    const total = found;
    let summary: string | undefined;
    if (total > 0) {
      const parts = [`read ${stats.inputs} input${stats.inputs === 1 ? '' : 's'}`, `${stats.spans} spans`];
      if (stats.badRecords) parts.push(`${stats.badRecords} bad record${stats.badRecords === 1 ? '' : 's'} skipped`);
      if (stats.skippedSpans) parts.push(`${stats.skippedSpans} invalid span${stats.skippedSpans === 1 ? '' : 's'} skipped`);
      if (stats.unreadableInputs) parts.push(`${stats.unreadableInputs} unreadable`);
      // With no lines to print (lint), the command shows every problem itself (as findings).
      if (maxLines > 0 && total > printed) parts.push(`${total - printed} more problem${total - printed === 1 ? '' : 's'} not shown`);
      summary = parts.join(', ');
    }
    // Store files left unread under the window hold spans: the input was not empty.
    const noSpans = stats.spans === 0 && !storeWindow?.unreadFiles;
    const unusable = stats.unreadableInputs > 0 || (noSpans && (total > 0 || (!fromStore && givenInputs)));
    return { summary, unusable, nothingRead: unusable && stats.spans === 0 };
  }
}

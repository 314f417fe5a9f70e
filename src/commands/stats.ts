import type { Command } from 'commander';
import { oneOf, outputWidth } from '../lib/cli-options.js';
import { parsePercent, parseRatePercent } from '../lib/cost/gates.js';
import { loadPricing } from '../lib/cost/pricing.js';
import type { TimeSpec } from '../lib/cost/window.js';
import { untoldResendsNote } from '../lib/cost/metric-series.js';
import { skippedFields } from '../lib/cost/report.js';
import { loadConfig } from '../lib/config.js';
import { SETTLE_AFTER_SPANS } from '../lib/cost/attribution.js';
import { LlmtraceError } from '../lib/errors.js';
import { makeColors } from '../lib/render/colors.js';
import { gateLines } from '../lib/render/cost-report.js';
import { outputKind, writeDiagnostic, writeOut } from '../lib/render/output.js';
import { metricsNotes, renderStatsCsv, renderStatsJson, renderStatsMarkdown, renderStatsTable, statsCountingNotes, type StatsView } from '../lib/render/stats-report.js';
import { agentSignals, appendStepSummary, collect, signalProblems, usage, windowAndGroupOptions, windowOf } from './report-options.js';
import { boundHeapGrowth } from '../lib/runtime/heap.js';
import { DEFAULT_MEMORY_BUDGET, formatMemorySize, sizeOption } from '../lib/sizes.js';
import type { Problem } from '../lib/errors.js';
import { figureWords } from '../lib/render/format.js';
import { metricsInputs, readMetricsRequests } from '../lib/sources/metrics.js';
import { openSources, unreadableMessage } from '../lib/sources/open.js';
import { runProjection } from '../lib/cost/projection.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { readStatsBaseline } from '../lib/stats/baseline.js';
import { evaluateStatsGates, parseDurationMs } from '../lib/stats/gates.js';
import { computeStats } from '../lib/stats/run.js';

interface StatsOptions {
  since?: TimeSpec;
  until?: TimeSpec;
  by?: string[];
  featureKey?: string[];
  format: 'table' | 'json' | 'csv' | 'markdown';
  pricing?: string[];
  builtinPricing: boolean;
  maxP95?: number;
  maxTtftP95?: number;
  maxErrorRate?: number;
  maxLengthRate?: number;
  baseline?: string;
  maxIncrease?: number;
  strict?: boolean;
  store?: string;
  memory?: number;
}

const DEFAULT_BY = ['provider', 'model'];

export function register(program: Command): void {
  windowAndGroupOptions(
    program
      .command('stats')
      .description('latency, time to first token, errors and finish reasons per model, with SLO gates for CI')
      .argument('[sources...]', 'trace files (OTLP JSON/JSONL/protobuf, Jaeger, Zipkin, .gz) and OTLP JSON metrics, directories, or - for stdin; default: the local store'),
    DEFAULT_BY,
  )
    .option('-f, --format <format>', 'table, json, csv or markdown', oneOf('--format', ['table', 'json', 'csv', 'markdown'] as const), 'table')
    .option('--pricing <file|url>', 'pricing file or URL: `model` is the matched price entry, as in cost (repeatable)', collect)
    .option('--no-builtin-pricing', 'do not use the built-in price table underneath --pricing files')
    .option('--max-p95 <duration>', 'fail (exit 1) when a row or the total has a latency p95 above this (500ms, 2s, 1m)', usage((v) => parseDurationMs('--max-p95', v)))
    .option('--max-ttft-p95 <duration>', 'fail when a row or the total has a time-to-first-token p95 above this', usage((v) => parseDurationMs('--max-ttft-p95', v)))
    .option('--max-error-rate <percent>', 'fail when a row or the total has more failed calls than this (e.g. 1%)', usage((v) => parseRatePercent('--max-error-rate', v)))
    .option('--max-length-rate <percent>', 'fail when a row or the total has more calls cut off at the token limit than this (e.g. 5%)', usage((v) => parseRatePercent('--max-length-rate', v)))
    .option('--baseline <json>', 'a previous `stats --format json` output, for --max-increase')
    .option('--max-increase <percent>', 'with --baseline: fail when latency p95, TTFT p95, error rate or length rate of the total or a row rose by more than this (relative, e.g. 10%)', usage((v) => parsePercent('--max-increase', v)))
    .option('--strict', 'fail when input records or spans were skipped (the figures would leave them out)')
    .option('--store <dir>', 'local store to read when no source is given (default ./.llmtrace or $LLMTRACE_STORE)')
    .option('--memory <size>', `trace state and values held for percentiles (a quarter of it) before they spill to temporary files under $TMPDIR (results are the same; default ${formatMemorySize(DEFAULT_MEMORY_BUDGET)})`, sizeOption('--memory'))
    .addHelpText(
      'after',
      `
Calls are counted once, exactly as in cost (failed calls without usage too). A call failed when
its status is ERROR, error.type is set, or Langfuse's observation level is ERROR. Percentiles are
nearest-rank: the smallest value with at least p% of the values at or below it, exact at any input
order and split. TTFT: gen_ai.response.time_to_first_chunk (s), gen_ai.server.time_to_first_token
(s), ai.response.msToFirstChunk (ms) or the ai.stream.firstChunk event. length rate: calls with a
finish reason length or max_tokens. Services that send no spans are reported from their GenAI
client metrics (store metrics files, OTLP JSON metrics in dumps) in rows of their own, marked ~:
percentiles interpolated within histogram buckets, never mixed with spans' figures.
Exit 0 ok, 1 a gate failed, 2 bad flags or unusable input.
With $GITHUB_STEP_SUMMARY set, the markdown report is appended to it.

Examples:
  $ llmtrace stats --since 24h                         per provider and model from the local store
  $ llmtrace stats dump.jsonl --by feature,model --format json
  $ llmtrace stats --since 24h --max-p95 5s --max-error-rate 1% --max-length-rate 5%
  $ llmtrace stats --format json > stats.json          then later: --baseline stats.json --max-increase 10%`,
    )
    .action(async (sources: string[], opts: StatsOptions, cmd: Command) => {
      boundHeapGrowth(100);
      const global = cmd.optsWithGlobals<{ color?: boolean }>();
      const colors = makeColors({ noColor: global.color === false });
      const warn = (m: string) => writeDiagnostic(`llmtrace: ${m}`);
      const window = windowOf(opts.since, opts.until);
      if (opts.maxIncrease !== undefined && !opts.baseline) throw new LlmtraceError('--max-increase needs --baseline <previous.json>');
      if (opts.baseline && opts.maxIncrease === undefined) throw new LlmtraceError('--baseline needs --max-increase <percent> (stats compares, it does not show changes)');
      if (opts.featureKey?.some((k) => k.trim() === '')) throw new LlmtraceError('--feature-key must not be empty');

      const config = loadConfig();
      const store = resolveStoreDir(opts.store, config.store);
      const book = await loadPricing({ files: [...(config.pricing ?? []), ...(opts.pricing ?? [])], builtin: opts.builtinPricing, storeDir: store, warn });

      // Read the baseline before the input, so a typo fails fast.
      const baseline = opts.baseline === undefined ? undefined : await readStatsBaseline(opts.baseline);
      const opened = await openSources({ sources, store, window, diagnostic: writeDiagnostic, pushdown: { ...window, slim: true, attributes: runProjection({ groupBy: opts.by ?? DEFAULT_BY, featureKeys: opts.featureKey ?? config.featureKeys, toolCalls: true }) } });
      // Coding agents' request events: their latency where they send no spans (cost/signal-usage.ts).
      // One count for both readers of the logs and metrics files: a bad line is one problem.
      const problems = signalProblems(writeDiagnostic);
      const signals = agentSignals(sources, store, opened.stats, problems);
      // GenAI client metrics from the store's metrics files and from the dumps (services without spans).
      const onMetricsProblem = (p: Problem) => problems.report(p);
      const metricsRead = { inputs: 0, requests: 0, badRecords: 0, unreadableInputs: 0 };
      // Dumps are read again for metrics only when the span reader saw metrics requests in them.
      const metrics = async () =>
        readMetricsRequests(await metricsInputs(sources, store, opened.stats.metricsRequests > 0), onMetricsProblem, metricsRead);
      const run = await computeStats(opened, {
        book,
        window,
        groupBy: opts.by ?? DEFAULT_BY,
        featureKeys: opts.featureKey ?? config.featureKeys,
        settleAfterSpans: SETTLE_AFTER_SPANS,
        memoryBytes: opts.memory ?? DEFAULT_MEMORY_BUDGET,
        metrics,
        onMetricsProblem,
        signals,
      });
      const finished = opened.finish();
      if (finished.summary) warn(finished.summary);
      const metricsProblems = problems.count();
      const metricsSkipped = metricsProblems ? `${metricsProblems} problem${metricsProblems === 1 ? '' : 's'} in logs and metrics records (records or points skipped)` : undefined;
      if (metricsProblems > 20) warn(`${metricsSkipped}, ${metricsProblems - 20} not shown`);
      const summary = [finished.summary, metricsSkipped].filter(Boolean).join('; ') || undefined;
      Object.assign(run.report, skippedFields(opened.stats, metricsProblems));
      // Metrics alone are usable input: a service may send no spans at all.
      const events = run.stats.signals?.events ?? 0;
      const unusable = finished.unusable && !(run.metricPoints + events > 0 && opened.stats.unreadableInputs === 0);
      // Nothing read at all (no spans, no metric points, no events): no report, as in cost, tree and lint.
      if (finished.nothingRead && run.metricPoints === 0 && events === 0) throw new LlmtraceError(`no usable trace data in ${opened.label}`, undefined, 2);
      for (const line of metricsNotes(run.report)) warn(line);

      const gates = evaluateStatsGates(
        run.report,
        { maxP95Ms: opts.maxP95, maxTtftP95Ms: opts.maxTtftP95, maxErrorRate: opts.maxErrorRate, maxLengthRate: opts.maxLengthRate, strict: opts.strict, baseline, maxIncrease: opts.maxIncrease },
        figureWords,
        summary,
      );
      const view: StatsView = { report: run.report, gates };
      const rendered =
        opts.format === 'json'
          ? renderStatsJson(view)
          : opts.format === 'csv'
            ? renderStatsCsv(view)
            : opts.format === 'markdown'
              ? renderStatsMarkdown(view)
              : renderStatsTable(view, { colors, width: outputWidth() });
      await writeOut([rendered], outputKind(opts.format));

      if (run.stats.duplicateSpans) warn(`${run.stats.duplicateSpans} spans were read more than once and counted once`);
      if (run.untoldResends) warn(untoldResendsNote(run.untoldResends));
      for (const note of statsCountingNotes(run.report)) warn(`warning: ${note}`);
      for (const line of gateLines(gates)) warn(line);
      await appendStepSummary(renderStatsMarkdown(view), warn);

      if (unusable) throw new LlmtraceError(unreadableMessage(opened.stats.unreadableInputs, (them) => `the report leaves ${them} out`), undefined, 2);
      const failed = gates.filter((g) => !g.ok);
      if (failed.length) throw new LlmtraceError(`${failed.length} stats gate${failed.length === 1 ? '' : 's'} failed`, undefined, 1);
    });
}

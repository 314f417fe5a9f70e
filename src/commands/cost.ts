import type { Command } from 'commander';
import { oneOf, outputWidth, positiveInt } from '../lib/cli-options.js';
import { compare, readBaseline } from '../lib/cost/baseline.js';
import { readBudgetFile } from '../lib/cost/budget-file.js';
import { evaluateGates, parsePercent, parseUsd } from '../lib/cost/gates.js';
import { loadPricing } from '../lib/cost/pricing.js';
import { computeCost } from '../lib/cost/run.js';
import { skippedFields } from '../lib/cost/report.js';
import type { TimeSpec } from '../lib/cost/window.js';
import { untoldResendsNote } from '../lib/cost/metric-series.js';
import { agentSignals, appendStepSummary, signalProblems, collect, usage, windowAndGroupOptions, windowOf } from './report-options.js';
import type { CostSource } from '../lib/cost/aggregate.js';
import { loadConfig } from '../lib/config.js';
import { SETTLE_AFTER_SPANS } from '../lib/cost/attribution.js';
import { LlmtraceError } from '../lib/errors.js';
import { makeColors } from '../lib/render/colors.js';
import { countingNotes, gateLines, renderCostCsv, renderCostJson, renderCostMarkdown, renderCostTable, type CostView } from '../lib/render/cost-report.js';
import { figureWords, formatTokens } from '../lib/render/format.js';
import { outputKind, writeDiagnostic, writeOut } from '../lib/render/output.js';
import { pricingInfoJson, pricingInfoTable } from '../lib/render/pricing-info.js';
import { openSources, unreadableMessage } from '../lib/sources/open.js';
import { runProjection } from '../lib/cost/projection.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { boundHeapGrowth } from '../lib/runtime/heap.js';
import { DEFAULT_MEMORY_BUDGET, formatMemorySize, sizeOption } from '../lib/sizes.js';

interface CostOptions {
  since?: TimeSpec;
  until?: TimeSpec;
  by?: string[];
  featureKey?: string[];
  top?: number;
  format: 'table' | 'json' | 'csv' | 'markdown';
  pricing?: string[];
  builtinPricing: boolean;
  pricingInfo?: boolean;
  budget?: number;
  budgetFile?: string;
  baseline?: string;
  maxIncrease?: number;
  strict?: boolean;
  store?: string;
  memory?: number;
  costSource: CostSource;
}

const DEFAULT_BY = ['feature', 'model'];

export function register(program: Command): void {
  windowAndGroupOptions(
    program
      .command('cost')
      .description('token cost by model and feature, with budget and regression gates for CI')
      .argument('[sources...]', 'trace files (OTLP JSON/JSONL/protobuf, Jaeger, Zipkin, .gz), directories, or - for stdin; default: the local store'),
    DEFAULT_BY,
  )
    .option('--top <n>', 'only the N most expensive rows (the total still counts all)', positiveInt('--top'))
    .option('-f, --format <format>', 'table, json, csv or markdown', oneOf('--format', ['table', 'json', 'csv', 'markdown'] as const), 'table')
    .option('--pricing <file|url>', 'pricing file (llmtrace or LiteLLM format) or http(s) URL; repeatable, later ones override earlier ones', collect)
    .option('--no-builtin-pricing', 'do not use the built-in price table underneath --pricing files')
    .option('--pricing-info', 'print the effective price table (--format table or json) and exit')
    .option('--budget <usd>', 'fail (exit 1) when the total cost exceeds this many USD', usage((v) => parseUsd('--budget', v)))
    .option('--budget-file <json>', 'fail when a feature or model exceeds its budget: {"total": 50, "features": {"research": 5}, "models": {"gpt-4o": 10}}')
    .option('--baseline <json>', 'a previous `cost --format json` output: show the change per row')
    .option('--max-increase <percent>', 'with --baseline: fail when the total or a row costs more than this much more (e.g. 10%)', usage((v) => parsePercent('--max-increase', v)))
    .option('--strict', 'fail when any tokens have no price, or input records or spans were skipped')
    .option('--cost-source <source>', 'which cost --budget and --budget-file compare: computed (the price table), reported (what agents and libraries reported), auto (reported where there is one)', oneOf('--cost-source', ['computed', 'reported', 'auto'] as const), 'computed')
    .option('--store <dir>', 'local store to read when no source is given, and where fetched pricing is cached (default ./.llmtrace or $LLMTRACE_STORE)')
    .option('--memory <size>', `trace state held in memory before it spills to temporary files under $TMPDIR (results are the same; default ${formatMemorySize(DEFAULT_MEMORY_BUDGET)})`, sizeOption('--memory'))
    .addHelpText(
      'after',
      `
Every model call is counted once: usage on a span counts only when no descendant span carries
usage (Vercel ai.generateText over doGenerate, invoke_agent totals); a failed call without usage
is a call with no tokens. Exact in any order and split of the input: beyond --memory, trace state
spills to temporary files (removed at exit). Unknown models are never $0:
they are listed as unpriced, and --strict fails on them. Times are UTC. Exit 0 ok, 1 a gate
failed, 2 bad flags or unusable input. With $GITHUB_STEP_SUMMARY set, the markdown report is
appended to it.

Examples:
  $ llmtrace cost --since 24h                         cost by feature and model from the local store
  $ llmtrace cost dump.jsonl --by model,day --format csv
  $ llmtrace cost --since 24h --budget 5 --strict     a CI gate
  $ llmtrace cost --format json > cost.json           then later: --baseline cost.json --max-increase 10%
  $ llmtrace cost --pricing prices.json --pricing-info`,
    )
    .action(async (sources: string[], opts: CostOptions, cmd: Command) => {
      boundHeapGrowth(100);
      const global = cmd.optsWithGlobals<{ color?: boolean }>();
      const colors = makeColors({ noColor: global.color === false });
      const warn = (m: string) => writeDiagnostic(`llmtrace: ${m}`);

      const window = windowOf(opts.since, opts.until);
      if (opts.maxIncrease !== undefined && !opts.baseline) throw new LlmtraceError('--max-increase needs --baseline <previous.json>');
      // The price table has a table and a JSON form only: a csv or markdown consumer must not get box drawing.
      if (opts.pricingInfo && opts.format !== 'table' && opts.format !== 'json') throw new LlmtraceError(`--pricing-info prints a table or JSON, not ${opts.format}`, 'use --format table or --format json');
      if (opts.featureKey?.some((k) => k.trim() === '')) throw new LlmtraceError('--feature-key must not be empty');

      // llmtrace.config.json gives defaults; flags win (flag pricing files layer over the config's).
      const config = loadConfig();
      const store = resolveStoreDir(opts.store, config.store);
      const pricingFiles = [...(config.pricing ?? []), ...(opts.pricing ?? [])];
      const book = await loadPricing({ files: pricingFiles, builtin: opts.builtinPricing, storeDir: store, warn });
      if (opts.pricingInfo) {
        await writeOut([opts.format === 'json' ? pricingInfoJson(book) : pricingInfoTable(book, { colors, width: outputWidth() })], outputKind(opts.format));
        return;
      }
      if (!opts.builtinPricing && !pricingFiles.length) warn('warning: --no-builtin-pricing without --pricing: every call is unpriced');
      // Read the gate files before the input, so a typo fails fast.
      const budgetFile = opts.budgetFile === undefined ? undefined : await readBudgetFile(opts.budgetFile);
      const baseline = opts.baseline === undefined ? undefined : await readBaseline(opts.baseline);

      const opened = await openSources({ sources, store, window, diagnostic: writeDiagnostic, pushdown: { ...window, slim: true, attributes: runProjection({ groupBy: opts.by ?? DEFAULT_BY, featureKeys: opts.featureKey ?? config.featureKeys, toolCalls: false }) } });
      const problems = signalProblems(writeDiagnostic);
      const signals = agentSignals(sources, store, opened.stats, problems);
      const run = await computeCost(opened, {
        book,
        window,
        groupBy: opts.by ?? DEFAULT_BY,
        featureKeys: opts.featureKey ?? config.featureKeys,
        top: opts.top,
        settleAfterSpans: SETTLE_AFTER_SPANS,
        memoryBytes: opts.memory ?? DEFAULT_MEMORY_BUDGET,
        withBudgetGroups: budgetFile !== undefined,
        signals,
      });
      const finished = opened.finish();
      if (finished.summary) warn(finished.summary);
      // Agents' events and metrics alone are usable input: a coding agent may send no spans.
      const signalFigures = (run.stats.signals?.events ?? 0) + (run.stats.signals?.metricPoints ?? 0);
      const signalsSkipped = problems.count() ? `${problems.count()} problem${problems.count() === 1 ? '' : 's'} in logs and metrics records (records or points skipped)` : undefined;
      const skipped = [finished.summary, signalsSkipped].filter(Boolean).join('; ') || undefined;
      if (problems.count() > 20) warn(`${problems.count()} problems in logs and metrics records (records or points skipped), ${problems.count() - 20} not shown`);
      const unusable = (finished.unusable && !(signalFigures > 0 && opened.stats.unreadableInputs === 0)) || signals.read.unreadableInputs > 0;
      // Only bad records in the logs and metrics files, and no span: nothing usable was read.
      const onlyBadSignals = opened.stats.spans === 0 && opened.unreadStoreFiles === 0 && signalFigures === 0 && signals.read.badRecords > 0;
      if ((finished.nothingRead || onlyBadSignals) && signalFigures === 0) throw new LlmtraceError(`no usable trace data in ${opened.label}`, undefined, 2);

      const { report } = run.result;
      Object.assign(report, skippedFields(opened.stats, problems.count()));
      // --top shortens what is shown, never what is gated: the rows it hides are compared too.
      const everyRow = { ...report, rows: [...report.rows, ...run.result.omitted.rows] };
      const comparison = baseline && compare(everyRow, baseline);
      const gates = evaluateGates(
        { total: run.main.total, report: everyRow, byFeature: run.byFeature, byModel: run.byModel, comparison },
        { budget: opts.budget, budgetFile, maxIncrease: opts.maxIncrease, strict: opts.strict, skipped, costSource: opts.costSource },
        figureWords,
      );
      const view: CostView = { result: run.result, comparison: comparison && { rows: comparison.rows.slice(0, report.rows.length), total: comparison.total }, gates };

      const rendered =
        opts.format === 'json'
          ? renderCostJson(view)
          : opts.format === 'csv'
            ? renderCostCsv(view)
            : opts.format === 'markdown'
              ? renderCostMarkdown(view)
              : renderCostTable(view, { colors, width: outputWidth() });
      await writeOut([rendered], outputKind(opts.format));

      const { stats } = run;
      if (report.unpriced.length) {
        const calls = report.unpriced.reduce((s, u) => s + u.calls, 0);
        const list = report.unpriced.slice(0, 5).map((u) => `${u.model} (${formatTokens(u.calls)} call${u.calls === 1 ? '' : 's'}${u.reason === undefined ? '' : `: ${u.reason}`})`).join(', ');
        warn(`warning: ${formatTokens(calls)} call${calls === 1 ? '' : 's'} of ${report.unpriced.length} model${report.unpriced.length === 1 ? '' : 's'} ${calls === 1 ? 'has' : 'have'} no price and ${calls === 1 ? 'is' : 'are'} not in the cost: ${list}${report.unpriced.length > 5 ? ', …' : ''}`);
        writeDiagnostic('  hint: add them with --pricing FILE (see llmtrace cost --help); --strict makes this fail');
      }
      if (stats.duplicateSpans) warn(`${stats.duplicateSpans} spans were read more than once and counted once`);
      for (const note of countingNotes(report)) warn(`warning: ${note}`);
      if (stats.signals?.duplicateEvents) warn(`${stats.signals.duplicateEvents} request events were read more than once and counted once`);
      if (stats.signals?.untoldResends) warn(untoldResendsNote(stats.signals.untoldResends));
      for (const line of gateLines(gates)) warn(line);

      await appendStepSummary(renderCostMarkdown(view), warn);

      if (unusable) throw new LlmtraceError(unreadableMessage(opened.stats.unreadableInputs + signals.read.unreadableInputs, (them) => `the report leaves ${them} out`), undefined, 2);
      const failed = gates.filter((g) => !g.ok);
      if (failed.length) throw new LlmtraceError(`${failed.length} cost gate${failed.length === 1 ? '' : 's'} failed`, undefined, 1);
    });
}

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createRequire } from 'node:module';
import { nonNegativeInt, oneOf, outputWidth } from '../lib/cli-options.js';
import { loadConfig } from '../lib/config.js';
import type { GenAiView } from '../lib/genai/classify.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { LlmtraceError } from '../lib/errors.js';
import { parseRuleSetting, resolveSettings, type RuleSetting } from '../lib/lint/config.js';
import { Linter } from '../lib/lint/engine.js';
import { RULES } from '../lib/lint/registry.js';
import { GithubReporter } from '../lib/lint/render/github.js';
import { JsonReporter } from '../lib/lint/render/json.js';
import { countsText, plural, type Reporter } from '../lib/lint/render/reporter.js';
import { SarifReporter } from '../lib/lint/render/sarif.js';
import { StylishReporter } from '../lib/lint/render/stylish.js';
import { runLint, type LintSink } from '../lib/lint/run.js';
import { makeColors } from '../lib/render/colors.js';
import { HeldOutput, outputKind, writeDiagnostic, writeOut } from '../lib/render/output.js';
import { formatMessage } from '../lib/lint/messages.js';
import type { Finding } from '../lib/lint/types.js';
import { renderTable } from '../lib/render/table.js';
import { openSources, unreadableMessage } from '../lib/sources/open.js';
import { boundHeapGrowth } from '../lib/runtime/heap.js';
import { DEFAULT_MEMORY_BUDGET, formatMemorySize, sizeOption } from '../lib/sizes.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Problem lines shown on stderr when nothing was read (as `cost` and `tree` show them). */
const MAX_PROBLEM_LINES = 20;

const FORMATS = ['stylish', 'json', 'sarif', 'github'] as const;

interface LintOptions {
  format: (typeof FORMATS)[number];
  rule?: RuleSetting[];
  maxWarnings?: number;
  quiet?: boolean;
  listRules?: boolean;
  store?: string;
  pricing?: string[];
  memory?: number;
}

function collectRule(value: string, previous: RuleSetting[] = []): RuleSetting[] {
  const r = parseRuleSetting(value);
  if ('error' in r) throw new InvalidArgumentError(r.error);
  return [...previous, r];
}

export function register(program: Command): void {
  program
    .command('lint')
    .description('check traces against the OpenTelemetry GenAI conventions and the LLM rollout checklist')
    .argument('[sources...]', 'trace files (OTLP JSON/JSONL/protobuf, Jaeger, Zipkin, .gz), directories, or - for stdin; default: the local store')
    .option('-f, --format <format>', 'stylish, json, sarif or github', oneOf('--format', FORMATS), 'stylish')
    .option('--rule <id=severity>', 'set a rule to off, info, warn or error (repeatable; wins over llmtrace.config.json)', collectRule)
    .option('--max-warnings <n>', 'fail (exit 1) when there are more than N warnings', nonNegativeInt('--max-warnings'))
    .option('-q, --quiet', 'report errors only (warnings still count for --max-warnings)')
    .option('--list-rules', 'list the rules with their ids, severities and descriptions (--format stylish or json), then exit')
    .option('--store <dir>', 'local store to read when no source is given (default ./.llmtrace or $LLMTRACE_STORE)')
    .option('--pricing <file|url>', 'prices for models the built-in table lacks, for model-unpriced (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--memory <size>', `trace state held in memory before the rest goes to temporary files, e.g. 256MiB or 1GiB (default ${formatMemorySize(DEFAULT_MEMORY_BUDGET).replace(' ', '')}); findings do not depend on it`, sizeOption('--memory'))
    .addHelpText(
      'after',
      `
Exit codes: 0 no errors; 1 errors, or more warnings than --max-warnings; 2 unusable input or bad flags.
Configure rules in llmtrace.config.json: {"lint": {"rules": {"content-captured": "off"},
  "rootContextKeys": {"tenant": []}, "maxWarnings": 0}}

Examples:
  $ llmtrace lint dump.jsonl                         findings by trace, then the checklist scorecard
  $ llmtrace lint dump.jsonl --format sarif > lint.sarif   for GitHub code scanning
  $ llmtrace lint dump.jsonl --format github         annotations in a GitHub Actions job
  $ llmtrace lint dump.jsonl --rule root-missing-context=off --max-warnings 0`,
    )
    .action(async (sources: string[], opts: LintOptions, cmd: Command) => {
      boundHeapGrowth(100);
      const global = cmd.optsWithGlobals<{ color?: boolean }>();
      const colors = makeColors({ noColor: global.color === false });
      const config = loadConfig();
      const settings = resolveSettings(config.lint, opts.rule ?? []);
      const maxWarnings = opts.maxWarnings ?? settings.maxWarnings;

      if (opts.listRules) {
        // The rule list has a table and a JSON form only: a sarif or github consumer must not get box drawing.
        if (opts.format === 'sarif' || opts.format === 'github') throw new LlmtraceError(`--list-rules prints a table or JSON, not ${opts.format}`, 'use --format stylish or --format json');
        if (opts.format === 'json') {
          const rules = RULES.map((r) => ({ id: r.id, severity: settings.severities[r.id], defaultSeverity: r.defaultSeverity, description: r.description }));
          await writeOut([`${JSON.stringify(rules, null, 2)}\n`], 'json');
        } else {
          const rows = RULES.map((r) => [r.id, settings.severities[r.id], r.description]);
          await writeOut([`${renderTable([{ header: 'rule' }, { header: 'severity' }, { header: 'checks' }], rows, { colors, width: outputWidth() })}\n`], 'terminal');
        }
        return;
      }

      const store = resolveStoreDir(opts.store, config.store);
      const { loadPricing, priceCall } = await import('../lib/cost/pricing.js');
      const book = await loadPricing({ files: [...(config.pricing ?? []), ...(opts.pricing ?? [])], storeDir: store, warn: (m) => writeDiagnostic(`llmtrace: ${m}`) });
      const isPriced = (view: GenAiView, startMs: number) => priceCall(book, view, startMs) !== undefined;
      const linter = new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys, isPriced }, memoryBudget: opts.memory });
      const reporter: Reporter =
        opts.format === 'json'
          ? new JsonReporter()
          : opts.format === 'sarif'
            ? new SarifReporter(version, settings.severities)
            : opts.format === 'github'
              ? new GithubReporter(colors)
              : new StylishReporter(colors, outputWidth());

      // Decode problems become findings, so the reader does not also print them line by line.
      // ClickHouse sends spans in start order, as a file holds them: the same findings in the same order.
      const opened = await openSources({ sources, store, maxProblemLines: 0, diagnostic: writeDiagnostic, pushdown: { byStart: true } });
      let shown = 0;
      // Held until a span is read: an input that turns out unusable leaves stdout empty.
      const out = new HeldOutput(outputKind(opts.format), () => opened.stats.spans > 0);
      const problems: Finding[] = [];
      await out.write(reporter.begin());
      const sink: LintSink = async (found) => {
        problems.push(...found.filter((f) => f.rule === 'decode-problem').slice(0, MAX_PROBLEM_LINES - problems.length));
        const shownNow = opts.quiet ? found.filter((f) => f.severity === 'error') : found;
        shown += shownNow.length;
        if (shownNow.length) await out.write(reporter.add(shownNow));
      };
      const { problemsNotReported } = await runLint(opened, linter, sink, { priceLayers: book.layers });
      const { summary: readSummary, unusable, nothingRead } = opened.finish();
      if (nothingRead && out.holding) {
        // Nothing was read: no report on stdout, the reasons on stderr as other commands give them.
        for (const f of problems) writeDiagnostic(`llmtrace: ${f.source ?? ''}${f.line !== undefined ? `:${f.line}` : ''}: ${formatMessage(f)}`);
        throw new LlmtraceError(`no usable trace data in ${opened.label}`, undefined, 2);
      }
      const counts = linter.counts;
      const failed = counts.error > 0 || (maxWarnings !== undefined && counts.warn > maxWarnings) || problemsNotReported > 0;
      await out.write(
        reporter.end({
          counts,
          shown,
          quiet: opts.quiet === true,
          maxWarnings,
          failed,
          label: opened.label,
          inputs: opened.stats.inputs,
          readSummary,
          problemsNotReported,
          scorecard: linter.scorecard(),
          severities: settings.severities,
        }),
      );
      await out.release();
      if (readSummary) writeDiagnostic(`llmtrace: ${readSummary}`);
      if (linter.spilledBytes) {
        const budget = formatMemorySize(opts.memory ?? DEFAULT_MEMORY_BUDGET);
        writeDiagnostic(`llmtrace: note: the trace state outgrew --memory ${budget}; ${(linter.spilledBytes / 1e6).toFixed(0)} MB of it went through temporary files (a larger --memory is faster)`);
      }
      if (unusable) throw new LlmtraceError(unreadableMessage(opened.stats.unreadableInputs, (them) => `${them === 'it' ? 'its' : 'their'} problems are findings above`), undefined, 2);
      if (failed) {
        const reasons = [
          counts.error > 0 ? countsText(counts) : maxWarnings !== undefined && counts.warn > maxWarnings ? `${plural(counts.warn, 'warning')} (more than --max-warnings ${maxWarnings})` : '',
          problemsNotReported > 0 ? `${plural(problemsNotReported, 'decode problem')} not reported (more bad records at once than lint holds)` : '',
        ];
        const why = reasons.filter((r) => r !== '').join('; ');
        throw new LlmtraceError(`lint failed: ${why}`, 'fix the findings, or change a rule\'s severity with --rule <id>=warn|off or in llmtrace.config.json', 1);
      }
    });
}


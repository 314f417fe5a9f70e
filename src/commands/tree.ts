import type { Command } from 'commander';
import { commaList, nonNegativeInt, oneOf, outputWidth, positiveInt } from '../lib/cli-options.js';
import { LlmtraceError } from '../lib/errors.js';
import { makeColors } from '../lib/render/colors.js';
import { renderTrace } from '../lib/render/tree.js';
import { traceJsonChunks } from '../lib/render/tree-json.js';
import { openSources } from '../lib/sources/open.js';
import { selectTraces } from '../lib/trace/select.js';
import { writeOut } from '../lib/render/output.js';
import { loadConfig } from '../lib/config.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { subtreeCosts, type PriceFn } from '../lib/trace/costs.js';

interface TreeOptions {
  trace?: string;
  last?: number;
  depth?: number;
  attrs?: string[];
  timeline?: boolean;
  events?: boolean;
  format: 'text' | 'json';
  store?: string;
  pricing?: string[];
  color?: boolean;
}

/** Without --trace or --last, the store shows its newest traces only. */
const DEFAULT_LAST = 20;

export function register(program: Command): void {
  program
    .command('tree')
    .description('draw agent runs as a tree: time, model, tokens and status per span')
    .argument('[sources...]', 'trace files (OTLP JSON/JSONL/protobuf, Jaeger, Zipkin, .gz), directories, or - for stdin; default: the local store')
    .option('-t, --trace <id>', 'only the trace with this id (or id prefix)')
    .option('-n, --last <n>', `only the newest N traces (default: all from files, ${DEFAULT_LAST} from the store)`, positiveInt('--last'))
    .option('-d, --depth <n>', 'hide spans deeper than N levels below the root', nonNegativeInt('--depth'))
    .option('-a, --attrs <keys>', 'show these attributes under each span (comma-separated)', commaList)
    .option('--timeline', 'draw a waterfall of bars scaled to the terminal width')
    .option('-e, --events', 'list span events and GenAI log events under each span (names and times, never content)')
    .option('-f, --format <format>', 'text or json', oneOf('--format', ['text', 'json'] as const), 'text')
    .option('--store <dir>', 'local store to read when no source is given (default ./.llmtrace or $LLMTRACE_STORE)')
    .option('--pricing <file|url>', 'prices for models the built-in table lacks (repeatable; see llmtrace cost --help)', (v: string, prev: string[] = []) => [...prev, v])
    .addHelpText(
      'after',
      `
Examples:
  $ llmtrace tree                          newest traces from the local store (.llmtrace/)
  $ llmtrace tree dump.jsonl --last 1      the newest trace in a Collector file-exporter dump
  $ llmtrace tree dump.jsonl -t 4bf92f     one trace by id prefix
  $ llmtrace tree trace.json --timeline    waterfall of a Jaeger or Zipkin download
  $ llmtrace tree - --format json < dump.jsonl | jq '.traces[0].roots[0].children'`,
    )
    .action(async (sources: string[], opts: TreeOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<{ color?: boolean }>();
      const config = loadConfig();
      const store = opts.store ?? config.store;
      const opened = await openSources({ sources, store, withLogs: true });
      const last = opts.last ?? (opened.fromStore && !opts.trace ? DEFAULT_LAST : undefined);
      const { traces, matched, logEvents } = await selectTraces(opened.batches, { trace: opts.trace, last });
      const { summary, unusable } = opened.finish();
      if (summary) process.stderr.write(`llmtrace: ${summary}\n`);
      if (opts.trace && matched === 0 && !unusable) {
        throw new LlmtraceError(`no trace matches ${JSON.stringify(opts.trace)} in ${opened.label}`);
      }
      if (opts.format === 'json') {
        await writeOut(jsonDocument(traces, opts));
      } else {
        const colors = makeColors({ noColor: global.color === false });
        const width = outputWidth();
        const { loadPricing, priceCall } = await import('../lib/cost/pricing.js');
        const book = await loadPricing({ files: [...(config.pricing ?? []), ...(opts.pricing ?? [])], storeDir: resolveStoreDir(store) });
        const price: PriceFn = (view, startMs) => priceCall(book, view, startMs)?.cost;
        const out: string[] = [];
        traces.forEach((t, i) => {
          if (i > 0) out.push('');
          out.push(...renderTrace(t, { colors, width, maxDepth: opts.depth, attrs: opts.attrs, timeline: opts.timeline, costOf: subtreeCosts(t, price), events: opts.events, logEventsOf: (n) => logEvents.get(`${n.span.traceId}/${n.span.spanId}`) ?? [] }));
        });
        if (out.length) await writeOut(function* () { for (const l of out) yield `${l}\n`; }());
        if (traces.length === 0 && !unusable) process.stderr.write(`llmtrace: no spans in ${opened.label}\n`);
        if (last !== undefined && matched > traces.length) {
          process.stderr.write(`llmtrace: showing the newest ${traces.length} of ${matched} traces (--last N, or --trace ID)\n`);
        }
      }
      if (unusable) throw new LlmtraceError('no usable trace data was read', undefined, 2);
    });
}

function* jsonDocument(traces: Parameters<typeof traceJsonChunks>[0][], opts: TreeOptions): Generator<string> {
  yield '{"traces":[';
  let first = true;
  for (const t of traces) {
    if (!first) yield ',';
    first = false;
    yield* traceJsonChunks(t, { attrs: opts.attrs, maxDepth: opts.depth });
  }
  yield ']}\n';
}

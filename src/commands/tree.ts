import type { Command } from 'commander';
import { commaList, nonNegativeInt, oneOf, outputWidth, positiveInt } from '../lib/cli-options.js';
import { LlmtraceError } from '../lib/errors.js';
import { DEFAULT_MEMORY_BUDGET, formatMemorySize, sizeOption } from '../lib/sizes.js';
import type { SpanLogEvent } from '../lib/otlp/decode-result.js';
import { makeColors, type Colors } from '../lib/render/colors.js';
import { outputKind, writeDiagnostic, writeOut } from '../lib/render/output.js';
import { renderTrace } from '../lib/render/tree.js';
import { traceJsonChunks } from '../lib/render/tree-json.js';
import { openSources, unreadableMessage } from '../lib/sources/open.js';
import { isClickHouseSource } from '../lib/sources/clickhouse/url.js';
import { assembleTrace } from '../lib/trace/assemble.js';
import { normalizeTracePrefix, selectTraces } from '../lib/trace/select.js';
import type { CollectedTrace, TreeCollector } from '../lib/trace/tree-collect.js';
import { loadConfig } from '../lib/config.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { boundHeapGrowth } from '../lib/runtime/heap.js';
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
  memory?: number;
}

/** Without --trace or --last, the store shows its newest traces only. */
const DEFAULT_LAST = 20;

export function register(program: Command): void {
  program
    .command('tree')
    .description('draw agent runs as a tree: time, model, tokens and status per span')
    .argument('[sources...]', 'trace files (OTLP JSON/JSONL/protobuf, Jaeger, Zipkin, .gz), directories, or - for stdin; default: the local store')
    .option('-t, --trace <id>', 'only the trace with this id (or id prefix)')
    .option('-n, --last <n>', `only the newest N traces (default: all from files, ${DEFAULT_LAST} from the store or ClickHouse)`, positiveInt('--last'))
    .option('-d, --depth <n>', 'hide spans deeper than N levels below the root', nonNegativeInt('--depth'))
    .option('-a, --attrs <keys>', 'show these attributes under each span (comma-separated)', commaList)
    .option('--timeline', 'draw a waterfall of bars scaled to the terminal width')
    .option('-e, --events', 'list span events and GenAI log events under each span (names and times, never content)')
    .option('-f, --format <format>', 'text or json', oneOf('--format', ['text', 'json'] as const), 'text')
    .option('--store <dir>', 'local store to read when no source is given (default ./.llmtrace or $LLMTRACE_STORE)')
    .option('--pricing <file|url>', 'prices for models the built-in table lacks (repeatable; see llmtrace cost --help)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--memory <size>', `spans held in memory before traces spill to temporary files under $TMPDIR (the output is the same; default ${formatMemorySize(DEFAULT_MEMORY_BUDGET)})`, sizeOption('--memory'))
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
      // What tree holds is bounded now (--memory, --last): without this V8 let the heap grow to
      // ~4× it with garbage (docs/architecture.md "Measurements behind constants").
      boundHeapGrowth(100);
      const global = cmd.optsWithGlobals<{ color?: boolean }>();
      const config = loadConfig();
      const store = resolveStoreDir(opts.store, config.store);
      // No source: the store (openSources), which shows its newest traces by default; so does a
      // ClickHouse table (a fleet's: printing it whole would read every span it holds).
      const fromDatabase = sources.length > 0 && sources.every(isClickHouseSource);
      const last = opts.last ?? ((sources.length === 0 || fromDatabase) && !opts.trace ? DEFAULT_LAST : undefined);
      const budget = opts.memory ?? DEFAULT_MEMORY_BUDGET;
      const pushdown = { tracePrefix: opts.trace === undefined ? undefined : normalizeTracePrefix(opts.trace), newest: last };
      // ClickHouse selects the newest N itself: its spans are read once, every trace kept.
      const selected = await selectTraces((o) => openSources({ sources, store, withLogs: true, diagnostic: writeDiagnostic, pushdown, ...o }), {
        trace: opts.trace,
        last: fromDatabase ? undefined : last,
        memoryBytes: budget,
        stdin: sources.includes('-') ? process.stdin : undefined,
      });
      const { collector, opened, read } = selected;
      const matched = opened.traceCount ?? selected.matched;
      const { summary, unusable, nothingRead } = read;
      if (summary) writeDiagnostic(`llmtrace: ${summary}`);
      if (nothingRead) {
        collector.close();
        throw new LlmtraceError(`no usable trace data in ${opened.label}`, undefined, 2);
      }
      if (opts.trace && matched === 0 && !unusable) {
        collector.close();
        throw new LlmtraceError(`no trace matches ${JSON.stringify(opts.trace)} in ${opened.label}`);
      }
      const shown = collector.size;
      const { loadPricing, priceCall } = await import('../lib/cost/pricing.js');
      const book = await loadPricing({ files: [...(config.pricing ?? []), ...(opts.pricing ?? [])], storeDir: store, warn: (m) => writeDiagnostic(`llmtrace: ${m}`) });
      const price: PriceFn = (view, startMs) => priceCall(book, view, startMs)?.cost;
      const settings: TreeOutputSettings = {
        format: opts.format,
        attrs: opts.attrs,
        depth: opts.depth,
        timeline: opts.timeline,
        events: opts.events,
        colors: makeColors({ noColor: global.color === false }),
        width: outputWidth(),
        price,
      };
      await writeOut(treeOutput(collector, settings), outputKind(opts.format));
      if (opts.format === 'text') {
        if (shown === 0 && !unusable) writeDiagnostic(`llmtrace: no spans in ${opened.label}`);
        if (last !== undefined && matched > shown) {
          writeDiagnostic(`llmtrace: showing the newest ${shown} of ${matched} traces (--last N, or --trace ID)`);
        }
      }
      if (collector.spilledBytes) {
        writeDiagnostic(`llmtrace: note: the traces outgrew --memory ${formatMemorySize(budget)}; ${megabytes(collector.spilledBytes)} of them went through temporary files (a larger --memory is faster)`);
      }
      if (unusable) throw new LlmtraceError(unreadableMessage(opened.stats.unreadableInputs, (them) => `the trees leave ${them} out`), undefined, 2);
    });
}

export interface TreeOutputSettings {
  format: 'text' | 'json';
  attrs?: string[];
  depth?: number;
  timeline?: boolean;
  events?: boolean;
  colors: Colors;
  width: number;
  /** Prices for the costs, in text and JSON (none: no costs shown). */
  price?: PriceFn;
}

/** The whole output of `tree` for the traces collected: text, or the JSON document. */
export async function* treeOutput(collector: TreeCollector, s: TreeOutputSettings): AsyncGenerator<string | Uint8Array> {
  if (s.format === 'json') {
    yield '{"traces":[';
    yield* collector.rendered((c) => traceJsonChunks(assembleTrace(c.traceId, c.spans), { attrs: s.attrs, maxDepth: s.depth, price: s.price }), ',');
    yield ']}\n';
    return;
  }
  const render = function* (c: CollectedTrace): Generator<string> {
    const t = assembleTrace(c.traceId, c.spans);
    const logEvents = bySpan(c.logEvents);
    const lines = renderTrace(t, {
      colors: s.colors,
      width: s.width,
      maxDepth: s.depth,
      attrs: s.attrs,
      timeline: s.timeline,
      costOf: s.price ? subtreeCosts(t, s.price) : undefined,
      events: s.events,
      calls: true,
      logEventsOf: (n) => logEvents.get(n.span.spanId) ?? [],
    });
    // Line by line: one string of a 100k-span trace's text would be held twice more (and as UTF-8).
    for (const line of lines) yield `${line}\n`;
  };
  yield* collector.rendered(render, '\n');
}

function megabytes(bytes: number): string {
  return bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** A trace's log events by span id, in arrival order. */
function bySpan(events: readonly SpanLogEvent[]): Map<string, SpanLogEvent[]> {
  const m = new Map<string, SpanLogEvent[]>();
  for (const e of events) {
    const list = m.get(e.spanId);
    if (list) list.push(e);
    else m.set(e.spanId, [e]);
  }
  return m;
}

/**
 * stdout with backpressure: text gathered into 64 KiB writes, bytes (read back from a spill
 * file) written as they are, after the text before them.
 */

import { Option, type Command } from 'commander';
import { commaList } from '../lib/cli-options.js';
import { hostAddress, portNumber } from '../lib/live/options.js';
import { runTail } from '../lib/tail/session.js';
import { writeDiagnostic } from '../lib/render/output.js';
import { LlmtraceError } from '../lib/errors.js';
import { DEFAULT_MAX_IN_FLIGHT_BYTES } from '../lib/receiver/in-flight.js';
import { loadConfig } from '../lib/config.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { boundHeapGrowth } from '../lib/runtime/heap.js';
import { DEFAULT_MEMORY_BUDGET, formatMemorySize, sizeOption } from '../lib/sizes.js';

interface TailCliOptions {
  httpPort: number;
  grpcPort: number;
  grpc: boolean;
  host: string;
  store?: string | false;
  maxBody: number;
  maxInFlight: number;
  token?: string;
  cors?: string;
  forward?: string;
  json?: boolean;
  quiet?: boolean;
  showContent?: boolean;
  model?: string[];
  service?: string[];
  feature?: string[];
  pricing?: string[];
  memory?: number;
  allowHost?: string[];
}

export function register(program: Command): void {
  program
    .command('tail')
    .description('receive OTLP from your app (HTTP and gRPC), store it, and show every LLM call, tool call and agent run live')
    .option('--http-port <n>', 'OTLP/HTTP port (0 = any free port)', portNumber('--http-port'), 4318)
    .option('--grpc-port <n>', 'OTLP/gRPC port (0 = any free port)', portNumber('--grpc-port'), 4317)
    .option('--no-grpc', 'do not listen for OTLP/gRPC')
    .option('--host <addr>', 'address to listen on; anything but loopback exposes prompts to the network', hostAddress('--host'), '127.0.0.1')
    .option('--store <dir>', 'where to store what is received (default ./.llmtrace or $LLMTRACE_STORE)')
    .option('--no-store', 'keep nothing on disk')
    .addOption(
      new Option('--max-body <size>', 'largest request accepted, after decompression (20MiB, 512KiB, 10MB, 1048576)')
        .argParser(sizeOption('--max-body', { bareBytes: true }))
        .default(20 * 1024 * 1024, '20MiB'),
    )
    .addOption(
      new Option('--max-in-flight <size>', 'request bodies held in memory at once, both protocols together; beyond it exports are refused as retryable (503 with Retry-After, gRPC UNAVAILABLE). At least --max-body')
        .argParser(sizeOption('--max-in-flight', { bareBytes: true }))
        .default(DEFAULT_MAX_IN_FLIGHT_BYTES, formatMemorySize(DEFAULT_MAX_IN_FLIGHT_BYTES).replace(' ', '')),
    )
    .addOption(new Option('--token <token>', 'require "Authorization: Bearer <token>" on both protocols').env('LLMTRACE_TOKEN'))
    .option('--allow-host <names>', 'on loopback, also answer requests whose Host header names these (repeatable, comma-separated; * for any). Others get 403: a web page cannot reach the listener by rebinding its name to 127.0.0.1', commaList)
    .option('--cors <origin>', 'allow browser exporters from this origin (OTLP/HTTP)')
    .option('--forward <url>', 'also relay every request to this OTLP/HTTP endpoint (never slows the app down)')
    .option('--json', 'NDJSON events on stdout: listening, span, trace, rejected, summary')
    .option('-q, --quiet', 'print nothing but the summary at exit')
    .option('--show-content', 'show prompts and completions (off by default: they are sensitive)')
    .option('--model <models>', 'show only calls of these models (repeatable, comma-separated)', commaList)
    .option('--service <names>', 'show only spans of these services (repeatable, comma-separated)', commaList)
    .option('--feature <names>', 'show only spans of these features (repeatable, comma-separated)', commaList)
    .option('--pricing <file>', 'prices for models the built-in table lacks (JSON pricing file or URL; repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--memory <size>', `printed traces kept in memory for their late spans before the oldest go to temporary files (default ${formatMemorySize(DEFAULT_MEMORY_BUDGET)})`, sizeOption('--memory'))
    .addHelpText(
      'after',
      `
Filters choose what is shown, never what is stored. Ctrl-C stops: in-flight requests finish,
pending traces are shown, and a summary (calls, tokens, cost by model) is printed.

Examples:
  $ llmtrace tail                                   listen on 127.0.0.1:4318 (HTTP) and :4317 (gRPC)
  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node app.js     (in another terminal)
  $ llmtrace tail --show-content --model gpt-4o     prompts and completions of gpt-4o calls
  $ llmtrace tail --http-port 0 --grpc-port 0 --json | jq 'select(.event=="span")'
  $ llmtrace tail --forward http://collector:4318   keep sending to your Collector too
  $ llmtrace tail --no-store -q                     totals only, nothing written`,
    )
    .action(async (opts: TailCliOptions, cmd: Command) => {
      if (opts.maxInFlight < opts.maxBody) {
        throw new LlmtraceError(
          `--max-in-flight (${formatMemorySize(opts.maxInFlight)}) is below --max-body (${formatMemorySize(opts.maxBody)}): a body of the largest size accepted could never be taken in`,
          'raise --max-in-flight, or lower --max-body with it',
        );
      }
      boundHeapGrowth(150);
      const global = cmd.optsWithGlobals<{ color?: boolean }>();
      const config = loadConfig();
      const store = opts.store === false ? null : resolveStoreDir(opts.store, config.store);
      const { loadPricing, priceCall } = await import('../lib/cost/pricing.js');
      const book = await loadPricing({ files: [...(config.pricing ?? []), ...(opts.pricing ?? [])], storeDir: store ?? resolveStoreDir(undefined, config.store), warn: (m) => writeDiagnostic(`llmtrace: ${m}`) });
      await runTail({
        host: opts.host,
        httpPort: opts.httpPort,
        grpcPort: opts.grpc ? opts.grpcPort : undefined,
        store,
        storeNamed: typeof opts.store === 'string',
        featureKeys: config.featureKeys,
        maxBodyBytes: opts.maxBody,
        maxInFlightBytes: opts.maxInFlight,
        token: opts.token,
        cors: opts.cors,
        forward: opts.forward,
        mode: opts.json ? 'json' : opts.quiet ? 'quiet' : 'text',
        showContent: Boolean(opts.showContent),
        filters: { models: opts.model, services: opts.service, features: opts.feature },
        noColor: global.color === false,
        price: (view, startMs) => priceCall(book, view, startMs)?.cost,
        priceLayers: book.layers,
        memoryBytes: opts.memory ?? DEFAULT_MEMORY_BUDGET,
        allowHosts: opts.allowHost,
      });
    });
}

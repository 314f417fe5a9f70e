/**
 * One `llmtrace tail` session: store → receivers (HTTP, gRPC) → live view and forwarder, then
 * on SIGINT/SIGTERM an orderly stop: stop accepting (in-flight requests finish), report pending
 * traces, let forwarding drain briefly, close the store, print the summary. A second signal
 * prints the summary so far and exits at once.
 */
import type { PriceLayer } from '../cost/pricebook.js';
import { InFlight } from '../receiver/in-flight.js';
import type { StoreLineConfig, StoreLines } from '../receiver/store-lines.js';
import type { ReceiverHooks } from '../receiver/types.js';
import type { StoreWriter } from '../store/writer.js';
import { outputWidth } from '../cli-options.js';
import { makeColors } from '../render/colors.js';
import { writeDiagnostic } from '../render/output.js';
import { renderBanner, type BannerData } from '../render/live.js';
import { listeningEvent } from '../render/live-json.js';
import { resolveStoreDir } from '../store/layout.js';
import type { PriceFn } from '../live/events.js';
import { describeFilters, type LiveFilters } from '../live/filters.js';
import type { Forwarder } from '../live/forward.js';
import { listenWithFallback, type Listening } from '../live/listen.js';
import { isLoopback } from '../live/options.js';
import { LOOPBACK_HOSTS } from '../receiver/headers.js';
import { LivePrinter, type LiveMode } from '../render/live-printer.js';
import type { ViewThread, ViewThreadConfig } from '../live/view-thread.js';
import { LiveView } from '../live/view.js';

export interface TailOptions {
  /** Attribute keys naming a feature (config `featureKeys`); default: cost's default list. */
  featureKeys?: readonly string[];
  host: string;
  httpPort: number;
  /** undefined: no gRPC listener (--no-grpc). */
  grpcPort: number | undefined;
  /** undefined: the default store; null: --no-store. */
  store: string | null | undefined;
  /** `store` came from `--store` (not the config or the environment, which `tree` reads too). */
  storeNamed?: boolean;
  maxBodyBytes: number;
  /** Cap on the bytes of request bodies in flight, both protocols together (`--max-in-flight`). */
  maxInFlightBytes?: number;
  token?: string;
  cors?: string;
  forward?: string;
  mode: LiveMode;
  showContent: boolean;
  filters: LiveFilters;
  noColor: boolean;
  price?: PriceFn;
  /** The price table behind `price`, for a view on another thread (plain data). */
  priceLayers?: readonly PriceLayer[];
  /** Bytes of printed traces' state held before the oldest spill to disk (`--memory`). */
  memoryBytes?: number;
  /** More Host header names a loopback listener answers to (`--allow-host`; `*`: any). */
  allowHosts?: string[];
}

export interface ReceiverStartOptions {
  host: string;
  /** Host header names answered; unset: any (HTTP only). */
  allowedHosts?: readonly string[];
  port: number;
  maxBodyBytes: number;
  /** Shared by both receivers: one cap on the bytes in flight. */
  inFlight: InFlight;
  token?: string;
  cors?: string;
  store: StoreWriter;
  hooks: ReceiverHooks;
  lines?: StoreLines;
}

/** The parts written elsewhere, loaded lazily (gRPC only when used). Tests may replace them. */
export interface TailDeps {
  startHttp(o: ReceiverStartOptions): Promise<Listening>;
  startGrpc(o: ReceiverStartOptions): Promise<Listening>;
  /** The store's writer, holding its lock until closed; `warn` gets its notes for stderr. */
  openStore(dir: string | null, warn: (message: string) => void): Promise<StoreWriter>;
  /**
   * Worker threads that make and append store lines (none: the receiver thread does), keeping
   * the store's lock; `viewKeys`: the view thread's span attributes, when it takes its records from them.
   */
  openStoreLines?(config: StoreLineConfig, warn: (message: string) => void): Promise<StoreLines | undefined>;
  /** --quiet: the view (and decoding) on its own thread (none: on the receiver thread); `warn`: its warnings. */
  openViewThread?(config: ViewThreadConfig, warn: (message: string) => void): Promise<ViewThread | undefined>;
}

export const defaultDeps: TailDeps = {
  startHttp: async (o) => (await import('../receiver/http.js')).startHttpReceiver(o),
  startGrpc: async (o) => (await import('../receiver/grpc.js')).startGrpcReceiver(o),
  openStore: async (dir, warn) => {
    const w = await import('../store/writer.js');
    if (dir === null) return w.createNullStoreWriter();
    const { lockStore } = await import('../store/lock.js');
    const lock = await lockStore(dir, {
      unwritableHint: 'choose a writable one with --store DIR (or $LLMTRACE_STORE), or keep nothing with --no-store',
      inUseHint: 'give this tail its own store with --store DIR, or keep nothing with --no-store',
      warn,
    });
    return w.createStoreWriter(dir, lock, warn);
  },
  openStoreLines: async (config, warn) => {
    const { openStoreLines } = await import('../receiver/store-lines.js');
    return openStoreLines(config, { warn });
  },
  openViewThread: async (config, warn) => (await import('../live/view-thread.js')).openViewThread(config, warn),
};

type Tty = { isTTY?: boolean; columns?: number };

export interface TailIo {
  stdout: NodeJS.WritableStream & Tty;
  stderr: NodeJS.WritableStream & Tty;
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Where SIGINT/SIGTERM arrive. */
  signals: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  exit(code: number): never;
}

export function processIo(): TailIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    signals: process,
    exit: (code) => process.exit(code),
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function runTail(o: TailOptions, io: TailIo = processIo(), deps: TailDeps = defaultDeps): Promise<void> {
  const startedAt = Date.now();
  const errColors = makeColors({ noColor: o.noColor, isTTY: io.stderr.isTTY, env: io.env });
  if (!isLoopback(o.host)) {
    writeDiagnostic(errColors.yellow(`llmtrace: warning: listening on ${o.host}, not loopback: anyone who can reach this machine can send spans, and prompts in them are sensitive.${o.token ? '' : ' Consider --token.'}`), io.stderr);
  }
  const storeDir = o.store === null ? null : resolveStoreDir(o.store, undefined, io.env);
  const pricing = o.price !== undefined;
  // --quiet shows nothing until the summary: its view can live on another thread.
  // First: a store that cannot be written, or that another tail holds, ends the start-up here,
  // before any thread is started.
  const storeWarn = (m: string) => io.stderr.write(errColors.yellow(`${m}\n`));
  const store = await deps.openStore(storeDir, storeWarn);
  // Its warnings as the command's own pricing warnings are written (commands/tail.ts).
  const viewWarn = (m: string) => writeDiagnostic(`llmtrace: ${m}`, io.stderr);
  const viewThread = o.mode === 'quiet' ? await deps.openViewThread?.({ priceLayers: o.priceLayers, filters: o.filters, featureKeys: o.featureKeys, memoryBytes: o.memoryBytes }, viewWarn) : undefined;
  const view: LiveView | ViewThread =
    viewThread ?? new LiveView({ emit: (e) => printer.handle(e), price: o.price, filters: o.filters, showContent: o.showContent, traceEvents: o.mode !== 'quiet', featureKeys: o.featureKeys, printedMemoryBytes: o.memoryBytes });
  const printer = new LivePrinter({
    mode: o.mode,
    stdout: io.stdout,
    stderr: io.stderr,
    text: { colors: makeColors({ noColor: o.noColor, isTTY: io.stdout.isTTY, env: io.env }), pricing },
    width: () => outputWidth(io.stdout, io.env),
    errColors,
    // Only when stdout shares the terminal: `tail | cat` would print lines after the total on its line.
    statusLine: o.mode === 'text' && Boolean(io.stderr.isTTY) && Boolean(io.stdout.isTTY),
    totals: () => view.totals,
  });

  let forwarder: Forwarder | undefined;
  if (o.forward) {
    const { Forwarder: F, checkForwardUrl } = await import('../live/forward.js');
    forwarder = new F({ url: checkForwardUrl(o.forward), report: (m) => printer.err(errColors.yellow(`llmtrace: ${m}`)) });
  }

  let viewFailed = false;
  const hooks: ReceiverHooks = {
    onExport(e) {
      try {
        if (!viewThread) (view as LiveView).onExport(e);
      } catch (err) {
        // The data is stored and forwarded anyway; say once that the view is broken.
        if (!viewFailed) printer.err(errColors.red(`llmtrace: internal error in the live view: ${(err as Error)?.stack ?? String(err)}`));
        viewFailed = true;
      }
      forwarder?.enqueue(e);
    },
    onReject: (info) => view.onReject(info),
  };

  const lines = storeDir === null ? undefined : await deps.openStoreLines?.({ dir: storeDir, lock: store.lock, viewKeys: viewThread?.spanKeys }, storeWarn);
  // Listen for signals before the listeners start: a Ctrl-C during start-up still ends in order.
  let stop = () => {};
  const stopRequested = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = () => {
    for (const s of SIGNALS) io.signals.off(s, onSignal);
    stop();
  };
  for (const s of SIGNALS) io.signals.on(s, onSignal);
  const listeners: Listening[] = [];
  // Bound to loopback, only loopback names are answered (DNS rebinding), unless --allow-host.
  const allowedHosts = !isLoopback(o.host) || o.allowHosts?.includes('*') ? undefined : [...LOOPBACK_HOSTS, ...(o.allowHosts ?? []).map((h) => h.toLowerCase())];
  const inFlight = new InFlight(o.maxInFlightBytes);
  const common = { host: o.host, allowedHosts, maxBodyBytes: o.maxBodyBytes, inFlight, token: o.token, cors: o.cors, store, hooks, lines, decoder: viewThread };
  const listenIo = {
    interactive: io.stdinIsTTY && Boolean(io.stderr.isTTY),
    confirm: async (message: string) => {
      const { confirm, isCancel } = await import('@clack/prompts');
      const answer = await confirm({ message, output: io.stderr as NodeJS.WritableStream & NodeJS.WriteStream });
      return !isCancel(answer) && answer === true;
    },
  };
  let banner: BannerData;
  try {
    const http = await listenWithFallback({ label: 'OTLP/HTTP', flag: '--http-port', host: o.host, port: o.httpPort, reserved: o.grpcPort === undefined ? [] : [o.grpcPort], start: (port) => deps.startHttp({ ...common, port }) }, listenIo);
    listeners.push(http);
    let grpc: Listening | undefined;
    if (o.grpcPort !== undefined) {
      grpc = await listenWithFallback({ label: 'OTLP/gRPC', flag: '--grpc-port', host: o.host, port: o.grpcPort, reserved: [o.httpPort, http.port], start: (port) => deps.startGrpc({ ...common, port }) }, listenIo);
      listeners.push(grpc);
    }
    banner = {
      http: { host: o.host, port: http.port },
      grpc: grpc ? { host: o.host, port: grpc.port } : null,
      store: storeDir,
      forward: o.forward,
      filters: describeFilters(o.filters) || undefined,
      showContent: o.showContent,
      token: o.token,
    };
  } catch (e) {
    for (const s of SIGNALS) io.signals.off(s, onSignal);
    await Promise.all(listeners.map((l) => l.close()));
    await lines?.close();
    await store.close(); // last of the store: it releases the lock
    await viewThread?.finish();
    await forwarder?.close(0);
    throw e;
  }

  if (o.mode === 'json') printer.json(listeningEvent(banner));
  // --quiet prints nothing but the summary; --json keeps stderr for a person, if there is one.
  if (o.mode === 'text' || (o.mode === 'json' && io.stderr.isTTY)) {
    const cols = io.stderr.isTTY && io.stderr.columns ? io.stderr.columns : Infinity;
    for (const line of renderBanner(banner, errColors, cols)) printer.err(line);
  }

  const timer = setInterval(() => {
    view.tick();
    printer.refresh();
  }, 200);

  await stopRequested;

  const summary = () => ({
    totals: view.totals,
    pricing,
    durationMs: Date.now() - startedAt,
    filters: describeFilters(o.filters) || undefined,
    store: storeDir,
    storeNamed: o.storeNamed,
    forward: forwarder ? { url: o.forward!, ...forwarder.stats } : undefined,
  });
  // Stopping. A second signal means "now": whatever is not yet flushed is lost, and the summary
  // (on a clean line, not after the running total) says so.
  const hard = () => {
    printer.summary(summary());
    printer.err('llmtrace: stopped at once (second signal): requests still in flight and traces not yet reported are not in these figures');
    io.exit(130);
  };
  for (const s of SIGNALS) io.signals.on(s, hard);
  clearInterval(timer);
  if (o.mode === 'text' && io.stderr.isTTY) printer.err(errColors.dim('stopping: finishing requests in flight… (Ctrl-C again to quit at once)'));
  await Promise.all(listeners.map((l) => l.close()));
  if (viewThread) await viewThread.finish();
  else {
    (view as LiveView).flush();
    (view as LiveView).close();
  }
  await forwarder?.close(2000);
  await lines?.close();
  await store.close(); // last of the store: it releases the lock
  for (const s of SIGNALS) io.signals.off(s, hard);
  printer.summary(summary());
  // Everything is closed; should a library still hold a handle, do not hang after the summary.
  setTimeout(() => io.exit(0), 2000).unref();
}

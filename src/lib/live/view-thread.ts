/**
 * `tail --quiet` with worker threads: the live view (count-once totals, traces) runs on threads
 * of its own. With the store worker, that worker's decoding answers the client and the view is
 * shown each export once stored (show), on `shards` view threads: each counts the traces of its
 * share of the trace ids (receiver/decode.ts shardOfTrace) and skips the others' spans while decoding, so the view's
 * work, the ingest's critical path, is split (docs/architecture.md, "Sharded view"). Without a
 * store worker (--no-store), one view thread decodes each export and tells the receiver whether
 * it is valid (decode), then counts it once told it was kept (settle). Quiet mode prints nothing
 * until the summary, so nothing but the totals has to come back, once, at the end, where the
 * shards' totals are added: every figure is a sum of integers (totals.ts), so this is exact.
 */
import type { PriceLayer } from '../cost/pricebook.js';
import { WorkerPool, workerCount } from '../parallel/pool.js';
import type { ElsewhereOutcome, ExportDecoder, IngestRequest } from '../receiver/ingest.js';
import { bodyForWorker } from '../receiver/limits.js';
import { CLASSIFY_KEYS } from '../genai/classify.js';
import { PLACEHOLDER_KEYS } from '../otlp/placeholder-spans.js';
import { INHERITED_MODEL_KEYS } from '../cost/inherited-model.js';
import { FEATURE_KEYS, type LiveFilters } from './filters.js';
import { addSessionTotals, SessionTotals, type SessionTotalsData } from './totals.js';

export interface ViewThreadConfig {
  priceLayers?: readonly PriceLayer[];
  filters: LiveFilters;
  featureKeys?: readonly string[];
  memoryBytes?: number;
}

/** What one view thread is told: its config, and which share of the trace ids it counts. */
export interface ViewShardConfig extends ViewThreadConfig {
  shard: number;
  shards: number;
}

export type ViewTask =
  | { type: 'decode'; req: IngestRequest }
  /** facts: the store worker's view facts (receiver/view-facts.ts), read instead of the body. */
  | { type: 'show'; req: IngestRequest; facts?: Uint8Array }
  | { type: 'settle'; token: number; stored: boolean }
  /** coveredBySpans: agent processes whose spans carry usage, seen by the other shards (agent-calls.ts). */
  | { type: 'finish'; coveredBySpans?: string[] };

/** What a view thread hands over at the end. */
export interface ViewShardResult {
  totals: SessionTotalsData;
  coveredBySpans: string[];
}

const SCRIPT = new URL('./view-worker.js', import.meta.url);

/**
 * The span attributes the quiet view reads (classification and features): the only ones it
 * decodes, and the only ones the store worker passes on (receiver/view-facts.ts).
 */
export function viewSpanKeys(featureKeys: readonly string[] | undefined): string[] {
  // Placeholder markers too: the view drops those spans (otlp/placeholder-spans.ts); and the
  // model a call that names none inherits from its ancestors (cost/inherited-model.ts).
  return [...CLASSIFY_KEYS, ...PLACEHOLDER_KEYS, ...INHERITED_MODEL_KEYS, ...(featureKeys ?? FEATURE_KEYS)];
}

/**
 * View threads when a store worker feeds them (2 cores: the view thread was the critical path,
 * runnable 89–90% of the time, and a shard does 52–53% of its work; docs/architecture.md,
 * "Sharded view"). More were not measured.
 */
export const VIEW_SHARDS = 2;

/** Stored exports a view thread may lag behind by before the receiver waits for it. */
export const MAX_SHOW_BACKLOG = 16;

/** The view thread, or undefined when no worker can be started (one core, LLMTRACE_WORKERS=0). */
export function openViewThread(config: ViewThreadConfig, shards = 1): ViewThread | undefined {
  return workerCount() > 0 ? new ViewThread(config, shards) : undefined;
}

/** One view thread and the places in its backlog. */
class ViewShard {
  /** Shows posted and not yet done (≤ MAX_SHOW_BACKLOG), and requests waiting for a place. */
  showing = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly pool: WorkerPool) {}

  /** A place in the backlog: at once, or once a show before it is done. */
  async place(): Promise<void> {
    if (this.showing < MAX_SHOW_BACKLOG) this.showing++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  readonly free = (): void => {
    const next = this.waiting.shift();
    if (next) next(); // the place passes to the next waiting request
    else this.showing--;
  };
}

export class ViewThread implements ExportDecoder {
  readonly totals = new SessionTotals();
  /** viewSpanKeys of this view. */
  readonly spanKeys: readonly string[];
  private readonly shards: ViewShard[];
  private rejects = 0;

  /** `shards` > 1 only where a store worker shows the exports (decode and settle go to the first). */
  constructor(config: ViewThreadConfig, shards = 1) {
    this.spanKeys = viewSpanKeys(config.featureKeys);
    // Each shard holds its share of the printed traces within its share of --memory.
    const memoryBytes = config.memoryBytes === undefined ? undefined : Math.floor(config.memoryBytes / shards);
    // 16 MB young generation, not 64: 64 let the heap reach ~250 MB in a burst of 19 MB exports
    // (offline, 40 exports: 249 → 184 MB), and measured no faster on the ingest bench's frames
    // (docs/architecture.md, "Burst memory").
    this.shards = Array.from({ length: shards }, (_, shard) => new ViewShard(new WorkerPool(SCRIPT, 1, { ...config, memoryBytes, shard, shards } satisfies ViewShardConfig, { maxYoungGenerationSizeMb: 16 })));
  }

  decode(req: IngestRequest): Promise<ElsewhereOutcome> {
    const shared = bodyForWorker(req.body); // shared or copied: the body may still be forwarded from here
    return this.shards[0]!.pool.run<ElsewhereOutcome>({ type: 'decode', req: { ...req, body: shared.body } } satisfies ViewTask, shared.transfer);
  }

  async show(req: IngestRequest, facts?: Uint8Array): Promise<{ done: Promise<void> }> {
    // The answer need not wait for the view, unless a view thread is MAX_SHOW_BACKLOG exports
    // behind: then it waits for a place, so the receiver slows down rather than queueing bodies.
    // Spans go to every shard (each keeps its own traces); logs and metrics to the first.
    const to = req.signal === 'traces' ? this.shards : this.shards.slice(0, 1);
    const shared = facts ? undefined : bodyForWorker(req.body);
    const done: Array<Promise<void>> = [];
    for (const [i, shard] of to.entries()) {
      await shard.place();
      // The last one is given the facts or the body's copy (moved); the others get a copy of
      // them (a SharedArrayBuffer body is shared, never copied).
      const last = i === to.length - 1;
      // Until then the body is still read here (unless the facts are): its bytes stay in flight (in-flight.ts).
      const posted = facts
        ? shard.pool.run<void>({ type: 'show', req: { ...req, body: new Uint8Array(0) }, facts } satisfies ViewTask, last ? [facts.buffer as ArrayBuffer] : [])
        : shard.pool.run<void>({ type: 'show', req: { ...req, body: shared!.body } } satisfies ViewTask, last ? shared!.transfer : []);
      done.push(posted.then(shard.free, shard.free));
    }
    return { done: Promise.all(done).then(() => {}) };
  }

  /** Shows posted and not done yet, over the view threads (tests). */
  get backlog(): number {
    return this.shards.reduce((n, s) => n + s.showing, 0);
  }

  settle(token: number, stored: boolean): void {
    if (token < 0) return;
    this.shards[0]!.pool.send({ type: 'settle', token, stored } satisfies ViewTask);
  }

  onReject(): void {
    this.rejects++;
  }

  /** The workers decide completeness on their own clocks. */
  tick(): void {}

  /**
   * Shutdown: each view thread reports every pending trace and hands over its totals, added
   * here. The first, which counts the coding agents' events and metrics, is told first which
   * agent processes the others saw spans with usage from: their events and metrics are not
   * counted (agent-calls.ts), as one view would have decided.
   */
  async finish(): Promise<void> {
    const [first, ...rest] = this.shards;
    const results = await Promise.all(rest.map((s) => s.pool.run<ViewShardResult>({ type: 'finish' } satisfies ViewTask).catch(() => undefined)));
    const coveredBySpans = results.flatMap((r) => r?.coveredBySpans ?? []);
    results.unshift(await first!.pool.run<ViewShardResult>({ type: 'finish', coveredBySpans } satisfies ViewTask).catch(() => undefined));
    // A thread that failed adds nothing: the summary then shows what the others know.
    for (const r of results) if (r) addSessionTotals(this.totals, r.totals);
    this.totals.rejected += this.rejects;
    await Promise.all(this.shards.map((s) => s.pool.close()));
  }
}

/**
 * `tail --quiet` with worker threads: the live view (count-once totals, traces) runs on its own
 * thread. With the store worker, that worker's decoding answers the client and the view is shown
 * each export once stored (show); without one (--no-store), the view thread decodes each export
 * and tells the receiver whether it is valid (decode), then counts it once told it was kept
 * (settle). Quiet mode prints nothing until the summary, so nothing but the totals has to come
 * back, once, at the end. One view thread: two, each counting half of the trace ids, did not
 * raise the rate on 2 cores (docs/architecture.md, "Sharded view").
 */
import type { PriceLayer } from '../cost/pricebook.js';
import { WorkerPool, workerCount } from '../parallel/pool.js';
import type { ElsewhereOutcome, ExportDecoder, IngestRequest } from '../receiver/ingest.js';
import { bodyForWorker } from '../receiver/limits.js';
import { CLASSIFY_KEYS } from '../genai/classify.js';
import { PLACEHOLDER_KEYS } from '../otlp/placeholder-spans.js';
import { INHERITED_MODEL_KEYS } from '../cost/inherited-model.js';
import { FEATURE_KEYS, type LiveFilters } from './filters.js';
import { SessionTotals, type SessionTotalsData } from './totals.js';

export interface ViewThreadConfig {
  priceLayers?: readonly PriceLayer[];
  filters: LiveFilters;
  featureKeys?: readonly string[];
  memoryBytes?: number;
}

export type ViewTask =
  | { type: 'decode'; req: IngestRequest }
  /** facts: the store worker's view facts (receiver/view-facts.ts), read instead of the body. */
  | { type: 'show'; req: IngestRequest; facts?: Uint8Array }
  | { type: 'settle'; token: number; stored: boolean }
  | { type: 'finish' };

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

/** Stored exports the view thread may lag behind by before the receiver waits for it. */
export const MAX_SHOW_BACKLOG = 16;

/**
 * The view thread, or undefined when no worker can be started (one core, LLMTRACE_WORKERS=0).
 * `warn`: the thread's warnings (two pricing patterns matching a model), `llmtrace: ` not included.
 */
export function openViewThread(config: ViewThreadConfig, warn?: (message: string) => void): ViewThread | undefined {
  return workerCount() > 0 ? new ViewThread(config, warn) : undefined;
}

export class ViewThread implements ExportDecoder {
  readonly totals = new SessionTotals();
  /** viewSpanKeys of this view. */
  readonly spanKeys: readonly string[];
  private readonly pool: WorkerPool;
  private rejects = 0;
  /** Shows posted and not yet done (≤ MAX_SHOW_BACKLOG), and requests waiting for a place. */
  private showing = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(config: ViewThreadConfig, warn?: (message: string) => void) {
    this.spanKeys = viewSpanKeys(config.featureKeys);
    // 16 MB young generation, not 64: 64 let the heap reach ~250 MB in a burst of 19 MB exports
    // (offline, 40 exports: 249 → 184 MB), and measured no faster on the ingest bench's frames
    // (docs/architecture.md, "Burst memory").
    this.pool = new WorkerPool(SCRIPT, 1, config, { maxYoungGenerationSizeMb: 16 }, warn);
  }

  decode(req: IngestRequest): Promise<ElsewhereOutcome> {
    return this.post<ElsewhereOutcome>('decode', req);
  }

  async show(req: IngestRequest, facts?: Uint8Array): Promise<{ done: Promise<void> }> {
    // The answer need not wait for the view, unless the view is MAX_SHOW_BACKLOG exports behind:
    // then it waits for a place, so the receiver slows down rather than queueing bodies.
    if (this.showing < MAX_SHOW_BACKLOG) this.showing++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    const free = () => {
      const next = this.waiting.shift();
      if (next) next(); // the place passes to the next waiting request
      else this.showing--;
    };
    // Until then the body is still read here (unless the facts are): its bytes stay in flight (in-flight.ts).
    // The facts are the store worker's, in memory of their own: moved, not copied.
    const posted = facts ? this.pool.run<void>({ type: 'show', req: { ...req, body: new Uint8Array(0) }, facts } satisfies ViewTask, [facts.buffer as ArrayBuffer]) : this.post<void>('show', req);
    return { done: posted.then(free, free) };
  }

  /** Shows posted and not done yet (tests). */
  get backlog(): number {
    return this.showing;
  }

  private post<R>(type: 'decode' | 'show', req: IngestRequest): Promise<R> {
    // Shared or copied: the body may still be forwarded from here.
    const shared = bodyForWorker(req.body);
    return this.pool.run<R>({ type, req: { ...req, body: shared.body } } satisfies ViewTask, shared.transfer);
  }

  settle(token: number, stored: boolean): void {
    if (token < 0) return;
    this.pool.send({ type: 'settle', token, stored } satisfies ViewTask);
  }

  onReject(): void {
    this.rejects++;
  }

  /** The worker decides completeness on its own clock. */
  tick(): void {}

  /** Shutdown: the worker reports every pending trace and hands over its totals. */
  async finish(): Promise<void> {
    // A thread that failed hands over nothing: the summary then shows what this one knows (the rejects).
    const totals = await this.pool.run<SessionTotalsData>({ type: 'finish' } satisfies ViewTask).catch(() => undefined);
    if (totals) Object.assign(this.totals, totals);
    this.totals.rejected += this.rejects;
    await this.pool.close();
  }
}

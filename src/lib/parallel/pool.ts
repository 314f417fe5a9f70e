/**
 * A small pool of worker threads running one script, each initialized with the same data.
 * Tasks go to the worker with the fewest in flight; each task's answer resolves its promise.
 * Workers are unref'd (they never keep the process alive) and a crash rejects every task of
 * that worker: callers treat it as a bug, not as bad input. A worker's notices (serve.ts
 * `notify`: warnings for the command's diagnostic writer, on the main thread) go to `onNotice`.
 */
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { LlmtraceError } from '../errors.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(script: URL, size: number, workerData: unknown, resourceLimits?: ResourceLimits, onNotice?: (notice: string) => void) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, resourceLimits ? { workerData, resourceLimits } : { workerData });
      const slot: Slot = { worker, inFlight: new Map() };
      worker.unref();
      worker.on('message', (answer: { id: number; ok: boolean; value?: unknown; error?: string } | { notice: string }) => {
        if ('notice' in answer) {
          onNotice?.(answer.notice);
          return;
        }
        const pending = slot.inFlight.get(answer.id);
        if (!pending) return;
        slot.inFlight.delete(answer.id);
        if (answer.ok) pending.resolve(answer.value);
        else pending.reject(new Error(`worker task failed: ${answer.error}`));
      });
      const fail = (e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
        for (const pending of slot.inFlight.values()) pending.reject(this.failure);
        slot.inFlight.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (slot.inFlight.size) fail(new Error(`worker exited with code ${code} during a task`));
      });
      this.slots.push(slot);
    }
  }

  /** Tasks sent and not yet answered, over all workers. */
  get inFlight(): number {
    let n = 0;
    for (const s of this.slots) n += s.inFlight.size;
    return n;
  }

  run<R>(task: unknown, transfer: TransferListItem[] = []): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    return this.post<R>(this.leastBusy(), task, transfer);
  }

  private post<R>(slot: Slot, task: unknown, transfer: TransferListItem[]): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      slot.inFlight.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ id, task }, transfer);
    });
  }

  /** A message that needs no answer (the worker must not reply), to the least busy worker. */
  send(task: unknown): void {
    if (this.failure) return;
    this.leastBusy().worker.postMessage({ id: -1, task });
  }

  private leastBusy(): Slot {
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.inFlight.size < slot.inFlight.size) slot = s;
    return slot;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * Worker threads to use for parsing: `LLMTRACE_WORKERS` when set (0 turns them off), else one
 * per core besides the main thread's (which also parses when the workers are busy), up to 3;
 * none on a single core, where they could only add overhead.
 */
export function workerCount(env: NodeJS.ProcessEnv = process.env): number {
  const set = env.LLMTRACE_WORKERS;
  if (set !== undefined && set.trim() !== '') {
    const n = Number(set);
    if (Number.isInteger(n) && n >= 0 && n <= 64) return n;
    throw new LlmtraceError(`LLMTRACE_WORKERS must be a whole number from 0 to 64, got ${JSON.stringify(set)}`, 'use 0 to parse on the main thread only');
  }
  const cores = availableParallelism();
  return Math.min(cores - 1, 3);
}



/**
 * The store on a worker thread: the worker makes the request's OTLP JSON line (protobuf written
 * straight to bytes by otlp/proto-line.ts, otherwise the one reader and the one writer, otlp/json-write.ts)
 * and appends it to the store itself,
 * while the receiver thread (or the view thread) decodes the same body for the answer and the
 * view. The line's bytes never travel back: the receiver thread only learns the outcome (and,
 * for a JSON trace body in `tail --quiet`, the view thread's facts: view-facts.ts). Both
 * sides use the same decoders, so the worker keeps exactly the requests the receiver accepts;
 * should they ever disagree, or the worker fail, the receiver makes and appends the line itself
 * (the data must not be lost; a worker that died after its append leaves that request stored
 * twice, which OTLP's at-least-once delivery allows and readers count as sent).
 *
 * One worker, so that each store file has one writer (a writer alone knows whether the file
 * ends in a cut line); it keeps well ahead of one receiving thread (docs/architecture.md
 * "Measurements behind constants").
 */
import type { Signal } from '../store/layout.js';
import type { LockRecord } from '../store/lock.js';
import { WorkerPool, workerCount } from '../parallel/pool.js';
import { bodyForWorker } from './limits.js';
import type { Encoding } from './responses.js';

/**
 * kept: a valid request, its line appended (`stored`) or with nothing to keep, and the numbers of
 * the answer; invalid: the body is unusable (the 400's message); failed: the append failed (disk
 * full, permissions).
 */
export type KeepOutcome =
  /** viewFacts: the view's facts of a stored JSON trace request (view-facts.ts), when asked for. */
  | { kind: 'kept'; stored: boolean; itemCount: number; rejected: number; warning: string; viewFacts?: Uint8Array }
  | { kind: 'invalid'; message: string }
  | { kind: 'failed'; message: string };

export interface StoreLines {
  /** Makes the request's line and appends it; rejects only when the worker itself failed. */
  keep(signal: Signal, encoding: Encoding, body: Uint8Array, receivedAt: Date): Promise<KeepOutcome>;
  /** Requests handed over and not yet kept: part of the store's backlog. */
  readonly pending: number;
  /** Once nothing is in flight: closes the worker's store files, then the worker. */
  close(): Promise<void>;
}

export type StoreLineTask =
  | { type: 'keep'; signal: Signal; encoding: Encoding; body: Uint8Array; receivedAtMs: number }
  | { type: 'close' };

export interface StoreLineConfig {
  dir: string;
  /** The store's lock, which the worker's writer puts back should the store be made again (store/writer.ts). */
  lock?: LockRecord;
  /** The span attributes the view thread reads: JSON trace requests then come back with its facts. */
  viewKeys?: readonly string[];
}

const SCRIPT = new URL('./store-line-worker.js', import.meta.url);

export interface StoreLinesOptions {
  /** Default: when there are worker threads to use. */
  start?: boolean;
  /** The store writer's warnings (the store taken by another process). */
  warn?: (message: string) => void;
}

/**
 * The store worker appending to `config.dir`, or undefined when no worker is to be started. With
 * `viewKeys` (a view thread reads only those span attributes), a JSON trace request's outcome
 * carries the view's facts, so that the body is parsed once (view-facts.ts).
 */
export function openStoreLines(config: StoreLineConfig, o: StoreLinesOptions = {}): StoreLines | undefined {
  if (!(o.start ?? workerCount() > 0)) return undefined;
  const pool = new WorkerPool(SCRIPT, 1, config, undefined, o.warn);
  return {
    keep(signal, encoding, body, receivedAt) {
      // Shared or copied: the body is still decoded here and may be forwarded.
      const shared = bodyForWorker(body);
      const task: StoreLineTask = { type: 'keep', signal, encoding, body: shared.body, receivedAtMs: receivedAt.getTime() };
      return pool.run<KeepOutcome>(task, shared.transfer);
    },
    get pending() {
      return pool.inFlight;
    },
    async close() {
      // Every append has answered by now: closing the file is best effort (a worker that
      // failed earlier must not cost the session its summary). One worker: one task reaches it.
      await pool.run({ type: 'close' } satisfies StoreLineTask).catch(() => {});
      await pool.close();
    },
  };
}

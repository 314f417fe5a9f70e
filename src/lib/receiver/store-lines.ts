/**
 * Store lines made on worker threads: while the main thread decodes an export for the live view,
 * a worker decodes the same body and writes its OTLP JSON line (as UTF-8 bytes, transferred
 * back), so the two halves of ingest run on two cores. Both use the same decoders, so the line
 * holds exactly the items the main thread accepted. A worker failure is not the client's
 * problem: the caller makes the line itself.
 */
import type { Signal } from '../store/layout.js';
import { WorkerPool, workersFor } from '../parallel/pool.js';
import { bodyForWorker } from './limits.js';
import type { Encoding } from './responses.js';

export interface StoreLineMaker {
  /** The request's store line with its newline, or undefined when it holds nothing to keep. */
  make(signal: Signal, encoding: Encoding, body: Uint8Array): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export interface StoreLineTask {
  signal: Signal;
  encoding: Encoding;
  body: Uint8Array;
}

const SCRIPT = new URL('./store-line-worker.js', import.meta.url);

/** Store-line workers (workerCount() of them), or undefined when there are none to start. */
export function openStoreLines(workers: number = workersFor(SCRIPT)): StoreLineMaker | undefined {
  if (workers === 0) return undefined;
  const pool = new WorkerPool(SCRIPT, workers, {});
  return {
    make(signal, encoding, body) {
      // Shared or copied: the body is still decoded here and may be forwarded.
      const shared = bodyForWorker(body);
      const task: StoreLineTask = { signal, encoding, body: shared.body };
      return pool.run<Uint8Array | undefined>(task, shared.transfer);
    },
    close: () => pool.close(),
  };
}

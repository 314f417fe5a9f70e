/**
 * The worker side of WorkerPool's protocol: each `{id, task}` is answered with its id and the
 * handler's value (or its error); id < 0 marks a message that wants no answer (WorkerPool.send).
 */
import { parentPort, type TransferListItem } from 'node:worker_threads';

export function serveTasks<T>(handle: (task: T) => unknown, transfer: (value: unknown) => TransferListItem[] = () => []): void {
  const port = parentPort!;
  port.on('message', ({ id, task }: { id: number; task: T }) => {
    if (id < 0) {
      try {
        handle(task);
      } catch {
        // Nobody waits for this one: best effort by contract.
      }
      return;
    }
    try {
      const value = handle(task);
      port.postMessage({ id, ok: true, value }, transfer(value));
    } catch (e) {
      port.postMessage({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
}

/**
 * The worker side of WorkerPool's protocol: each `{id, task}` is answered with its id and the
 * handler's value (or its error), once settled when it is a promise; id < 0 marks a message that
 * wants no answer (WorkerPool.send). `notify` sends the pool a line for its notice handler.
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
    const answer = (value: unknown) => port.postMessage({ id, ok: true, value }, transfer(value));
    const fail = (e: unknown) => port.postMessage({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    try {
      const value = handle(task);
      if (value instanceof Promise) value.then(answer, fail);
      else answer(value);
    } catch (e) {
      fail(e);
    }
  });
}

/** A note for the main thread to pass on (a warning for stderr): WorkerPool's `onNotice`. */
export function notify(notice: string): void {
  parentPort!.postMessage({ notice });
}

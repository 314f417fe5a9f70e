/** Worker thread entry for store-lines.ts: body in, its line appended to the store, outcome out. */
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../parallel/serve.js';
import { createStoreWriter } from '../store/writer.js';
import { keepRequest } from './keep.js';
import { asBuffer } from './limits.js';
import type { KeepOutcome, StoreLineConfig, StoreLineTask } from './store-lines.js';

const config = workerData as StoreLineConfig;
const store = createStoreWriter(config.dir);
const viewKeys = config.viewKeys ? new Set(config.viewKeys) : undefined;

serveTasks(
  (task: StoreLineTask) =>
    task.type === 'keep' ? keepRequest(store, task.signal, task.encoding, asBuffer(task.body), new Date(task.receivedAtMs), viewKeys) : store.close(),
  // The view's records are not needed here any more: moved, not copied.
  (outcome) => {
    const kept = outcome as KeepOutcome | undefined;
    return kept?.kind === 'kept' && kept.viewLine ? [kept.viewLine.buffer as ArrayBuffer] : [];
  },
);

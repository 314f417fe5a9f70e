/** Worker thread entry for store-lines.ts: body in, its line appended to the store, outcome out. */
import { workerData } from 'node:worker_threads';
import { notify, serveTasks } from '../parallel/serve.js';
import { collectGarbageSoon, COLLECT_AFTER_BODY_BYTES } from '../runtime/heap.js';
import { createStoreWriter } from '../store/writer.js';
import { keepRequest } from './keep.js';
import { asBuffer } from './limits.js';
import type { KeepOutcome, StoreLineConfig, StoreLineTask } from './store-lines.js';

const config = workerData as StoreLineConfig;
const store = createStoreWriter(config.dir, config.lock, notify);
const viewKeys = config.viewKeys ? new Set(config.viewKeys) : undefined;

async function keep(task: Extract<StoreLineTask, { type: 'keep' }>): Promise<KeepOutcome> {
  const outcome = await keepRequest(store, task.signal, task.encoding, asBuffer(task.body), new Date(task.receivedAtMs), viewKeys);
  // Once answered, a large body's memory can go (runtime/heap.ts collectGarbageSoon).
  if (task.body.byteLength >= COLLECT_AFTER_BODY_BYTES) collectGarbageSoon();
  return outcome;
}

serveTasks(
  (task: StoreLineTask) => (task.type === 'keep' ? keep(task) : store.close()),
  // The view's facts are not needed here any more: moved, not copied.
  (outcome) => {
    const kept = outcome as KeepOutcome | undefined;
    return kept?.kind === 'kept' && kept.viewFacts ? [kept.viewFacts.buffer as ArrayBuffer] : [];
  },
);

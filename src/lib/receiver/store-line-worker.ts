/** Worker thread entry for store-lines.ts: body in, its line appended to the store, outcome out. */
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../parallel/serve.js';
import { createStoreWriter } from '../store/writer.js';
import { keepRequest } from './keep.js';
import { asBuffer } from './limits.js';
import type { StoreLineConfig, StoreLineTask } from './store-lines.js';

const store = createStoreWriter((workerData as StoreLineConfig).dir);

serveTasks((task: StoreLineTask) =>
  task.type === 'keep' ? keepRequest(store, task.signal, task.encoding, asBuffer(task.body), new Date(task.receivedAtMs)) : store.close(),
);

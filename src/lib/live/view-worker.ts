/** Worker thread entry for view-thread.ts: decode exports, answer validity, run the live view. */
import { workerData } from 'node:worker_threads';
import { PriceBook, priceCall } from '../cost/pricebook.js';
import { CLASSIFY_KEYS } from '../genai/classify.js';
import { serveTasks } from '../parallel/serve.js';
import { decodeExport, decodeFailure } from '../receiver/decode.js';
import type { AcceptedExport } from '../receiver/types.js';
import type { ViewTask, ViewThreadConfig } from './view-thread.js';
import { FEATURE_KEYS } from './filters.js';
import { LiveView } from './view.js';

const config = workerData as ViewThreadConfig;
const book = config.priceLayers ? new PriceBook(config.priceLayers) : undefined;
const view = new LiveView({
  emit: () => {}, // quiet: only the totals matter
  price: book ? (v, startMs) => priceCall(book, v, startMs)?.cost : undefined,
  filters: config.filters,
  showContent: false,
  traceEvents: false,
  featureKeys: config.featureKeys,
});
// Quiet: no span is drawn, so only what classification and features read is decoded.
const keep = new Set([...CLASSIFY_KEYS, ...(config.featureKeys ?? FEATURE_KEYS)]);
// Completes quiet traces (and frees them) as the main thread's timer would.
setInterval(() => view.tick(), 200).unref();

const held = new Map<number, AcceptedExport>();
let nextToken = 0;

function handle(task: ViewTask): unknown {
  switch (task.type) {
    case 'decode': {
      const { req } = task;
      // As a Buffer, like the receiver thread's body: the decoders then treat it the same way.
      const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
      let d;
      try {
        d = decodeExport(req.signal, req.encoding, body, { storeLine: false, keepSpanAttributes: keep });
      } catch (e) {
        return { kind: 'invalid', message: decodeFailure(req.signal, e) };
      }
      const token = nextToken++;
      held.set(token, { ...req, body: new Uint8Array(0), spans: d.spans, logs: d.logs, itemCount: d.itemCount });
      return { kind: 'ok', token, itemCount: d.itemCount, rejected: d.rejected, warning: d.warning };
    }
    case 'show': {
      // Stored already (the store worker decided it was valid): decode and count it.
      const { req } = task;
      const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
      let d;
      try {
        d = decodeExport(req.signal, req.encoding, body, { storeLine: false, keepSpanAttributes: keep, countItems: false });
      } catch {
        return undefined; // cannot happen but for a bug: the data is stored, the view misses it
      }
      view.onExport({ ...req, body: new Uint8Array(0), spans: d.spans, logs: d.logs, itemCount: d.itemCount });
      return undefined;
    }
    case 'settle': {
      const e = held.get(task.token);
      held.delete(task.token);
      if (e && task.stored) view.onExport(e);
      return undefined;
    }
    case 'finish': {
      view.flush();
      return { ...view.totals };
    }
  }
}

// 'settle' comes without an id (no answer wanted): one message fewer per export.
serveTasks(handle);

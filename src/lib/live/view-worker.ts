/** Worker thread entry for view-thread.ts: decode exports, answer validity, run the live view. */
import { workerData } from 'node:worker_threads';
import { PriceBook, priceCall } from '../cost/pricebook.js';
import { notify, serveTasks } from '../parallel/serve.js';
import { tellOverlap } from '../cost/match.js';
import { decodeExport, decodeFailure } from '../receiver/decode.js';
import type { IngestRequest } from '../receiver/ingest.js';
import { asBuffer } from '../receiver/limits.js';
import { readViewFacts } from '../receiver/view-facts.js';
import { isPlaceholderSpan } from '../otlp/placeholder-spans.js';
import { collectGarbageSoon } from '../runtime/heap.js';
import type { AcceptedExport } from '../receiver/types.js';
import { viewSpanKeys, type ViewTask, type ViewThreadConfig } from './view-thread.js';
import { LiveView } from './view.js';
import type { SessionTotalsData } from './totals.js';

const config = workerData as ViewThreadConfig;
// This book alone prices the session (quiet): its overlapping patterns are told through the main thread.
const book = config.priceLayers ? new PriceBook(config.priceLayers, tellOverlap(notify)) : undefined;
const view = new LiveView({
  emit: () => {}, // quiet: only the totals matter
  price: book ? (v, startMs) => priceCall(book, v, startMs)?.cost : undefined,
  filters: config.filters,
  showContent: false,
  traceEvents: false,
  featureKeys: config.featureKeys,
  printedMemoryBytes: config.memoryBytes,
});
// Quiet: no span is drawn, so only what classification and features read is decoded.
const keep = new Set(viewSpanKeys(config.featureKeys));
// Completes quiet traces (and frees them) as the main thread's timer would.
setInterval(() => view.tick(), 200).unref();

const held = new Map<number, AcceptedExport>();
let nextToken = 0;

/** The export decoded for the view; throws when the body is unusable. */
function accepted(req: IngestRequest): { e: AcceptedExport; rejected: number; warning: string } {
  const d = decodeExport(req.signal, req.encoding, asBuffer(req.body), { storeLine: false, keepSpanAttributes: keep });
  return { e: { ...req, body: new Uint8Array(0), spans: d.spans, logs: d.logs, metrics: d.metrics, itemCount: d.itemCount }, rejected: d.rejected, warning: d.warning };
}

/** Facts of at least this size (~6,000 spans of a few attributes) are followed by a full collection. */
const COLLECT_AFTER_FACTS_BYTES = 1024 * 1024;

/** The export from the store worker's view facts: no OTLP read here (docs/architecture.md, "View facts"). */
function fromFacts(req: IngestRequest, facts: Uint8Array): AcceptedExport {
  // The line pass keeps placeholder spans (the decoder drops them where decoding ends).
  const spans = readViewFacts(facts).filter((s) => !isPlaceholderSpan(s));
  return { ...req, body: new Uint8Array(0), spans, logs: [], itemCount: spans.length };
}

function handle(task: ViewTask): unknown {
  switch (task.type) {
    case 'decode': {
      let a;
      try {
        a = accepted(task.req);
      } catch (err) {
        return { kind: 'invalid', message: decodeFailure(task.req.signal, err) };
      }
      const token = nextToken++;
      held.set(token, a.e);
      return { kind: 'ok', token, itemCount: a.e.itemCount, rejected: a.rejected, warning: a.warning };
    }
    case 'show': {
      // Stored already (the store worker decided it was valid): count it. A body or facts that
      // cannot be read here cannot happen but for a bug: the data is stored, the view misses it.
      let e: AcceptedExport;
      try {
        e = task.facts ? fromFacts(task.req, task.facts) : accepted(task.req).e;
      } catch {
        return undefined;
      }
      view.onExport(e);
      // A large export's spans outgrew the young generation: collect once it is counted, so the
      // heap grows from what the view keeps, not from them (docs/architecture.md, "View facts").
      if (task.facts && task.facts.byteLength >= COLLECT_AFTER_FACTS_BYTES) collectGarbageSoon();
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
      view.close();
      return { ...view.totals } satisfies SessionTotalsData;
    }
  }
}

// 'settle' comes without an id (no answer wanted): one message fewer per export.
serveTasks(handle);

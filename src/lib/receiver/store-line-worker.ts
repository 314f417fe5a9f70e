/** Worker thread entry for store-lines.ts: body in, its line appended to the store, outcome out. */
import { workerData } from 'node:worker_threads';
import { transcodedSpans, transcodeTraceRequest } from '../otlp/proto-to-json.js';
import { serveTasks } from '../parallel/serve.js';
import { createStoreWriter } from '../store/writer.js';
import { decodeExport, decodeFailure } from './decode.js';
import type { KeepOutcome, StoreLineConfig, StoreLineTask } from './store-lines.js';

const config = workerData as StoreLineConfig;
const store = createStoreWriter(config.dir);

type KeepTask = Extract<StoreLineTask, { type: 'keep' }>;

interface Made {
  /** The line's UTF-8 bytes with their newline; undefined when there is nothing to keep. */
  line: Uint8Array | undefined;
  itemCount: number;
  rejected: number;
  warning: string;
}

/** The request's line and the numbers of its answer; throws when the body is unusable. */
function make(task: KeepTask): Made {
  // As a Buffer, like the receiver thread's body: the decoders then treat it the same way.
  const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
  if (task.signal === 'traces' && task.encoding === 'protobuf') {
    // Protobuf straight to the line's bytes, the same bytes as below; a request it does not
    // model (or a malformed one) throws, and the decoder path below decides. Skipped spans
    // (bad ids) go that way too: their partial-success message comes from the decoder.
    try {
      const line = transcodeTraceRequest(body);
      const spans = transcodedSpans();
      if (spans.written === spans.seen) return { line, itemCount: spans.seen, rejected: 0, warning: '' };
    } catch {
      /* the decoder path decides */
    }
  }
  const d = decodeExport(task.signal, task.encoding, body);
  return { line: d.storeLine === undefined ? undefined : Buffer.from(`${d.storeLine}\n`, 'utf8'), itemCount: d.itemCount, rejected: d.rejected, warning: d.warning };
}

async function keep(task: KeepTask): Promise<KeepOutcome> {
  let made: Made;
  try {
    made = make(task);
  } catch (e) {
    return { kind: 'invalid', message: decodeFailure(task.signal, e) };
  }
  const { line, itemCount, rejected, warning } = made;
  if (line === undefined) return { kind: 'kept', stored: false, itemCount, rejected, warning };
  try {
    await store.append(task.signal, line, new Date(task.receivedAtMs));
    return { kind: 'kept', stored: true, itemCount, rejected, warning };
  } catch (e) {
    return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
}

serveTasks((task: StoreLineTask) => (task.type === 'keep' ? keep(task) : store.close()));

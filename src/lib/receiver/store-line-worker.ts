/** Worker thread entry for store-lines.ts: body in, its line appended to the store, outcome out. */
import { workerData } from 'node:worker_threads';
import { transcodeTraceRequest } from '../otlp/proto-to-json.js';
import { serveTasks } from '../parallel/serve.js';
import { createStoreWriter } from '../store/writer.js';
import { decodeExport } from './decode.js';
import type { KeepOutcome, StoreLineConfig, StoreLineTask } from './store-lines.js';

const config = workerData as StoreLineConfig;
const store = createStoreWriter(config.dir);

/** The line's UTF-8 bytes with their newline; undefined when there is nothing to keep; throws when the body is unusable. */
function lineOf(task: Extract<StoreLineTask, { type: 'keep' }>): Uint8Array | undefined {
  // As a Buffer, like the receiver thread's body: the decoders then treat it the same way.
  const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
  if (task.signal === 'traces' && task.encoding === 'protobuf') {
    // Protobuf straight to the line's bytes, the same bytes as below; a request it does not
    // model (or a malformed one) throws, and the decoder path below decides.
    try {
      return transcodeTraceRequest(body);
    } catch {
      /* the decoder path decides */
    }
  }
  const line = decodeExport(task.signal, task.encoding, body).storeLine;
  return line === undefined ? undefined : Buffer.from(`${line}\n`, 'utf8');
}

async function keep(task: Extract<StoreLineTask, { type: 'keep' }>): Promise<KeepOutcome> {
  let line: Uint8Array | undefined;
  try {
    line = lineOf(task);
  } catch {
    return { kind: 'invalid' }; // the receiver answers from its own decoding
  }
  if (line === undefined) return { kind: 'nothing' };
  try {
    await store.append(task.signal, line, new Date(task.receivedAtMs));
    return { kind: 'stored' };
  } catch (e) {
    return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
}

serveTasks((task: StoreLineTask) => (task.type === 'keep' ? keep(task) : store.close()));

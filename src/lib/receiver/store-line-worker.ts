/** Worker thread entry for store-lines.ts: body in, the store line's UTF-8 bytes out. */
import { parentPort } from 'node:worker_threads';
import { transcodeTraceRequest } from '../otlp/proto-to-json.js';
import { decodeExport } from './decode.js';
import type { StoreLineTask } from './store-lines.js';

parentPort!.on('message', ({ id, task }: { id: number; task: StoreLineTask }) => {
  try {
    // As a Buffer, like the receiver thread's body: the decoders then treat it the same way.
    const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
    if (task.signal === 'traces' && task.encoding === 'protobuf') {
      // Protobuf straight to the line's bytes, the same bytes as below; a request it does not
      // model (or a malformed one) throws, and the decoder path below decides.
      let value: Uint8Array<ArrayBuffer> | undefined | null = null;
      try {
        value = transcodeTraceRequest(body);
      } catch {
        value = null;
      }
      if (value === undefined) {
        parentPort!.postMessage({ id, ok: true, value: undefined });
        return;
      }
      if (value !== null) {
        parentPort!.postMessage({ id, ok: true, value }, [value.buffer]);
        return;
      }
    }
    const line = decodeExport(task.signal, task.encoding, body).storeLine;
    if (line === undefined) {
      parentPort!.postMessage({ id, ok: true, value: undefined });
      return;
    }
    // Not from Buffer's shared pool: the bytes are transferred, never copied back.
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(line) + 1);
    bytes[bytes.write(line)] = 0x0a;
    const value = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    parentPort!.postMessage({ id, ok: true, value }, [value.buffer]);
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});

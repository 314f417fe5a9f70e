/** Worker thread entry for store-lines.ts: body in, the store line's UTF-8 bytes out. */
import { transcodeTraceRequest } from '../otlp/proto-to-json.js';
import { serveTasks } from '../parallel/serve.js';
import { decodeExport } from './decode.js';
import type { StoreLineTask } from './store-lines.js';

function storeLine(task: StoreLineTask): Uint8Array | undefined {
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
  if (line === undefined) return undefined;
  // Not from Buffer's shared pool: the bytes are transferred, never copied back.
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(line) + 1);
  bytes[bytes.write(line)] = 0x0a;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

serveTasks(storeLine, (value) => (value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []));

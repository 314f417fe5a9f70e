/** Writes chunks (text, or bytes as they are) to stdout with backpressure, so huge outputs stream and `| head` ends quietly. */
import { once } from 'node:events';

export async function writeOut(chunks: Iterable<string | Uint8Array>, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  let buffer = '';
  for (const chunk of chunks) {
    if (typeof chunk !== 'string') {
      // Bytes (rendered on a worker thread) go out as they are, after what came before them.
      if (buffer && !stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
      if (chunk.length && !stream.write(chunk)) await once(stream, 'drain');
      continue;
    }
    buffer += chunk;
    if (buffer.length >= 64 * 1024) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  if (buffer) {
    if (!stream.write(buffer)) await once(stream, 'drain');
  }
}

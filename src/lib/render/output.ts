/** Writes chunks to stdout with backpressure, so huge outputs stream and `| head` ends quietly. */
import { once } from 'node:events';

export async function writeOut(chunks: Iterable<string>, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  let buffer = '';
  for (const chunk of chunks) {
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

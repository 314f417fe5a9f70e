/**
 * What storing a request means, wherever it runs (the store worker, or the receiving thread when
 * there is none or it failed): make its OTLP JSON line, append it, and give the answer's numbers.
 */
import { transcodedSpans, transcodeTraceRequest } from '../otlp/proto-to-json.js';
import type { Signal } from '../store/layout.js';
import { decodeExport, decodeFailure } from './decode.js';
import type { Encoding } from './responses.js';
import type { KeepOutcome } from './store-lines.js';
import type { StoreWriter } from '../store/writer.js';

interface Made {
  /** The line: UTF-8 bytes with their newline, or text without it; undefined when there is nothing to keep. */
  line: Uint8Array | string | undefined;
  itemCount: number;
  rejected: number;
  warning: string;
}

/** The request's line and the numbers of its answer; throws when the body is unusable. */
function make(signal: Signal, encoding: Encoding, body: Buffer): Made {
  if (signal === 'traces' && encoding === 'protobuf') {
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
  const d = decodeExport(signal, encoding, body);
  return { line: d.storeLine, itemCount: d.itemCount, rejected: d.rejected, warning: d.warning };
}

/** `body` as a Buffer (as the receiver reads it): the decoders treat both kinds the same way. */
export async function keepRequest(store: StoreWriter, signal: Signal, encoding: Encoding, body: Buffer, receivedAt: Date): Promise<KeepOutcome> {
  let made: Made;
  try {
    made = make(signal, encoding, body);
  } catch (e) {
    return { kind: 'invalid', message: decodeFailure(signal, e) };
  }
  const { line, itemCount, rejected, warning } = made;
  if (line === undefined) return { kind: 'kept', stored: false, itemCount, rejected, warning };
  try {
    await store.append(signal, line, receivedAt);
    return { kind: 'kept', stored: true, itemCount, rejected, warning };
  } catch (e) {
    return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
}

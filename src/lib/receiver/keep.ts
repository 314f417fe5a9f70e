/**
 * What storing a request means, wherever it runs (the store worker, or the receiving thread when
 * there is none or it failed): make its OTLP JSON line, append it, and give the answer's numbers.
 */
import { protoTracesLine } from '../otlp/proto-line.js';
import type { Signal } from '../store/layout.js';
import { decodeExport, decodeFailure } from './decode.js';
import type { Encoding } from './responses.js';
import type { KeepOutcome } from './store-lines.js';
import type { StoreWriter } from '../store/writer.js';
import type { SpanStarts } from '../span.js';
import { viewFactsOfSpans } from './view-facts.js';

interface Made {
  /** The line: UTF-8 bytes with their newline, or text without it; undefined when there is nothing to keep. */
  line: Uint8Array | string | undefined;
  itemCount: number;
  rejected: number;
  warning: string;
  /** The view's facts (view-facts.ts), when asked for. */
  viewFacts?: Uint8Array;
  /** A trace line's spans for the store's span index. */
  starts?: SpanStarts;
}

/** The request's line and the numbers of its answer; throws when the body is unusable. */
function make(signal: Signal, encoding: Encoding, body: Buffer, viewKeys: ReadonlySet<string> | undefined): Made {
  if (signal === 'traces' && encoding === 'protobuf') {
    // Protobuf straight to the line's bytes, the same bytes as below at about twice the speed
    // (docs/architecture.md, "One OTLP reader and writer"); a request it does not write (or a
    // malformed one) throws, and the decoder path below decides. Skipped spans (bad ids) go that
    // way too: their partial-success message comes from the decoder.
    try {
      const { line, spans, starts } = protoTracesLine(body);
      return { line, itemCount: spans, rejected: 0, warning: '', starts };
    } catch {
      /* the decoder path decides */
    }
  }
  const d = decodeExport(signal, encoding, body);
  const made: Made = { line: d.storeLine, itemCount: d.itemCount, rejected: d.rejected, warning: d.warning, starts: d.storeStarts };
  // A JSON body is parsed once, here: the view thread reads these facts, never the body. A
  // protobuf body needs none: the view thread reads it with the same key set and skips the rest
  // unread, cheaper than facts made here (docs/architecture.md, "View facts").
  if (viewKeys && signal === 'traces' && encoding === 'json') made.viewFacts = viewFactsOfSpans(d.spans, viewKeys);
  return made;
}

/**
 * `body` as a Buffer (as the receiver reads it): the decoders treat both kinds the same way.
 * With `viewKeys`, a JSON trace request's outcome carries the view's facts (view-facts.ts).
 */
export async function keepRequest(store: StoreWriter, signal: Signal, encoding: Encoding, body: Buffer, receivedAt: Date, viewKeys?: ReadonlySet<string>): Promise<KeepOutcome> {
  let made: Made;
  try {
    made = make(signal, encoding, body, viewKeys);
  } catch (e) {
    return { kind: 'invalid', message: decodeFailure(signal, e) };
  }
  const { line, itemCount, rejected, warning, viewFacts, starts } = made;
  if (line === undefined) return { kind: 'kept', stored: false, itemCount, rejected, warning };
  try {
    await store.append(signal, line, receivedAt, starts);
    return { kind: 'kept', stored: true, itemCount, rejected, warning, viewFacts };
  } catch (e) {
    return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
}

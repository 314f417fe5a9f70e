/**
 * Reading a request body under the size limit. The limit applies to the bytes on the wire and
 * again to the decompressed bytes, and decompression is incremental: it stops as soon as the
 * output passes the limit, so a small gzip bomb never expands in memory.
 */
import type { IncomingMessage } from 'node:http';
import { constants } from 'node:buffer';
import zlib from 'node:zlib';
import type { ContentCoding } from './headers.js';
import type { BodyHold } from './in-flight.js';

/**
 * A body received in pieces of unknown total (chunked, or inflating) into one SharedArrayBuffer
 * that grows as they arrive: worker threads (store lines, the view) then read the very same
 * bytes, with no copy per thread, and the body is never held twice (pieces, then their copy).
 * A growable SharedArrayBuffer reserves `maxBytes` of address space but commits only what it
 * has grown to (docs/architecture.md, "Bytes in flight"). Nothing writes to a body once read.
 */
export class GrowingBody {
  private readonly sab: GrowableSharedArrayBuffer;
  private view: Buffer;
  private length = 0;

  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    // A Buffer can be no larger (a --max-body of up to 1 TiB is accepted).
    this.maxBytes = Math.min(maxBytes, constants.MAX_LENGTH);
    this.sab = new (SharedArrayBuffer as unknown as GrowableSharedArrayBufferConstructor)(0, { maxByteLength: this.maxBytes });
    this.view = Buffer.from(this.sab);
  }

  /** Appends a piece; false, appending nothing, when the body would outgrow what a Buffer can hold. */
  append(piece: Uint8Array): boolean {
    const end = this.length + piece.length;
    if (end > this.maxBytes) return false;
    if (end > this.view.length) {
      // Grown a MiB (or the piece) at a time: a few calls per body, not one per 64 KiB piece.
      this.sab.grow(Math.min(this.maxBytes, Math.max(end, this.length + GROW_STEP_BYTES)));
      this.view = Buffer.from(this.sab);
    }
    this.view.set(piece, this.length);
    this.length = end;
    return true;
  }

  /** The bytes received, as one Buffer over the shared memory. */
  body(): Buffer {
    return Buffer.from(this.sab, 0, this.length);
  }
}

const GROW_STEP_BYTES = 1 << 20;

/** ES2024's growable SharedArrayBuffer (Node 20 has it; the TypeScript lib here is ES2022). */
type GrowableSharedArrayBuffer = SharedArrayBuffer & { grow(newLength: number): void };
type GrowableSharedArrayBufferConstructor = new (length: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

/** A body worker threads can read as it is (sharedBody), or a copy of it they own. */
export function bodyForWorker(body: Uint8Array): { body: Uint8Array; transfer: ArrayBuffer[] } {
  if (body.buffer instanceof SharedArrayBuffer) return { body, transfer: [] };
  const copy = new Uint8Array(body);
  return { body: copy, transfer: [copy.buffer] };
}

/** A body as a Buffer (what the receiver thread reads; workers get Uint8Arrays): the decoders then give the same results. */
export function asBuffer(body: Uint8Array): Buffer {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'too-large' | 'corrupt' | 'stalled'; message: string }
  | { ok: false; reason: 'aborted' }
  /** Over the cap on bytes in flight (in-flight.ts). */
  | { ok: false; reason: 'busy' };

/**
 * How long a body may stop arriving before it is given up (408): its hold on the bytes in flight
 * would otherwise last until node:http's request timeout (5 minutes), and two stalled uploads of
 * the default --max-body fill the default cap, refusing every export on both protocols
 * (docs/architecture.md, "Bytes in flight").
 */
export const BODY_IDLE_TIMEOUT_MS = 10_000;

/** How much of a refused body is read and thrown away (to answer cleanly) before hanging up. */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

function inflaterFor(coding: ContentCoding): zlib.Gunzip | zlib.Inflate | undefined {
  // HTTP "deflate" is the zlib format (RFC 9110), which is also what the Collector accepts.
  if (coding === 'gzip') return zlib.createGunzip();
  if (coding === 'deflate') return zlib.createInflate();
  return undefined;
}

/**
 * The body, under `maxBytes` and under the request's `hold` on the bytes in flight, grown as the
 * body arrives (chunked, or inflating): refused ('busy') as soon as it would pass the cap.
 * `declaredBytes` (Content-Length, already held): an uncompressed body is then received straight
 * into its shared buffer, never held twice. No byte for `idleMs`: 'stalled'.
 */
export function readLimitedBody(
  req: IncomingMessage,
  coding: ContentCoding,
  maxBytes: number,
  hold: BodyHold,
  declaredBytes?: number,
  idleMs = BODY_IDLE_TIMEOUT_MS,
): Promise<BodyResult> {
  return new Promise((resolve) => {
    const inflater = inflaterFor(coding);
    const direct = !inflater && declaredBytes !== undefined ? Buffer.from(new SharedArrayBuffer(declaredBytes)) : undefined;
    const growing = direct ? undefined : new GrowingBody(maxBytes);
    let rawBytes = 0;
    let outBytes = 0;
    let done = false;
    // Restarted (refresh, not a new timer) by every piece that arrives.
    const idle = setTimeout(
      () => finish({ ok: false, reason: 'stalled', message: `no bytes of the request body for ${idleMs / 1000} s; the connection is closed` }),
      idleMs,
    );

    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (inflater && !result.ok) inflater.destroy();
      resolve(result);
    };
    const tooLarge = (what: string) =>
      finish({ ok: false, reason: 'too-large', message: `request body ${what} exceeds the limit of ${maxBytes} bytes (--max-body)` });
    const keep = (chunk: Buffer) => {
      if (done) return;
      outBytes += chunk.length;
      if (outBytes > maxBytes) return tooLarge(inflater ? 'after decompression' : 'size');
      if (!hold.growTo(outBytes)) return finish({ ok: false, reason: 'busy' });
      // node:http ends a body at its Content-Length: it always fits.
      if (direct) direct.set(chunk, outBytes - chunk.length);
      else if (!growing!.append(chunk)) return tooLarge(inflater ? 'after decompression' : 'size');
    };
    const whole = (): Buffer => (direct ? direct.subarray(0, outBytes) : growing!.body());

    function onData(chunk: Buffer) {
      idle.refresh();
      rawBytes += chunk.length;
      if (rawBytes > maxBytes) return tooLarge('size');
      if (!inflater) return keep(chunk);
      if (!inflater.write(chunk)) {
        req.pause();
        inflater.once('drain', () => req.resume());
      }
    }
    function onEnd() {
      if (inflater) inflater.end();
      else finish({ ok: true, body: whole() });
    }
    function onClose() {
      if (!req.complete) finish({ ok: false, reason: 'aborted' });
    }

    if (inflater) {
      inflater.on('data', keep);
      inflater.on('end', () => finish({ ok: true, body: whole() }));
      inflater.on('error', (e: Error) => finish({ ok: false, reason: 'corrupt', message: `cannot decompress the ${coding} body: ${e.message}` }));
    }
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

/**
 * Reads and drops what is left of a body we refused, so the client sees our answer rather than
 * a reset connection; a client that keeps sending far beyond it is cut off.
 */
export function discardRest(req: IncomingMessage, limitBytes = DISCARD_LIMIT_BYTES): void {
  if (req.complete || req.destroyed) return;
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limitBytes) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}

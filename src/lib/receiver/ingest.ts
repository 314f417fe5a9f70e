/**
 * The path every export takes, whatever the protocol: decode → store → hooks → answer. The
 * store comes first so that a 200 means the data is on disk, and the view only ever shows what
 * was kept.
 */
import { DecodeError } from '../errors.js';
import type { Signal } from '../store/layout.js';
import { decodeExport, type DecodedExport } from './decode.js';
import type { Encoding } from './responses.js';
import type { StoreLineMaker } from './store-lines.js';
import type { ReceiverHooks, StoreWriter } from './types.js';

/** Options both receivers share. */
export interface ReceiverCommonOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Largest request body, checked on the wire and after decompression. */
  maxBodyBytes: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  store: StoreWriter;
  hooks: ReceiverHooks;
  /** Store writes in flight at which new exports are refused as retryable (default 64). */
  maxPendingWrites?: number;
  /** How long close() waits for in-flight requests before cutting connections (default 5 s). */
  closeTimeoutMs?: number;
  /** Clock for `receivedAt` (tests inject one). */
  now?: () => Date;
  /** Makes store lines on worker threads while this thread decodes for the hooks. */
  lines?: StoreLineMaker;
}

export interface RunningReceiver {
  port: number;
  /** Stops accepting, waits for in-flight requests (their store writes included), then resolves. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_PENDING_WRITES = 64;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

export function storeBacklogged(opts: ReceiverCommonOptions): boolean {
  return opts.store.pending >= (opts.maxPendingWrites ?? DEFAULT_MAX_PENDING_WRITES);
}

export interface IngestRequest {
  signal: Signal;
  protocol: 'http' | 'grpc';
  encoding: Encoding;
  /** Decompressed request body. */
  body: Uint8Array;
  contentType: string;
  receivedAt: Date;
}

export type IngestOutcome =
  | { kind: 'ok'; rejected: number; warning: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'unavailable'; message: string };

export async function ingest(opts: ReceiverCommonOptions, req: IngestRequest): Promise<IngestOutcome> {
  let decoded: DecodedExport;
  // Started first, so the worker writes the line while this thread decodes.
  const made = opts.lines?.make(req.signal, req.encoding, req.body);
  made?.catch(() => {});
  try {
    decoded = decodeExport(req.signal, req.encoding, req.body, made === undefined);
  } catch (e) {
    // Anything thrown while decoding (a DecodeError, or a stack overflow on absurd nesting)
    // means the body is unusable; it is the client's problem, not a server failure.
    const message =
      e instanceof DecodeError
        ? `${e.field ? `${e.field}: ` : ''}${e.message}`
        : `cannot decode the ${req.signal} request: ${e instanceof Error ? e.message : String(e)}`;
    return { kind: 'invalid', message };
  }
  let line: string | Uint8Array | undefined = decoded.storeLine;
  if (made) {
    try {
      line = await made;
    } catch {
      // A worker failure must not lose the data: make the line here.
      line = decodeExport(req.signal, req.encoding, req.body).storeLine;
    }
  }
  if (line !== undefined) {
    try {
      await opts.store.append(req.signal, line, req.receivedAt);
    } catch (e) {
      return { kind: 'unavailable', message: `could not write to the store: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  try {
    opts.hooks.onExport({
      signal: req.signal,
      protocol: req.protocol,
      encoding: req.encoding,
      receivedAt: req.receivedAt,
      spans: decoded.spans,
      logs: decoded.logs,
      itemCount: decoded.itemCount,
      body: req.body,
      contentType: req.contentType,
    });
  } catch {
    // The data is stored; a failing view must not make the client resend it.
  }
  return { kind: 'ok', rejected: decoded.rejected, warning: decoded.warning };
}

export function notifyReject(hooks: ReceiverHooks, protocol: 'http' | 'grpc', status: number | string, reason: string): void {
  try {
    hooks.onReject?.({ protocol, status, reason });
  } catch {
    // Reporting is best effort; the answer to the client does not depend on it.
  }
}

/**
 * The path every export takes, whatever the protocol: decode → store → hooks → answer. The
 * store comes first so that a 200 means the data is on disk, and the view only ever shows what
 * was kept.
 */
import type { PbMessage } from '../otlp/pb-json.js';
import type { Span, SpanStarts } from '../span.js';
import type { Signal } from '../store/layout.js';
import { decodeExport, decodeFailure, type DecodedExport } from './decode.js';
import type { Encoding } from './responses.js';
import type { BodyHold, InFlight } from './in-flight.js';
import { keepRequest } from './keep.js';
import { asBuffer } from './limits.js';
import { collectGarbageSoon, COLLECT_AFTER_BODY_BYTES } from '../runtime/heap.js';
import type { KeepOutcome, StoreLines } from './store-lines.js';
import type { StoreWriter } from '../store/writer.js';
import type { LogRecordView, ReceiverHooks } from './types.js';

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
  /** Seconds to wait before retrying a refusal because the receiver is busy (default 1). */
  retryAfterSeconds?: number;
  /** Store writes in flight at which new exports are refused as retryable (default 64). */
  maxPendingWrites?: number;
  /**
   * Requests under way and the bytes of their bodies, capped; a session passes one to both
   * receivers (one cap). Unset: each receiver has its own, with the default cap.
   */
  inFlight?: InFlight;
  /** How long close() waits for in-flight requests before cutting connections (default 5 s). */
  closeTimeoutMs?: number;
  /** Clock for `receivedAt` (tests inject one). */
  now?: () => Date;
  /**
   * Makes and appends store lines on a worker thread, while this thread decodes for the hooks
   * (or, with `decoder`, while this thread waits for the worker's answer).
   */
  lines?: StoreLines;
  /**
   * Decodes exports on another thread that also feeds the view there; the hooks then get no
   * spans or logs (only the body, for --forward).
   */
  decoder?: ExportDecoder;
}

export type ElsewhereOutcome =
  | { kind: 'ok'; token: number; itemCount: number; rejected: number; warning: string }
  | { kind: 'invalid'; message: string };

export interface ExportDecoder {
  decode(req: IngestRequest): Promise<ElsewhereOutcome>;
  /** The export was stored (its decoded items may be shown) or not (drop them). */
  settle(token: number, stored: boolean): void;
  /**
   * An export already accepted and stored (by the store workers): decoded and shown there, off
   * the answer's path. Resolves at once, or once the decoder has caught up when it lags behind;
   * `done` once the decoder no longer reads the body. With `facts` (the store worker's view facts,
   * view-facts.ts), the decoder reads those and never the body.
   */
  show(req: IngestRequest, facts?: Uint8Array): Promise<{ done: Promise<void> }>;
}

export interface RunningReceiver {
  port: number;
  /**
   * Stops accepting, waits for in-flight requests (their store writes included), then resolves.
   * After closeTimeoutMs connections are cut, but requests already being ingested still finish
   * first: nothing is stored after close() resolved.
   */
  close(): Promise<void>;
}

export const DEFAULT_MAX_PENDING_WRITES = 64;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

/** A new request's hold on its body's bytes, or why it is refused as retryable (busy). */
export type Admission = { hold: BodyHold } | { busy: string };

/**
 * The one gate before a body is read (HTTP) or ingested (gRPC): refused as retryable when the
 * store is behind (writes in flight) or the bodies in flight would pass the cap with `bytes`
 * more (docs/architecture.md, "Bytes in flight").
 */
export function admit(opts: ReceiverCommonOptions, inFlight: InFlight, bytes: number): Admission {
  if (opts.store.pending + (opts.lines?.pending ?? 0) >= (opts.maxPendingWrites ?? DEFAULT_MAX_PENDING_WRITES)) {
    return { busy: 'the store is not keeping up; retry later' };
  }
  const hold = inFlight.reserve(bytes);
  return hold ? { hold } : { busy: inFlightFull(inFlight) };
}

export const inFlightFull = (inFlight: InFlight): string =>
  `request bodies in flight reached the limit of ${inFlight.maxBytes} bytes (--max-in-flight); retry later`;

/**
 * Gives a request's bytes back once nothing reads its body any more: at the answer, or later when
 * the view thread still reads it.
 */
export function releaseAfter(hold: BodyHold, outcome: IngestOutcome | undefined): void {
  const release = () => {
    // A large body's memory goes only once this thread collects (runtime/heap.ts collectGarbageSoon).
    if (hold.bytes >= COLLECT_AFTER_BODY_BYTES) collectGarbageSoon();
    hold.release();
  };
  if (outcome?.kind === 'ok' && outcome.bodyInUse) void outcome.bodyInUse.then(release);
  else release();
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
  /** bodyInUse: the body is still read elsewhere (the view thread) until it settles. */
  | { kind: 'ok'; rejected: number; warning: string; bodyInUse?: Promise<void> }
  | { kind: 'invalid'; message: string }
  | { kind: 'unavailable'; message: string };

export async function ingest(opts: ReceiverCommonOptions, req: IngestRequest): Promise<IngestOutcome> {
  if (opts.decoder) return ingestElsewhere(opts, opts.decoder, req);
  let decoded: DecodedExport;
  // Started first, so the worker stores the line while this thread decodes.
  const kept = keepElsewhere(opts, req);
  try {
    decoded = decodeExport(req.signal, req.encoding, req.body, { storeLine: kept === undefined && !opts.store.discards });
  } catch (e) {
    return { kind: 'invalid', message: decodeFailure(req.signal, e) };
  }
  const failed = kept ? await keptOrStoreHere(opts, req, kept) : await store(opts, req, decoded.storeLine, decoded.storeStarts);
  if (failed) return failed;
  notifyExport(opts.hooks, req, decoded.spans, decoded.logs, decoded.itemCount, decoded.metrics);
  return { kind: 'ok', rejected: decoded.rejected, warning: decoded.warning };
}

function keepElsewhere(opts: ReceiverCommonOptions, req: IngestRequest): Promise<KeepOutcome> | undefined {
  const kept = opts.lines?.keep(req.signal, req.encoding, req.body, req.receivedAt);
  kept?.catch(() => {}); // awaited later, unless the request turns out invalid
  return kept;
}

/** Appends the line (when there is one); the outcome when the store failed. */
async function store(opts: ReceiverCommonOptions, req: IngestRequest, line: string | Uint8Array | undefined, starts: SpanStarts | undefined): Promise<IngestOutcome | undefined> {
  if (line === undefined) return undefined;
  try {
    await opts.store.append(req.signal, line, req.receivedAt, starts);
    return undefined;
  } catch (e) {
    return unavailable(e instanceof Error ? e.message : String(e));
  }
}

/**
 * The worker's outcome for a request this side accepted; should the worker have failed, or not
 * have decoded what this side did, the line is made and appended here.
 */
async function keptOrStoreHere(opts: ReceiverCommonOptions, req: IngestRequest, kept: Promise<KeepOutcome>): Promise<IngestOutcome | undefined> {
  let outcome = await kept.catch(() => undefined);
  if (outcome === undefined || outcome.kind === 'invalid') outcome = await keepHere(opts, req);
  return outcome.kind === 'failed' ? unavailable(outcome.message) : undefined;
}

/** What the store worker does, on this thread. */
function keepHere(opts: ReceiverCommonOptions, req: IngestRequest): Promise<KeepOutcome> {
  return keepRequest(opts.store, req.signal, req.encoding, asBuffer(req.body), req.receivedAt);
}

const unavailable = (message: string): IngestOutcome => ({ kind: 'unavailable', message: `could not write to the store: ${message}` });

/**
 * Decoding for the answer and the view happens on another thread (tail --quiet): this thread
 * only answers (and stores, when no store worker does). The decoder holds what it decoded until
 * told it was stored.
 */
async function ingestElsewhere(opts: ReceiverCommonOptions, decoder: ExportDecoder, req: IngestRequest): Promise<IngestOutcome> {
  if (opts.lines) return storeThenShow(opts, opts.lines, decoder, req);
  let outcome: ElsewhereOutcome;
  try {
    outcome = await decoder.decode(req);
  } catch {
    // The decoding thread failed: decide here, without the view.
    try {
      const d = decodeExport(req.signal, req.encoding, req.body, { storeLine: false });
      outcome = { kind: 'ok', token: -1, itemCount: d.itemCount, rejected: d.rejected, warning: d.warning };
    } catch (e) {
      outcome = { kind: 'invalid', message: decodeFailure(req.signal, e) };
    }
  }
  if (outcome.kind === 'invalid') return outcome;
  let failed: IngestOutcome | undefined;
  let stored = false;
  try {
    const d = opts.store.discards ? undefined : decodeExport(req.signal, req.encoding, req.body);
    failed = await store(opts, req, d?.storeLine, d?.storeStarts);
    stored = failed === undefined;
  } finally {
    // Whatever happened here (even a bug), the decoder must not hold the export forever.
    decoder.settle(outcome.token, stored);
  }
  if (failed) return failed;
  notifyExport(opts.hooks, req, [], [], outcome.itemCount);
  return { kind: 'ok', rejected: outcome.rejected, warning: outcome.warning };
}

/**
 * tail --quiet with store workers: the store worker's decoding gives the answer, and the view
 * thread gets the export once it is stored, off the answer's path (the two threads work on
 * different requests at once). Should the worker fail, this thread decides and stores.
 */
async function storeThenShow(opts: ReceiverCommonOptions, lines: StoreLines, decoder: ExportDecoder, req: IngestRequest): Promise<IngestOutcome> {
  let outcome: KeepOutcome;
  try {
    outcome = await lines.keep(req.signal, req.encoding, req.body, req.receivedAt);
  } catch {
    outcome = await keepHere(opts, req); // the worker failed
  }
  if (outcome.kind === 'invalid') return outcome;
  if (outcome.kind === 'failed') return unavailable(outcome.message);
  // With the view's facts from the store worker, the view thread reads them, not the body, whose
  // bytes can be given back at the answer (docs/architecture.md, "View facts").
  const facts = outcome.viewFacts;
  const shown = await decoder.show(req, facts); // also when nothing was stored: the view counts requests
  notifyExport(opts.hooks, req, [], [], outcome.itemCount);
  return { kind: 'ok', rejected: outcome.rejected, warning: outcome.warning, bodyInUse: facts ? undefined : shown.done };
}

function notifyExport(hooks: ReceiverHooks, req: IngestRequest, spans: Span[], logs: LogRecordView[], itemCount: number, metrics?: PbMessage): void {
  try {
    hooks.onExport({
      signal: req.signal,
      protocol: req.protocol,
      encoding: req.encoding,
      receivedAt: req.receivedAt,
      spans,
      logs,
      ...(metrics ? { metrics } : {}),
      itemCount,
      body: req.body,
      contentType: req.contentType,
    });
  } catch {
    // The data is stored; a failing view must not make the client resend it.
  }
}

export function notifyReject(hooks: ReceiverHooks, protocol: 'http' | 'grpc', status: number | string, reason: string): void {
  try {
    hooks.onReject?.({ protocol, status, reason });
  } catch {
    // Reporting is best effort; the answer to the client does not depend on it.
  }
}

/**
 * The contract between the OTLP receivers (HTTP, gRPC), the store writer and the live view:
 * receiver → store (persist) → onExport callback → view. The receiver never imports the view.
 */
import type { Span } from '../span.js';
import type { LogRecordView } from '../otlp/signals.js';
import type { Signal } from '../store/layout.js';

export type { LogRecordView } from '../otlp/signals.js';

export interface AcceptedExport {
  signal: Signal;
  protocol: 'http' | 'grpc';
  encoding: 'protobuf' | 'json';
  receivedAt: Date;
  /** Decoded spans (traces only; empty otherwise). */
  spans: Span[];
  /** Decoded log records (logs only; empty otherwise). */
  logs: LogRecordView[];
  /** Number of items in the request (spans, log records or data points). */
  itemCount: number;
  /** The request body after decompression, with its content type, for --forward. */
  body: Uint8Array;
  contentType: string;
}

export interface ReceiverHooks {
  /** Called once the store has persisted the export, before the client is answered. */
  onExport(e: AcceptedExport): void;
  /** A rejected request (bad body, auth, size); the server keeps serving. */
  onReject?(info: { protocol: 'http' | 'grpc'; status: number | string; reason: string }): void;
}

export interface StoreWriter {
  /**
   * Appends one line (one request as OTLP JSON) to the signal's current hourly file: a string
   * without its newline, or the line's UTF-8 bytes ending in their newline.
   */
  append(signal: Signal, jsonLine: string | Uint8Array, receivedAt: Date): Promise<void>;
  /** True when nothing is kept (`--no-store`): no line needs to be made. */
  readonly discards?: boolean;
  /** Writes not yet completed: the receiver answers 503 + Retry-After above a threshold. */
  readonly pending: number;
  close(): Promise<void>;
}

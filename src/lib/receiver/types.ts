/**
 * The contract between the OTLP receivers (HTTP, gRPC) and the live view: receiver → store
 * (persist, store/writer.ts StoreWriter) → onExport callback → view. The receiver never imports
 * the view.
 */
import type { PbMessage } from '../otlp/pb-json.js';
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
  /** A metrics request, decoded, when the receiving thread decoded it. */
  metrics?: PbMessage;
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

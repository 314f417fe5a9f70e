/** In-process receivers on ephemeral ports with a temp store, and a raw HTTP client. */
import http from 'node:http';
import path from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as grpc from '@grpc/grpc-js';
import { otlpType } from '../../src/lib/otlp/schema.js';
import { grpcServiceDefinition, startGrpcReceiver } from '../../src/lib/receiver/grpc.js';
import { startHttpReceiver, type HttpReceiverOptions } from '../../src/lib/receiver/http.js';
import type { RunningReceiver } from '../../src/lib/receiver/ingest.js';
import type { AcceptedExport } from '../../src/lib/receiver/types.js';
import type { StoreWriter } from '../../src/lib/store/writer.js';
import type { Signal } from '../../src/lib/store/layout.js';
import { createStoreWriter } from '../../src/lib/store/writer.js';
import { tempDir } from '../helpers/read-all.js';

export interface TestReceivers {
  http: RunningReceiver;
  grpc: RunningReceiver;
  storeDir: string;
  store: StoreWriter;
  exports: AcceptedExport[];
  rejects: Array<{ protocol: string; status: number | string; reason: string }>;
  close(): Promise<void>;
}

export async function startReceivers(
  options: Partial<Omit<HttpReceiverOptions, 'hooks'>> & { grpc?: boolean } = {},
): Promise<TestReceivers> {
  const storeDir = path.join(tempDir(), 'store');
  const store = options.store ?? createStoreWriter(storeDir);
  const exports: AcceptedExport[] = [];
  const rejects: TestReceivers['rejects'] = [];
  const common = {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024 * 1024,
    ...options,
    store,
    hooks: { onExport: (e: AcceptedExport) => exports.push(e), onReject: (r: TestReceivers['rejects'][number]) => rejects.push(r) },
  };
  const httpReceiver = await startHttpReceiver(common);
  const grpcReceiver = options.grpc === false ? { port: 0, close: async () => {} } : await startGrpcReceiver(common);
  return {
    http: httpReceiver,
    grpc: grpcReceiver,
    storeDir,
    store,
    exports,
    rejects,
    async close() {
      await Promise.all([httpReceiver.close(), grpcReceiver.close()]);
      await store.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request on its own connection; `chunked` leaves out content-length as the JS exporters do. */
export function request(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: Uint8Array | string; chunked?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string> = { ...opts.headers };
    if (body && !opts.chunked) headers['content-length'] = String(body.length);
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/v1/traces', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body && opts.chunked) {
      // Several writes so the body really goes out in chunks.
      const step = Math.max(1, Math.ceil(body.length / 4));
      for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
    } else if (body) {
      req.write(body);
    }
    req.end();
  });
}

/** The google.rpc.Status of a refusal, in the answer's encoding. */
export function statusOf(res: RawResponse): { code: number; message: string } {
  if (String(res.headers['content-type']).startsWith('application/json')) return JSON.parse(res.body.toString('utf8'));
  return otlpType('google.rpc.Status').toObject(otlpType('google.rpc.Status').decode(res.body)) as { code: number; message: string };
}

export const PROTOBUF = { 'content-type': 'application/x-protobuf' };
export const JSON_CT = { 'content-type': 'application/json' };

export interface SpanExporterLike {
  export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export function exportSpans(exporter: SpanExporterLike, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

export type GrpcExporter = (body: Uint8Array, metadata?: grpc.Metadata) => Promise<{ error: grpc.ServiceError | null; response?: Buffer }>;

const openClients: grpc.Client[] = [];

/** Closes every client grpcClient opened (after each test). */
export function closeGrpcClients(): void {
  for (const c of openClients.splice(0)) c.close();
}

/** A raw grpc-js client of one signal's Export (bytes in, bytes out), closed by closeGrpcClients. */
export function grpcClient(port: number, signal: Signal, options: grpc.ChannelOptions = {}): GrpcExporter {
  const Ctor = grpc.makeGenericClientConstructor(grpcServiceDefinition(signal), signal);
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
  openClients.push(client);
  const send: GrpcExporter = (body, metadata = new grpc.Metadata()) =>
    new Promise((resolve) => {
      (client as unknown as { Export: Function }).Export(Buffer.from(body), metadata, (error: grpc.ServiceError | null, response?: Buffer) =>
        resolve({ error, response }),
      );
    });
  return send;
}

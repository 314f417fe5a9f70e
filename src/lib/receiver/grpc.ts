/**
 * The OTLP/gRPC receiver (@grpc/grpc-js): the trace, logs and metrics `Export` methods. The
 * (de)serializers pass bytes through untouched so decoding happens in `ingest`, where a bad
 * message becomes INVALID_ARGUMENT (a throwing deserializer would only give INTERNAL) and the
 * hooks get the request bytes. grpc-js itself undoes gzip/deflate and enforces the size limit
 * (RESOURCE_EXHAUSTED), on the decompressed size too.
 */
import * as grpc from '@grpc/grpc-js';
import type { Signal } from '../store/layout.js';
import { bearerMatches } from './headers.js';
import { InFlight } from './in-flight.js';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  admit,
  ingest,
  notifyReject,
  releaseAfter,
  type ReceiverCommonOptions,
  type RunningReceiver,
} from './ingest.js';
import { CONTENT_TYPE, exportResponseBody, retryStatusDetails } from './responses.js';

// grpc-js writes its own errors to stderr, raw and cryptic (`E No address added out of total 1
// resolved` for a busy port); tail reports start-up errors itself (live/listen.ts).
grpc.setLogVerbosity(grpc.logVerbosity.NONE);

export type GrpcReceiverOptions = ReceiverCommonOptions;

export const GRPC_SERVICES: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
};

const passThrough = (b: Buffer): Buffer => b;

/** The service of one signal, bytes in and bytes out (also usable to build a test client). */
export function grpcServiceDefinition(signal: Signal): grpc.ServiceDefinition {
  return {
    Export: {
      path: `/${GRPC_SERVICES[signal]}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
      originalName: 'export',
    },
  };
}

/** grpc-js reports bind failures as a plain message; give them the errno code callers test. */
function bindError(err: Error, address: string): Error {
  const code = /\b(E[A-Z]{3,})\b/.exec(err.message)?.[1];
  const out = new Error(`cannot listen on ${address}: ${err.message}`) as NodeJS.ErrnoException;
  if (code) out.code = code;
  return out;
}

/**
 * Concurrent calls on one connection. grpc-js reads each call's whole message before the handler
 * runs, where the cap on bytes in flight applies: this bounds what one connection can make it
 * buffer beforehand (16 × --max-body); exporters make one to ten calls at a time, and HTTP/2
 * clients wait for a free stream rather than fail. Across connections nothing bounds it
 * (docs/architecture.md, "Bytes in flight").
 */
export const MAX_CONCURRENT_STREAMS = 16;

export function startGrpcReceiver(opts: GrpcReceiverOptions): Promise<RunningReceiver> {
  const now = opts.now ?? (() => new Date());
  const retryAfterSeconds = opts.retryAfterSeconds ?? 1;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes,
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
  });

  const inFlight = opts.inFlight ?? new InFlight();
  const exportHandler =
    (signal: Signal) =>
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void => {
      const receivedAt = now();
      const fail = (code: grpc.status, details: string, metadata?: grpc.Metadata) => {
        notifyReject(opts.hooks, 'grpc', grpc.status[code], details);
        callback({ code, details, metadata });
      };
      // UNAVAILABLE is always retryable in OTLP (RESOURCE_EXHAUSTED only with RetryInfo); the
      // RetryInfo says when, as Retry-After does over HTTP.
      const busy = (details: string) => {
        const trailers = new grpc.Metadata();
        trailers.set('grpc-status-details-bin', retryStatusDetails(grpc.status.UNAVAILABLE, details, retryAfterSeconds));
        fail(grpc.status.UNAVAILABLE, details, trailers);
      };
      if (opts.token !== undefined) {
        const given = call.metadata.get('authorization');
        if (!given.some((v) => typeof v === 'string' && bearerMatches(v, opts.token!))) {
          return fail(grpc.status.UNAUTHENTICATED, 'missing or wrong token: send metadata authorization: Bearer <token>');
        }
      }
      // grpc-js has read the whole message by now: its bytes are held from here on.
      const admission = admit(opts, inFlight, call.request.length);
      if ('busy' in admission) return busy(admission.busy);
      void inFlight.track(ingest(opts, {
        signal,
        protocol: 'grpc',
        encoding: 'protobuf',
        body: call.request,
        contentType: CONTENT_TYPE.protobuf,
        receivedAt,
      })).then(
        (outcome) => {
          releaseAfter(admission.hold, outcome);
          if (outcome.kind === 'ok') callback(null, exportResponseBody(signal, 'protobuf', outcome.rejected, outcome.warning));
          else if (outcome.kind === 'invalid') fail(grpc.status.INVALID_ARGUMENT, outcome.message);
          else busy(outcome.message);
        },
        (e: unknown) => {
          admission.hold.release();
          fail(grpc.status.INTERNAL, `internal error: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    };

  for (const signal of Object.keys(GRPC_SERVICES) as Signal[]) {
    server.addService(grpcServiceDefinition(signal), { Export: exportHandler(signal) });
  }

  let closed: Promise<void> | undefined;
  function close(): Promise<void> {
    return (closed ??= new Promise((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        void inFlight.settled().then(resolve);
      }, opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        void inFlight.settled().then(resolve);
      });
    }));
  }

  const address = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        server.forceShutdown();
        return reject(bindError(err, address));
      }
      resolve({ port, close });
    });
  });
}

/**
 * The OTLP/HTTP receiver (node:http): POST /v1/traces, /v1/logs, /v1/metrics and / (traces, for
 * exporters given a signal endpoint without a path). Answers as the OTLP spec and the Collector
 * do; every refusal carries a google.rpc.Status in the request's encoding (JSON when the
 * request's own content type is unusable). No request can crash it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Signal } from '../store/layout.js';
import { bearerMatches, hostAllowed, parseContentEncoding, parseMediaType } from './headers.js';
import { InFlight } from './in-flight.js';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  admit,
  inFlightFull,
  ingest,
  notifyReject,
  releaseAfter,
  type IngestOutcome,
  type ReceiverCommonOptions,
  type RunningReceiver,
} from './ingest.js';
import { discardRest, readLimitedBody } from './limits.js';
import { CONTENT_TYPE, RpcCode, exportResponseBody, statusBody, type Encoding } from './responses.js';

export type { RunningReceiver } from './ingest.js';

export interface HttpReceiverOptions extends ReceiverCommonOptions {
  /** Browser origins allowed by CORS (comma-separated, or `*`); unset: no CORS at all. */
  cors?: string;
  /** Host header names answered (any port); others get 403. Unset: any Host. */
  allowedHosts?: readonly string[];
  /** How long a body may stop arriving before it is given up with a 408 (default BODY_IDLE_TIMEOUT_MS; tests shorten it). */
  bodyIdleTimeoutMs?: number;
}

const ROUTES = new Map<string, Signal>([
  ['/v1/traces', 'traces'],
  ['/v1/logs', 'logs'],
  ['/v1/metrics', 'metrics'],
  ['/', 'traces'],
]);

function allowedOrigin(cors: string, origin: string | undefined): string | undefined {
  const list = cors.split(',').map((o) => o.trim());
  if (list.includes('*')) return '*';
  return origin !== undefined && list.includes(origin) ? origin : undefined;
}

/**
 * How long a connection whose body is left unread stays open after its answer: time for the
 * client to read the answer, since closing a socket with unread bytes resets the connection,
 * and a reset can reach the client before it read the answer (it then sees EPIPE or ECONNRESET
 * instead of the 503: 8–14 of ~1,500 refusals in the burst bench without it).
 */
const LINGER_MS = 2000;

/**
 * Stops reading a request's body: node:http would otherwise pull the rest off the wire after
 * the answer (`_dump`, unless the body is being read, which read(0) marks without reading more),
 * and destroy the socket as soon as a `Connection: close` answer is written. The socket is
 * half-closed instead and destroyed after LINGER_MS; the client's unread bytes wait in the
 * kernel's buffers, not in this process.
 */
function leaveUnread(req: http.IncomingMessage): void {
  req.read(0);
  req.pause();
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

export function startHttpReceiver(opts: HttpReceiverOptions): Promise<RunningReceiver> {
  const now = opts.now ?? (() => new Date());
  const retryAfter = String(opts.retryAfterSeconds ?? 1);
  const inFlight = opts.inFlight ?? new InFlight();
  let closing = false;

  function send(res: http.ServerResponse, status: number, encoding: Encoding, body: Buffer, headers: Record<string, string> = {}) {
    if (res.headersSent || res.destroyed) return;
    // After close() began, answer and hang up so keep-alive connections do not hold it open.
    if (closing) res.setHeader('Connection', 'close');
    res.writeHead(status, { ...headers, 'Content-Type': CONTENT_TYPE[encoding], 'Content-Length': String(body.length) });
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = now();
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    const contentType = req.headers['content-type'];
    const encoding = parseMediaType(contentType);
    const replyEncoding = encoding ?? 'json';

    if (opts.cors !== undefined) {
      const origin = allowedOrigin(opts.cors, req.headers.origin);
      if (origin !== undefined) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
      }
      res.setHeader('Vary', 'Origin');
    }

    // `hangUp`: the rest of the body is not read; the connection closes once the answer is out
    // (node:http then stops reading it), rather than reading up to DISCARD_LIMIT_BYTES of it.
    const refuse = (status: number, code: number, reason: string, headers: Record<string, string> = {}, hangUp = false) => {
      if (hangUp) leaveUnread(req);
      send(res, status, replyEncoding, statusBody(replyEncoding, code, reason), hangUp ? { ...headers, Connection: 'close' } : headers);
      if (!hangUp) discardRest(req);
      notifyReject(opts.hooks, 'http', status, reason);
    };

    if (!hostAllowed(req.headers.host, opts.allowedHosts)) {
      return refuse(
        403,
        RpcCode.PERMISSION_DENIED,
        `Host ${JSON.stringify(String(req.headers.host).slice(0, 100))} is not served: this listener answers to ${opts.allowedHosts!.join(', ')} (llmtrace tail --allow-host NAME to add one)`,
      );
    }
    const signal = ROUTES.get(pathname);
    if (signal === undefined) {
      return refuse(404, RpcCode.NOT_FOUND, `no OTLP endpoint at ${pathname.slice(0, 200)}; use /v1/traces, /v1/logs or /v1/metrics`);
    }
    if (req.method === 'OPTIONS' && opts.cors !== undefined) {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'content-type, content-encoding, authorization',
        'Access-Control-Max-Age': '600',
        ...(closing ? { Connection: 'close' } : {}),
      });
      res.end();
      discardRest(req);
      return;
    }
    if (req.method !== 'POST') {
      const allow = opts.cors !== undefined ? 'POST, OPTIONS' : 'POST';
      return refuse(405, RpcCode.UNIMPLEMENTED, `method ${req.method ?? '?'} not allowed; OTLP/HTTP exports are POSTed`, { Allow: allow });
    }
    if (opts.token !== undefined && !bearerMatches(req.headers.authorization, opts.token)) {
      return refuse(401, RpcCode.UNAUTHENTICATED, 'missing or wrong token: send Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (encoding === undefined) {
      return refuse(
        415,
        RpcCode.INVALID_ARGUMENT,
        `unsupported content type ${JSON.stringify((contentType ?? '').slice(0, 100))}; use application/x-protobuf or application/json`,
      );
    }
    const coding = parseContentEncoding(req.headers['content-encoding']);
    if (coding === undefined) {
      return refuse(
        415,
        RpcCode.INVALID_ARGUMENT,
        `unsupported content encoding ${JSON.stringify((req.headers['content-encoding'] ?? '').slice(0, 100))}; use gzip, deflate or none`,
      );
    }
    const length = Number(req.headers['content-length'] ?? NaN);
    const declared = Number.isSafeInteger(length) ? length : undefined;
    if (declared !== undefined && declared > opts.maxBodyBytes) {
      return refuse(413, RpcCode.RESOURCE_EXHAUSTED, `request body exceeds the limit of ${opts.maxBodyBytes} bytes (--max-body)`);
    }
    // Refused for now: the client sends it again after Retry-After. A burst of large exports is
    // refused thousands of times, and reading each refused body to its end cost the receiving
    // thread its time and memory (docs/architecture.md, "Bytes in flight").
    const busy = (reason: string) => refuse(503, RpcCode.UNAVAILABLE, reason, { 'Retry-After': retryAfter }, true);
    // Held before a byte of the body is read: all of it when its length is declared, else as it
    // arrives (docs/architecture.md, "Bytes in flight").
    const admission = admit(opts, inFlight, declared ?? 0);
    if ('busy' in admission) return busy(admission.busy);
    let outcome: IngestOutcome | undefined;
    try {
      const body = await readLimitedBody(req, coding, opts.maxBodyBytes, admission.hold, declared, opts.bodyIdleTimeoutMs);
      if (!body.ok) {
        if (body.reason === 'aborted') return notifyReject(opts.hooks, 'http', 'aborted', 'client went away before sending the whole body');
        if (body.reason === 'busy') return busy(inFlightFull(inFlight));
        if (body.reason === 'too-large') return refuse(413, RpcCode.RESOURCE_EXHAUSTED, body.message);
        if (body.reason === 'stalled') return refuse(408, RpcCode.DEADLINE_EXCEEDED, body.message, {}, true);
        return refuse(400, RpcCode.INVALID_ARGUMENT, body.message);
      }
      outcome = await ingest(opts, {
        signal,
        protocol: 'http',
        encoding,
        body: body.body,
        contentType: CONTENT_TYPE[encoding],
        receivedAt,
      });
    } finally {
      releaseAfter(admission.hold, outcome);
    }
    if (outcome.kind === 'ok') return send(res, 200, encoding, exportResponseBody(signal, encoding, outcome.rejected, outcome.warning));
    if (outcome.kind === 'invalid') return refuse(400, RpcCode.INVALID_ARGUMENT, outcome.message);
    return busy(outcome.message);
  }

  const server = http.createServer((req, res) => {
    // A client that resets the connection mid-request must not become an unhandled 'error'.
    req.on('error', () => {});
    res.on('error', () => {});
    inFlight.track(handle(req, res)).catch((e: unknown) => {
      // Only a bug gets here; the request still gets an answer and the server keeps serving.
      notifyReject(opts.hooks, 'http', 500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, 500, 'json', statusBody('json', RpcCode.INTERNAL, 'internal error'));
      else res.destroy();
    });
  });

  let closed: Promise<void> | undefined;
  function close(): Promise<void> {
    closing = true;
    return (closed ??= new Promise((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
      server.close(() => {
        clearTimeout(force);
        void inFlight.settled().then(resolve);
      });
      server.closeIdleConnections();
    }));
  }

  return new Promise((resolve, reject) => {
    const onListenError = (err: Error) => reject(err);
    server.once('error', onListenError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onListenError);
      server.on('error', () => {});
      resolve({ port: (server.address() as AddressInfo).port, close });
    });
  });
}

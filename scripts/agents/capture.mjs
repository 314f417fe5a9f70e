// An OTLP capture receiver for scripts/record-agents.mjs: keeps every export request's body as
// it arrived (gzip undone, and said so), with its path, content-type and arrival time. It decodes
// nothing, so what the fixtures hold is exactly what the agent sent, whatever llmtrace makes of it.
//
// HTTP: any POST path (OTLP/HTTP, protobuf or JSON). gRPC: the three collector `Export` methods,
// bytes passed through. Both answer with an empty Export*ServiceResponse (success).
import { createServer } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';

const GRPC_SERVICES = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
};

const passThrough = (b) => b;

function signalOf(path) {
  if (/traces?\b/i.test(path)) return 'traces';
  if (/logs?\b/i.test(path)) return 'logs';
  if (/metrics?\b/i.test(path)) return 'metrics';
  return 'unknown';
}

/** @param {{ log?: (s: string) => void }} opts */
export async function startCapture(opts = {}) {
  const log = opts.log ?? (() => {});
  /** @type {{ seq: number, time: string, transport: string, path: string, signal: string, contentType: string, contentEncoding: string | null, body: Buffer }[]} */
  const requests = [];
  const push = (r) => {
    requests.push({ seq: requests.length + 1, ...r });
    log(`capture: ${r.transport} ${r.path} ${r.contentType} ${r.body.length} B`);
  };

  const http = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const enc = req.headers['content-encoding'] ?? null;
      try {
        if (enc === 'gzip') body = gunzipSync(body);
        else if (enc === 'deflate') body = inflateSync(body);
      } catch (e) {
        log(`capture: cannot undo ${enc}: ${e}`);
      }
      const path = new URL(req.url ?? '/', 'http://capture').pathname;
      const contentType = String(req.headers['content-type'] ?? '');
      push({ time: new Date().toISOString(), transport: 'http', path, signal: signalOf(path), contentType, contentEncoding: enc, body });
      if (contentType.includes('json')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      } else {
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
        res.end();
      }
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));

  const server = new grpc.Server();
  for (const [signal, service] of Object.entries(GRPC_SERVICES)) {
    const path = `/${service}/Export`;
    server.addService(
      { Export: { path, requestStream: false, responseStream: false, requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough, originalName: 'export' } },
      {
        Export: (call, callback) => {
          const md = call.metadata.getMap();
          push({ time: new Date().toISOString(), transport: 'grpc', path, signal, contentType: 'application/grpc', contentEncoding: md['grpc-encoding'] ? String(md['grpc-encoding']) : null, body: call.request });
          callback(null, Buffer.alloc(0));
        },
      },
    );
  }
  const grpcPort = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );

  return {
    httpUrl: `http://127.0.0.1:${http.address().port}`,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    requests,
    close: async () => {
      http.closeAllConnections?.();
      await new Promise((resolve) => http.close(() => resolve(undefined)));
      await new Promise((resolve) => server.tryShutdown(() => resolve(undefined)));
    },
  };
}

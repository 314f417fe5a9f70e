// An OTLP/HTTP trace receiver for the library drivers: keeps every export request body as sent
// (OTLP/JSON or protobuf, gunzipped), so the tests read exactly what the library's own exporter wrote.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

/**
 * @returns {Promise<{ url: string, bodies: Array<{ path: string, json: boolean, body: Buffer }>, close(): Promise<void> }>}
 *   `url` is the origin (no trailing slash); any POST path ending in `/v1/traces` is accepted.
 */
export async function startCapture() {
  /** @type {Array<{ path: string, json: boolean, body: Buffer }>} */
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || !path.endsWith('/v1/traces')) {
        // Metrics and logs exporters (Logfire, openlit) are answered and dropped.
        res.writeHead(req.method === 'POST' ? 200 : 404, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const json = String(req.headers['content-type'] ?? '').includes('json');
      bodies.push({ path, json, body });
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : Buffer.alloc(0));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve(undefined)));
      }),
  };
}

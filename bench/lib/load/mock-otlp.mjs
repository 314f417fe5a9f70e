#!/usr/bin/env node
/**
 * @elastic/mockotlpserver as the comparison receiver: its own HTTP service only, no printers
 * (the CLI's default "inspect,summary" printers would console.dir every request), log level
 * warn. Per request it buffers the body, answers 200, then protobuf-decodes the request with
 * protobufjs and publishes it on a diagnostics channel, where our onTrace counts the spans.
 * Prints {"port":…}; on SIGTERM/SIGINT prints {"requests":…,"spans":…} and exits.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MockOtlpServer } = require('@elastic/mockotlpserver');

let requests = 0;
let spans = 0;
const server = new MockOtlpServer({
  services: ['http'],
  httpHostname: '127.0.0.1',
  httpPort: 0,
  logLevel: 'warn',
  onTrace: (req) => {
    requests++;
    for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
  },
});
await server.start();
process.stdout.write(`${JSON.stringify({ port: Number(server.httpUrl.port) })}\n`);
const stop = () => {
  process.stdout.write(`${JSON.stringify({ requests, spans })}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

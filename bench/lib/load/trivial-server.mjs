#!/usr/bin/env node
/**
 * The load generator's ceiling: an HTTP server that reads each body and answers 200 with an
 * empty ExportTraceServiceResponse, doing nothing else. With `--delay-ms N` it answers after N ms
 * (the slow `--forward` target of the robustness run). Prints {"port":…} once listening; on
 * SIGTERM/SIGINT prints {"requests":…,"bytes":…} and exits.
 */
import http from 'node:http';

const i = process.argv.indexOf('--delay-ms');
const delayMs = i === -1 ? 0 : Number(process.argv[i + 1]);
let requests = 0;
let bytes = 0;
const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  req.on('data', (d) => (bytes += d.length));
  req.on('end', () => {
    requests++;
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
      res.end();
    };
    if (delayMs) setTimeout(answer, delayMs);
    else answer();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
const stop = () => {
  process.stdout.write(`${JSON.stringify({ requests, bytes })}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

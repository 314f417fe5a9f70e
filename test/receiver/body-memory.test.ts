/**
 * A large body's memory is given back once its request is answered (runtime/heap.ts
 * collectGarbageSoon, called by receiver/ingest.ts releaseAfter): the receiving thread's heap
 * hardly grows while bodies pass through it, so without a collection their SharedArrayBuffers
 * stayed held long after the answer (docs/architecture.md, "Burst memory").
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InFlight } from '../../src/lib/receiver/in-flight.js';
import { readAll } from '../helpers/read-all.js';
import { startReceivers, type TestReceivers } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An OTLP/JSON export of `spans` spans with a 2 KB attribute each (about 2.2 KB a span). */
function largeJsonBody(spans: number): Buffer {
  const filler = 'x'.repeat(2000);
  const list = [];
  for (let i = 0; i < spans; i++) {
    list.push({
      traceId: hex(i + 1, 32),
      spanId: hex(i + 1, 16),
      name: 'chat',
      startTimeUnixNano: '1750000000000000000',
      endTimeUnixNano: '1750000000100000000',
      attributes: [{ key: 'gen_ai.prompt', value: { stringValue: filler } }],
    });
  }
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans: list }] }] }));
}

/** POSTs `body` itself (the test helper sends a copy, which would be garbage of this thread too). */
function post(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let r: TestReceivers | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('memory of large bodies', () => {
  it('gives a 6 MB body back after the answer, and stores every span', async () => {
    const body = largeJsonBody(2800);
    expect(body.length).toBeGreaterThan(6e6);
    r = await startReceivers({ grpc: false, maxBodyBytes: 16 * 1024 * 1024, inFlight: new InFlight(64 * 1024 * 1024) });
    // The test's hook would keep each export, and with it the body: counted, not kept.
    let exported = 0;
    r.exports.push = () => ++exported;
    // A first export grows what stays by design (the one writer's scratch buffer, otlp/json-write.ts).
    expect(await post(r.http.port, body)).toBe(200);
    await sleep(500);
    const before = process.memoryUsage().arrayBuffers;
    expect(await post(r.http.port, body)).toBe(200);
    expect(exported).toBe(2);
    let held = Infinity;
    for (const until = Date.now() + 3_000; Date.now() < until; await sleep(50)) {
      held = process.memoryUsage().arrayBuffers - before;
      if (held < 2e6) break;
    }
    expect(held).toBeLessThan(2e6);
    expect((await readAll([r.storeDir])).spans.length).toBe(2 * 2800);
  });
});

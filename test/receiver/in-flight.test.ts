/**
 * The cap on bytes of request bodies in flight (tail --max-in-flight): beyond it, HTTP answers
 * 503 with Retry-After and gRPC UNAVAILABLE with RetryInfo, and stores nothing; within it,
 * exports are stored. Every path gives the bytes back: success, errors, an upload cut short, and
 * the view thread done reading. The cap is filled by a hold taken here, so nothing depends on
 * timing.
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { otlpType } from '../../src/lib/otlp/schema.js';
import { InFlight } from '../../src/lib/receiver/in-flight.js';
import type { ExportDecoder, IngestRequest } from '../../src/lib/receiver/ingest.js';
import type { KeepOutcome, StoreLines } from '../../src/lib/receiver/store-lines.js';
import { viewFactsOfSpans } from '../../src/lib/receiver/view-facts.js';
import { readAll } from '../helpers/read-all.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';
import { PROTOBUF, closeGrpcClients, grpcClient, request, startReceivers, statusOf, type TestReceivers } from './helpers.js';

const CAP = 64 * 1024;
const body = sdkProtobuf(makeSdkSpans());

let r: TestReceivers | undefined;
afterEach(async () => {
  closeGrpcClients();
  await r?.close();
  r = undefined;
});

async function receivers(inFlight: InFlight, over: Parameters<typeof startReceivers>[0] = {}) {
  r = await startReceivers({ inFlight, ...over });
  return r;
}

const stored = async (rr: TestReceivers) => (await readAll([rr.storeDir])).spans.length;

describe('InFlight', () => {
  it('holds up to the cap, grows a hold, and gives every byte back once', () => {
    const inFlight = new InFlight(100);
    const a = inFlight.reserve(60)!;
    expect(inFlight.reserve(41)).toBeUndefined();
    const b = inFlight.reserve(0)!;
    expect(b.growTo(40)).toBe(true);
    expect(b.growTo(41)).toBe(false); // refused: holds what it held
    expect(inFlight.bytes).toBe(100);
    expect(b.growTo(10)).toBe(true); // never shrinks
    a.release();
    a.release();
    expect(inFlight.bytes).toBe(40);
    b.release();
    expect(inFlight.bytes).toBe(0);
    expect(b.growTo(50)).toBe(false); // released: holds nothing more
    expect(inFlight.bytes).toBe(0);
  });
});

describe('over the cap', () => {
  it('HTTP with Content-Length: 503, Retry-After, UNAVAILABLE status, nothing read or stored; then accepted', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight, { grpc: false });
    const full = inFlight.reserve(CAP - body.length + 1)!;
    const res = await request(rr.http.port, { headers: PROTOBUF, body });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(statusOf(res)).toMatchObject({ code: 14, message: expect.stringMatching(/--max-in-flight/) });
    expect(rr.exports).toEqual([]);
    expect(await stored(rr)).toBe(0);
    expect(inFlight.bytes).toBe(CAP - body.length + 1);

    full.release();
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(200);
    expect(await stored(rr)).toBe(2);
    expect(inFlight.bytes).toBe(0);
  });

  it('HTTP chunked: refused as soon as the bytes received pass the cap; then accepted', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight, { grpc: false });
    // Admitted (nothing declared), refused once half of the body came in.
    const full = inFlight.reserve(CAP - Math.floor(body.length / 2))!;
    const res = await request(rr.http.port, { headers: PROTOBUF, body, chunked: true });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(statusOf(res).code).toBe(14);
    expect(await stored(rr)).toBe(0);
    expect(inFlight.bytes).toBe(CAP - Math.floor(body.length / 2));

    full.release();
    expect((await request(rr.http.port, { headers: PROTOBUF, body, chunked: true })).status).toBe(200);
    expect(await stored(rr)).toBe(2);
    expect(inFlight.bytes).toBe(0);
  });

  it('HTTP: a refused body is not read to its end; the answer closes the connection', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight, { grpc: false });
    const full = inFlight.reserve(CAP - 1000)!;
    // Declares 512 KiB, sends 16 KiB of it and waits: the receiver must answer and hang up, not
    // wait for (and read) the rest as it does for a refusal it keeps the connection open after.
    const sock = net.connect(rr.http.port, '127.0.0.1');
    await new Promise<void>((resolve) => sock.once('connect', resolve));
    sock.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${512 * 1024}\r\n\r\n`);
    sock.write(Buffer.alloc(16 * 1024));
    let answer = '';
    sock.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    sock.on('error', () => {}); // a reset after the answer is fine
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(inFlight.bytes).toBe(CAP - 1000);
    full.release();
  });

  it('gRPC: UNAVAILABLE with RetryInfo (1 s), nothing stored; then accepted', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight);
    const send = grpcClient(rr.grpc.port, 'traces');
    const full = inFlight.reserve(CAP - body.length + 1)!;
    const { error } = await send(body);
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(error?.details).toMatch(/--max-in-flight/);
    const [details] = error!.metadata.get('grpc-status-details-bin') as Buffer[];
    const status = otlpType('google.rpc.Status').decode(details!) as unknown as { code: number; details: Array<{ type_url: string; value: Uint8Array }> };
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.details[0]!.type_url).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect([...status.details[0]!.value]).toEqual([0x0a, 0x02, 0x08, 0x01]); // retry_delay { seconds: 1 }
    expect(rr.exports).toEqual([]);
    expect(await stored(rr)).toBe(0);

    full.release();
    expect((await send(body)).error).toBeNull();
    expect(await stored(rr)).toBe(2);
    expect(inFlight.bytes).toBe(0);
  });

  it('HTTP and gRPC share one cap', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight);
    const full = inFlight.reserve(CAP)!;
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(503);
    const send = grpcClient(rr.grpc.port, 'traces');
    expect((await send(body)).error?.code).toBe(grpc.status.UNAVAILABLE);
    full.release();
    expect(inFlight.bytes).toBe(0);
  });
});

describe('the bytes come back', () => {
  it('after a 400 (HTTP and gRPC) and after a store that failed (503)', async () => {
    const inFlight = new InFlight(CAP);
    let failing = false;
    const rr = await receivers(inFlight, {
      store: { pending: 0, append: async () => { if (failing) throw new Error('disk full'); }, close: async () => {} },
    });
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    expect((await request(rr.http.port, { headers: PROTOBUF, body: garbage })).status).toBe(400);
    const send = grpcClient(rr.grpc.port, 'traces');
    expect((await send(garbage)).error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(inFlight.bytes).toBe(0);
    failing = true;
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(503);
    expect((await send(body)).error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(inFlight.bytes).toBe(0);
  });

  it('after a body above --max-body, declared or chunked (413)', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight, { grpc: false, maxBodyBytes: 16 });
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(413);
    expect((await request(rr.http.port, { headers: PROTOBUF, body, chunked: true })).status).toBe(413);
    expect(inFlight.bytes).toBe(0);
  });

  it('after an upload the client abandons mid-body', async () => {
    const inFlight = new InFlight(CAP);
    const rr = await receivers(inFlight, { grpc: false });
    const socket = net.connect(rr.http.port, '127.0.0.1');
    await new Promise((done) => socket.once('connect', done));
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 10000\r\n\r\n`);
    socket.write(Buffer.alloc(100));
    await vi.waitFor(() => expect(inFlight.bytes).toBe(10000)); // held before the body came
    socket.destroy();
    await vi.waitFor(() => expect(rr.rejects.some((x) => x.status === 'aborted')).toBe(true));
    expect(inFlight.bytes).toBe(0);
    expect(await stored(rr)).toBe(0);
  });

  it('after an upload that stalls mid-body: 408 once no byte came for bodyIdleTimeoutMs, the connection closed', async () => {
    // One stalled client must not hold its declared bytes (and so refuse everyone) for minutes.
    const inFlight = new InFlight(10_000);
    const rr = await receivers(inFlight, { grpc: false, bodyIdleTimeoutMs: 300 });
    const socket = net.connect(rr.http.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const closed = new Promise((done) => socket.once('close', done));
    await new Promise((done) => socket.once('connect', done));
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"resourceSpans":[`);
    await vi.waitFor(() => expect(inFlight.bytes).toBe(10000));
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(503); // the cap is full
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('no bytes of the request body for 0.3 s');
    expect(rr.rejects.map((x) => x.status)).toContain(408);
    expect(inFlight.bytes).toBe(0);
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(200);
  });

  it('only once the view thread no longer reads the body (tail --quiet)', async () => {
    const inFlight = new InFlight(CAP);
    let viewDone!: () => void;
    const decoder: ExportDecoder = {
      decode: () => Promise.reject(new Error('not used when a store worker answers')),
      settle: () => {},
      show: async () => ({ done: new Promise<void>((resolve) => (viewDone = resolve)) }),
    };
    const kept: KeepOutcome = { kind: 'kept', stored: true, itemCount: 2, rejected: 0, warning: '' };
    const lines: StoreLines = { keep: async () => kept, pending: 0, close: async () => {} };
    const rr = await receivers(inFlight, { grpc: false, decoder, lines });
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(200);
    expect(inFlight.bytes).toBe(body.length);
    viewDone();
    await vi.waitFor(() => expect(inFlight.bytes).toBe(0));
  });

  it('at the answer when the store worker gave the view its facts (a body is not read twice)', async () => {
    const inFlight = new InFlight(CAP);
    const shown: Array<[IngestRequest, Uint8Array | undefined]> = [];
    const decoder: ExportDecoder = {
      decode: () => Promise.reject(new Error('not used when a store worker answers')),
      settle: () => {},
      show: async (req, facts) => {
        shown.push([req, facts]);
        return { done: new Promise<void>(() => {}) }; // the view never finishes: the body must not wait for it
      },
    };
    const records = viewFactsOfSpans([], new Set());
    const kept: KeepOutcome = { kind: 'kept', stored: true, itemCount: 2, rejected: 0, warning: '', viewFacts: records };
    const lines: StoreLines = { keep: async () => kept, pending: 0, close: async () => {} };
    const rr = await receivers(inFlight, { grpc: false, decoder, lines });
    expect((await request(rr.http.port, { headers: PROTOBUF, body })).status).toBe(200);
    await vi.waitFor(() => expect(inFlight.bytes).toBe(0));
    expect(shown).toHaveLength(1);
    expect(shown[0]![1]).toBe(records);
  });
});

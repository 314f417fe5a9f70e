/**
 * OTLP/gRPC with a raw grpc-js client (bytes in, bytes out) for the exact status codes: bad
 * messages, size limit (plain and gzip), auth, backlog; logs and metrics services; busy port.
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { requestType } from '../../src/lib/otlp/signals.js';
import { startGrpcReceiver } from '../../src/lib/receiver/grpc.js';
import { readAll } from '../helpers/read-all.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';
import { closeGrpcClients, grpcClient, startReceivers, type TestReceivers } from './helpers.js';
import { logsRequest, metricsRequest, readStoreLines } from './signal-fixtures.js';

let r: TestReceivers | undefined;
afterEach(async () => {
  closeGrpcClients();
  await r?.close();
  r = undefined;
});

const client = grpcClient;

async function expectStillServes(rr: TestReceivers) {
  const before = (await readAll([rr.storeDir])).spans.length;
  const { error } = await client(rr.grpc.port, 'traces')(sdkProtobuf(makeSdkSpans()));
  expect(error).toBeNull();
  expect((await readAll([rr.storeDir])).spans.length).toBe(before + 2);
}

describe('OTLP/gRPC', () => {
  it('traces: accepted, stored, empty ExportTraceServiceResponse', async () => {
    r = await startReceivers();
    const { error, response } = await client(r.grpc.port, 'traces')(sdkProtobuf(makeSdkSpans()));
    expect(error).toBeNull();
    expect(response!.length).toBe(0);
    expect((await readAll([r.storeDir])).spans).toHaveLength(2);
    expect(r.exports[0]).toMatchObject({ protocol: 'grpc', encoding: 'protobuf', contentType: 'application/x-protobuf' });
  });

  it('logs and metrics services store their requests', async () => {
    r = await startReceivers();
    const logs = requestType('logs').encode(logsRequest()).finish();
    const metrics = requestType('metrics').encode(metricsRequest()).finish();
    expect((await client(r.grpc.port, 'logs')(logs)).error).toBeNull();
    expect((await client(r.grpc.port, 'metrics')(metrics)).error).toBeNull();
    expect(await readStoreLines(r.storeDir, 'logs')).toHaveLength(1);
    expect(await readStoreLines(r.storeDir, 'metrics')).toHaveLength(1);
    expect(r.exports.map((e) => [e.signal, e.itemCount])).toEqual([
      ['logs', 3],
      ['metrics', 7],
    ]);
    expect(r.exports[0]!.logs.map((l) => l.eventName)).toEqual(['gen_ai.user.message', 'gen_ai.choice', '']);
  });

  it('an undecodable message → INVALID_ARGUMENT, then still serves', async () => {
    r = await startReceivers();
    const { error } = await client(r.grpc.port, 'traces')(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/not a valid OTLP protobuf/);
    const logs = await client(r.grpc.port, 'logs')(Buffer.from([0x0a, 0x05, 0x01]));
    expect(logs.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.rejects.map((x) => x.status)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    await expectStillServes(r);
  });

  it('a message above the limit → RESOURCE_EXHAUSTED, plain and gzip-compressed', async () => {
    r = await startReceivers({ maxBodyBytes: 64 * 1024 });
    // A valid request padded with a large unknown field: its size is the only problem.
    const padded = Buffer.concat([sdkProtobuf(makeSdkSpans()), Buffer.from([0x7a, 0x80, 0x80, 0x10]), Buffer.alloc(256 * 1024)]);
    const plain = await client(r.grpc.port, 'traces')(padded);
    expect(plain.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const gzipClient = client(r.grpc.port, 'traces', { 'grpc.default_compression_algorithm': 2 });
    const zipped = await gzipClient(padded);
    expect(zipped.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // gzip under the limit works.
    expect((await gzipClient(sdkProtobuf(makeSdkSpans()))).error).toBeNull();
    await expectStillServes(r);
  });

  it('--token → UNAUTHENTICATED without the bearer metadata', async () => {
    r = await startReceivers({ token: 'abc' });
    const send = client(r.grpc.port, 'traces');
    const body = sdkProtobuf(makeSdkSpans());
    expect((await send(body)).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = new grpc.Metadata();
    wrong.set('authorization', 'Bearer abd');
    expect((await send(body, wrong)).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const right = new grpc.Metadata();
    right.set('authorization', 'Bearer abc');
    expect((await send(body, right)).error).toBeNull();
    expect((await readAll([r.storeDir])).spans).toHaveLength(2);
  });

  it('store backlog → UNAVAILABLE', async () => {
    r = await startReceivers({ store: { pending: 99, append: async () => {}, close: async () => {} }, maxPendingWrites: 5 });
    const { error } = await client(r.grpc.port, 'traces')(sdkProtobuf(makeSdkSpans()));
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.exports).toEqual([]);
  });

  it('close() lets an in-flight export finish', async () => {
    let release!: () => void;
    r = await startReceivers({
      store: { pending: 0, append: () => new Promise<void>((done) => (release = done)), close: async () => {} },
    });
    const result = client(r.grpc.port, 'traces')(sdkProtobuf(makeSdkSpans()));
    await new Promise((done) => setTimeout(done, 100));
    const closing = r.grpc.close();
    release();
    expect((await result).error).toBeNull();
    await closing;
  });

  it('a busy port rejects with code EADDRINUSE', async () => {
    const blocker = net.createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const start = startGrpcReceiver({
        host: '127.0.0.1',
        port,
        maxBodyBytes: 1024,
        store: { pending: 0, append: async () => {}, close: async () => {} },
        hooks: { onExport: () => {} },
      });
      await expect(start).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      blocker.close();
    }
  });
});

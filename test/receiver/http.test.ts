/**
 * OTLP/HTTP answers: content types and encodings, errors with a decodable google.rpc.Status,
 * size limits (raw, chunked, decompressed, a gzip bomb), methods, paths, auth, CORS, backlog,
 * partial success; after each refusal the server still takes a good export.
 */
import net from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { officialTraceTypes } from '../helpers/official-otlp.mjs';
import { startHttpReceiver } from '../../src/lib/receiver/http.js';
import type { ExportDecoder } from '../../src/lib/receiver/ingest.js';
import type { KeepOutcome, StoreLines } from '../../src/lib/receiver/store-lines.js';
import type { StoreWriter } from '../../src/lib/store/writer.js';
import { readAll } from '../helpers/read-all.js';
import { makeSdkSpans, sdkJson, sdkProtobuf } from '../helpers/sdk-spans.js';
import { JSON_CT, PROTOBUF, request, startReceivers, statusOf, type TestReceivers } from './helpers.js';

let r: TestReceivers | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** A good protobuf export must still be accepted (and stored) after whatever came before. */
async function expectStillServes(rr: TestReceivers) {
  const before = (await readAll([rr.storeDir])).spans.length;
  const res = await request(rr.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
  expect(res.status).toBe(200);
  expect((await readAll([rr.storeDir])).spans.length).toBe(before + 2);
}

const MiB = 1024 * 1024;

describe('content types and encodings', () => {
  it.each([
    ['application/x-protobuf', 'protobuf'],
    ['APPLICATION/X-PROTOBUF', 'protobuf'],
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON ; Charset="UTF-8"', 'json'],
  ])('%s is accepted; the response uses the same encoding', async (ct, enc) => {
    r = await startReceivers({ grpc: false });
    const spans = makeSdkSpans();
    const body = enc === 'json' ? sdkJson(spans) : sdkProtobuf(spans);
    const res = await request(r.http.port, { headers: { 'content-type': ct }, body, chunked: true });
    expect(res.status).toBe(200);
    if (enc === 'json') {
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body.toString())).toEqual({});
    } else {
      expect(res.headers['content-type']).toBe('application/x-protobuf');
      expect(res.body.length).toBe(0); // an empty ExportTraceServiceResponse
    }
    expect((await readAll([r.storeDir])).spans).toHaveLength(2);
  });

  it.each([
    ['gzip', zlib.gzipSync],
    ['x-gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['identity', (b: Uint8Array) => Buffer.from(b)],
    ['GZIP', zlib.gzipSync],
  ])('Content-Encoding %s', async (coding, compress) => {
    r = await startReceivers({ grpc: false });
    const res = await request(r.http.port, {
      headers: { ...PROTOBUF, 'content-encoding': coding },
      body: compress(sdkProtobuf(makeSdkSpans())),
      chunked: true,
    });
    expect(res.status).toBe(200);
    expect((await readAll([r.storeDir])).spans).toHaveLength(2);
  });

  it('other content types → 415 with a Status, then still serves', async () => {
    r = await startReceivers({ grpc: false });
    for (const ct of ['text/plain', 'application/protobuf-ish', '']) {
      const res = await request(r.http.port, { headers: ct ? { 'content-type': ct } : {}, body: '{}' });
      expect(res.status).toBe(415);
      expect(statusOf(res).message).toMatch(/unsupported content type/);
    }
    await expectStillServes(r);
  });

  it('other content encodings → 415', async () => {
    r = await startReceivers({ grpc: false });
    for (const ce of ['br', 'zstd', 'gzip, br']) {
      const res = await request(r.http.port, { headers: { ...PROTOBUF, 'content-encoding': ce }, body: 'x' });
      expect(res.status).toBe(415);
      expect(statusOf(res)).toMatchObject({ code: 3, message: expect.stringMatching(/content encoding/) });
    }
    await expectStillServes(r);
  });
});

describe('bad bodies → 400 with google.rpc.Status in the request encoding', () => {
  it.each([
    ['protobuf garbage', PROTOBUF, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])],
    ['truncated protobuf', PROTOBUF, () => sdkProtobuf(makeSdkSpans()).subarray(0, 40)],
    ['invalid JSON', JSON_CT, '{"resourceSpans": ['],
    ['JSON that is not a trace request', JSON_CT, '{"hello": 1}'],
    ['a JSON array', JSON_CT, '[1,2]'],
  ])('%s', async (_name, headers, body) => {
    r = await startReceivers({ grpc: false });
    const res = await request(r.http.port, { headers, body: typeof body === 'function' ? body() : body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe(headers['content-type']);
    const status = statusOf(res);
    expect(status.code).toBe(3);
    expect(status.message.length).toBeGreaterThan(5);
    expect(r.rejects.map((x) => x.status)).toEqual([400]);
    await expectStillServes(r);
  });

  it('corrupt gzip → 400', async () => {
    r = await startReceivers({ grpc: false });
    const gz = zlib.gzipSync(sdkProtobuf(makeSdkSpans()));
    const res = await request(r.http.port, { headers: { ...PROTOBUF, 'content-encoding': 'gzip' }, body: gz.subarray(0, gz.length - 10) });
    expect(res.status).toBe(400);
    expect(statusOf(res).message).toMatch(/decompress/);
    await expectStillServes(r);
  });
});

describe('partial success', () => {
  const good = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'good', startTimeUnixNano: '1', endTimeUnixNano: '2' };
  const bad = { traceId: 'zz', spanId: 'c'.repeat(16), name: 'bad' };
  const doc = { resourceSpans: [{ scopeSpans: [{ spans: [good, bad, { ...bad, spanId: '0'.repeat(16) }] }] }] };

  it('JSON: spans with bad ids are rejected and counted, the rest stored', async () => {
    r = await startReceivers({ grpc: false });
    const res = await request(r.http.port, { headers: JSON_CT, body: JSON.stringify(doc) });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.partialSuccess.rejectedSpans).toBe('2');
    expect(body.partialSuccess.errorMessage).toMatch(/traceId/);
    const { spans } = await readAll([r.storeDir]);
    expect(spans.map((s) => s.name)).toEqual(['good']);
    expect(r.exports[0]).toMatchObject({ itemCount: 3 });
  });

  it('protobuf: the response is an ExportTraceServiceResponse with partial_success', async () => {
    r = await startReceivers({ grpc: false });
    const t = officialTraceTypes();
    const hex = (h: string) => Buffer.from(h, 'hex');
    const req = t.ExportTraceServiceRequest.fromObject({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                { trace_id: hex('a'.repeat(32)), span_id: hex('b'.repeat(16)), name: 'good' },
                { trace_id: hex('abcd'), span_id: hex('c'.repeat(16)), name: 'short id' },
              ],
            },
          ],
        },
      ],
    });
    const res = await request(r.http.port, { headers: PROTOBUF, body: t.ExportTraceServiceRequest.encode(req).finish() });
    expect(res.status).toBe(200);
    const out = t.ExportTraceServiceResponse.toObject(t.ExportTraceServiceResponse.decode(res.body), { longs: Number }) as {
      partial_success: { rejected_spans: number; error_message: string };
    };
    expect(out.partial_success.rejected_spans).toBe(1);
    expect(out.partial_success.error_message).toMatch(/trace_id/);
    expect((await readAll([r.storeDir])).spans.map((s) => s.name)).toEqual(['good']);
  });
});

describe('size limit (--max-body)', () => {
  it('content-length above the limit → 413 without reading', async () => {
    r = await startReceivers({ grpc: false, maxBodyBytes: 64 * 1024 });
    const res = await request(r.http.port, { headers: PROTOBUF, body: Buffer.alloc(200 * 1024, 1) });
    expect(res.status).toBe(413);
    expect(statusOf(res).code).toBe(8);
    await expectStillServes(r);
  });

  it('a chunked body (no content-length) passing the limit → 413', async () => {
    r = await startReceivers({ grpc: false, maxBodyBytes: 64 * 1024 });
    const res = await request(r.http.port, { headers: JSON_CT, body: Buffer.alloc(300 * 1024, 0x20), chunked: true });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toBe('application/json');
    await expectStillServes(r);
  });

  it('small on the wire but large after decompression → 413', async () => {
    r = await startReceivers({ grpc: false, maxBodyBytes: 64 * 1024 });
    const body = zlib.gzipSync(Buffer.alloc(200 * 1024, 0x20));
    expect(body.length).toBeLessThan(64 * 1024);
    const res = await request(r.http.port, { headers: { ...JSON_CT, 'content-encoding': 'gzip' }, body, chunked: true });
    expect(res.status).toBe(413);
    expect(statusOf(res).message).toMatch(/after decompression/);
    await expectStillServes(r);
  });

  it('a gzip bomb (50 MiB of zeros in ~50 KiB) → 413 fast, without inflating it', async () => {
    r = await startReceivers({ grpc: false, maxBodyBytes: 1 * MiB });
    const gzip = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gzip.on('data', (c: Buffer) => parts.push(c));
    const zeros = Buffer.alloc(MiB);
    for (let i = 0; i < 50; i++) gzip.write(zeros);
    await new Promise((done) => gzip.end(done));
    const bomb = Buffer.concat(parts);
    expect(bomb.length).toBeLessThan(100 * 1024);

    const base = process.memoryUsage();
    let peakArrayBuffers = 0;
    let peakRss = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers - base.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    }, 1);
    const t0 = performance.now();
    const res = await request(r.http.port, { headers: { ...PROTOBUF, 'content-encoding': 'gzip' }, body: bomb, chunked: true });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    expect(res.status).toBe(413);
    expect(ms).toBeLessThan(1000);
    // Stopping at the limit keeps ~1 MiB of output plus zlib's buffers, nowhere near 50 MiB.
    expect(peakArrayBuffers).toBeLessThan(8 * MiB);
    expect(peakRss).toBeLessThan(32 * MiB);
    console.log(
      `gzip bomb: ${bomb.length} bytes → 413 in ${ms.toFixed(1)} ms; peak arrayBuffers +${(peakArrayBuffers / MiB).toFixed(2)} MiB, rss +${(peakRss / MiB).toFixed(2)} MiB`,
    );
    await expectStillServes(r);
  });
});

describe('methods, paths, auth, CORS', () => {
  it('GET and PUT on known paths → 405 with Allow: POST', async () => {
    r = await startReceivers({ grpc: false });
    for (const [method, path] of [['GET', '/v1/traces'], ['PUT', '/v1/logs'], ['GET', '/'], ['OPTIONS', '/v1/metrics']] as const) {
      const res = await request(r.http.port, { method, path });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(statusOf(res).code).toBe(12);
    }
    await expectStillServes(r);
  });

  it('unknown paths → 404', async () => {
    r = await startReceivers({ grpc: false });
    for (const path of ['/v1/trace', '/v1/traces/extra', '/api/v2/spans', '/v1/traces/']) {
      const res = await request(r.http.port, { path, headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
      expect(res.status).toBe(404);
    }
    await expectStillServes(r);
  });

  it('POST / and a query string are traces', async () => {
    r = await startReceivers({ grpc: false });
    expect((await request(r.http.port, { path: '/', headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) })).status).toBe(200);
    expect((await request(r.http.port, { path: '/v1/traces?x=1', headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) })).status).toBe(200);
    expect((await readAll([r.storeDir])).spans).toHaveLength(4);
  });

  it('--token: missing or wrong bearer → 401, right one → 200', async () => {
    r = await startReceivers({ grpc: false, token: 't0k3n' });
    const body = sdkProtobuf(makeSdkSpans());
    for (const auth of [undefined, 'Bearer nope', 't0k3n', 'Basic dDBrM246', 'Bearer t0k3n2']) {
      const res = await request(r.http.port, { headers: { ...PROTOBUF, ...(auth ? { authorization: auth } : {}) }, body });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(statusOf(res).code).toBe(16);
    }
    expect((await readAll([r.storeDir])).spans).toHaveLength(0);
    for (const auth of ['Bearer t0k3n', 'bearer t0k3n']) {
      expect((await request(r.http.port, { headers: { ...PROTOBUF, authorization: auth }, body })).status).toBe(200);
    }
  });

  it('CORS only when asked: preflight and the allowed origin', async () => {
    r = await startReceivers({ grpc: false, cors: 'http://localhost:5173' });
    const pre = await request(r.http.port, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(pre.headers['access-control-allow-methods']).toBe('POST');
    expect(pre.headers['access-control-allow-headers']).toBe('content-type, content-encoding, authorization');
    const post = await request(r.http.port, { headers: { ...JSON_CT, origin: 'http://localhost:5173' }, body: sdkJson(makeSdkSpans()) });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const other = await request(r.http.port, { headers: { ...JSON_CT, origin: 'http://evil.example' }, body: sdkJson(makeSdkSpans()) });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('no CORS headers without --cors', async () => {
    r = await startReceivers({ grpc: false });
    const post = await request(r.http.port, { headers: { ...JSON_CT, origin: 'http://localhost:5173' }, body: sdkJson(makeSdkSpans()) });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('store interplay', () => {
  function fakeStore(over: Partial<StoreWriter> & { pending?: number }): StoreWriter {
    return { pending: 0, append: async () => {}, close: async () => {}, ...over };
  }

  it('a backlog of store writes → 503 with Retry-After (nothing read, nothing handed on)', async () => {
    r = await startReceivers({ grpc: false, store: fakeStore({ pending: 1000 }), maxPendingWrites: 10 });
    const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(statusOf(res).code).toBe(14);
    expect(r.exports).toEqual([]);
  });

  describe('with the store on worker threads (lines)', () => {
    function fakeLines(keep: StoreLines['keep'], pending = 0): StoreLines {
      return { keep, pending, close: async () => {} };
    }
    const appended = () => {
      const lines: string[] = [];
      return { lines, store: fakeStore({ append: async (_s, line) => void lines.push(typeof line === 'string' ? line : Buffer.from(line).toString('utf8')) }) };
    };

    it('the worker stored it: answered 200, nothing appended here', async () => {
      const here = appended();
      r = await startReceivers({ grpc: false, store: here.store, lines: fakeLines(async () => ({ kind: 'kept', stored: true, itemCount: 2, rejected: 0, warning: '' }) as const) });
      const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
      expect(res.status).toBe(200);
      expect(here.lines).toEqual([]);
      expect(r.exports).toHaveLength(1);
    });

    it('a worker that failed, or did not decode what this thread accepted: the line is made and appended here', async () => {
      for (const keep of [async () => ({ kind: 'invalid', message: 'x' }) as const, () => Promise.reject(new Error('worker exited'))]) {
        const here = appended();
        r = await startReceivers({ grpc: false, store: here.store, lines: fakeLines(keep) });
        const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
        expect(res.status).toBe(200);
        expect(here.lines).toHaveLength(1);
        expect(JSON.parse(here.lines[0]!).resourceSpans[0].scopeSpans[0].spans).toHaveLength(2);
        await r.close();
      }
    });

    it('a failed append on the worker → 503 (retryable); an invalid body → 400 whatever the worker says', async () => {
      r = await startReceivers({ grpc: false, store: fakeStore({}), lines: fakeLines(async () => ({ kind: 'failed', message: 'ENOSPC: no space left' })) });
      const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
      expect(res.status).toBe(503);
      expect(statusOf(res).message).toMatch(/could not write to the store: ENOSPC/);
      const bad = await request(r.http.port, { headers: PROTOBUF, body: Buffer.from([0x0a, 0xff, 0xff]) });
      expect(bad.status).toBe(400);
      expect(r.exports).toEqual([]);
    });

    describe('and the view on its own thread (tail --quiet): the store worker answers, the view is shown stored exports', () => {
      function fakeDecoder() {
        const shown: number[] = [];
        const decoder: ExportDecoder = {
          decode: () => Promise.reject(new Error('not used when a store worker answers')),
          settle: () => {},
          show: async (req) => {
            shown.push(req.body.byteLength);
            return { done: Promise.resolve() };
          },
        };
        return { decoder, shown };
      }

      it('kept: answered with the worker\'s numbers (partial success included), then shown', async () => {
        const { decoder, shown } = fakeDecoder();
        const here = appended();
        r = await startReceivers({ grpc: false, store: here.store, decoder, lines: fakeLines(async () => ({ kind: 'kept', stored: true, itemCount: 3, rejected: 1, warning: 'spans[2].trace_id: span skipped' })) });
        const body = sdkProtobuf(makeSdkSpans());
        const res = await request(r.http.port, { headers: PROTOBUF, body });
        expect(res.status).toBe(200);
        const t = officialTraceTypes();
        const answer = t.ExportTraceServiceResponse.toObject(t.ExportTraceServiceResponse.decode(res.body), { longs: Number }) as {
          partial_success: { rejected_spans: number; error_message: string };
        };
        expect(answer.partial_success.rejected_spans).toBe(1);
        expect(answer.partial_success.error_message).toMatch(/trace_id/);
        expect(shown).toEqual([body.byteLength]);
        expect(here.lines).toEqual([]);
      });

      it('invalid: 400 with the worker\'s message, nothing shown; a failed append: 503, nothing shown', async () => {
        const { decoder, shown } = fakeDecoder();
        let next: KeepOutcome = { kind: 'invalid', message: 'not a valid OTLP protobuf trace request: x' };
        r = await startReceivers({ grpc: false, store: fakeStore({}), decoder, lines: fakeLines(async () => next) });
        const bad = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
        expect(bad.status).toBe(400);
        expect(statusOf(bad).message).toBe('not a valid OTLP protobuf trace request: x');
        next = { kind: 'failed', message: 'EACCES' };
        const failed = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
        expect(failed.status).toBe(503);
        expect(shown).toEqual([]);
      });

      it('a store worker that failed: this thread decides, stores and shows', async () => {
        const { decoder, shown } = fakeDecoder();
        const here = appended();
        r = await startReceivers({ grpc: false, store: here.store, decoder, lines: fakeLines(() => Promise.reject(new Error('worker exited'))) });
        const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
        expect(res.status).toBe(200);
        expect(here.lines).toHaveLength(1);
        expect(shown).toHaveLength(1);
        const garbage = await request(r.http.port, { headers: PROTOBUF, body: Buffer.from([0x0a, 0xff, 0xff]) });
        expect(garbage.status).toBe(400);
        expect(shown).toHaveLength(1);
      });
    });

    it('requests in the workers count toward the store backlog (503 above the limit)', async () => {
      r = await startReceivers({ grpc: false, store: fakeStore({ pending: 4 }), lines: fakeLines(async () => ({ kind: 'kept', stored: true, itemCount: 2, rejected: 0, warning: '' }) as const, 6), maxPendingWrites: 10 });
      const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
      expect(res.status).toBe(503);
    });
  });

  it('close() cuts connections after closeTimeoutMs but resolves only once requests being ingested are stored', async () => {
    const events: string[] = [];
    const store = fakeStore({
      append: async () => {
        await new Promise((r) => setTimeout(r, 300));
        events.push('appended');
      },
    });
    r = await startReceivers({ grpc: false, store, closeTimeoutMs: 20 });
    const sent = request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) }).catch(() => 'cut');
    await new Promise((res) => setTimeout(res, 50)); // the request is in the store write now
    await r.http.close();
    events.push('closed');
    expect(events).toEqual(['appended', 'closed']);
    await sent;
  });

  it('a failing store write → 503 (retryable), and the hooks never see it', async () => {
    r = await startReceivers({ grpc: false, store: fakeStore({ append: () => Promise.reject(new Error('ENOSPC: no space left')) }) });
    const res = await request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
    expect(res.status).toBe(503);
    expect(statusOf(res).message).toMatch(/ENOSPC/);
    expect(r.exports).toEqual([]);
  });

  it('the answer comes only after the store write, and the hooks run between', async () => {
    const events: string[] = [];
    let release!: () => void;
    const store = fakeStore({
      append: () => {
        events.push('append');
        return new Promise<void>((done) => (release = () => (events.push('written'), done())));
      },
    });
    r = await startReceivers({ grpc: false, store });
    const pending = request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) }).then((res) => {
      events.push(`answered ${res.status}`);
    });
    await new Promise((done) => setTimeout(done, 100));
    expect(events).toEqual(['append']);
    expect(r.exports).toEqual([]);
    release();
    await pending;
    expect(events).toEqual(['append', 'written', 'answered 200']);
    expect(r.exports).toHaveLength(1);
  });

  it('close() waits for the in-flight request and its store write', async () => {
    let release!: () => void;
    let written = false;
    const store = fakeStore({ append: () => new Promise<void>((done) => (release = () => ((written = true), done()))) });
    r = await startReceivers({ grpc: false, store });
    const res = request(r.http.port, { headers: PROTOBUF, body: sdkProtobuf(makeSdkSpans()) });
    await new Promise((done) => setTimeout(done, 100));
    let closed = false;
    const closing = r.http.close().then(() => (closed = true));
    await new Promise((done) => setTimeout(done, 100));
    expect(closed).toBe(false);
    release();
    expect((await res).status).toBe(200);
    await closing;
    expect(written).toBe(true);
    // And it no longer accepts connections.
    await expect(request(r.http.port, { headers: PROTOBUF, body: 'x' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('clients that misbehave', () => {
  it('a client that hangs up mid-body is ignored; the server keeps serving', async () => {
    r = await startReceivers({ grpc: false });
    await new Promise<void>((done) => {
      const sock = net.connect(r!.http.port, '127.0.0.1', () => {
        sock.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n0123');
        setTimeout(() => {
          sock.destroy();
          done();
        }, 50);
      });
    });
    await new Promise((done) => setTimeout(done, 50));
    expect(r.rejects.map((x) => x.status)).toEqual(['aborted']);
    expect(r.exports).toEqual([]);
    await expectStillServes(r);
  });

  it('garbage instead of HTTP, and a reset connection, do not take it down', async () => {
    r = await startReceivers({ grpc: false });
    await new Promise<void>((done) => {
      const sock = net.connect(r!.http.port, '127.0.0.1', () => sock.end('\x16\x03\x01 not http at all\r\n\r\n'));
      sock.on('error', () => done());
      sock.on('close', () => done());
      sock.resume();
    });
    await new Promise<void>((done) => {
      const sock = net.connect(r!.http.port, '127.0.0.1', () => {
        sock.write('POST /v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{"res');
        sock.resetAndDestroy();
        done();
      });
    });
    await expectStillServes(r);
  });
});

describe('listening', () => {
  it('a busy port rejects with code EADDRINUSE', async () => {
    const blocker = net.createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const start = startHttpReceiver({
        host: '127.0.0.1',
        port,
        maxBodyBytes: MiB,
        store: { pending: 0, append: async () => {}, close: async () => {} },
        hooks: { onExport: () => {} },
      });
      await expect(start).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      blocker.close();
    }
  });
});

/**
 * Arbitrary bodies, in both encodings and on every signal path, never crash the HTTP receiver:
 * each is answered 200 (possibly with partial success) or 400, and a good export still works.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../helpers/read-all.js';
import { makeSdkSpans, sdkJson, sdkProtobuf } from '../helpers/sdk-spans.js';
import { JSON_CT, PROTOBUF, request, startReceivers, type TestReceivers } from './helpers.js';

let r: TestReceivers;
beforeAll(async () => {
  r = await startReceivers({ grpc: false });
});
afterAll(async () => {
  await r.close();
});

const paths = fc.constantFrom('/v1/traces', '/v1/logs', '/v1/metrics', '/');

/** JSON shaped like OTLP (real key names, arbitrary values) reaches deeper than random JSON. */
const KEYS = [
  'resourceSpans', 'resourceLogs', 'resourceMetrics', 'resource', 'attributes', 'scopeSpans', 'scopeLogs', 'scopeMetrics',
  'scope', 'spans', 'logRecords', 'metrics', 'traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano',
  'endTimeUnixNano', 'timeUnixNano', 'events', 'links', 'status', 'code', 'key', 'value', 'stringValue', 'intValue',
  'doubleValue', 'boolValue', 'bytesValue', 'arrayValue', 'kvlistValue', 'values', 'body', 'sum', 'gauge', 'histogram',
  'dataPoints', 'asInt', 'asDouble', 'bucketCounts', 'flags', 'eventName', 'severityNumber',
];
const leaf = fc.oneof(
  fc.string(),
  fc.constantFrom('a'.repeat(32), 'b'.repeat(16), '0'.repeat(32), '123', '-1', 'NaN', 'ZZ', ''),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const otlpish = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
  ),
})).node;
const otlpDoc = fc.record({ top: fc.constantFrom('resourceSpans', 'resourceLogs', 'resourceMetrics'), rest: fc.array(otlpish, { maxLength: 3 }) }).map(
  ({ top, rest }) => ({ [top]: rest }),
);

async function answered200or400(path: string, headers: Record<string, string>, body: Uint8Array | string) {
  const res = await request(r.http.port, { path, headers, body, chunked: true });
  expect([200, 400]).toContain(res.status);
  // The answer is in the request's encoding.
  expect(res.headers['content-type']).toBe(headers['content-type']!.split(';')[0]);
}

describe('fuzzing the OTLP/HTTP receiver', () => {
  it('random protobuf bytes', async () => {
    await fc.assert(fc.asyncProperty(paths, fc.uint8Array({ maxLength: 300 }), (p, b) => answered200or400(p, PROTOBUF, b)), { numRuns: 150 });
  });

  it('a real protobuf export with bytes changed or cut', async () => {
    const good = sdkProtobuf(makeSdkSpans());
    const mutated = fc
      .record({ at: fc.nat(good.length - 1), byte: fc.integer({ min: 0, max: 255 }), cut: fc.nat(good.length) })
      .map(({ at, byte, cut }) => {
        const b = Buffer.from(good);
        b[at] = byte;
        return b.subarray(0, Math.max(cut, at + 1));
      });
    await fc.assert(fc.asyncProperty(paths, mutated, (p, b) => answered200or400(p, PROTOBUF, b)), { numRuns: 150 });
  });

  it('random JSON text and random strings', async () => {
    await fc.assert(
      fc.asyncProperty(paths, fc.oneof(fc.json(), fc.string({ unit: 'binary' })), (p, text) => answered200or400(p, JSON_CT, text)),
      { numRuns: 150 },
    );
  });

  it('OTLP-shaped JSON with arbitrary values', async () => {
    await fc.assert(
      fc.asyncProperty(paths, otlpDoc, (p, doc) => answered200or400(p, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(doc))),
      { numRuns: 200 },
    );
  });

  it('random bytes declared as gzip', async () => {
    await fc.assert(
      fc.asyncProperty(paths, fc.uint8Array({ maxLength: 200 }), fc.boolean(), (p, b, realGzip) =>
        answered200or400(p, { ...PROTOBUF, 'content-encoding': 'gzip' }, realGzip ? zlib.gzipSync(b) : b),
      ),
      { numRuns: 100 },
    );
  });

  it.each([
    ['/v1/traces', 9], // Span.attributes
    ['/v1/logs', 6], // LogRecord.attributes
  ])('an AnyValue nested 30000 deep (%s) is refused or accepted, never a crash', async (path, attrField) => {
    const body = nestedRequest(30_000, attrField);
    const res = await request(r.http.port, { path, headers: PROTOBUF, body });
    expect([200, 400]).toContain(res.status);
  });

  it('afterwards a good export is still stored', async () => {
    const before = (await readAll([r.storeDir])).spans.length;
    const res = await request(r.http.port, { headers: JSON_CT, body: sdkJson(makeSdkSpans()) });
    expect(res.status).toBe(200);
    expect((await readAll([r.storeDir])).spans.length).toBe(before + 2);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/**
 * resource_* → scope_* → one item whose attribute `k` is an array inside an array … `depth`
 * times. Built outside-in from precomputed lengths: nesting by copying would be quadratic.
 */
function nestedRequest(depth: number, attrField: number): Buffer {
  const core = [0x0a, 0x01, 0x78]; // AnyValue { string_value: "x" }
  const prefixes: number[][] = [];
  let len = core.length;
  for (let i = 0; i < depth; i++) {
    const arrayValue = [0x0a, ...varint(len)]; // ArrayValue.values (1)
    const arrLen = arrayValue.length + len;
    const anyValue = [0x2a, ...varint(arrLen)]; // AnyValue.array_value (5)
    prefixes.push([...anyValue, ...arrayValue]);
    len = anyValue.length + arrLen;
  }
  const header = (field: number, innerLen: number) => [(field << 3) | 2, ...varint(innerLen)];
  // KeyValue { key: "k", value: <nested> } inside the item (a span gets valid ids), scope, resource, request.
  const kvHead = [0x0a, 0x01, 0x6b, ...header(2, len)];
  const kvLen = kvHead.length + len;
  const ids = attrField === 9 ? [0x0a, 16, ...Array<number>(16).fill(1), 0x12, 8, ...Array<number>(8).fill(2)] : [];
  const itemHead = [...ids, ...header(attrField, kvLen)];
  const itemLen = itemHead.length + kvLen;
  const scopeHead = header(2, itemLen);
  const scopeLen = scopeHead.length + itemLen;
  const resHead = header(2, scopeLen);
  const reqHead = header(1, resHead.length + scopeLen);
  const head = [...reqHead, ...resHead, ...scopeHead, ...itemHead, ...kvHead];
  return Buffer.concat([Buffer.from(head), ...prefixes.reverse().map((p) => Buffer.from(p)), Buffer.from(core)]);
}

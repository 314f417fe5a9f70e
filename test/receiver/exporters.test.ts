/**
 * The official OpenTelemetry JS exporters as real clients: http/json, http/protobuf and gRPC,
 * plain and gzip, against the receivers in-process. What the store holds afterwards must be
 * exactly the spans sent: the same Span values our decoder gets from the official serializer.
 */
import { Metadata } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import type { Span } from '../../src/lib/span.js';
import { readAll } from '../helpers/read-all.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';
import { exportSpans, startReceivers, type SpanExporterLike, type TestReceivers } from './helpers.js';

type Compression = NonNullable<ConstructorParameters<typeof HttpJsonExporter>[0]>['compression'];
const GZIP = 'gzip' as Compression;

/** Span without its shared resource/scope objects, for deep comparison. */
function plain(s: Span) {
  return { ...s, resource: { ...s.resource }, scope: { ...s.scope } };
}
const bySpanId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);

async function expectStoreHoldsExactly(storeDir: string, sent: ReadableSpan[]) {
  const { spans, problems } = await readAll([storeDir]);
  expect(problems).toEqual([]);
  const expected = decodeOtlpProtoTraces(sdkProtobuf(sent)).spans.map(plain).sort(bySpanId);
  expect(spans.map(plain).sort(bySpanId)).toEqual(expected);
  // And directly against the SDK's own spans: ids, names, attributes.
  const sdk = [...sent].sort((a, b) => a.spanContext().spanId.localeCompare(b.spanContext().spanId));
  expect([...spans].sort(bySpanId).map((s) => [s.traceId, s.spanId, s.parentSpanId || undefined, s.name])).toEqual(
    sdk.map((s) => [s.spanContext().traceId, s.spanContext().spanId, s.parentSpanContext?.spanId, s.name]),
  );
  const chat = spans.find((s) => s.name === 'chat gpt-4o')!;
  expect(chat.attributes['gen_ai.usage.input_tokens']).toBe(23n);
  expect(chat.attributes['gen_ai.request.temperature']).toBe(0.5);
  expect(chat.attributes['gen_ai.response.finish_reasons']).toEqual(['stop', 'length']);
  expect(chat.attributes['unicode']).toBe('héllo ✓ 世界');
}

let r: TestReceivers | undefined;
let exporter: SpanExporterLike | undefined;
afterEach(async () => {
  await exporter?.shutdown();
  exporter = undefined;
  await r?.close();
  r = undefined;
});

const httpUrl = (rr: TestReceivers, path = '/v1/traces') => `http://127.0.0.1:${rr.http.port}${path}`;

describe('official exporters → receiver → store', () => {
  const cases: Array<[string, (rr: TestReceivers) => SpanExporterLike, 'json' | 'protobuf', 'http' | 'grpc']> = [
    ['http/json', (rr) => new HttpJsonExporter({ url: httpUrl(rr) }), 'json', 'http'],
    ['http/json gzip', (rr) => new HttpJsonExporter({ url: httpUrl(rr), compression: GZIP }), 'json', 'http'],
    ['http/protobuf', (rr) => new HttpProtoExporter({ url: httpUrl(rr) }), 'protobuf', 'http'],
    ['http/protobuf gzip', (rr) => new HttpProtoExporter({ url: httpUrl(rr), compression: GZIP }), 'protobuf', 'http'],
    ['grpc', (rr) => new GrpcExporter({ url: `http://127.0.0.1:${rr.grpc.port}` }), 'protobuf', 'grpc'],
    ['grpc gzip', (rr) => new GrpcExporter({ url: `http://127.0.0.1:${rr.grpc.port}`, compression: GZIP }), 'protobuf', 'grpc'],
  ];

  it.each(cases)('%s: exactly the spans sent are stored, then handed to the hooks', async (_name, make, encoding, protocol) => {
    r = await startReceivers();
    exporter = make(r);
    const sent = makeSdkSpans();
    const result = await exportSpans(exporter, sent);
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await expectStoreHoldsExactly(r.storeDir, sent);
    expect(r.exports).toHaveLength(1);
    const e = r.exports[0]!;
    expect(e).toMatchObject({ signal: 'traces', protocol, encoding, itemCount: 2 });
    expect(e.spans.map((s) => s.spanId).sort()).toEqual(sent.map((s) => s.spanContext().spanId).sort());
    expect(e.body.length).toBeGreaterThan(0);
    expect(r.rejects).toEqual([]);
  });

  it('a second batch goes to the same hourly file as another line', async () => {
    r = await startReceivers();
    exporter = new HttpProtoExporter({ url: httpUrl(r) });
    const a = makeSdkSpans();
    const b = makeSdkSpans();
    expect((await exportSpans(exporter, a)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportSpans(exporter, b)).code).toBe(ExportResultCode.SUCCESS);
    await expectStoreHoldsExactly(r.storeDir, [...a, ...b]);
  });

  /** An exporter built while only an environment variable says where to send (as apps are configured). */
  function fromEnv<T>(name: string, value: string, make: () => T): T {
    const saved = process.env[name];
    process.env[name] = value;
    try {
      return make();
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  }

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT (a base URL) → POST /v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'http', () => new HttpProtoExporter()],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT without a path → POST /', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http', () => new HttpJsonExporter()],
    ['a gRPC exporter configured only by OTEL_EXPORTER_OTLP_ENDPOINT (as Python, Java and .NET apps are)', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc', () => new GrpcExporter()],
  ] as const)('%s', async (_label, variable, protocol, make) => {
    r = await startReceivers();
    exporter = fromEnv(variable, `http://127.0.0.1:${r[protocol].port}`, make);
    const sent = makeSdkSpans();
    expect((await exportSpans(exporter, sent)).code).toBe(ExportResultCode.SUCCESS);
    await expectStoreHoldsExactly(r.storeDir, sent);
  });

  it('--token: exporters with the bearer token get through on both protocols, others fail', async () => {
    r = await startReceivers({ token: 's3cret' });
    const sent = makeSdkSpans();

    const noToken = new HttpProtoExporter({ url: httpUrl(r) });
    expect((await exportSpans(noToken, sent)).code).toBe(ExportResultCode.FAILED);
    await noToken.shutdown();
    const noTokenGrpc = new GrpcExporter({ url: `http://127.0.0.1:${r.grpc.port}` });
    expect((await exportSpans(noTokenGrpc, sent)).code).toBe(ExportResultCode.FAILED);
    await noTokenGrpc.shutdown();
    expect(r.rejects.map((x) => x.status)).toEqual([401, 'UNAUTHENTICATED']);

    const withToken = new HttpProtoExporter({ url: httpUrl(r), headers: { Authorization: 'Bearer s3cret' } });
    expect((await exportSpans(withToken, sent)).code).toBe(ExportResultCode.SUCCESS);
    await withToken.shutdown();
    const metadata = new Metadata();
    metadata.set('authorization', 'Bearer s3cret');
    exporter = new GrpcExporter({ url: `http://127.0.0.1:${r.grpc.port}`, metadata, compression: GZIP });
    const sent2 = makeSdkSpans();
    expect((await exportSpans(exporter, sent2)).code).toBe(ExportResultCode.SUCCESS);
    await expectStoreHoldsExactly(r.storeDir, [...sent, ...sent2]);
  });

  it('close() does not wait for idle keep-alive connections or open gRPC channels of live exporters', async () => {
    r = await startReceivers();
    const httpExporter = new HttpProtoExporter({ url: httpUrl(r) });
    const grpcExporter = new GrpcExporter({ url: `http://127.0.0.1:${r.grpc.port}` });
    expect((await exportSpans(httpExporter, makeSdkSpans())).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportSpans(grpcExporter, makeSdkSpans())).code).toBe(ExportResultCode.SUCCESS);
    const t0 = performance.now();
    await Promise.all([r.http.close(), r.grpc.close()]);
    expect(performance.now() - t0).toBeLessThan(1000); // the forced close comes only after 5 s
    await httpExporter.shutdown();
    await grpcExporter.shutdown();
  });
});

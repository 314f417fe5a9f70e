/**
 * Logs and metrics: stored losslessly (every field of the schema survives store → parse →
 * protobuf), the same request in protobuf and JSON gives the same line, log records reach the
 * hooks with their event names, and the official OTel JS log serializers are understood.
 */
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import fc from 'fast-check';
import type protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpJsonToPb, pbToOtlpJson } from '../../src/lib/otlp/pb-json.js';
import { requestType } from '../../src/lib/otlp/signals.js';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { KvList } from '../../src/lib/span.js';
import { JSON_CT, PROTOBUF, request, startReceivers, type TestReceivers } from './helpers.js';
import { SPAN_ID, TRACE_ID, logsRequest, metricsRequest, readStoreLines } from './signal-fixtures.js';

let r: TestReceivers | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, bytes: String, enums: Number, defaults: true, arrays: true, oneofs: true };

/** Stored JSON line → message → protobuf → message, compared with the original in canonical form. */
function expectLossless(type: protobuf.Type, original: protobuf.Message, storedLine: string) {
  const reparsed = otlpJsonToPb(type, JSON.parse(storedLine));
  const again = type.decode(type.encode(reparsed).finish());
  const want = type.toObject(type.decode(type.encode(original).finish()), TO_OBJECT);
  expect(type.toObject(again, TO_OBJECT)).toEqual(want);
  // Converting the reparsed message gives the very same line: the format is a fixed point.
  expect(JSON.stringify(pbToOtlpJson(type, reparsed))).toBe(storedLine);
}

describe('logs and metrics through OTLP/HTTP into the store', () => {
  it.each(['logs', 'metrics'] as const)('%s: protobuf is stored losslessly; the same request as JSON gives the same line', async (signal) => {
    r = await startReceivers({ grpc: false });
    const type = requestType(signal);
    const msg = signal === 'logs' ? logsRequest() : metricsRequest();
    const res = await request(r.http.port, { path: `/v1/${signal}`, headers: PROTOBUF, body: type.encode(msg).finish(), chunked: true });
    expect(res.status).toBe(200);
    const [line] = await readStoreLines(r.storeDir, signal);
    expectLossless(type, msg, line!);

    const res2 = await request(r.http.port, { path: `/v1/${signal}`, headers: JSON_CT, body: line! });
    expect(res2.status).toBe(200);
    expect(JSON.parse(res2.body.toString())).toEqual({});
    expect(await readStoreLines(r.storeDir, signal)).toEqual([line, line]);
    expect(r.exports.map((e) => [e.signal, e.encoding])).toEqual([
      [signal, 'protobuf'],
      [signal, 'json'],
    ]);
  });

  it('OTLP/JSON spelling: hex ids, decimal-string int64, integer enums, NaN, presence of oneof zeros, no defaults', () => {
    const logs = JSON.parse(decodeExport('logs', 'protobuf', requestType('logs').encode(logsRequest()).finish()).storeLine as string);
    const rec = logs.resourceLogs[0].scopeLogs[0].logRecords;
    expect(rec[0]).toMatchObject({
      timeUnixNano: '1795315098123456789',
      severityNumber: 9,
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      eventName: 'gen_ai.user.message',
      flags: 1,
    });
    expect(rec[0].body.kvlistValue.values[1]).toEqual({ key: 'n', value: { intValue: '-9223372036854775808' } });
    expect(rec[0].body.kvlistValue.values[2]).toEqual({ key: 'e', value: {} });
    expect(rec[0].attributes[1]).toEqual({ key: 'raw', value: { bytesValue: 'AAH/' } });
    expect(rec[1].body.arrayValue.values).toEqual([{ doubleValue: 0.5 }, { doubleValue: 'NaN' }, { stringValue: '' }, { doubleValue: '-0' }]);
    expect(rec[2]).toEqual({ timeUnixNano: '1', body: { stringValue: 'plain log line' } });
    expect(logs.resourceLogs[0].resource.entityRefs[0]).toEqual({ schemaUrl: 'https://x', type: 'service', idKeys: ['service.name'], descriptionKeys: ['d'] });

    const metrics = JSON.parse(decodeExport('metrics', 'protobuf', requestType('metrics').encode(metricsRequest()).finish()).storeLine as string);
    const [gauge, sum, hist, exp] = metrics.resourceMetrics[0].scopeMetrics[0].metrics;
    expect(gauge.gauge.dataPoints[1]).toEqual({ startTimeUnixNano: '1795315090000000000', timeUnixNano: '1795315098000000000', asInt: '0' });
    expect(sum.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    expect(sum.sum.dataPoints[0].asInt).toBe('9223372036854775807');
    expect(hist.histogram.dataPoints[0]).toMatchObject({ count: '6', sum: 0, min: -1, max: 10, bucketCounts: ['1', '0', '5'] });
    expect(hist.histogram.dataPoints[0].exemplars[0]).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, asDouble: 2.5 });
    expect(exp.exponentialHistogram.dataPoints[0]).toMatchObject({ scale: -3, zeroCount: '1', positive: { offset: -2, bucketCounts: ['1', '2', '3'] }, negative: {} });
  });

  it('log records reach the hooks as LogRecordViews', () => {
    const d = decodeExport('logs', 'protobuf', requestType('logs').encode(logsRequest()).finish());
    expect(d.itemCount).toBe(3);
    const [a, b, c] = d.logs;
    expect(a).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, eventName: 'gen_ai.user.message', timeUnixNano: 1795315098123456789n, severityText: 'INFO', serviceName: 'chat-svc' });
    expect(a!.body).toBeInstanceOf(KvList);
    expect((a!.body as KvList).get('content')).toBe('hi ✓');
    expect(a!.attributes['gen_ai.system']).toBe('openai');
    // event.name attribute (older conventions); no time_unix_nano: the observed time.
    expect(b).toMatchObject({ eventName: 'gen_ai.choice', timeUnixNano: 1795315098200000000n });
    expect(c).toMatchObject({ traceId: '', spanId: '', eventName: '', body: 'plain log line', serviceName: 'chat-svc' });
  });

  it('the official OTel JS log serializers (protobuf and JSON) store the same line', async () => {
    r = await startReceivers({ grpc: false });
    type Records = Parameters<typeof ProtobufLogsSerializer.serializeRequest>[0];
    const res = resourceFromAttributes({ 'service.name': 'sdk-logs' });
    const instrumentationScope = { name: 'my-lib', version: '2.0.0' };
    const records = [
      {
        hrTime: [1795315098, 123456789],
        hrTimeObserved: [1795315098, 223456789],
        spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 },
        severityNumber: 9,
        severityText: 'INFO',
        body: { role: 'user', content: 'Hello', n: 42, ok: true, parts: ['a', 'b'] },
        eventName: 'gen_ai.user.message',
        resource: res,
        instrumentationScope,
        attributes: { 'gen_ai.provider.name': 'openai', 'big': 9007199254740993, 'ratio': 0.25 },
        droppedAttributesCount: 0,
      },
      {
        hrTime: [1795315099, 0],
        hrTimeObserved: [1795315099, 1],
        body: 'plain',
        resource: res,
        instrumentationScope,
        attributes: { 'event.name': 'legacy.event' },
        droppedAttributesCount: 2,
      },
    ] as unknown as Records;
    const proto = ProtobufLogsSerializer.serializeRequest(records)!;
    const json = JsonLogsSerializer.serializeRequest(records)!;
    expect((await request(r.http.port, { path: '/v1/logs', headers: PROTOBUF, body: proto })).status).toBe(200);
    expect((await request(r.http.port, { path: '/v1/logs', headers: JSON_CT, body: json })).status).toBe(200);
    const [fromProto, fromJson] = await readStoreLines(r.storeDir, 'logs');
    expect(fromJson).toBe(fromProto);
    expectLossless(requestType('logs'), requestType('logs').decode(proto), fromProto!);
    expect(r.exports.flatMap((e) => e.logs.map((l) => [l.eventName, l.traceId, l.serviceName]))).toEqual([
      ['gen_ai.user.message', TRACE_ID, 'sdk-logs'],
      ['legacy.event', '', 'sdk-logs'],
      ['gen_ai.user.message', TRACE_ID, 'sdk-logs'],
      ['legacy.event', '', 'sdk-logs'],
    ]);
  });

  it.each([
    ['not an object', '"x"', /expected an object/],
    ['no resourceLogs', '{}', /no resourceLogs/],
    ['resourceLogs not an array', '{"resourceLogs": {}}', /no resourceLogs array/],
    ['bad nested type', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"soon"}]}]}]}', /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.timeUnixNano/],
    ['bad hex id', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}', /traceId: not a hex id/],
  ])('JSON logs: %s → 400 naming the problem', async (_name, body, message) => {
    r = await startReceivers({ grpc: false });
    const res = await request(r.http.port, { path: '/v1/logs', headers: JSON_CT, body });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toMatch(message);
  });

  it('JSON metrics accept snake_case keys and int64 as numbers; a wrong type names its field', () => {
    const body = JSON.stringify({
      resource_metrics: [{ scope_metrics: [{ metrics: [{ name: 'x', sum: { aggregation_temporality: 'CUMULATIVE', data_points: [{ as_int: 5, time_unix_nano: 7 }] } }] }] }],
    });
    expect(() => decodeExport('metrics', 'json', Buffer.from(body))).toThrow(
      expect.objectContaining({ field: 'resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality' }),
    );
    const ok = body.replace('"CUMULATIVE"', '2');
    const line = JSON.parse(decodeExport('metrics', 'json', Buffer.from(ok)).storeLine as string);
    expect(line.resourceMetrics[0].scopeMetrics[0].metrics[0].sum).toEqual({ aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '7', asInt: '5' }] });
  });
});

describe('property: any logs request survives the store', () => {
  const anyValue: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ v: Record<string, unknown> }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ string_value: fc.string({ unit: 'binary' }) }),
      fc.record({ bool_value: fc.boolean() }),
      fc.record({ int_value: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String) }),
      fc.record({ double_value: fc.double() }),
      fc.record({ bytes_value: fc.uint8Array({ maxLength: 8 }) }),
      fc.constant({}),
      fc.record({ array_value: fc.record({ values: fc.array(tie('v'), { maxLength: 3 }) }) }),
      fc.record({ kvlist_value: fc.record({ values: fc.array(fc.record({ key: fc.string(), value: tie('v') }), { maxLength: 3 }) }) }),
    ),
  })).v;
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
  const record = fc.record(
    {
      time_unix_nano: u64,
      observed_time_unix_nano: u64,
      severity_number: fc.integer({ min: 0, max: 24 }),
      severity_text: fc.string(),
      body: anyValue,
      attributes: fc.array(fc.record({ key: fc.string(), value: anyValue }), { maxLength: 4 }),
      dropped_attributes_count: fc.nat(),
      flags: fc.nat(),
      trace_id: fc.uint8Array({ minLength: 0, maxLength: 16 }),
      span_id: fc.uint8Array({ minLength: 0, maxLength: 8 }),
      event_name: fc.string(),
    },
    { requiredKeys: [] },
  );
  const requestArb = fc.record({
    resource_logs: fc.array(
      fc.record({ resource: fc.record({ attributes: fc.array(fc.record({ key: fc.string(), value: anyValue }), { maxLength: 2 }) }), scope_logs: fc.array(fc.record({ log_records: fc.array(record, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 2 }) }),
      { minLength: 1, maxLength: 2 },
    ),
  });

  it('protobuf → store line → protobuf is the identity (canonically)', () => {
    fc.assert(
      fc.property(requestArb, (obj) => {
        const msg = requestType('logs').fromObject(obj);
        const bytes = requestType('logs').encode(msg).finish();
        const d = decodeExport('logs', 'protobuf', bytes);
        expectLossless(requestType('logs'), msg, d.storeLine as string);
        // And the JSON form of it is accepted and stored identically.
        expect(decodeExport('logs', 'json', Buffer.from(d.storeLine as string)).storeLine).toBe(d.storeLine);
      }),
      { numRuns: 300 },
    );
  });
});

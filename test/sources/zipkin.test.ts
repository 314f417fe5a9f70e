import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/lib/errors.js';
import { SpanKind, StatusCode, attrNumber, attrString, attrStringArray, serviceName } from '../../src/lib/span.js';
import { decodeJaegerUi } from '../../src/lib/sources/jaeger.js';
import { decodeZipkinV2, isZipkinV2 } from '../../src/lib/sources/zipkin.js';

const readJson = (url: URL): unknown => JSON.parse(readFileSync(url, 'utf8'));

const span = (extra: Record<string, unknown> = {}) => ({
  traceId: 'ab',
  id: '1',
  name: 'op',
  timestamp: 1000,
  duration: 2,
  localEndpoint: { serviceName: 'svc' },
  ...extra,
});

describe('decodeZipkinV2 mapping', () => {
  it('maps kinds: explicit, absent → INTERNAL, span.kind tag, unknown → UNSPECIFIED', () => {
    const { spans } = decodeZipkinV2([
      span({ kind: 'CLIENT' }),
      span({ id: '2', kind: 'SERVER' }),
      span({ id: '3', kind: 'PRODUCER' }),
      span({ id: '4', kind: 'CONSUMER' }),
      span({ id: '5' }),
      span({ id: '6', tags: { 'span.kind': 'internal' } }),
      span({ id: '7', kind: 'LOCAL' }),
    ]);
    expect(spans.map((s) => s.kind)).toEqual([3, 2, 4, 5, 1, 1, 0]);
    expect(spans[5]!.attributes['span.kind']).toBeUndefined();
  });

  it('reads status from otel.status_code first, else from the error tag', () => {
    const { spans } = decodeZipkinV2([
      span({ tags: { error: 'HTTP 429' } }),
      span({ id: '2', tags: { error: 'true', 'otel.status_code': 'ERROR', 'otel.status_description': 'rate limited' } }),
      span({ id: '3', tags: { error: 'true' } }),
      span({ id: '4', tags: { 'otel.status_code': 'OK' } }),
      span({ id: '5', tags: { error: 'false' } }),
    ]);
    expect(spans.map((s) => s.status)).toEqual([
      { code: StatusCode.ERROR, message: 'HTTP 429' },
      { code: StatusCode.ERROR, message: 'rate limited' },
      { code: StatusCode.ERROR, message: '' },
      { code: StatusCode.OK, message: '' },
      { code: StatusCode.UNSET, message: '' },
    ]);
    expect(spans.slice(0, 4).every((s) => Object.keys(s.attributes).length === 0)).toBe(true);
    expect(spans[4]!.attributes.error).toBe('false');
  });

  it('keeps tags as strings that attrNumber still reads', () => {
    const { spans } = decodeZipkinV2([span({ tags: { 'gen_ai.usage.input_tokens': '23', 'x.flag': true } })]);
    expect(spans[0]!.attributes['gen_ai.usage.input_tokens']).toBe('23');
    expect(attrNumber(spans[0]!.attributes, 'gen_ai.usage.input_tokens')).toBe(23);
    expect(spans[0]!.attributes['x.flag']).toBe('true');
  });

  it('maps remoteEndpoint to server.* for callers and client.* for servers, never over a tag', () => {
    const remote = { serviceName: 'openai', ipv4: '10.0.0.1', port: 443 };
    const { spans } = decodeZipkinV2([
      span({ kind: 'CLIENT', remoteEndpoint: remote }),
      span({ id: '2', kind: 'SERVER', remoteEndpoint: { ipv6: '::1', port: 5000 } }),
      span({ id: '3', kind: 'CLIENT', remoteEndpoint: remote, tags: { 'server.address': 'api.openai.com' } }),
    ]);
    expect({ ...spans[0]!.attributes }).toEqual({ 'peer.service': 'openai', 'server.address': '10.0.0.1', 'server.port': 443n });
    expect({ ...spans[1]!.attributes }).toEqual({ 'client.address': '::1', 'client.port': 5000n });
    expect(spans[2]!.attributes['server.address']).toBe('api.openai.com');
  });

  it('turns annotations into events, parsing the Collector’s name|{attributes}|dropped form', () => {
    const { spans } = decodeZipkinV2([
      span({
        annotations: [
          { timestamp: 1001, value: 'retry' },
          { timestamp: 1002.5, value: 'gen_ai.choice|{"index":0,"ok":true,"p":0.5}|1' },
          { timestamp: 1003, value: 'a|b' },
        ],
      }),
    ]);
    const events = spans[0]!.events;
    expect(events.map((e) => [e.name, e.timeUnixNano, { ...e.attributes }, e.droppedAttributesCount])).toEqual([
      ['retry', 1001000n, {}, 0],
      ['gen_ai.choice', 1002500n, { index: 0n, ok: true, p: 0.5 }, 1],
      ['a|b', 1003000n, {}, 0],
    ]);
  });

  it('builds shared Resources from localEndpoint plus copied resource tags, and scopes from otel.library/scope', () => {
    const tags = { 'service.version': '1', 'deployment.environment.name': 'prod', 'otel.library.name': 'lib', 'app.feature': 'x' };
    const { spans } = decodeZipkinV2([
      span({ tags }),
      span({ id: '2', tags: { ...tags, 'otel.library.name': undefined, 'otel.scope.name': 'lib' } }),
      span({ id: '3', localEndpoint: { serviceName: 'other' } }),
      span({ id: '4', localEndpoint: undefined }),
    ]);
    expect({ ...spans[0]!.resource.attributes }).toEqual({ 'service.name': 'svc', 'service.version': '1', 'deployment.environment.name': 'prod' });
    expect({ ...spans[0]!.attributes }).toEqual({ 'app.feature': 'x' });
    expect(spans[1]!.resource).toBe(spans[0]!.resource);
    expect(spans[0]!.scope.name).toBe('lib');
    expect(spans[1]!.scope).toBe(spans[0]!.scope);
    expect(spans.slice(2).map(serviceName)).toEqual(['other', 'unknown_service']);
  });

  it('pads short ids, treats parentId == id as a root, keeps shared spans, reads nested trace arrays', () => {
    const { spans, problems } = decodeZipkinV2([
      [span({ traceId: 'ABCDEF0123456789', id: 'A', parentId: 'a' })],
      [span({ id: '2', parentId: '1', kind: 'CLIENT' }), span({ id: '2', parentId: '1', kind: 'SERVER', shared: true })],
    ]);
    expect(problems).toEqual([]);
    expect(spans[0]!.traceId).toBe('0000000000000000abcdef0123456789');
    expect([spans[0]!.spanId, spans[0]!.parentSpanId]).toEqual(['000000000000000a', '']);
    expect(spans.slice(1).map((s) => [s.spanId, s.kind])).toEqual([
      ['0000000000000002', SpanKind.CLIENT],
      ['0000000000000002', SpanKind.SERVER],
    ]);
  });

  it('converts fractional and string µs exactly', () => {
    const { spans } = decodeZipkinV2([span({ timestamp: '1795315098142000.417', duration: 40579 })]);
    expect(spans[0]!.startTimeUnixNano).toBe(1795315098142000417n);
    expect(spans[0]!.endTimeUnixNano).toBe(1795315098182579417n);
  });

  it('sniffs v2 arrays, nested or not, but not v1 or other JSON', () => {
    expect(isZipkinV2([span()])).toBe(true);
    expect(isZipkinV2([[span()]])).toBe(true);
    expect(isZipkinV2([{ traceId: 'a', id: 'b', name: 'x', binaryAnnotations: [] }])).toBe(false);
    expect(isZipkinV2([])).toBe(false);
    expect(isZipkinV2({ data: [] })).toBe(false);
    expect(isZipkinV2([{ resourceSpans: [] }])).toBe(false);
  });
});

describe('decodeZipkinV2 on bad input', () => {
  it.each([[{}], [null], [5], ['[]']])('throws DecodeError at $ for %j', (input) => {
    expect(() => decodeZipkinV2(input)).toThrow(DecodeError);
    expect(() => decodeZipkinV2(input)).toThrow(expect.objectContaining({ field: '$' }));
  });

  it('skips spans with bad ids or times, reports each with its field, keeps the rest', () => {
    const { spans, problems } = decodeZipkinV2([
      span(),
      span({ id: 'nothex!' }),
      span({ id: '2', traceId: '0'.repeat(32) }),
      span({ id: '3', parentId: 'x'.repeat(16) }),
      span({ id: '4', timestamp: undefined }),
      42,
      span({ id: '5', parentId: '0000000000000000', annotations: [{ value: 'no time' }] }),
    ]);
    expect(spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([
      ['0000000000000001', ''],
      ['0000000000000005', ''],
    ]);
    expect(problems.map((p) => p.field)).toEqual(['[1].id', '[2].traceId', '[3].parentId', '[4].timestamp', '[5]', '[6].annotations[0].timestamp']);
  });
});

describe('decodeZipkinV2 properties', () => {
  const onlyDecodeErrors = (input: unknown) => {
    try {
      for (const s of decodeZipkinV2(input).spans) {
        expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    expect(typeof isZipkinV2(input)).toBe('boolean');
  };

  it('throws nothing but DecodeError on any value', () => {
    fc.assert(fc.property(fc.anything(), onlyDecodeErrors), { numRuns: 500 });
  });

  it('throws nothing but DecodeError on any JSON text', () => {
    fc.assert(fc.property(fc.json(), (text) => onlyDecodeErrors(JSON.parse(text))), { numRuns: 500 });
  });

  it('throws nothing but DecodeError on Zipkin-shaped arrays with arbitrary fields', () => {
    const id = fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{1,34}$/), fc.anything());
    const endpoint = fc.oneof(fc.record({ serviceName: fc.anything(), ipv4: fc.anything(), ipv6: fc.anything(), port: fc.anything() }), fc.anything());
    const zspan = fc.record(
      {
        traceId: id,
        id,
        parentId: id,
        name: fc.anything(),
        kind: fc.oneof(fc.constantFrom('CLIENT', 'SERVER', 'constructor'), fc.anything()),
        timestamp: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.anything()),
        duration: fc.oneof(fc.integer(), fc.double(), fc.anything()),
        localEndpoint: endpoint,
        remoteEndpoint: endpoint,
        tags: fc.oneof(fc.dictionary(fc.constantFrom('error', 'otel.status_code', 'span.kind', 'service.x', '__proto__', 'k'), fc.anything()), fc.anything()),
        annotations: fc.oneof(fc.array(fc.record({ timestamp: fc.anything(), value: fc.oneof(fc.string(), fc.anything()) })), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(fc.array(fc.oneof(zspan, fc.array(zspan, { maxLength: 3 })), { maxLength: 5 }), onlyDecodeErrors), { numRuns: 500 });
  });
});

// ---- The agent trace as Jaeger and Zipkin fixtures must say what the OTLP capture says. ----

interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string; arrayValue?: { values: Array<{ stringValue?: string }> } };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  status: { code?: number };
}
interface OtlpRequest {
  resourceSpans: Array<{ resource: { attributes: OtlpKeyValue[] }; scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }> }>;
}

const capture = readJson(new URL('../../fixtures/shared/captures/manual-agent-http-json.json', import.meta.url)) as OtlpRequest;
const rs = capture.resourceSpans[0]!;
const ss = rs.scopeSpans[0]!;
const toMicros = (ns: string) => (BigInt(ns) / 1000n) * 1000n;

describe.each([
  ['agent-jaeger.json', decodeJaegerUi],
  ['agent-zipkin.json', decodeZipkinV2],
])('fixtures/%s matches the OTLP capture', (file, decode) => {
  const { spans, problems } = decode(readJson(new URL(`../../fixtures/${file}`, import.meta.url)));
  const zipkin = file.includes('zipkin');

  it('has the same spans, parents, names, kinds, status and µs-truncated times', () => {
    expect(problems).toEqual([]);
    const want = ss.spans.map((s) => [s.traceId, s.spanId, s.parentSpanId ?? '', s.name, s.kind, s.status.code ?? 0, toMicros(s.startTimeUnixNano), toMicros(s.endTimeUnixNano)]);
    const got = spans.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name, s.kind, s.status.code, s.startTimeUnixNano, s.endTimeUnixNano]);
    expect(got).toEqual(want);
    expect(spans.map((s) => s.name)).toEqual(['chat gpt-4o', 'execute_tool search_docs', 'chat gpt-4o-mini', 'embeddings text-embedding-3-small', 'agent.research']);
  });

  it('has every attribute, token counts readable with attrNumber', () => {
    ss.spans.forEach((want, i) => {
      const attrs = spans[i]!.attributes;
      expect(Object.keys(attrs).sort()).toEqual(want.attributes.map((kv) => kv.key).sort());
      for (const { key, value } of want.attributes) {
        if (value.intValue !== undefined) {
          expect(attrNumber(attrs, key)).toBe(Number(value.intValue));
          // Jaeger keeps the int64 type; Zipkin only has strings.
          expect(attrs[key]).toBe(zipkin ? String(value.intValue) : BigInt(value.intValue));
        } else if (value.arrayValue) {
          expect(attrStringArray(attrs, key)).toEqual(value.arrayValue.values.map((v) => v.stringValue));
        } else {
          expect(attrString(attrs, key)).toBe(value.stringValue);
        }
      }
    });
    const tokens = spans.map((s) => ['input_tokens', 'output_tokens', 'cache_read.input_tokens'].map((k) => attrNumber(s.attributes, `gen_ai.usage.${k}`)));
    expect(tokens).toEqual([
      [23, 12, 11],
      [undefined, undefined, undefined],
      [46, 7, undefined],
      [16, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });

  it('has the resource and scope, each shared by all spans', () => {
    const resource = spans[0]!.resource;
    expect(spans.every((s) => s.resource === resource && s.scope === spans[0]!.scope)).toBe(true);
    expect({ ...resource.attributes }).toEqual(Object.fromEntries(rs.resource.attributes.map((kv) => [kv.key, kv.value.stringValue])));
    expect([spans[0]!.scope.name, spans[0]!.scope.version]).toEqual([ss.scope.name, ss.scope.version]);
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/lib/errors.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { KvList, type Span } from '../../src/lib/span.js';
import { makeSdkSpans, sdkJson, sdkProtobuf } from '../helpers/sdk-spans.js';

const CAPTURES = 'fixtures/shared/captures';

/** Span without its shared resource/scope objects, for deep comparison. */
function plain(s: Span) {
  return { ...s, resource: { ...s.resource }, scope: { ...s.scope } };
}

describe('OTLP decoding against the official serializers', () => {
  const spans = makeSdkSpans();
  const fromProto = decodeOtlpProtoTraces(sdkProtobuf(spans));
  const fromJson = decodeOtlpJsonTraces(JSON.parse(Buffer.from(sdkJson(spans)).toString('utf8')));

  it('decodes protobuf and JSON of the same spans to the same Span values', () => {
    expect(fromProto.problems).toEqual([]);
    expect(fromJson.problems).toEqual([]);
    expect(fromProto.spans).toHaveLength(2);
    expect(fromJson.spans.map(plain)).toEqual(fromProto.spans.map(plain));
  });

  it('keeps ids, times, kinds, status and every attribute type exactly', () => {
    const sdkChat = spans.find((s) => s.name === 'chat gpt-4o')!;
    const chat = fromProto.spans.find((s) => s.name === 'chat gpt-4o')!;
    expect(chat.traceId).toBe(sdkChat.spanContext().traceId);
    expect(chat.spanId).toBe(sdkChat.spanContext().spanId);
    expect(chat.parentSpanId).toBe(sdkChat.parentSpanContext?.spanId);
    const [sec, nano] = sdkChat.startTime;
    expect(chat.startTimeUnixNano).toBe(BigInt(sec) * 1_000_000_000n + BigInt(nano));
    expect(chat.kind).toBe(3);
    expect(chat.status).toEqual({ code: 2, message: 'rate limited' });
    expect(chat.attributes['gen_ai.usage.input_tokens']).toBe(23n);
    expect(chat.attributes['gen_ai.request.temperature']).toBe(0.5);
    expect(chat.attributes['gen_ai.request.stream']).toBe(false);
    expect(chat.attributes['gen_ai.response.finish_reasons']).toEqual(['stop', 'length']);
    expect(chat.attributes['neg.int']).toBe(-42n);
    expect(chat.attributes['ints']).toEqual([1n, 2n, 3n]);
    expect(chat.attributes['unicode']).toBe('héllo ✓ 世界');
    expect(chat.events[0]!.name).toBe('gen_ai.choice');
    expect(chat.links[0]!.spanId).toBe(chat.parentSpanId);
    expect(chat.resource.attributes['service.name']).toBe('sdk-test');
    expect(chat.scope).toMatchObject({ name: 'llmtrace-test', version: '0.0.1' });
  });

  it('round-trips protobuf → Span → OTLP JSON → Span losslessly', () => {
    const json = JSON.parse(JSON.stringify(encodeOtlpJsonTraces(fromProto.spans)));
    const again = decodeOtlpJsonTraces(json);
    expect(again.problems).toEqual([]);
    expect(again.spans.map(plain)).toEqual(fromProto.spans.map(plain));
  });

  it.each(['manual-agent-http-proto.bin', 'manual-agent-grpc.bin', 'official-agent-http-proto.bin', 'manual-stream-http-proto.bin'])(
    'round-trips the capture %s losslessly',
    (file) => {
      const decoded = decodeOtlpProtoTraces(readFileSync(`${CAPTURES}/${file}`));
      expect(decoded.problems).toEqual([]);
      expect(decoded.spans.length).toBeGreaterThan(0);
      const again = decodeOtlpJsonTraces(JSON.parse(JSON.stringify(encodeOtlpJsonTraces(decoded.spans))));
      expect(again.spans.map(plain)).toEqual(decoded.spans.map(plain));
    },
  );
});

describe('OTLP/JSON rules', () => {
  const base = (span: Record<string, unknown>, attributes: unknown[] = []) => ({
    resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: 'A'.repeat(32), spanId: 'B'.repeat(16), name: 'x', attributes, ...span }] }] }],
  });

  it('accepts upper-case hex ids, int64 as string or number, enum names, snake_case keys', () => {
    const r = decodeOtlpJsonTraces({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                { trace_id: 'ABCDEF0123456789ABCDEF0123456789', span_id: '0123456789ABCDEF', kind: 'SPAN_KIND_CLIENT', start_time_unix_nano: 1700000000000000001, end_time_unix_nano: '1700000000000000002' },
              ],
            },
          ],
        },
      ],
    });
    expect(r.problems).toEqual([]);
    expect(r.spans[0]).toMatchObject({ traceId: 'abcdef0123456789abcdef0123456789', spanId: '0123456789abcdef', kind: 3, endTimeUnixNano: 1700000000000000002n });
  });

  it('decodes every AnyValue shape', () => {
    const r = decodeOtlpJsonTraces(
      base({}, [
        { key: 's', value: { stringValue: 'v' } },
        { key: 'b', value: { boolValue: true } },
        { key: 'i', value: { intValue: '-9223372036854775808' } },
        { key: 'in', value: { intValue: 7 } },
        { key: 'd', value: { doubleValue: 1.5 } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '1' }] } } },
        { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
        { key: 'by', value: { bytesValue: 'AQID' } },
        { key: 'e', value: {} },
      ]),
    );
    expect(r.problems).toEqual([]);
    const a = r.spans[0]!.attributes;
    expect(a.s).toBe('v');
    expect(a.b).toBe(true);
    expect(a.i).toBe(-9223372036854775808n);
    expect(a.in).toBe(7n);
    expect(a.d).toBe(1.5);
    expect(a.nan).toBeNaN();
    expect(a.a).toEqual(['x', 1n]);
    expect(a.kv).toEqual(new KvList([['k', false]]));
    expect(a.by).toEqual(Uint8Array.from([1, 2, 3]));
    expect(a.e).toBeNull();
  });

  it('skips a span with a bad id and keeps its siblings, naming the field', () => {
    const doc = base({});
    const spans = (doc.resourceSpans[0]!.scopeSpans[0]!.spans as unknown[]);
    spans.push({ traceId: 'zz', spanId: 'B'.repeat(16) }, { traceId: '0'.repeat(32), spanId: 'C'.repeat(16) }, { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16) });
    const r = decodeOtlpJsonTraces(doc);
    expect(r.spans.map((s) => s.spanId)).toEqual(['b'.repeat(16), 'c'.repeat(16)]);
    expect(r.problems.map((p) => p.field)).toEqual(['resourceSpans[0].scopeSpans[0].spans[1].traceId', 'resourceSpans[0].scopeSpans[0].spans[2].traceId']);
  });

  it('drops a bad attribute, not its span', () => {
    const r = decodeOtlpJsonTraces(base({}, [{ key: 'n', value: { intValue: 'twelve' } }, { key: 'ok', value: { stringValue: 'y' } }]));
    expect(r.spans).toHaveLength(1);
    expect(r.spans[0]!.attributes.ok).toBe('y');
    expect('n' in r.spans[0]!.attributes).toBe(false);
    expect(r.problems[0]!.field).toBe('resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue');
  });

  it('rejects wrong top-level shapes with a DecodeError', () => {
    for (const bad of [null, 42, 'x', [], {}, { resourceSpans: {} }]) {
      expect(() => decodeOtlpJsonTraces(bad)).toThrow(DecodeError);
    }
  });

  it('rejects out-of-range int64 and negative times', () => {
    const r = decodeOtlpJsonTraces(base({ startTimeUnixNano: '-1' }, [{ key: 'big', value: { intValue: '9223372036854775808' } }]));
    expect(r.spans).toHaveLength(0);
    expect(r.problems.some((p) => p.field?.endsWith('startTimeUnixNano'))).toBe(true);
  });
});

describe('decoders never crash (property)', () => {
  it('OTLP JSON: arbitrary JSON values only ever raise DecodeError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          decodeOtlpJsonTraces(v);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
        try {
          decodeOtlpJsonTraces({ resourceSpans: [{ scopeSpans: [{ spans: [v] }] }] });
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('OTLP JSON: mutated real requests decode or fail cleanly', () => {
    const capture = JSON.parse(readFileSync(`${CAPTURES}/manual-agent-http-json.json`, 'utf8'));
    const text = JSON.stringify(capture);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ maxLength: 5 }), (at, insert) => {
        let doc: unknown;
        try {
          doc = JSON.parse(text.slice(0, at) + insert + text.slice(at + 1));
        } catch {
          return;
        }
        try {
          const r = decodeOtlpJsonTraces(doc);
          for (const s of r.spans) expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('protobuf: arbitrary and truncated bytes only ever raise DecodeError', () => {
    const real = readFileSync(`${CAPTURES}/manual-agent-http-proto.bin`);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.integer({ min: 0, max: real.length }).map((n) => real.subarray(0, n))), (bytes) => {
        try {
          const r = decodeOtlpProtoTraces(bytes);
          for (const s of r.spans) expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/lib/errors.js';
import { SpanKind, StatusCode, serviceName } from '../../src/lib/span.js';
import { decodeJaegerUi, isJaegerUi } from '../../src/lib/sources/jaeger.js';

const sample = (): unknown => JSON.parse(readFileSync(new URL('../../fixtures/shared/formats/jaeger-trace.json', import.meta.url), 'utf8'));
const TRACE = '00000000000000000000000000000001';
const T0 = 1485467191639875000n;

/** One Jaeger UI document around the given spans, with a default process. */
function doc(spans: unknown[], processes: unknown = { p1: { serviceName: 'svc', tags: [] } }): unknown {
  return { data: [{ traceID: 'ab', spans, processes }] };
}
const span = (extra: Record<string, unknown> = {}) => ({
  traceID: 'ab',
  spanID: '1',
  operationName: 'op',
  references: [],
  startTime: 1000,
  duration: 2,
  tags: [],
  logs: [],
  processID: 'p1',
  ...extra,
});

describe('decodeJaegerUi on the real Jaeger sample (bare trace form)', () => {
  const { spans, problems } = decodeJaegerUi(sample());

  it('keeps every span, duplicate span ids included, and reports nothing', () => {
    expect(problems).toEqual([]);
    expect(spans.map((s) => s.spanId)).toEqual(['2', '2', '3', '4', '5'].map((n) => n.padStart(16, '0')));
    // 64-bit trace ids are left-padded to 32 hex digits.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE]));
  });

  it('takes the parent from the first same-trace reference and keeps the rest as links', () => {
    expect(spans.map((s) => s.parentSpanId)).toEqual(['', '', '0000000000000002', '0000000000000002', '0000000000000004']);
    const links = spans[3]!.links.map((l) => [l.traceId, l.spanId, l.attributes['opentracing.ref_type']]);
    expect(links).toEqual([
      ['000000000000000000000000000000ff', '00000000000000ff', 'child_of'],
      [TRACE, '0000000000000002', 'follows_from'],
    ]);
  });

  it('converts µs to exact nanoseconds', () => {
    expect(spans[0]!.startTimeUnixNano).toBe(T0);
    expect(spans[0]!.endTimeUnixNano).toBe(T0 + 5000n);
    expect(spans[4]!.endTimeUnixNano).toBe(T0 + 4000n);
    expect(spans[4]!.durationMs).toBe(0.004);
  });

  it('types tags: int64 → bigint (also from strings), float64 → number, binary → bytes', () => {
    const a = spans[1]!.attributes;
    expect(a['peer.service']).toBe('service-y');
    expect(a['peer.ipv4']).toBe(23456n);
    expect(a.temperature).toBe(72.5);
    expect(a.javascript_limit).toBe(9223372036854775222n);
    expect(a.blob).toEqual(new Uint8Array([0, 0, 48, 57]));
    // error=true is status, not an attribute.
    expect(a.error).toBeUndefined();
    expect(spans[1]!.status).toEqual({ code: StatusCode.ERROR, message: '' });
    expect(spans[0]!.status.code).toBe(StatusCode.UNSET);
  });

  it('turns logs into events named by their `event` field', () => {
    const events = spans[0]!.events;
    expect(events.map((e) => [e.name, e.timeUnixNano, { ...e.attributes }])).toEqual([
      ['some-event', T0, {}],
      ['log', T0, { x: 'y' }],
    ]);
  });

  it('has no kind without a span.kind tag, and shares one Resource per process', () => {
    expect(spans.every((s) => s.kind === SpanKind.UNSPECIFIED)).toBe(true);
    expect(spans.map(serviceName)).toEqual(['service-x', 'service-x', 'service-y', 'service-y', 'service-y']);
    expect(spans[0]!.resource).toBe(spans[1]!.resource);
    expect(spans[2]!.resource).toBe(spans[4]!.resource);
    expect(spans[0]!.scope).toBe(spans[4]!.scope);
  });

  it('decodes the {"data":[…]} download form the same way', () => {
    const wrapped = decodeJaegerUi({ data: [sample()] });
    expect(wrapped.spans.map((s) => [s.spanId, s.parentSpanId, s.startTimeUnixNano])).toEqual(
      spans.map((s) => [s.spanId, s.parentSpanId, s.startTimeUnixNano]),
    );
  });

  it('is recognized by isJaegerUi in both forms', () => {
    expect(isJaegerUi(sample())).toBe(true);
    expect(isJaegerUi({ data: [sample()] })).toBe(true);
    expect(isJaegerUi({ resourceSpans: [] })).toBe(false);
    expect(isJaegerUi([{ traceId: 'a', id: 'b' }])).toBe(false);
  });
});

describe('decodeJaegerUi mapping', () => {
  it('maps span.kind, otel.status_*, otel.scope.* and process tags, removing them from attributes', () => {
    const tags = [
      { key: 'span.kind', type: 'string', value: 'server' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'otel.status_description', type: 'string', value: 'rate limited' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.scope.name', type: 'string', value: 'lib' },
      { key: 'otel.scope.version', type: 'string', value: '1.2' },
      { key: 'gen_ai.usage.input_tokens', type: 'int64', value: '23' },
      { key: 'flag', type: 'bool', value: 'true' },
    ];
    const process = { serviceName: 'api', tags: [{ key: 'host.name', type: 'string', value: 'h1' }] };
    const { spans } = decodeJaegerUi(doc([span({ tags }), span({ spanID: '2' })], { p1: process }));
    const s = spans[0]!;
    expect(s.kind).toBe(SpanKind.SERVER);
    expect(s.status).toEqual({ code: StatusCode.ERROR, message: 'rate limited' });
    expect([s.scope.name, s.scope.version]).toEqual(['lib', '1.2']);
    expect({ ...s.attributes }).toEqual({ 'gen_ai.usage.input_tokens': 23n, flag: true });
    expect({ ...s.resource.attributes }).toEqual({ 'host.name': 'h1', 'service.name': 'api' });
    expect(spans[1]!.resource).toBe(s.resource);
    expect(spans[1]!.scope).not.toBe(s.scope);
  });

  it('reads ids case-insensitively, string µs, FOLLOWS_FROM parents and legacy parentSpanID', () => {
    const { spans, problems } = decodeJaegerUi(
      doc([
        span({ traceID: 'ABCDEF0123456789ABCDEF0123456789', spanID: 'ABC', startTime: '1485467191639875', duration: '7' }),
        span({ spanID: '2', references: [{ refType: 'FOLLOWS_FROM', traceID: 'ab', spanID: '1' }] }),
        span({ spanID: '3', parentSpanID: '2' }),
        span({ spanID: '4', parentSpanID: '0' }),
        span({ spanID: '5', references: [{ refType: 'CHILD_OF', traceID: 'ab', spanID: '5' }] }),
      ]),
    );
    expect(problems).toEqual([]);
    expect(spans[0]!.traceId).toBe('abcdef0123456789abcdef0123456789');
    expect(spans[0]!.spanId).toBe('0000000000000abc');
    expect(spans[0]!.endTimeUnixNano - spans[0]!.startTimeUnixNano).toBe(7000n);
    expect(spans.slice(1).map((s) => s.parentSpanId)).toEqual(['0000000000000001', '0000000000000002', '', '']);
    expect(spans[1]!.links).toEqual([]);
  });

  it('finds a process inlined in the span when processes has none', () => {
    const { spans } = decodeJaegerUi({ traceID: 'ab', spans: [span({ processID: undefined, process: { serviceName: 'inline' } })] });
    expect(serviceName(spans[0]!)).toBe('inline');
  });
});

describe('decodeJaegerUi on bad input', () => {
  it.each([
    [5, '$'],
    [null, '$'],
    [[], '$'],
    [{}, 'data'],
    [{ data: 5 }, 'data'],
    [{ spans: {} }, 'spans'],
  ])('throws DecodeError with a field for %j', (input, field) => {
    expect(() => decodeJaegerUi(input)).toThrow(DecodeError);
    try {
      decodeJaegerUi(input);
    } catch (e) {
      expect((e as DecodeError).field).toBe(field);
    }
  });

  it("passes on the query API's own error message", () => {
    expect(() => decodeJaegerUi({ data: null, errors: [{ code: 404, msg: 'trace not found' }] })).toThrow(/trace not found/);
  });

  it('skips spans with bad ids or times, reports each with its field, keeps the rest', () => {
    const { spans, problems } = decodeJaegerUi(
      doc([
        span({ spanID: '1' }),
        span({ spanID: 'xyz' }),
        span({ spanID: '0000000000000000' }),
        span({ spanID: '1'.repeat(17) }),
        span({ spanID: '2', traceID: 'not-hex' }),
        span({ spanID: '3', references: [{ refType: 'CHILD_OF', traceID: 'ab', spanID: 'zz' }] }),
        span({ spanID: '4', startTime: 'yesterday' }),
        'garbage',
        span({ spanID: '5', logs: [{ timestamp: null, fields: [] }] }),
      ]),
    );
    expect(spans.map((s) => s.spanId)).toEqual(['0000000000000001', '0000000000000005']);
    expect(problems.map((p) => p.field)).toEqual([
      'data[0].spans[1].spanID',
      'data[0].spans[2].spanID',
      'data[0].spans[3].spanID',
      'data[0].spans[4].traceID',
      'data[0].spans[5].references[0].spanID',
      'data[0].spans[6].startTime',
      'data[0].spans[7]',
      'data[0].spans[8].logs[0].timestamp',
    ]);
    expect(problems[1]!.message).toMatch(/all-zero/);
    expect(problems[2]!.message).toMatch(/^span skipped: .*got 17 characters/);
  });

  it('reports a trace element without spans and decodes the others', () => {
    const { spans, problems } = decodeJaegerUi({ data: [7, { traceID: 'ab', spans: [span()], processes: {} }] });
    expect(spans).toHaveLength(1);
    expect(problems).toEqual([{ field: 'data[0]', message: expect.stringMatching(/spans/) }]);
  });
});

describe('decodeJaegerUi properties', () => {
  const onlyDecodeErrors = (input: unknown) => {
    try {
      const r = decodeJaegerUi(input);
      for (const s of r.spans) {
        expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(typeof s.startTimeUnixNano).toBe('bigint');
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    expect(typeof isJaegerUi(input)).toBe('boolean');
  };

  it('throws nothing but DecodeError on any value', () => {
    fc.assert(fc.property(fc.anything(), onlyDecodeErrors), { numRuns: 500 });
  });

  it('throws nothing but DecodeError on any JSON text', () => {
    fc.assert(fc.property(fc.json(), (text) => onlyDecodeErrors(JSON.parse(text))), { numRuns: 500 });
  });

  it('throws nothing but DecodeError on Jaeger-shaped documents with arbitrary fields', () => {
    const id = fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{1,34}$/), fc.anything());
    const tag = fc.record({ key: fc.oneof(fc.string(), fc.anything()), type: fc.constantFrom('string', 'bool', 'int64', 'float64', 'binary', 'x'), value: fc.anything() });
    const jspan = fc.record(
      {
        traceID: id,
        spanID: id,
        parentSpanID: id,
        operationName: fc.anything(),
        references: fc.oneof(fc.array(fc.record({ refType: fc.constantFrom('CHILD_OF', 'FOLLOWS_FROM', 'x'), traceID: id, spanID: id })), fc.anything()),
        startTime: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.anything()),
        duration: fc.oneof(fc.integer(), fc.string(), fc.anything()),
        tags: fc.oneof(fc.array(tag), fc.anything()),
        logs: fc.oneof(fc.array(fc.record({ timestamp: fc.anything(), fields: fc.array(tag) })), fc.anything()),
        processID: fc.constantFrom('p1', 'p2', 'constructor', '__proto__'),
      },
      { requiredKeys: [] },
    );
    const trace = fc.record({ traceID: id, spans: fc.array(jspan, { maxLength: 5 }), processes: fc.anything() }, { requiredKeys: ['spans'] });
    fc.assert(fc.property(fc.oneof(trace, fc.record({ data: fc.array(trace, { maxLength: 3 }) })), onlyDecodeErrors), { numRuns: 500 });
  });
});

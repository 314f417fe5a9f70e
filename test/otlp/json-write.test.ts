import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { KvList, finishSpan, newAttributes, type AttrValue, type Attributes, type Resource, type Scope, type Span } from '../../src/lib/span.js';
import { makeSdkSpans, sdkJson, sdkProtobuf } from '../helpers/sdk-spans.js';
import { span, spanWith, hexId } from '../helpers/span-factory.js';

const CAPTURES = 'fixtures/shared/captures';
const OTLP_JSON_TRACES = ['fixtures/shared/otlp-examples/trace.json', 'fixtures/shared/formats/otlp-telemetrygen.json'];

const old = (spans: Span[]) => JSON.stringify(encodeOtlpJsonTraces(spans));

/** Span without its shared resource/scope objects, for deep comparison. */
function plain(s: Span) {
  return { ...s, resource: { ...s.resource }, scope: { ...s.scope } };
}

/** The input in the order a store line gives it back: grouped by Resource, then Scope, first seen first. */
function grouped(spans: Span[]): Span[] {
  const byResource = new Map<Resource, Map<Scope, Span[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) byResource.set(s.resource, (scopes = new Map()));
    let list = scopes.get(s.scope);
    if (!list) scopes.set(s.scope, (list = []));
    list.push(s);
  }
  return [...byResource.values()].flatMap((scopes) => [...scopes.values()].flat());
}

/** The writer gives the oracle's bytes (the line: its UTF-8 and a newline), and the line decodes back to the spans. */
function check(spans: Span[], roundTrip = true) {
  const line = Buffer.from(otlpJsonTracesLine(spans)).toString('utf8');
  expect(line).toBe(`${old(spans)}\n`);
  const direct = line.slice(0, -1);
  if (roundTrip) {
    const again = decodeOtlpJsonTraces(JSON.parse(direct!));
    expect(again.problems).toEqual([]);
    expect(again.spans.map(plain)).toEqual(grouped(spans).map(plain));
  }
}

describe('otlpJsonTracesLine on real requests', () => {
  const captures = readdirSync(CAPTURES).filter((f) => f.endsWith('.bin') || f.endsWith('.json'));

  it('finds the captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(7);
  });

  it.each(captures)('is byte-identical to the encoder on the capture %s', (file) => {
    const bytes = readFileSync(`${CAPTURES}/${file}`);
    const decoded = file.endsWith('.bin') ? decodeOtlpProtoTraces(bytes) : decodeOtlpJsonTraces(JSON.parse(bytes.toString('utf8')));
    expect(decoded.spans.length).toBeGreaterThan(0);
    check(decoded.spans);
  });

  it.each(OTLP_JSON_TRACES)('is byte-identical to the encoder on %s', (file) => {
    const decoded = decodeOtlpJsonTraces(JSON.parse(readFileSync(file, 'utf8')));
    expect(decoded.spans.length).toBeGreaterThan(0);
    check(decoded.spans);
  });

  it('is byte-identical on the official SDK serializers’ protobuf and JSON', () => {
    const sdk = makeSdkSpans();
    check(decodeOtlpProtoTraces(sdkProtobuf(sdk)).spans);
    check(decodeOtlpJsonTraces(JSON.parse(Buffer.from(sdkJson(sdk)).toString('utf8'))).spans);
  });

  it('is what the receiver stores for a traces request', () => {
    for (const file of captures.filter((f) => f.endsWith('.bin'))) {
      const body = readFileSync(`${CAPTURES}/${file}`);
      const line = decodeExport('traces', 'protobuf', body).storeLine as Uint8Array;
      expect(Buffer.from(line).toString('utf8')).toBe(`${old(decodeOtlpProtoTraces(body).spans)}\n`);
    }
  });
});

describe('otlpJsonTracesLine on hand-built spans', () => {
  it('writes defaults omitted and every optional field in the encoder’s order', () => {
    const a = span({ id: 'a', attrs: { s: 'x', i: 5, d: 0.5, b: true, n: null } });
    const b = spanWith({
      traceId: hexId('t', 16),
      spanId: hexId('b'),
      parentSpanId: hexId('a'),
      traceState: 'k=v',
      flags: 0x301,
      name: 'with everything',
      kind: 3,
      droppedAttributesCount: 2,
      events: [
        { timeUnixNano: 1n, name: 'e', attributes: newAttributes(), droppedAttributesCount: 0 },
        { timeUnixNano: 2n, name: 'f', attributes: Object.assign(newAttributes(), { k: 'v' }), droppedAttributesCount: 3 },
      ],
      droppedEventsCount: 4,
      links: [{ traceId: hexId('u', 16), spanId: hexId('c'), traceState: 'a=b', attributes: Object.assign(newAttributes(), { l: 1n }), droppedAttributesCount: 1, flags: 1 }],
      droppedLinksCount: 5,
      status: { code: 2, message: 'bad' },
    });
    const c = spanWith({ traceId: hexId('t', 16), spanId: hexId('c'), status: { code: 0, message: 'only message' } });
    const d = spanWith({ traceId: hexId('t', 16), spanId: hexId('d'), status: { code: 1, message: '' } });
    check([a, b, c, d]);
  });

  it('writes an empty request as the encoder does', () => {
    expect(Buffer.from(otlpJsonTracesLine([])).toString('utf8')).toBe(`${old([])}\n`);
  });

  it('keeps attribute key order and odd keys (__proto__, integer-like keys)', () => {
    const attrs = newAttributes();
    attrs.b = 'b';
    attrs['__proto__'] = 'p';
    attrs['10'] = 1n;
    attrs['2'] = 2n;
    attrs[''] = '';
    attrs.a = 'a';
    check([spanWith({ traceId: hexId('t', 16), spanId: hexId('a'), attributes: attrs })]);
  });

  it('gives the same bytes when its key and value caches fill up, overflow and reset', () => {
    const t = hexId('t', 16);
    const many = (n: number, attrs: (i: number) => Attributes) =>
      Array.from({ length: n }, (_, i) => spanWith({ traceId: t, spanId: hexId(`s${i}`), attributes: attrs(i) }));
    // One key with more distinct short values than it caches, then its early values again.
    const values = many(100, (i) => Object.assign(newAttributes(), { 'gen_ai.response.id': `id-${i % 70}`, model: 'gpt-4o', 'm"q': `v\n${i % 3}` }));
    check(values);
    check(values);
    // More distinct keys than the cache holds (it is dropped and refilled), and long values.
    const keys = many(300, (i) => {
      const attrs = newAttributes();
      for (let j = 0; j < 20; j++) attrs[`k${i}.${j}`] = j % 2 ? `value ${j}` : 'x'.repeat(60 + j);
      return attrs;
    });
    check(keys);
    check(values);
  });

  it('writes nesting far deeper than a decoder allows', () => {
    let v: AttrValue = 'leaf';
    for (let i = 0; i < 500; i++) v = i % 2 ? [v, 1n] : new KvList([['k', v]]);
    check([spanWith({ traceId: hexId('t', 16), spanId: hexId('a'), attributes: Object.assign(newAttributes(), { deep: v }) })], false);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated spans

const SPECIAL_STRINGS = [
  '',
  '"',
  '\\',
  '\u0000',
  '\b\f\n\r\t',
  '\u0001\u001f',
  '\u007f\u0080\u00ff',
  '\u2028\u2029',
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\ude00b',
  '😀',
  '\ud83d\ude00x\udc00\ud800',
  '</script>',
  'héllo ✓ 世界',
  'You are a helpful assistant.\nAnswer "briefly".\n\tUse C:\\path.\n'.repeat(20),
];
const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udbff', '\udc00', '\udfff', 'é', '世', '😀'];

const anyString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 16 }),
  fc.constantFrom(...SPECIAL_STRINGS),
);
const doubles = fc.oneof(fc.double(), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 1e21, 1e-7, 5e-324, 0.1, 2 ** 53 + 2, -1e300, 1.7976931348623157e308));
const INT64 = { min: -(1n << 63n), max: (1n << 63n) - 1n };
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u32 = fc.oneof(fc.constant(0), fc.constant(0), fc.nat(), fc.constant(0xffffffff));

function attrValue(wild: boolean): fc.Arbitrary<AttrValue> {
  const ints = wild ? fc.oneof(fc.bigInt(INT64), fc.bigInt({ min: -(1n << 200n), max: 1n << 200n })) : fc.bigInt(INT64);
  return fc.letrec<{ v: AttrValue }>((tie) => ({
    v: fc.oneof(
      { maxDepth: 4, depthSize: 'small' },
      anyString,
      fc.boolean(),
      ints,
      doubles,
      fc.uint8Array({ maxLength: 10 }),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.array(fc.tuple(anyString, tie('v')), { maxLength: 4 }).map((entries) => new KvList(entries)),
    ),
  })).v;
}

function attributes(wild: boolean): fc.Arbitrary<Attributes> {
  return fc
    .array(fc.tuple(fc.oneof(anyString, fc.constantFrom('service.name', '__proto__', '0', '7', 'constructor')), attrValue(wild)), { maxLength: 5 })
    .map((pairs) => {
      const attrs = newAttributes();
      for (const [k, v] of pairs) attrs[k] = v;
      return attrs;
    });
}

function spansArb(wild: boolean): fc.Arbitrary<Span[]> {
  // Wild: any strings as ids (byte identity only); otherwise ids the decoder accepts back.
  const id = (bytes: number) => (wild ? fc.oneof(fc.stringMatching(new RegExp(`^[0-9a-f]{${bytes * 2}}$`)), anyString) : fc.stringMatching(new RegExp(`^[0-9a-f]{${bytes * 2}}$`)));
  const nonZeroId = (bytes: number) => (wild ? id(bytes) : id(bytes).filter((s) => !/^0+$/.test(s)));
  const attrs = attributes(wild);
  const resource: fc.Arbitrary<Resource> = fc.record({ attributes: attrs, droppedAttributesCount: u32, schemaUrl: fc.oneof(fc.constant(''), anyString) });
  const scope: fc.Arbitrary<Scope> = fc.record({
    name: anyString,
    version: fc.oneof(fc.constant(''), anyString),
    attributes: attrs,
    droppedAttributesCount: u32,
    schemaUrl: fc.oneof(fc.constant(''), anyString),
  });
  const event = fc.record({ timeUnixNano: u64, name: anyString, attributes: attrs, droppedAttributesCount: u32 });
  const link = fc.record({ traceId: id(16), spanId: id(8), traceState: fc.oneof(fc.constant(''), anyString), attributes: attrs, droppedAttributesCount: u32, flags: u32 });
  const body = fc.record({
    traceId: id(16),
    spanId: id(8),
    parentSpanId: fc.oneof(fc.constant(''), nonZeroId(8)),
    traceState: fc.oneof(fc.constant(''), anyString),
    name: anyString,
    kind: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 0x7fffffff })),
    startTimeUnixNano: u64,
    endTimeUnixNano: u64,
    attributes: attrs,
    droppedAttributesCount: u32,
    events: fc.array(event, { maxLength: 3 }),
    droppedEventsCount: u32,
    links: fc.array(link, { maxLength: 2 }),
    droppedLinksCount: u32,
    status: fc.record({ code: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 0x7fffffff })), message: fc.oneof(fc.constant(''), anyString) }),
    flags: u32,
    r: fc.nat(),
    s: fc.nat(),
  });
  // A few Resource and Scope objects shared by many spans, interleaved.
  return fc
    .tuple(fc.array(resource, { minLength: 1, maxLength: 3 }), fc.array(scope, { minLength: 1, maxLength: 3 }), fc.array(body, { maxLength: 8 }))
    .map(([resources, scopes, bodies]) =>
      bodies.map(({ r, s, ...fields }) => finishSpan({ ...fields, resource: resources[r % resources.length]!, scope: scopes[s % scopes.length]! })),
    );
}

describe('otlpJsonTracesLine on generated spans', () => {
  it('is byte-identical to the encoder, and decodes back to the spans', () => {
    fc.assert(fc.property(spansArb(false), (spans) => check(spans)), { numRuns: 400 });
  });

  it('is byte-identical to the encoder for any strings and out-of-range integers', () => {
    fc.assert(fc.property(spansArb(true), (spans) => check(spans, false)), { numRuns: 400 });
  });

  it('is byte-identical for single values of every shape', () => {
    fc.assert(
      fc.property(attrValue(true), anyString, (v, key) => {
        check([spanWith({ traceId: hexId('t', 16), spanId: hexId('a'), attributes: Object.assign(newAttributes(), { [key]: v }) })], false);
      }),
      { numRuns: 1000 },
    );
  });
});

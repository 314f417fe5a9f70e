/**
 * The single-pass wire decoder (src/lib/otlp/proto-wire.ts, behind decodeOtlpProtoTraces) against
 * the protobufjs decoder it replaced (proto-decode-reference.ts): real captures, the official
 * serializer, generated requests (protobufjs-encoded objects and hand-made wire bytes with
 * unknown fields, groups, odd wire types, repeated singular fields, several oneof members),
 * truncations, mutations and random bytes. Either both accept with deep-equal results (and the
 * same Resource/Scope sharing) or both refuse, the new one with a DecodeError only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/lib/errors.js';
import type { DecodeResult } from '../../src/lib/otlp/decode-result.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { KvList, nanosToMs } from '../../src/lib/span.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';
import { decodeOtlpProtoTracesReference } from './proto-decode-reference.js';
import { benchFrames, CAPTURES, captures, cat, damagedCapture, encodedRequest, fDouble, fFixed64, fLen, fVarint, kv, oneAttr, oneSpan, SPAN, spanBytes, tag, TRACE, u64, varint, wireRequestArb } from './wire-arbitraries.js';

const PREFIX = 'not a valid OTLP protobuf trace request: ';

// ---- comparing the two decoders -------------------------------------------------------------

type Outcome = { ok: true; value: DecodeResult } | { ok: false; error: unknown };

function run(decode: (b: Uint8Array) => DecodeResult, bytes: Uint8Array): Outcome {
  try {
    return { ok: true, value: decode(bytes) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Which spans share a Resource / Scope object: index of the first span with the same one. */
function sharing(r: DecodeResult): Array<[number, number]> {
  const firstOf = <T>(m: Map<T, number>, k: T, i: number) => {
    if (!m.has(k)) m.set(k, i);
    return m.get(k)!;
  };
  const res = new Map<object, number>();
  const scopes = new Map<object, number>();
  return r.spans.map((s, i) => [firstOf(res, s.resource, i), firstOf(scopes, s.scope, i)]);
}

/** Both inputs kinds: protobufjs reads a Buffer and a plain Uint8Array differently (strings). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes); // a copy, often inside the pool: a non-zero byteOffset
}
function asPlain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/**
 * Compares on one input; returns whether it was accepted. The reference reads a Buffer (every
 * caller passes one): the wire decoder reads any input as protobufjs reads a Buffer.
 */
function same(bytes: Uint8Array): boolean {
  const ref = run(decodeOtlpProtoTracesReference, asBuffer(bytes));
  const got = run(decodeOtlpProtoTraces, bytes);
  if (!got.ok) {
    expect(got.error).toBeInstanceOf(DecodeError);
    expect((got.error as Error).message.startsWith(PREFIX)).toBe(true);
  }
  if (!ref.ok) expect(ref.error).toBeInstanceOf(DecodeError);
  if (got.ok !== ref.ok) {
    const why = got.ok ? (ref as { error: Error }).error.message : (got as { error: Error }).error.message;
    expect.fail(`${got.ok ? 'wire decoder accepted' : 'wire decoder refused'} what protobufjs ${ref.ok ? 'accepted' : 'refused'} (${why}); bytes ${Buffer.from(bytes).toString('hex').slice(0, 400)}`);
  }
  if (got.ok && ref.ok) {
    expect(got.value).toEqual(ref.value);
    expect(sharing(got.value)).toEqual(sharing(ref.value));
  }
  return got.ok;
}

function sameBoth(bytes: Uint8Array): boolean {
  const a = same(asBuffer(bytes));
  const b = same(asPlain(bytes));
  return a && b;
}

describe('wire decoder ≡ protobufjs decoder on real requests', () => {
  it.each(captures)('capture %s', (file) => {
    const bytes = readFileSync(path.join(CAPTURES, file));
    expect(sameBoth(bytes)).toBe(true);
    expect(decodeOtlpProtoTraces(bytes).spans.length).toBeGreaterThan(0);
  });

  it('requests from the official otlp-transformer serializer', () => {
    const bytes = sdkProtobuf(makeSdkSpans());
    expect(sameBoth(bytes)).toBe(true);
    const { spans } = decodeOtlpProtoTraces(bytes);
    expect(spans).toHaveLength(2);
    expect(spans[0]!.resource).toBe(spans[1]!.resource);
    expect(spans[0]!.scope).toBe(spans[1]!.scope);
    expect(Object.getPrototypeOf(spans[0]!.attributes)).toBe(null);
    expect(Object.getPrototypeOf(spans[0]!.resource.attributes)).toBe(null);
  });

  const frames = benchFrames('ingest-200k.pb', 40);
  it.skipIf(frames.length === 0)('bench ingest frames (when generated)', () => {
    for (const f of frames) expect(sameBoth(f)).toBe(true);
  });

  it('every truncation and single-byte change of a capture', () => {
    for (const bytes of damagedCapture()) sameBoth(bytes);
  });
});

describe('wire decoder ≡ protobufjs decoder on generated requests', () => {
  it('objects encoded by protobufjs', () => {
    fc.assert(
      fc.property(encodedRequest, (bytes) => {
        expect(sameBoth(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('hand-made wire bytes: unknown fields, groups, odd wire types, repeats, several oneof members', () => {
    let accepted = 0;
    fc.assert(
      fc.property(wireRequestArb, (bytes) => {
        if (sameBoth(bytes)) accepted++;
      }),
      { numRuns: 600 },
    );
    expect(accepted).toBeGreaterThan(100); // most are valid, so the span building is compared
  });

  it('a list member followed by more fields in its AnyValue: reading goes on after the AnyValue', () => {
    // Found by the property above: a scope attribute with two values, the first holding bytes, an
    // array, then bytes again (the array wins). The rest of that value was read as fields of the
    // KeyValue, and the request refused where protobufjs accepts it.
    expect(sameBoth(Buffer.from('0a131211080f1a0d12073a002a0038010012023200', 'hex'))).toBe(true);
    // An array element holding 'a', an empty list (it wins) and 'b'; then 'x'. A kvlist likewise.
    const element = (list: number) => cat(fLen(1, 'a'), fLen(list, new Uint8Array()), fLen(1, 'b'));
    for (const [list, want] of [
      [5, [[], 'x']],
      [6, [new KvList([]), 'x']],
    ] as const) {
      const request = oneAttr(fLen(5, cat(fLen(1, element(list)), fLen(1, fLen(1, 'x')))));
      expect(sameBoth(request)).toBe(true);
      expect(decodeOtlpProtoTraces(request).spans[0]!.attributes['k']).toEqual(want);
    }
  });

  it('truncations and mutations of generated requests', () => {
    fc.assert(
      fc.property(encodedRequest, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (bytes, cut, at, byte) => {
        sameBoth(bytes.subarray(0, cut % (bytes.length + 1)));
        if (bytes.length > 0) {
          const copy = Buffer.from(bytes);
          copy[at % copy.length] = byte;
          sameBoth(copy);
          sameBoth(cat(copy.subarray(0, at % copy.length), copy.subarray((at % copy.length) + 1)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        sameBoth(bytes);
        sameBoth(cat([0x0a], varint(bytes.length), bytes)); // inside a resource_spans
      }),
      { numRuns: 1000 },
    );
  });
});

describe('wire decoder: protobufjs semantics, spelled out', () => {
  const attr = (bytes: Uint8Array) => decodeOtlpProtoTraces(Buffer.from(bytes)).spans[0]!.attributes['k'];

  it('an empty input is an empty request', () => {
    expect(decodeOtlpProtoTraces(new Uint8Array(0))).toEqual({ spans: [], problems: [], spansOnWire: 0 });
    expect(decodeOtlpProtoTraces(Buffer.alloc(0))).toEqual({ spans: [], problems: [], spansOnWire: 0 });
  });

  it('AnyValue: of several members, the one first seen last wins, with its last value; none is null', () => {
    const av = cat(fLen(1, 'a'), fVarint(3, 5), fLen(1, 'b'));
    expect(sameBoth(oneAttr(av))).toBe(true);
    expect(attr(oneAttr(av))).toBe(5n);
    expect(attr(oneAttr(cat(fVarint(3, 5), fLen(1, 'a'), fVarint(3, 7))))).toBe('a');
    expect(attr(oneAttr(cat(fLen(1, 'a'), fLen(1, 'b'))))).toBe('b');
    expect(attr(oneAttr(new Uint8Array(0)))).toBe(null);
    expect(attr(oneSpan(fLen(9, fLen(1, 'k'))))).toBe(null); // KeyValue without a value
  });

  it('values: kvlist as KvList, bytes as a Uint8Array copy, int64 signed, doubles as numbers', () => {
    const kv = fLen(6, cat(fLen(1, cat(fLen(1, 'a'), fLen(2, fVarint(3, -2)))), fLen(1, cat(fLen(1, 'a'), fLen(2, fDouble(4, NaN))))));
    expect(sameBoth(oneAttr(kv))).toBe(true);
    expect(attr(oneAttr(kv))).toEqual(new KvList([['a', -2n], ['a', NaN]]));
    const input = Buffer.from(oneAttr(fLen(7, Uint8Array.of(1, 2, 3))));
    const bytes = decodeOtlpProtoTraces(input).spans[0]!.attributes['k'] as Uint8Array;
    expect(bytes).toEqual(Uint8Array.of(1, 2, 3));
    expect(Buffer.isBuffer(bytes)).toBe(false);
    expect(bytes.buffer).not.toBe(input.buffer);
    expect(attr(oneAttr(fVarint(3, -(1n << 63n))))).toBe(-(1n << 63n));
    expect(attr(oneAttr(fVarint(3, (1n << 63n) - 1n)))).toBe((1n << 63n) - 1n);
  });

  it('times are unsigned fixed64 (and the derived milliseconds are nanosToMs of them)', () => {
    const big = (1n << 64n) - 1n;
    const bytes = oneSpan(fFixed64(7, big), fFixed64(8, 5n));
    expect(sameBoth(bytes)).toBe(true);
    const s = decodeOtlpProtoTraces(bytes).spans[0]!;
    expect(s.startTimeUnixNano).toBe(big);
    expect(s.endTimeUnixNano).toBe(5n);
  });

  it('startMs and durationMs are exactly nanosToMs of the times (also near 2^52 and whole milliseconds)', () => {
    const duration = fc.oneof(
      fc.bigInt({ min: -(1n << 54n), max: 1n << 54n }),
      fc.tuple(fc.bigInt({ min: -(1n << 33n), max: 1n << 33n }), fc.integer({ min: -2, max: 2 })).map(([ms, d]) => ms * 1_000_000n + BigInt(d)),
      fc.tuple(fc.constantFrom(1n << 52n, -(1n << 52n), 1n << 53n), fc.integer({ min: -3_000_000, max: 3_000_000 })).map(([b, d]) => b + BigInt(d)),
    );
    fc.assert(
      fc.property(u64, duration, (start, d) => {
        const end = BigInt.asUintN(64, start + d);
        const s = decodeOtlpProtoTraces(oneSpan(fFixed64(7, start), fFixed64(8, end))).spans[0]!;
        expect(s.startMs).toBe(nanosToMs(start));
        expect(s.durationMs).toBe(nanosToMs(end - start));
      }),
      { numRuns: 2000 },
    );
  });

  it('a repeated singular sub-message replaces the previous one; repeated fields append', () => {
    const bytes = oneSpan(fLen(15, fVarint(3, 2)), fLen(15, fLen(2, 'late')), fLen(9, cat(fLen(1, 'a'), fLen(2, fVarint(3, 1)))), fLen(5, 'x'), fLen(9, cat(fLen(1, 'a'), fLen(2, fVarint(3, 2)))));
    expect(sameBoth(bytes)).toBe(true);
    const s = decodeOtlpProtoTraces(bytes).spans[0]!;
    expect(s.status).toEqual({ code: 0, message: 'late' });
    expect(s.attributes['a']).toBe(2n);
  });

  it('a resource or scope given after the spans still belongs to them, and replaces an earlier one', () => {
    const span = cat(fLen(1, TRACE), fLen(2, SPAN));
    const scopeSpans = cat(fLen(2, span), fLen(1, fLen(1, 'first')), fLen(2, span), fLen(1, fLen(2, 'v2')));
    const resource = (name: string) => fLen(1, fLen(1, cat(fLen(1, 'service.name'), fLen(2, fLen(1, name)))));
    const bytes = fLen(1, cat(resource('a'), fLen(2, scopeSpans), resource('b')));
    expect(sameBoth(bytes)).toBe(true);
    const { spans } = decodeOtlpProtoTraces(bytes);
    expect(spans.map((s) => [s.resource.attributes['service.name'], s.scope.name, s.scope.version])).toEqual([
      ['b', '', 'v2'],
      ['b', '', 'v2'],
    ]);
  });

  it('ids: the same checks, paths and messages; an all-zero or empty parent is a root', () => {
    const bytes = fLen(
      1,
      fLen(
        2,
        cat(
          fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), fLen(4, new Uint8Array(8)))),
          fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), fLen(4, new Uint8Array(0)))),
          fLen(2, cat(fLen(2, SPAN), fLen(1, new Uint8Array(16)))),
          fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN.subarray(1)))),
          fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), fLen(4, Uint8Array.of(1, 2)))),
          fLen(2, cat(fLen(13, cat(fLen(1, TRACE), fLen(2, SPAN))), fLen(13, fLen(1, TRACE)), fLen(1, TRACE), fLen(2, SPAN))),
          fLen(2, cat(fLen(1, TRACE))),
        ),
      ),
    );
    expect(sameBoth(bytes)).toBe(true);
    const r = decodeOtlpProtoTraces(bytes);
    expect(r.spans.map((s) => s.parentSpanId)).toEqual(['', '']);
    expect(r.problems).toEqual([
      { field: 'resource_spans[0].scope_spans[0].spans[2].trace_id', message: 'span skipped: all-zero id is invalid' },
      { field: 'resource_spans[0].scope_spans[0].spans[3].span_id', message: 'span skipped: expected 8 bytes, got 7' },
      { field: 'resource_spans[0].scope_spans[0].spans[4].parent_span_id', message: 'span skipped: expected 8 bytes, got 2' },
      { field: 'resource_spans[0].scope_spans[0].spans[5].links[1].span_id', message: 'span skipped: missing id' },
      { field: 'resource_spans[0].scope_spans[0].spans[6].span_id', message: 'span skipped: missing id' },
    ]);
  });

  it('at most 100 problems per request', () => {
    const bad = fLen(2, fLen(1, TRACE));
    const bytes = fLen(1, fLen(2, cat(...Array.from({ length: 150 }, () => bad))));
    expect(sameBoth(bytes)).toBe(true);
    expect(decodeOtlpProtoTraces(bytes).problems).toHaveLength(100);
  });

  it('known fields are read by their declared type whatever the wire type says', () => {
    const bytes = oneSpan(fLen(5, 'n', 0), fVarint(6, 3, 5), fFixed64(7, 9n, 2), fVarint(10, 4, 1));
    expect(sameBoth(bytes)).toBe(true);
    expect(decodeOtlpProtoTraces(bytes).spans[0]).toMatchObject({ name: 'n', kind: 3, startTimeUnixNano: 9n, droppedAttributesCount: 4 });
  });

  it('unknown fields of every wire type are skipped, groups included; 4 alone, 6 and 7 are errors', () => {
    const group = cat(tag(99, 3), fVarint(1, 5), tag(98, 3), fLen(2, 'x'), tag(3, 4), cat(tag(4, 1), new Uint8Array(8)), tag(77, 4));
    const ok = oneSpan(fVarint(99, 1n << 63n), cat(tag(98, 1), new Uint8Array(8)), fLen(97, 'zz'), cat(tag(96, 5), new Uint8Array(4)), group);
    expect(sameBoth(ok)).toBe(true);
    expect(decodeOtlpProtoTraces(ok).spans).toHaveLength(1);
    for (const w of [4, 6, 7]) {
      expect(sameBoth(oneSpan(tag(99, w)))).toBe(false);
      expect(() => decodeOtlpProtoTraces(oneSpan(tag(99, w)))).toThrow(`${PREFIX}invalid wire type ${w}`);
    }
  });

  it('varint quirks: a 10-byte uint32 keeps its low 32 bits; an int64 with 4 bytes left ends at the 4th', () => {
    const tenBytes = cat(tag(10, 0), [0xff, 0xff, 0xff, 0xff, 0x8f, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    expect(sameBoth(oneSpan(tenBytes))).toBe(true);
    expect(decodeOtlpProtoTraces(oneSpan(tenBytes)).spans[0]!.droppedAttributesCount).toBe(0xffffffff);
    const nearEnd = cat(tag(3, 0), [0x81, 0x81, 0x81, 0x81]);
    expect(sameBoth(oneAttr(nearEnd))).toBe(true);
    expect(attr(oneAttr(nearEnd))).toBe(BigInt(1 + (1 << 7) + (1 << 14) + (1 << 21)));
    expect(sameBoth(oneAttr(cat(tag(3, 0), [0x81, 0x81, 0x81])))).toBe(false);
    expect(sameBoth(oneAttr(cat(tag(3, 0), Array(11).fill(0x80), [1])))).toBe(false);
  });

  it('strings: any input is read as protobufjs reads a Buffer: an overlong string clamped, invalid UTF-8 decoded like Buffer', () => {
    const overlong = cat(fLen(1, TRACE), fLen(2, SPAN), tag(5, 2), varint(50), Buffer.from('abc'));
    const bytes = fLen(1, fLen(2, fLen(2, overlong)));
    expect(sameBoth(bytes)).toBe(true);
    expect(decodeOtlpProtoTraces(asPlain(bytes)).spans[0]!.name).toBe('abc');
    const raw = Uint8Array.of(0x61, 0x80, 0x62, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82);
    const invalid = oneSpan(fLen(5, raw));
    expect(sameBoth(invalid)).toBe(true);
    for (const input of [asBuffer(invalid), asPlain(invalid)]) expect(decodeOtlpProtoTraces(input).spans[0]!.name).toBe(Buffer.from(raw).toString('utf8'));
  });

  it('the string cache gives back the right string for strings alike in length and sampled bytes', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `name-${String(i).padStart(6, '0')}-x`);
    const body = cat(...names.map((n) => fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), fLen(5, n)))));
    const bytes = fLen(1, fLen(2, body));
    expect(decodeOtlpProtoTraces(bytes).spans.map((s) => s.name)).toEqual(names);
    expect(decodeOtlpProtoTraces(bytes).spans.map((s) => s.name)).toEqual(names);
  });

  it('attribute values: as protobufjs up to its limit, then kept to 64 levels and dropped beyond, as in OTLP/JSON', () => {
    /** AnyValue → ArrayValue → AnyValue … `levels` times, as one attribute. */
    const nested = (levels: number) => {
      let av: Uint8Array = fLen(1, 'leaf');
      for (let i = 0; i < levels; i++) av = fLen(5, fLen(1, av));
      return oneAttr(av);
    };
    const kvNested = (levels: number) => {
      let av: Uint8Array = fLen(1, 'leaf');
      for (let i = 0; i < levels; i++) av = fLen(6, fLen(1, cat(fLen(1, 'k'), fLen(2, av))));
      return oneAttr(av);
    };
    // The span attribute's AnyValue is at message depth 5 and each level adds 2: protobufjs
    // refuses the whole request from 48 array levels (32 kvlist levels).
    expect(sameBoth(nested(47))).toBe(true);
    expect(sameBoth(kvNested(31))).toBe(true);
    expect(run(decodeOtlpProtoTracesReference, nested(48)).ok).toBe(false);
    const levels = (v: unknown): number => (Array.isArray(v) ? 1 + levels(v[0]) : v instanceof KvList ? 1 + levels(v.entries[0]![1]) : 0);
    for (const make of [nested, kvNested]) {
      for (const bytes of [asBuffer(make(64)), asPlain(make(64))]) {
        const kept = decodeOtlpProtoTraces(bytes);
        expect(levels(kept.spans[0]!.attributes.k)).toBe(64);
        expect(kept.problems).toEqual([]);
      }
      for (const bytes of [make(65), make(3000)]) {
        const dropped = decodeOtlpProtoTraces(bytes);
        expect(dropped.spans).toHaveLength(1);
        expect(dropped.spans[0]!.attributes).toEqual({});
        expect(dropped.problems).toEqual([{ field: 'resource_spans[0].scope_spans[0].spans[0].attributes[0].value', message: 'attribute "k" dropped: value nested too deeply (more than 64 levels)' }]);
      }
    }
    // Resource, scope, event and link attributes alike, each reported where it was.
    let deep: Uint8Array = fLen(1, 'leaf');
    for (let i = 0; i < 65; i++) deep = fLen(5, fLen(1, deep));
    const event = fLen(11, cat(fLen(2, 'ev'), fLen(3, kv('e', deep))));
    const link = fLen(13, cat(fLen(1, TRACE), fLen(2, SPAN), fLen(4, kv('l', deep))));
    const scope = fLen(1, cat(fLen(1, 'lib'), fLen(3, kv('ok', fLen(1, 'x'))), fLen(3, kv('s', deep))));
    const everywhere = fLen(1, cat(fLen(1, fLen(1, kv('r', deep))), fLen(2, cat(scope, fLen(2, spanBytes(event, link))))));
    const r = decodeOtlpProtoTraces(everywhere);
    expect(r.spans).toHaveLength(1);
    expect(r.problems.map((p) => `${p.field}: ${p.message.split(':')[0]}`)).toEqual([
      'resource_spans[0].resource.attributes[0].value: attribute "r" dropped',
      'resource_spans[0].scope_spans[0].scope.attributes[1].value: attribute "s" dropped',
      'resource_spans[0].scope_spans[0].spans[0].events[0].attributes[0].value: attribute "e" dropped',
      'resource_spans[0].scope_spans[0].spans[0].links[0].attributes[0].value: attribute "l" dropped',
    ]);
    expect(r.spans[0]!.scope.attributes).toEqual({ ok: 'x' });
    // Malformed bytes in a value are refused at any depth, as before.
    expect(() => decodeOtlpProtoTraces(oneAttr(fLen(5, fLen(1, Uint8Array.of(0x2a, 0x05)))))).toThrow(DecodeError);
  });

  it('nesting deeper than protobufjs allows (100) elsewhere is a DecodeError, not a stack overflow', () => {
    // Groups: each nested group is one level more.
    const groups = (levels: number) => oneSpan(Buffer.concat([Buffer.alloc(levels * 2, Buffer.from(tag(99, 3))), fVarint(1, 1), Buffer.alloc(levels * 2, Buffer.from(tag(99, 4)))]));
    expect(sameBoth(groups(97))).toBe(true);
    expect(sameBoth(groups(98))).toBe(false);
    expect(() => decodeOtlpProtoTraces(groups(100_000))).toThrow(DecodeError);
  });

  it('huge length prefixes are DecodeErrors that say where', () => {
    const huge = cat([0x0a], varint(0xffffffff), [1, 2, 3]);
    expect(sameBoth(huge)).toBe(false);
    expect(() => decodeOtlpProtoTraces(huge)).toThrow(`${PREFIX}length 4294967295 beyond the end at byte 6`);
    expect(sameBoth(oneSpan(cat(tag(9, 2), varint(2 ** 31))))).toBe(false);
    expect(() => decodeOtlpProtoTraces(Uint8Array.of(0x0a, 0x80))).toThrow(`${PREFIX}truncated varint at byte 1`);
  });
});

describe('wire decoder keeping only some span attributes (tail --quiet view thread)', () => {
  const KEEP: ReadonlySet<string> = new Set(['k', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', '', '7']);

  /** Same acceptance and error; the same spans with only the kept attributes. */
  function sameKept(bytes: Uint8Array): boolean {
    const full = run(decodeOtlpProtoTraces, bytes);
    const kept = run((b) => decodeOtlpProtoTraces(b, KEEP), bytes);
    expect(kept.ok).toBe(full.ok);
    if (!full.ok || !kept.ok) {
      if (!full.ok && !kept.ok) expect((kept.error as Error).message).toBe((full.error as Error).message);
      return false;
    }
    const expected = full.value.spans.map((s) => ({ ...s, attributes: Object.fromEntries(Object.entries(s.attributes).filter(([k]) => KEEP.has(k))) }));
    expect(kept.value.spans.map((s) => ({ ...s, attributes: { ...s.attributes } }))).toEqual(expected);
    expect(kept.value.problems).toEqual(full.value.problems);
    return true;
  }
  const both = (bytes: Uint8Array) => sameKept(asBuffer(bytes)) && sameKept(asPlain(bytes));

  it('captures, SDK output and bench frames', () => {
    for (const file of captures) expect(both(readFileSync(path.join(CAPTURES, file)))).toBe(true);
    expect(both(sdkProtobuf(makeSdkSpans()))).toBe(true);
    for (const f of benchFrames('ingest-100k.pb', 40)) expect(both(f)).toBe(true);
  });

  it('hand-made wire bytes, truncations, mutations and arbitrary bytes', () => {
    let accepted = 0;
    fc.assert(
      fc.property(wireRequestArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (bytes, at, byte) => {
        if (both(bytes)) accepted++;
        both(bytes.subarray(0, at % (bytes.length + 1)));
        if (bytes.length > 0) {
          const copy = Buffer.from(bytes);
          copy[at % copy.length] = byte;
          both(copy);
        }
      }),
      { numRuns: 600 },
    );
    expect(accepted).toBeGreaterThan(100);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void both(cat([0x0a], varint(bytes.length), bytes))), { numRuns: 500 });
  });

  it('a key after its value, and a key given twice, decide as when every value is decoded', () => {
    const model = fLen(1, 'gpt-4o');
    const pairs = [
      cat(fLen(2, model), fLen(1, 'gen_ai.request.model')), // value first: kept
      cat(fLen(2, model), fLen(1, 'other')), // value first: dropped
      cat(fLen(1, 'other'), fLen(2, model), fLen(1, 'k')), // renamed to a kept key after the value
      cat(fLen(1, 'k'), fLen(2, model), fLen(1, 'other')), // renamed to a dropped key
      cat(fLen(1, 'other'), fLen(2, fLen(5, fLen(1, fLen(1, 'x'))))), // a dropped array value
      cat(fLen(1, 'other'), fLen(2, cat(fLen(1, 'a'), fVarint(3, 5n)))), // a dropped value with two members
    ];
    for (const kv of pairs) expect(both(oneSpan(fLen(9, kv)))).toBe(true);
    const kept = decodeOtlpProtoTraces(oneSpan(fLen(9, pairs[2]!)), KEEP).spans[0]!.attributes;
    expect({ ...kept }).toEqual({ k: 'gpt-4o' });
    // A broken value under a dropped key still refuses the request, with the same message.
    for (const member of [cat(tag(4, 1), [1, 2]), cat(tag(6, 2), [9, 0x61]), cat(tag(3, 0), [0xff]), cat(tag(7, 2), [5, 1])]) {
      const broken = oneSpan(fLen(9, cat(fLen(1, 'other'), fLen(2, member))));
      expect(() => decodeOtlpProtoTraces(broken, KEEP)).toThrow(DecodeError);
      expect(both(broken)).toBe(false);
    }
  });
});

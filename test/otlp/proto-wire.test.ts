/**
 * The single-pass wire decoder (src/lib/otlp/proto-wire.ts, behind decodeOtlpProtoTraces) against
 * the protobufjs decoder it replaced (proto-decode-reference.ts): real captures, the official
 * serializer, generated requests (protobufjs-encoded objects and hand-made wire bytes with
 * unknown fields, groups, odd wire types, repeated singular fields, several oneof members),
 * truncations, mutations and random bytes. Either both accept with deep-equal results (and the
 * same Resource/Scope sharing) or both refuse, the new one with a DecodeError only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/lib/errors.js';
import type { DecodeResult } from '../../src/lib/otlp/decode-result.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-decode.js';
import { otlpTypes } from '../../src/lib/otlp/schema.js';
import { KvList, nanosToMs } from '../../src/lib/span.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';
import { decodeOtlpProtoTracesReference } from './proto-decode-reference.js';

const CAPTURES = '../shared/captures';
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

/** Compares on one input; returns whether it was accepted. */
function same(bytes: Uint8Array): boolean {
  const ref = run(decodeOtlpProtoTracesReference, bytes);
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

// ---- a raw protobuf writer -----------------------------------------------------------------

function varint(v: bigint | number): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

function cat(...parts: Array<Uint8Array | number[]>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const tag = (field: number, wt: number) => Uint8Array.from(varint((field << 3) | wt));
const fVarint = (field: number, v: bigint | number, wt = 0) => cat(tag(field, wt), varint(v));
const fLen = (field: number, payload: Uint8Array | string, wt = 2) => {
  const p = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return cat(tag(field, wt), varint(p.length), p);
};
const fFixed64 = (field: number, v: bigint, wt = 1) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return cat(tag(field, wt), b);
};
const fFixed32 = (field: number, v: number, wt = 5) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return cat(tag(field, wt), b);
};
const fDouble = (field: number, v: number, wt = 1) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return cat(tag(field, wt), b);
};

const TRACE = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const SPAN = Uint8Array.from({ length: 8 }, (_, i) => 0xa0 + i);

/** A request with one span whose extra fields are `spanFields`. */
function oneSpan(...spanFields: Uint8Array[]): Uint8Array {
  const span = cat(fLen(1, TRACE), fLen(2, SPAN), ...spanFields);
  return fLen(1, fLen(2, fLen(2, span)));
}

/** A request with one span carrying one attribute `k` whose AnyValue body is `anyValue`. */
function oneAttr(anyValue: Uint8Array): Uint8Array {
  return oneSpan(fLen(9, cat(fLen(1, 'k'), fLen(2, anyValue))));
}

// ---- generators: hand-made wire bytes --------------------------------------------------------

const KEYS = ['', 'k', 'service.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', '__proto__', 'constructor', 'x'.repeat(13), 'y'.repeat(48), 'z'.repeat(49)];
const textArb = fc.oneof(
  fc.constantFrom(...KEYS, 'héllo ✓ 世界', '\u{1F600}', 'chat gpt-4o'),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
);
/** UTF-8 of a string, now and then arbitrary (invalid) bytes. */
const strBytes = fc.oneof({ weight: 8, arbitrary: textArb.map((s) => Buffer.from(s, 'utf8')) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) });
/** The declared wire type, now and then any other (protobufjs ignores it for known fields). */
const wt = (declared: number) => fc.oneof({ weight: 30, arbitrary: fc.constant(declared) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) });
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 300n }), fc.constantFrom(1748737704240438000n, 0n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n));
const i64 = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -300n, max: 300n }), fc.constantFrom(-(1n << 53n), (1n << 53n) + 1n, -1n));
/** uint32/int32 varints, some wider than 32 bits (protobufjs keeps the low 32 bits). */
const varint32 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));

const field = {
  varint: (n: number, v: fc.Arbitrary<bigint | number>) => fc.tuple(wt(0), v).map(([w, x]) => fVarint(n, x, w)),
  str: (n: number) => fc.tuple(wt(2), strBytes).map(([w, b]) => fLen(n, b, w)),
  bytes: (n: number, b: fc.Arbitrary<Uint8Array>) => fc.tuple(wt(2), b).map(([w, x]) => fLen(n, x, w)),
  msg: (n: number, m: fc.Arbitrary<Uint8Array>) => fc.tuple(wt(2), m).map(([w, x]) => fLen(n, x, w)),
  fixed64: (n: number) => fc.tuple(wt(1), u64).map(([w, x]) => fFixed64(n, x, w)),
  fixed32: (n: number) => fc.tuple(wt(5), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([w, x]) => fFixed32(n, x, w)),
  double: (n: number) => fc.tuple(wt(1), fc.double()).map(([w, x]) => fDouble(n, x, w)),
};

/** An unknown field: every wire type, groups nested a little, now and then an invalid one. */
function unknownField(known: number[]): fc.Arbitrary<Uint8Array> {
  const num = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 29 - 1 })).filter((n) => !known.includes(n));
  const leaf = fc.oneof(
    fc.tuple(num, fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 1000 }))).map(([n, v]) => fVarint(n, v)),
    fc.tuple(num, fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([n, b]) => cat(tag(n, 1), b)),
    fc.tuple(num, fc.uint8Array({ maxLength: 12 })).map(([n, b]) => fLen(n, b)),
    fc.tuple(num, fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([n, b]) => cat(tag(n, 5), b)),
  );
  const group: fc.Arbitrary<Uint8Array> = fc
    .tuple(num, fc.array(fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: fc.tuple(num, fc.array(leaf, { maxLength: 2 }), num).map(([a, l, b]) => cat(tag(a, 3), ...l, tag(b, 4))) }), { maxLength: 3 }), num)
    .map(([a, inner, b]) => cat(tag(a, 3), ...inner, tag(b, 4)));
  const invalid = fc.tuple(num, fc.constantFrom(4, 6, 7)).map(([n, w]) => tag(n, w));
  return fc.oneof({ weight: 12, arbitrary: leaf }, { weight: 3, arbitrary: group }, { weight: 1, arbitrary: invalid });
}

/** A message: its fields in any order and number, with unknown fields among them. */
function message(known: number[], fields: Array<fc.Arbitrary<Uint8Array>>, maxLength = 6): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.oneof({ weight: 10 * fields.length, arbitrary: fc.oneof(...fields) }, { weight: 2, arbitrary: unknownField(known) }), { maxLength }).map((parts) => cat(...parts));
}

function anyValueArb(depth: number): fc.Arbitrary<Uint8Array> {
  const members: Array<fc.Arbitrary<Uint8Array>> = [
    field.str(1),
    field.varint(2, fc.oneof(fc.constantFrom(0, 1), varint32)),
    field.varint(3, i64),
    field.double(4),
    field.bytes(7, fc.uint8Array({ maxLength: 12 })),
  ];
  if (depth > 0) {
    const inner = anyValueArb(depth - 1);
    members.push(field.msg(5, message([1], [field.msg(1, inner)], 4)));
    members.push(field.msg(6, message([1], [field.msg(1, keyValueArb(depth - 1))], 4)));
  }
  // Mostly one member; several members exercise protobufjs' oneof rule.
  return fc.oneof(
    { weight: 6, arbitrary: fc.oneof(...members) },
    { weight: 2, arbitrary: message([1, 2, 3, 4, 5, 6, 7], members, 4) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  );
}

function keyValueArb(depth: number): fc.Arbitrary<Uint8Array> {
  const key = fc.tuple(wt(2), fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS).map((k) => Buffer.from(k)) }, { weight: 1, arbitrary: strBytes })).map(([w, b]) => fLen(1, b, w));
  const value = field.msg(2, anyValueArb(depth));
  return fc.oneof({ weight: 5, arbitrary: fc.tuple(key, value).map(([k, v]) => cat(k, v)) }, { weight: 1, arbitrary: message([1, 2], [key, value], 4) });
}

const attrs = (n: number, depth = 1) => field.msg(n, keyValueArb(depth));

/** Ids: mostly valid, sometimes all-zero, empty, or of a wrong length. */
const idArb = (size: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.uint8Array({ minLength: size, maxLength: size }) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(size)) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  );

const eventArb = message([1, 2, 3, 4], [field.fixed64(1), field.str(2), attrs(3), field.varint(4, varint32)], 5);
const linkArb = message([1, 2, 3, 4, 5, 6], [field.bytes(1, idArb(16)), field.bytes(2, idArb(8)), field.str(3), attrs(4), field.varint(5, varint32), field.fixed32(6)], 6);
const statusArb = message([2, 3], [field.str(2), field.varint(3, varint32)], 3);
const SPAN_FIELDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const spanExtra = [
  field.bytes(1, idArb(16)),
  field.bytes(2, idArb(8)),
  field.str(3),
  field.bytes(4, idArb(8)),
  field.str(5),
  field.varint(6, varint32),
  field.fixed64(7),
  field.fixed64(8),
  attrs(9, 2),
  attrs(9, 0),
  field.varint(10, varint32),
  field.msg(11, eventArb),
  field.varint(12, varint32),
  field.msg(13, linkArb),
  field.varint(14, varint32),
  field.msg(15, statusArb),
  field.fixed32(16),
];
/** Mostly a span with good ids first, then anything. */
const spanArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), message(SPAN_FIELDS, spanExtra, 10)).map(([t, s, rest]) => cat(fLen(1, t), fLen(2, s), rest)) },
  { weight: 1, arbitrary: message(SPAN_FIELDS, spanExtra, 10) },
);
const scopeArb = message([1, 2, 3, 4], [field.str(1), field.str(2), attrs(3), field.varint(4, varint32)], 5);
const entityRefArb = message([1, 2, 3, 4], [field.str(1), field.str(2), field.str(3), field.str(4)], 4);
const resourceArb = message([1, 2, 3], [attrs(1), field.varint(2, varint32), field.msg(3, entityRefArb)], 6);
const scopeSpansArb = message([1, 2, 3], [field.msg(1, scopeArb), field.msg(2, spanArb), field.msg(2, spanArb), field.str(3)], 6);
const resourceSpansArb = message([1, 2, 3], [field.msg(1, resourceArb), field.msg(2, scopeSpansArb), field.str(3)], 5);
const wireRequestArb = message([1], [field.msg(1, resourceSpansArb)], 4);

// ---- generators: objects encoded by protobufjs ----------------------------------------------

/** protobufjs' encoder takes {low, high} for 64-bit fields. */
const long = (v: bigint) => ({ low: Number(BigInt.asUintN(32, v)) | 0, high: Number(BigInt.asUintN(32, v >> 32n)) | 0 });

type Obj = Record<string, unknown>;
function anyValueObj(depth: number): fc.Arbitrary<Obj> {
  const leaves: Array<fc.Arbitrary<Obj>> = [
    textArb.map((s) => ({ string_value: s })),
    fc.boolean().map((b) => ({ bool_value: b })),
    i64.map((v) => ({ int_value: long(v) })),
    fc.double().map((d) => ({ double_value: d })),
    fc.uint8Array({ maxLength: 10 }).map((b) => ({ bytes_value: b })),
    fc.constant({}),
  ];
  if (depth === 0) return fc.oneof(...leaves);
  return fc.oneof(
    { weight: 6, arbitrary: fc.oneof(...leaves) },
    { weight: 1, arbitrary: fc.array(anyValueObj(depth - 1), { maxLength: 4 }).map((values) => ({ array_value: { values } })) },
    { weight: 1, arbitrary: fc.array(keyValueObj(depth - 1), { maxLength: 4 }).map((values) => ({ kvlist_value: { values } })) },
  );
}
function keyValueObj(depth: number): fc.Arbitrary<Obj> {
  return fc.record({ key: fc.oneof(fc.constantFrom(...KEYS), textArb), value: anyValueObj(depth) }, { requiredKeys: ['key'] });
}
const attrList = fc.array(keyValueObj(2), { maxLength: 6 });
const idObj = (size: number) => idArb(size);
const spanObj = fc.record(
  {
    trace_id: idObj(16),
    span_id: idObj(8),
    parent_span_id: fc.oneof(idObj(8), fc.constant(new Uint8Array(8)), fc.constant(new Uint8Array(0))),
    trace_state: textArb,
    name: textArb,
    kind: fc.integer({ min: -3, max: 8 }),
    start_time_unix_nano: u64.map(long),
    end_time_unix_nano: u64.map(long),
    attributes: attrList,
    dropped_attributes_count: fc.nat(),
    events: fc.array(fc.record({ time_unix_nano: u64.map(long), name: textArb, attributes: attrList, dropped_attributes_count: fc.nat() }, { requiredKeys: [] }), { maxLength: 3 }),
    dropped_events_count: fc.nat(),
    links: fc.array(fc.record({ trace_id: idObj(16), span_id: idObj(8), trace_state: textArb, attributes: attrList, dropped_attributes_count: fc.nat(), flags: fc.nat() }, { requiredKeys: [] }), { maxLength: 3 }),
    dropped_links_count: fc.nat(),
    status: fc.record({ code: fc.integer({ min: -1, max: 3 }), message: textArb }, { requiredKeys: [] }),
    flags: fc.nat(),
  },
  { requiredKeys: ['trace_id', 'span_id'] },
);
const requestObj = fc.record({
  resource_spans: fc.array(
    fc.record(
      {
        resource: fc.record({ attributes: attrList, dropped_attributes_count: fc.nat() }, { requiredKeys: [] }),
        schema_url: textArb,
        scope_spans: fc.array(
          fc.record(
            {
              scope: fc.record({ name: textArb, version: textArb, attributes: attrList, dropped_attributes_count: fc.nat() }, { requiredKeys: [] }),
              schema_url: textArb,
              spans: fc.array(spanObj, { maxLength: 4 }),
            },
            { requiredKeys: ['spans'] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ['scope_spans'] },
    ),
    { maxLength: 3 },
  ),
});
const encodedRequest = requestObj.map((o) => otlpTypes().ExportTraceServiceRequest.encode(o).finish());

// ---- real requests ---------------------------------------------------------------------------

const captures = readdirSync(CAPTURES).filter((f) => f.endsWith('.bin'));

/** Bench ingest frames when a generated bench data set is around (git-ignored; optional). */
function benchFrames(max: number): Uint8Array[] {
  const root = 'bench/out';
  if (!existsSync(root)) return [];
  for (const dir of readdirSync(root)) {
    const file = path.join(root, dir, 'ingest-100k.pb');
    if (!existsSync(file)) continue;
    const all = readFileSync(file);
    const frames: Uint8Array[] = [];
    for (let pos = 0; pos + 4 <= all.length && frames.length < max; ) {
      const len = all.readUInt32BE(pos);
      frames.push(all.subarray(pos + 4, pos + 4 + len));
      pos += 4 + len;
    }
    return frames;
  }
  return [];
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

  const frames = benchFrames(40);
  it.skipIf(frames.length === 0)('bench ingest frames (when generated)', () => {
    for (const f of frames) expect(sameBoth(f)).toBe(true);
  });

  it('every truncation and single-byte change of a capture', () => {
    const bytes = readFileSync(path.join(CAPTURES, captures[0]!));
    for (let n = 0; n < bytes.length; n++) sameBoth(bytes.subarray(0, n));
    for (let i = 0; i < bytes.length; i += 3) {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i]! + 1 + ((i * 37) % 255)) & 0xff;
      sameBoth(copy);
    }
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
    expect(decodeOtlpProtoTraces(new Uint8Array(0))).toEqual({ spans: [], problems: [] });
    expect(decodeOtlpProtoTraces(Buffer.alloc(0))).toEqual({ spans: [], problems: [] });
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

  it('strings: a Buffer input clamps an overlong string and decodes like Buffer; a Uint8Array does neither', () => {
    const overlong = cat(fLen(1, TRACE), fLen(2, SPAN), tag(5, 2), varint(50), Buffer.from('abc'));
    const bytes = fLen(1, fLen(2, fLen(2, overlong)));
    expect(same(asBuffer(bytes))).toBe(true);
    expect(decodeOtlpProtoTraces(Buffer.from(bytes)).spans[0]!.name).toBe('abc');
    expect(same(asPlain(bytes))).toBe(false);
    const invalid = oneSpan(fLen(5, Uint8Array.of(0x61, 0x80, 0x62, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82)));
    expect(sameBoth(invalid)).toBe(true);
    expect(decodeOtlpProtoTraces(asBuffer(invalid)).spans[0]!.name).toBe(Buffer.from(Uint8Array.of(0x61, 0x80, 0x62, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82)).toString('utf8'));
    expect(decodeOtlpProtoTraces(asPlain(invalid)).spans[0]!.name).toBe('ab\uFFFD\uD800\u2080');
  });

  it('the string cache gives back the right string for strings alike in length and sampled bytes', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `name-${String(i).padStart(6, '0')}-x`);
    const body = cat(...names.map((n) => fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), fLen(5, n)))));
    const bytes = fLen(1, fLen(2, body));
    expect(decodeOtlpProtoTraces(bytes).spans.map((s) => s.name)).toEqual(names);
    expect(decodeOtlpProtoTraces(bytes).spans.map((s) => s.name)).toEqual(names);
  });

  it('nesting deeper than protobufjs allows (100) is a DecodeError, not a stack overflow', () => {
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
    // Span attribute AnyValue is at depth 5; each level adds 2.
    expect(sameBoth(nested(47))).toBe(true);
    expect(sameBoth(nested(48))).toBe(false);
    expect(sameBoth(kvNested(31))).toBe(true);
    expect(sameBoth(kvNested(32))).toBe(false);
    expect(() => decodeOtlpProtoTraces(nested(3000))).toThrow(DecodeError);
    expect(() => decodeOtlpProtoTraces(kvNested(2000))).toThrow(DecodeError);
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

/**
 * What the tests of the two OTLP protobuf readers (proto-wire.test.ts: the wire decoder against
 * protobufjs; proto-line.test.ts: the store-line path against the decoder + writer) build their
 * inputs from: a raw protobuf writer, fast-check arbitraries of hand-made wire bytes (unknown
 * fields, groups, odd wire types, repeats, several oneof members, bad ids, invalid UTF-8) and of
 * objects for protobufjs' encoder, and the real requests on disk.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { officialTraceTypes } from '../helpers/official-otlp.mjs';

// ---- a raw protobuf writer -----------------------------------------------------------------

export function varint(v: bigint | number): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

export function cat(...parts: Array<Uint8Array | number[]>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const tag = (field: number, wt: number) => Uint8Array.from(varint((field << 3) | wt));
export const fVarint = (field: number, v: bigint | number, wt = 0) => cat(tag(field, wt), varint(v));
export const fLen = (field: number, payload: Uint8Array | string, wt = 2) => {
  const p = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return cat(tag(field, wt), varint(p.length), p);
};
export const fFixed64 = (field: number, v: bigint, wt = 1) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return cat(tag(field, wt), b);
};
export const fFixed32 = (field: number, v: number, wt = 5) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return cat(tag(field, wt), b);
};
export const fDouble = (field: number, v: number, wt = 1) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return cat(tag(field, wt), b);
};

export const TRACE = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
export const SPAN = Uint8Array.from({ length: 8 }, (_, i) => 0xa0 + i);

/** A span's bytes: good ids, then `fields`. */
export const spanBytes = (...fields: Uint8Array[]) => cat(fLen(1, TRACE), fLen(2, SPAN), ...fields);
/** A request with one span whose extra fields are `spanFields`. */
export const oneSpan = (...spanFields: Uint8Array[]) => fLen(1, fLen(2, fLen(2, spanBytes(...spanFields))));
/** A KeyValue's bytes; no AnyValue field when `anyValue` is left out. */
export const kv = (key: string | Uint8Array, anyValue?: Uint8Array) => cat(fLen(1, key), ...(anyValue ? [fLen(2, anyValue)] : []));
/** A request with one span carrying one attribute `k` whose AnyValue body is `anyValue`. */
export const oneAttr = (anyValue: Uint8Array) => oneSpan(fLen(9, kv('k', anyValue)));

// ---- generators: hand-made wire bytes --------------------------------------------------------

/** Attribute keys: usual, prototype-ish, around the decoder's string cache limit (48), integer-like, needing escapes. */
export const KEYS = ['', 'k', 'service.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', '__proto__', 'constructor', 'x'.repeat(13), 'y'.repeat(48), 'z'.repeat(49), '7', '01', 'a"b', 'tab\there'];
/** Texts: multi-byte UTF-8, JSON escapes, characters JSON.stringify leaves alone, a long one. */
export const TEXTS = ['héllo ✓ 世界', '\u{1F600} 👩‍👩‍👧', 'chat gpt-4o', 'quote " back \\ slash', 'ctl \u0000\u0001\u0008\u0009\u000a\u000b\u000c\u000d\u001f end', 'del \u007f ls \u2028 ps \u2029', '\ufeffbom', '</script>', 'x'.repeat(300)];
export const textArb = fc.oneof(fc.constantFrom(...KEYS, ...TEXTS), fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 16 }));
/** Strings without lone surrogates (protobufjs writes those as invalid UTF-8). */
export const cleanTextArb = fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 30 }));
/** UTF-8 of a string, now and then arbitrary (invalid) bytes. */
const strBytes = fc.oneof({ weight: 8, arbitrary: textArb.map((s) => Buffer.from(s, 'utf8')) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) });
/** The declared wire type, now and then any other (protobufjs ignores it for known fields). */
const wt = (declared: number) => fc.oneof({ weight: 30, arbitrary: fc.constant(declared) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) });
export const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 300n }), fc.constantFrom(1748737704240438000n, 0n, (1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n));
export const i64 = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -300n, max: 300n }), fc.constantFrom(-(1n << 53n), (1n << 53n) + 1n, -1n, -(1n << 63n), (1n << 63n) - 1n));
/** uint32/int32 varints, some wider than 32 bits (protobufjs keeps the low 32 bits). */
const varint32 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const doubleArb = fc.oneof(fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 0, 1e21, 1e-7, 5e-324, 0.1, 123456789.125));

const field = {
  varint: (n: number, v: fc.Arbitrary<bigint | number>) => fc.tuple(wt(0), v).map(([w, x]) => fVarint(n, x, w)),
  str: (n: number) => fc.tuple(wt(2), strBytes).map(([w, b]) => fLen(n, b, w)),
  bytes: (n: number, b: fc.Arbitrary<Uint8Array>) => fc.tuple(wt(2), b).map(([w, x]) => fLen(n, x, w)),
  msg: (n: number, m: fc.Arbitrary<Uint8Array>) => fc.tuple(wt(2), m).map(([w, x]) => fLen(n, x, w)),
  fixed64: (n: number) => fc.tuple(wt(1), u64).map(([w, x]) => fFixed64(n, x, w)),
  fixed32: (n: number) => fc.tuple(wt(5), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([w, x]) => fFixed32(n, x, w)),
  double: (n: number) => fc.tuple(wt(1), doubleArb).map(([w, x]) => fDouble(n, x, w)),
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
  return fc.oneof({ weight: 5, arbitrary: fc.tuple(key, value).map(([k, v]) => cat(k, v)) }, { weight: 1, arbitrary: fc.tuple(value, key).map(([v, k]) => cat(v, k)) }, { weight: 1, arbitrary: message([1, 2], [key, value], 4) });
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
const SPAN_FIELDS = Array.from({ length: 16 }, (_, i) => i + 1);
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
/** Hand-made ExportTraceServiceRequest bytes, anything protobufjs may meet. */
export const wireRequestArb = message([1], [field.msg(1, resourceSpansArb)], 4);

// ---- generators: objects encoded by protobufjs ----------------------------------------------

/** protobufjs' encoder takes {low, high} for 64-bit fields. */
const long = (v: bigint) => ({ low: Number(BigInt.asUintN(32, v)) | 0, high: Number(BigInt.asUintN(32, v >> 32n)) | 0 });
type Obj = Record<string, unknown>;

/**
 * ExportTraceServiceRequest objects for protobufjs' encoder. `clean` ones (distinct, non-numeric
 * attribute keys, strings without lone surrogates, valid ids) are what exporters send.
 */
function requestObjects(clean: boolean): fc.Arbitrary<Obj> {
  const text = clean ? cleanTextArb : textArb;
  const key = clean ? fc.oneof(fc.constantFrom(...KEYS.filter((k) => !/^[0-9]+$/.test(k))), cleanTextArb.filter((k) => !/^[0-9]+$/.test(k))) : fc.oneof(fc.constantFrom(...KEYS), textArb);
  const anyValueObj = (depth: number): fc.Arbitrary<Obj> => {
    const leaves: Array<fc.Arbitrary<Obj>> = [
      text.map((s) => ({ string_value: s })),
      fc.boolean().map((b) => ({ bool_value: b })),
      i64.map((v) => ({ int_value: long(v) })),
      doubleArb.map((d) => ({ double_value: d })),
      fc.uint8Array({ maxLength: 10 }).map((b) => ({ bytes_value: b })),
      fc.constant({}),
    ];
    if (depth === 0) return fc.oneof(...leaves);
    return fc.oneof(
      { weight: 6, arbitrary: fc.oneof(...leaves) },
      { weight: 1, arbitrary: fc.array(anyValueObj(depth - 1), { maxLength: 4 }).map((values) => ({ array_value: { values } })) },
      { weight: 1, arbitrary: fc.array(fc.record({ key, value: anyValueObj(depth - 1) }, { requiredKeys: ['key'] }), { maxLength: 4 }).map((values) => ({ kvlist_value: { values } })) },
    );
  };
  const keyValue = fc.record({ key, value: anyValueObj(2) }, { requiredKeys: ['key'] });
  const attrList = clean ? fc.uniqueArray(keyValue, { maxLength: 8, selector: (kv) => kv.key }) : fc.array(keyValue, { maxLength: 6 });
  const id = (size: number) => (clean ? fc.uint8Array({ minLength: size, maxLength: size }).filter((b) => b.some((x) => x !== 0)) : idArb(size));
  const span = fc.record(
    {
      trace_id: id(16),
      span_id: id(8),
      parent_span_id: fc.oneof(id(8), fc.constant(new Uint8Array(8)), fc.constant(new Uint8Array(0))),
      trace_state: text,
      name: text,
      kind: fc.integer({ min: -3, max: 8 }),
      start_time_unix_nano: u64.map(long),
      end_time_unix_nano: u64.map(long),
      attributes: attrList,
      dropped_attributes_count: fc.nat(),
      events: fc.array(fc.record({ time_unix_nano: u64.map(long), name: text, attributes: attrList, dropped_attributes_count: fc.nat() }, { requiredKeys: [] }), { maxLength: 3 }),
      dropped_events_count: fc.nat(),
      links: fc.array(fc.record({ trace_id: id(16), span_id: id(8), trace_state: text, attributes: attrList, dropped_attributes_count: fc.nat(), flags: fc.nat() }, { requiredKeys: clean ? ['trace_id', 'span_id'] : [] }), { maxLength: 3 }),
      dropped_links_count: fc.nat(),
      status: fc.record({ code: fc.integer({ min: -1, max: 3 }), message: text }, { requiredKeys: [] }),
      flags: fc.nat(),
    },
    { requiredKeys: ['trace_id', 'span_id'] },
  );
  return fc.record({
    resource_spans: fc.array(
      fc.record(
        {
          resource: fc.record({ attributes: attrList, dropped_attributes_count: fc.nat() }, { requiredKeys: [] }),
          schema_url: text,
          scope_spans: fc.array(
            fc.record(
              {
                scope: fc.record({ name: text, version: text, attributes: attrList, dropped_attributes_count: fc.nat() }, { requiredKeys: [] }),
                schema_url: text,
                spans: fc.array(span, { maxLength: 4 }),
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
}

const encode = (o: Obj) => officialTraceTypes().ExportTraceServiceRequest.encode(o).finish();
/** protobufjs-encoded requests with anything its encoder takes: duplicate and numeric keys, lone surrogates, bad ids. */
export const encodedRequest = requestObjects(false).map(encode);
/** protobufjs-encoded requests as exporters send them (see requestObjects). */
export const cleanRequest = requestObjects(true).map(encode);

// ---- real requests ---------------------------------------------------------------------------

export const CAPTURES = 'fixtures/shared/captures';
/** The captured requests (file names in CAPTURES). */
export const captures = readdirSync(CAPTURES).filter((f) => f.endsWith('.bin'));

/** Every truncation of the first capture, then a one-byte change at every third byte of it. */
export function* damagedCapture(): Generator<Uint8Array> {
  const bytes = readFileSync(path.join(CAPTURES, captures[0]!));
  for (let n = 0; n < bytes.length; n++) yield bytes.subarray(0, n);
  for (let i = 0; i < bytes.length; i += 3) {
    const copy = Buffer.from(bytes);
    copy[i] = (copy[i]! + 1 + ((i * 37) % 255)) & 0xff;
    yield copy;
  }
}

/** The first `max` frames of a bench ingest set (e.g. 'ingest-200k.pb') when it has been generated (git-ignored; else none). */
export function benchFrames(file: string, max: number): Buffer[] {
  const root = 'bench/out';
  if (!existsSync(root)) return [];
  for (const dir of readdirSync(root)) {
    const name = path.join(root, dir, file);
    if (!existsSync(name)) continue;
    const all = readFileSync(name);
    const frames: Buffer[] = [];
    for (let at = 0; at + 4 <= all.length && frames.length < max; ) {
      const len = all.readUInt32BE(at);
      frames.push(all.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    return frames;
  }
  return [];
}

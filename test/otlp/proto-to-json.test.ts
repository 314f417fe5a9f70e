/**
 * Protobuf → store line bytes in one pass (src/lib/otlp/proto-to-json.ts) against the path it
 * short-cuts: decodeExport's store line (proto-wire.ts decoder + json-write.ts writer) and '\n'.
 * On every input the transcoder either gives exactly those bytes (undefined when nothing is
 * kept) or throws its fallback sentinel, never anything else; on real requests (captures, the
 * official serializer, bench frames) it must never fall back.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-decode.js';
import { isTranscodeFallback, transcodeTraceRequest } from '../../src/lib/otlp/proto-to-json.js';
import { otlpTypes } from '../../src/lib/otlp/schema.js';
import { writeOtlpJsonTraces } from '../../src/lib/otlp/json-write.js';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';

const CAPTURES = '../shared/captures';

// ---- comparing with the slow path ------------------------------------------------------------

type Slow = { ok: true; line: Buffer | undefined } | { ok: false; error: unknown };

function slow(body: Buffer): Slow {
  try {
    const line = decodeExport('traces', 'protobuf', body).storeLine;
    return { ok: true, line: line === undefined ? undefined : Buffer.from(line + '\n') };
  } catch (error) {
    return { ok: false, error };
  }
}

/** 'fast' when the transcoder answered (and was right), 'fallback' when it threw its sentinel. */
function check(input: Uint8Array): 'fast' | 'fallback' {
  // A copy in Buffer's pool: a non-zero byteOffset, as request bodies have.
  const body = Buffer.from(input);
  let got: Uint8Array | undefined;
  try {
    got = transcodeTraceRequest(body);
  } catch (e) {
    if (!isTranscodeFallback(e)) throw e;
    return 'fallback';
  }
  const want = slow(body);
  if (!want.ok) expect.fail(`transcoded a request the decoder refuses (${(want.error as Error).message}); bytes ${body.toString('hex').slice(0, 400)}`);
  if (want.line === undefined) {
    expect(got).toBeUndefined();
  } else {
    expect(got).toBeDefined();
    const text = Buffer.from(got!).toString('utf8');
    if (!Buffer.from(got!).equals(want.line)) expect(text).toBe(want.line.toString('utf8'));
    // Its own memory, exactly sized: it is transferred to another thread.
    expect(got!.byteOffset).toBe(0);
    expect(got!.buffer.byteLength).toBe(got!.byteLength);
  }
  // The brief's formula too, when there is a line.
  if (got !== undefined) {
    expect(Buffer.from(got).equals(Buffer.from(writeOtlpJsonTraces(decodeOtlpProtoTraces(body).spans) + '\n'))).toBe(true);
  }
  return 'fast';
}

function tally(): { fast: number; fallback: number; add(r: 'fast' | 'fallback'): void } {
  return {
    fast: 0,
    fallback: 0,
    add(r) {
      this[r]++;
    },
  };
}

// ---- a raw protobuf writer (as in proto-wire.test.ts) ------------------------------------------

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

const spanBytes = (...fields: Uint8Array[]) => cat(fLen(1, TRACE), fLen(2, SPAN), ...fields);
/** A request with one span whose extra fields are `spanFields`. */
const oneSpan = (...spanFields: Uint8Array[]) => fLen(1, fLen(2, fLen(2, spanBytes(...spanFields))));
const kv = (key: string | Uint8Array, anyValue?: Uint8Array) => cat(fLen(1, key), ...(anyValue ? [fLen(2, anyValue)] : []));
/** A request with one span carrying one attribute `k` whose AnyValue body is `anyValue`. */
const oneAttr = (anyValue: Uint8Array) => oneSpan(fLen(9, kv('k', anyValue)));

// ---- generators ------------------------------------------------------------------------------

const KEYS = ['', 'k', 'service.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', '__proto__', 'constructor', 'x'.repeat(13), 'y'.repeat(48), 'z'.repeat(49), '7', '01', 'a"b', 'tab\there'];
const TEXTS = ['héllo ✓ 世界', '\u{1F600} 👩‍👩‍👧', 'chat gpt-4o', 'quote " back \\ slash', 'ctl \u0000\u0001\u0008\u0009\u000a\u000b\u000c\u000d\u001f end', 'del \u007f ls \u2028 ps \u2029', '\ufeffbom', '</script>', 'x'.repeat(300)];
const textArb = fc.oneof(
  fc.constantFrom(...KEYS, ...TEXTS),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
);
/** Strings without lone surrogates (protobufjs writes those as invalid UTF-8). */
const cleanTextArb = fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 30 }));
const strBytes = fc.oneof({ weight: 8, arbitrary: textArb.map((s) => Buffer.from(s, 'utf8')) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) });
const wt = (declared: number) => fc.oneof({ weight: 30, arbitrary: fc.constant(declared) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) });
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 300n }), fc.constantFrom(1748737704240438000n, 0n, (1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n));
const i64 = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -300n, max: 300n }), fc.constantFrom(-(1n << 53n), (1n << 53n) + 1n, -1n, -(1n << 63n), (1n << 63n) - 1n));
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

function unknownField(known: number[]): fc.Arbitrary<Uint8Array> {
  const num = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 29 - 1 })).filter((n) => !known.includes(n));
  const leaf = fc.oneof(
    fc.tuple(num, fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 1000 }))).map(([n, v]) => fVarint(n, v)),
    fc.tuple(num, fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([n, b]) => cat(tag(n, 1), b)),
    fc.tuple(num, fc.uint8Array({ maxLength: 12 })).map(([n, b]) => fLen(n, b)),
    fc.tuple(num, fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([n, b]) => cat(tag(n, 5), b)),
  );
  const group = fc.tuple(num, fc.array(leaf, { maxLength: 3 }), num).map(([a, inner, b]) => cat(tag(a, 3), ...inner, tag(b, 4)));
  const invalid = fc.tuple(num, fc.constantFrom(4, 6, 7)).map(([n, w]) => tag(n, w));
  return fc.oneof({ weight: 12, arbitrary: leaf }, { weight: 2, arbitrary: group }, { weight: 1, arbitrary: invalid });
}

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
  return fc.oneof({ weight: 6, arbitrary: fc.oneof(...members) }, { weight: 1, arbitrary: message([1, 2, 3, 4, 5, 6, 7], members, 3) }, { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) });
}

function keyValueArb(depth: number): fc.Arbitrary<Uint8Array> {
  const key = fc.tuple(wt(2), fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS).map((k) => Buffer.from(k)) }, { weight: 1, arbitrary: strBytes })).map(([w, b]) => fLen(1, b, w));
  const value = field.msg(2, anyValueArb(depth));
  return fc.oneof({ weight: 5, arbitrary: fc.tuple(key, value).map(([k, v]) => cat(k, v)) }, { weight: 1, arbitrary: fc.tuple(value, key).map(([v, k]) => cat(v, k)) }, { weight: 1, arbitrary: message([1, 2], [key, value], 4) });
}

const attrs = (n: number, depth = 1) => field.msg(n, keyValueArb(depth));
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

// Objects encoded by protobufjs: `clean` ones (distinct, non-numeric attribute keys, strings
// without lone surrogates, AnyValues with one member) are what exporters send.
const long = (v: bigint) => ({ low: Number(BigInt.asUintN(32, v)) | 0, high: Number(BigInt.asUintN(32, v >> 32n)) | 0 });
type Obj = Record<string, unknown>;

function objects(clean: boolean) {
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
const encode = (o: Obj) => otlpTypes().ExportTraceServiceRequest.encode(o).finish();
const encodedRequest = objects(false).map(encode);
const cleanRequest = objects(true).map(encode);

// ---- real requests ---------------------------------------------------------------------------

const captures = readdirSync(CAPTURES).filter((f) => f.endsWith('.bin'));

/** The first frames of the bench ingest set, when it has been generated (git-ignored). */
function benchFrames(max: number): Buffer[] {
  const root = 'bench/out';
  if (!existsSync(root)) return [];
  for (const dir of readdirSync(root)) {
    const file = path.join(root, dir, 'ingest-200k.pb');
    if (!existsSync(file)) continue;
    const all = readFileSync(file);
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

describe('proto → JSON line: real requests take the fast path', () => {
  it.each(captures)('capture %s', (file) => {
    expect(check(readFileSync(path.join(CAPTURES, file)))).toBe('fast');
  });

  it('requests from the official otlp-transformer serializer', () => {
    expect(check(sdkProtobuf(makeSdkSpans()))).toBe('fast');
  });

  const frames = benchFrames(50);
  it.skipIf(frames.length === 0)('the first 50 bench ingest frames (when generated)', () => {
    for (const f of frames) expect(check(f)).toBe('fast');
  });
});

describe('proto → JSON line: generated requests', () => {
  it('clean objects encoded by protobufjs always take the fast path', () => {
    fc.assert(
      fc.property(cleanRequest, (bytes) => {
        expect(check(bytes)).toBe('fast');
      }),
      { numRuns: 300 },
    );
  });

  it('any objects encoded by protobufjs (duplicate and numeric keys, lone surrogates, bad ids)', () => {
    const t = tally();
    fc.assert(
      fc.property(encodedRequest, (bytes) => t.add(check(bytes))),
      { numRuns: 300 },
    );
    console.log(`protobufjs-encoded requests: ${t.fast} fast, ${t.fallback} fallbacks`);
    expect(t.fast).toBeGreaterThan(50);
  });

  it('hand-made wire bytes: unknown fields, groups, odd wire types, repeats, several oneof members', () => {
    const t = tally();
    fc.assert(
      fc.property(wireRequestArb, (bytes) => t.add(check(bytes))),
      { numRuns: 600 },
    );
    console.log(`hand-made wire requests: ${t.fast} fast, ${t.fallback} fallbacks`);
    expect(t.fast).toBeGreaterThan(100);
  });

  it('truncations and mutations of generated requests, and arbitrary bytes, never crash', () => {
    const t = tally();
    fc.assert(
      fc.property(cleanRequest, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (bytes, cut, at, b) => {
        t.add(check(bytes.subarray(0, cut % (bytes.length + 1))));
        if (bytes.length > 0) {
          const copy = Buffer.from(bytes);
          copy[at % copy.length] = b;
          t.add(check(copy));
          t.add(check(cat(copy.subarray(0, at % copy.length), copy.subarray((at % copy.length) + 1))));
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        t.add(check(bytes));
        t.add(check(cat([0x0a], varint(bytes.length), bytes)));
      }),
      { numRuns: 500 },
    );
    console.log(`damaged and random requests: ${t.fast} fast, ${t.fallback} fallbacks`);
  });

  it('every truncation and many single-byte changes of a capture', () => {
    const bytes = readFileSync(path.join(CAPTURES, captures[0]!));
    for (let n = 0; n < bytes.length; n++) check(bytes.subarray(0, n));
    for (let i = 0; i < bytes.length; i += 3) {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i]! + 1 + ((i * 37) % 255)) & 0xff;
      check(copy);
    }
  });
});

describe('proto → JSON line: values and defaults, spelled out', () => {
  const fast = (bytes: Uint8Array) => {
    expect(check(bytes)).toBe('fast');
    return Buffer.from(transcodeTraceRequest(Buffer.from(bytes))!).toString('utf8');
  };
  const falls = (bytes: Uint8Array) => expect(check(bytes)).toBe('fallback');

  it('strings: escapes as JSON.stringify writes them, UTF-8 copied as is', () => {
    for (const s of [...TEXTS, '', '"', '\\', '\u0000', '\u007f', '\u2028\u2029', '€𝄞', 'a'.repeat(70_000) + '\n']) {
      const line = fast(oneSpan(fLen(5, s), fLen(9, kv(s.slice(0, 50) || 'k', fLen(1, s)))));
      expect(line).toContain(`"name":${JSON.stringify(s)}`);
    }
  });

  it('numbers: ints signed, doubles as JSON numbers or strings, times unsigned', () => {
    for (const v of [0n, 1n, -1n, 127n, -(1n << 63n), (1n << 63n) - 1n, (1n << 53n) + 1n, -(1n << 53n) - 1n, 1n << 32n]) fast(oneAttr(fVarint(3, v)));
    for (const d of [0, -0, NaN, Infinity, -Infinity, 1.5, -2.25e-300, 1e21, 123456789012345680000, Number.MAX_VALUE, Number.MIN_VALUE]) fast(oneAttr(fDouble(4, d)));
    const line = fast(oneAttr(fDouble(4, -0)));
    expect(line).toContain('{"doubleValue":"-0"}');
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(fast(oneSpan(fFixed64(7, a), fFixed64(8, b)))).toContain(`"startTimeUnixNano":"${a}","endTimeUnixNano":"${b}"`);
      }),
      { numRuns: 300 },
    );
    fast(oneSpan(fVarint(6, -5), fVarint(10, 0xffffffff), fFixed32(16, 0xffffffff), fLen(15, fVarint(3, -2))));
    fast(oneSpan(cat(tag(10, 0), [0xff, 0xff, 0xff, 0xff, 0x8f, 0xff, 0xff, 0xff, 0xff, 0x7f]))); // 10-byte uint32
    fast(oneAttr(cat(tag(3, 0), [0x81, 0x81, 0x81, 0x81]))); // int64 with 4 bytes left ends at the 4th
  });

  it('bytes, bools, arrays, kvlists, nesting, missing values', () => {
    for (let n = 0; n < 8; n++) fast(oneAttr(fLen(7, Uint8Array.from({ length: n }, (_, i) => 250 - i * 17))));
    fast(oneAttr(fVarint(2, 1)));
    fast(oneAttr(fVarint(2, 0)));
    fast(oneAttr(new Uint8Array(0)));
    fast(oneSpan(fLen(9, kv('k'))));
    fast(oneSpan(fLen(9, new Uint8Array(0))));
    const arr = fLen(5, cat(fLen(1, fLen(1, 'a')), fLen(1, new Uint8Array(0)), fLen(1, fLen(5, fLen(1, fVarint(3, -7))))));
    const kvl = fLen(6, cat(fLen(1, kv('a', fVarint(3, 1))), fLen(1, kv('a', fDouble(4, NaN))), fLen(1, kv('7')), fLen(1, new Uint8Array(0))));
    expect(fast(oneAttr(arr))).toContain('{"arrayValue":{"values":[{"stringValue":"a"},{},{"arrayValue":{"values":[{"intValue":"-7"}]}}]}}');
    expect(fast(oneAttr(kvl))).toContain('{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}},{"key":"a","value":{"doubleValue":"NaN"}},{"key":"7","value":{}},{"key":"","value":{}}]}}');
    fast(oneAttr(fLen(5, new Uint8Array(0))));
    fast(oneAttr(fLen(6, new Uint8Array(0))));
    let deep: Uint8Array = fLen(1, 'leaf');
    for (let i = 0; i < 15; i++) deep = fLen(i % 2 ? 5 : 6, i % 2 ? fLen(1, deep) : fLen(1, kv('k', deep)));
    fast(oneAttr(deep));
  });

  it('spans, events, links, status, resource and scope: defaults left out as the writer does', () => {
    const event = (...f: Uint8Array[]) => fLen(11, cat(...f));
    const link = (...f: Uint8Array[]) => fLen(13, cat(fLen(1, TRACE), fLen(2, SPAN), ...f));
    fast(oneSpan(event(), event(fFixed64(1, 5n), fLen(2, 'e'), fLen(3, kv('a', fLen(1, 'b'))), fVarint(4, 2)), fVarint(12, 3)));
    fast(oneSpan(link(), link(fLen(3, 'ts'), fLen(4, kv('a', fLen(1, 'b'))), fVarint(5, 1), fFixed32(6, 257)), fVarint(14, 1)));
    fast(oneSpan(fLen(15, fLen(2, 'msg'))));
    fast(oneSpan(fLen(15, cat(fLen(2, 'msg'), fVarint(3, 2)))));
    fast(oneSpan(fLen(15, fVarint(3, 1)), fLen(15, fLen(2, 'late')))); // the second replaces the first
    fast(oneSpan(fLen(3, 'state'), fLen(4, SPAN), fLen(4, new Uint8Array(8)), fFixed32(16, 0)));
    const res = fLen(1, cat(fLen(1, kv('service.name', fLen(1, 'svc'))), fVarint(2, 3), fLen(3, fLen(1, 'entity'))));
    const sc = fLen(1, cat(fLen(1, 'lib'), fLen(2, '1.0'), fLen(3, kv('a', fVarint(2, 1))), fVarint(4, 1)));
    const spans = (n: number) => Array.from({ length: n }, () => fLen(2, spanBytes()));
    expect(fast(fLen(1, cat(res, fLen(2, cat(sc, ...spans(2), fLen(3, 'https://scope'))), fLen(3, 'https://res'))))).toContain('],"schemaUrl":"https://scope"}],"schemaUrl":"https://res"}');
    fast(fLen(1, cat(fLen(1, fVarint(2, 3)), fLen(2, cat(...spans(1))))));
    fast(fLen(1, cat(fLen(2, cat(...spans(1))), fLen(3, 'url-before-and-after'), fLen(2, cat(...spans(1))))));
    fast(cat(fLen(1, cat(res, fLen(2, cat(...spans(1))))), fLen(1, cat(res, fLen(2, cat(sc, ...spans(2)))))));
  });

  it('skipped spans, and groups whose spans are all skipped, are left out; nothing kept is undefined', () => {
    const bad = fLen(2, cat(fLen(1, new Uint8Array(16)), fLen(2, SPAN)));
    const badLink = fLen(2, spanBytes(fLen(13, fLen(1, TRACE))));
    const badParent = fLen(2, spanBytes(fLen(4, Uint8Array.of(1, 2))));
    const good = fLen(2, spanBytes(fLen(5, 'good')));
    const res = fLen(1, fLen(1, kv('service.name', fLen(1, 'svc'))));
    const sc = fLen(1, fLen(1, 'lib'));
    expect(transcodeTraceRequest(Buffer.alloc(0))).toBeUndefined();
    expect(check(fLen(1, cat(res, fLen(2, cat(sc, bad, badLink)))))).toBe('fast');
    expect(transcodeTraceRequest(Buffer.from(fLen(1, cat(res, fLen(2, cat(sc, bad))))))).toBeUndefined();
    const line = fast(cat(fLen(1, cat(res, fLen(2, cat(sc, bad)))), fLen(1, cat(res, fLen(2, cat(sc, bad, badParent)), fLen(2, cat(sc, bad, good, badLink, good))))));
    expect(line.match(/"resource"/g)).toHaveLength(1);
    expect(line.match(/"scope"/g)).toHaveLength(1);
    expect(line.match(/"name":"good"/g)).toHaveLength(2);
    for (const nothing of [fLen(1, cat(res, fLen(3, 'x'))), fLen(1, fLen(2, sc)), fLen(1, new Uint8Array(0)), cat(fVarint(2, 1), fLen(3, 'x'))]) {
      expect(check(nothing)).toBe('fast');
      expect(transcodeTraceRequest(Buffer.from(nothing))).toBeUndefined();
    }
  });

  it('falls back where the decoder has rules this does not model', () => {
    falls(oneSpan(fLen(9, kv('a', fLen(1, 'x'))), fLen(9, kv('a', fLen(1, 'y'))))); // repeated key
    falls(oneSpan(fLen(9, kv('12', fLen(1, 'x'))))); // integer-like key: V8 orders it first
    falls(oneAttr(cat(fLen(1, 'a'), fVarint(3, 5)))); // several AnyValue members
    falls(oneAttr(cat(fLen(1, 'a'), fLen(1, 'b')))); // one member twice
    falls(oneSpan(fLen(5, 'n', 0))); // a known field with another wire type
    falls(oneSpan(cat(tag(99, 3), fVarint(1, 5), tag(99, 4)))); // a group
    falls(oneSpan(fLen(5, Uint8Array.of(0x61, 0x80)))); // invalid UTF-8
    falls(oneSpan(fLen(5, Uint8Array.of(0xed, 0xa0, 0x80)))); // an encoded surrogate
    falls(fLen(1, fLen(2, fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), tag(5, 2), varint(50), Buffer.from('abc')))))); // clamped string
    const span = fLen(2, spanBytes());
    falls(fLen(1, fLen(2, cat(span, fLen(1, fLen(1, 'late scope'))))));
    falls(fLen(1, cat(fLen(2, span), fLen(1, fLen(1, kv('a', fLen(1, 'late resource')))))));
    let deep: Uint8Array = fLen(1, 'leaf');
    for (let i = 0; i < 40; i++) deep = fLen(5, fLen(1, deep));
    falls(oneAttr(deep));
    falls(Uint8Array.of(0x0a, 0xff, 0xff)); // malformed: the decoder gives the error
    // A two-byte length where one byte would end the message exactly: the string runs past it.
    falls(oneAttr(cat([0x0a, 0x85, 0x01], new Uint8Array(132).fill(0x61))));
    falls(oneSpan(fLen(9, cat([0x0a, 0x85, 0x01], new Uint8Array(129).fill(0x61), [0x12, 0x00]))));
  });

  it('the scratch buffer grows for a large request and the next ones are still right', () => {
    const big = 'x'.repeat(300_000) + '\u0001'.repeat(100_000);
    const line = fast(oneSpan(fLen(5, big)));
    expect(line.length).toBeGreaterThan(900_000);
    expect(check(sdkProtobuf(makeSdkSpans()))).toBe('fast');
    for (const f of captures) expect(check(readFileSync(path.join(CAPTURES, f)))).toBe('fast');
  });
});

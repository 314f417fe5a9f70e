/**
 * Protobuf → store line bytes with no Span in between (src/lib/otlp/proto-line.ts) against the
 * path it short-cuts: decodeExport's store line (the same reader's Spans + json-write.ts) and
 * '\n'. On every input it either gives exactly those bytes (undefined when nothing is kept) or
 * throws its fallback sentinel, never anything else; on real requests (captures, the official
 * serializer, bench frames) it must never fall back.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { isLineFallback, protoTracesLine } from '../../src/lib/otlp/proto-line.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { makeSdkSpans, sdkProtobuf } from '../helpers/sdk-spans.js';
import { benchFrames, CAPTURES, captures, cat, cleanRequest, damagedCapture, encodedRequest, fDouble, fFixed32, fFixed64, fLen, fVarint, kv, oneAttr, oneSpan, SPAN, spanBytes, tag, TEXTS, TRACE, u64, varint, wireRequestArb } from './wire-arbitraries.js';

// ---- comparing with the slow path ------------------------------------------------------------

type Slow = { ok: true; line: Buffer | undefined } | { ok: false; error: unknown };

function slow(body: Buffer): Slow {
  try {
    // The decoder path's line: the one reader, then the one writer (bytes with their newline).
    const line = decodeExport('traces', 'protobuf', body).storeLine as Uint8Array | undefined;
    return { ok: true, line: line === undefined ? undefined : Buffer.from(line) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** 'fast' when proto-line answered (and was right), 'fallback' when it threw its sentinel. */
function check(input: Uint8Array): 'fast' | 'fallback' {
  // A copy in Buffer's pool: a non-zero byteOffset, as request bodies have.
  const body = Buffer.from(input);
  let got: Uint8Array | undefined;
  try {
    const made = protoTracesLine(body);
    got = made.line;
    if (got !== undefined) {
      expect(made.spans).toBe(decodeOtlpProtoTraces(body).spansOnWire);
      // The span index's summary, as the decoder path's (store/span-index.ts).
      expect(made.starts).toEqual(decodeExport('traces', 'protobuf', body).storeStarts);
    }
  } catch (e) {
    if (!isLineFallback(e)) throw e;
    return 'fallback';
  }
  const want = slow(body);
  if (!want.ok) expect.fail(`wrote a request the decoder refuses (${(want.error as Error).message}); bytes ${body.toString('hex').slice(0, 400)}`);
  if (want.line === undefined) {
    expect(got).toBeUndefined();
  } else {
    expect(got).toBeDefined();
    const text = Buffer.from(got!).toString('utf8');
    if (!Buffer.from(got!).equals(want.line)) expect(text).toBe(want.line.toString('utf8'));
    // Its own memory, exactly sized: `out` is reused while this line waits to be written.
    expect(got!.byteOffset).toBe(0);
    expect(got!.buffer.byteLength).toBe(got!.byteLength);
  }
  // The brief's formula too, when there is a line.
  if (got !== undefined) {
    expect(Buffer.from(got).equals(Buffer.from(otlpJsonTracesLine(decodeOtlpProtoTraces(body).spans)))).toBe(true);
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

describe('proto → JSON line: real requests take the fast path', () => {
  it.each(captures)('capture %s', (file) => {
    expect(check(readFileSync(path.join(CAPTURES, file)))).toBe('fast');
  });

  it('requests from the official otlp-transformer serializer', () => {
    expect(check(sdkProtobuf(makeSdkSpans()))).toBe('fast');
  });

  const frames = benchFrames('ingest-200k.pb', 50);
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
    for (const bytes of damagedCapture()) check(bytes);
  });
});

describe('proto → JSON line: values and defaults, spelled out', () => {
  const fast = (bytes: Uint8Array) => {
    expect(check(bytes)).toBe('fast');
    return Buffer.from(protoTracesLine(Buffer.from(bytes)).line!).toString('utf8');
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

  it('groups with no span are left out; nothing kept is undefined', () => {
    const res = fLen(1, fLen(1, kv('service.name', fLen(1, 'svc'))));
    const sc = fLen(1, fLen(1, 'lib'));
    const good = fLen(2, spanBytes(fLen(5, 'good')));
    expect(protoTracesLine(Buffer.alloc(0)).line).toBeUndefined();
    const line = fast(cat(fLen(1, cat(res, fLen(2, sc))), fLen(1, cat(res, fLen(2, sc), fLen(2, cat(sc, good, good))))));
    expect(line.match(/"resource"/g)).toHaveLength(1);
    expect(line.match(/"scope"/g)).toHaveLength(1);
    expect(line.match(/"name":"good"/g)).toHaveLength(2);
    for (const nothing of [fLen(1, cat(res, fLen(3, 'x'))), fLen(1, fLen(2, sc)), fLen(1, new Uint8Array(0)), cat(fVarint(2, 1), fLen(3, 'x'))]) {
      expect(check(nothing)).toBe('fast');
      expect(protoTracesLine(Buffer.from(nothing)).line).toBeUndefined();
    }
  });

  it('reads as the decoder reads: declared types over wire types, groups, late or clamped fields', () => {
    fast(oneSpan(fLen(5, 'n', 0))); // a known field with another wire type
    fast(oneSpan(cat(tag(99, 3), fVarint(1, 5), tag(99, 4)))); // a group
    fast(fLen(1, fLen(2, fLen(2, cat(fLen(1, TRACE), fLen(2, SPAN), tag(5, 2), varint(50), Buffer.from('abc')))))); // clamped string
    const span = fLen(2, spanBytes());
    fast(fLen(1, fLen(2, cat(span, fLen(1, fLen(1, 'late scope'))))));
    fast(fLen(1, cat(fLen(2, span), fLen(1, fLen(1, kv('a', fLen(1, 'late resource')))))));
    let deep: Uint8Array = fLen(1, 'leaf');
    for (let i = 0; i < 40; i++) deep = fLen(5, fLen(1, deep));
    fast(oneAttr(deep));
  });

  it('falls back where the decoder decides: skipped spans, dropped attributes, map and oneof rules, bad UTF-8', () => {
    const bad = fLen(2, cat(fLen(1, new Uint8Array(16)), fLen(2, SPAN)));
    const badLink = fLen(2, spanBytes(fLen(13, fLen(1, TRACE))));
    const badParent = fLen(2, spanBytes(fLen(4, Uint8Array.of(1, 2))));
    for (const b of [bad, badLink, badParent]) falls(fLen(1, fLen(2, b)));
    falls(oneSpan(fLen(9, kv('a', fLen(1, 'x'))), fLen(9, kv('a', fLen(1, 'y'))))); // repeated key
    falls(oneSpan(fLen(9, kv('12', fLen(1, 'x'))))); // integer-like key: V8 orders it first
    falls(oneAttr(cat(fLen(1, 'a'), fVarint(3, 5)))); // several AnyValue members
    falls(oneAttr(cat(fLen(1, 'a'), fLen(1, 'b')))); // one member twice
    falls(oneSpan(fLen(5, Uint8Array.of(0x61, 0x80)))); // invalid UTF-8
    falls(oneSpan(fLen(5, Uint8Array.of(0xed, 0xa0, 0x80)))); // an encoded surrogate
    const span = fLen(2, spanBytes());
    falls(fLen(1, fLen(2, cat(fLen(1, fLen(1, 'a')), span, fLen(1, fLen(1, 'scope again'))))));
    let deep: Uint8Array = fLen(1, 'leaf');
    for (let i = 0; i < 70; i++) deep = fLen(5, fLen(1, deep));
    falls(oneAttr(deep)); // dropped for its nesting, with a problem
    falls(Uint8Array.of(0x0a, 0xff, 0xff)); // malformed: the decoder gives the error
    falls(cat([0x0a], varint(0xffffffff), [1, 2, 3])); // a huge length prefix
    falls(oneSpan(...Array.from({ length: 600 }, (_, i) => fLen(9, kv(`k${i}`, fLen(1, 'v')))))); // more keys than it tracks
    expect(check(oneSpan(...Array.from({ length: 500 }, (_, i) => fLen(9, kv(`k${i}`, fLen(1, 'v'))))))).toBe('fast');
    // A two-byte length where one byte would end the message exactly: the string runs past it
    // (clamped, as the decoder reads it).
    check(oneAttr(cat([0x0a, 0x85, 0x01], new Uint8Array(132).fill(0x61))));
    check(oneSpan(fLen(9, cat([0x0a, 0x85, 0x01], new Uint8Array(129).fill(0x61), [0x12, 0x00]))));
  });

  it('the scratch buffer grows for a large request and the next ones are still right', () => {
    const big = 'x'.repeat(300_000) + '\u0001'.repeat(100_000);
    const line = fast(oneSpan(fLen(5, big)));
    expect(line.length).toBeGreaterThan(900_000);
    expect(check(sdkProtobuf(makeSdkSpans()))).toBe('fast');
    for (const f of captures) expect(check(readFileSync(path.join(CAPTURES, f)))).toBe('fast');
  });
});

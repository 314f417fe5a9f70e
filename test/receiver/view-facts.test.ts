/**
 * The view facts (receiver/view-facts.ts): what the store worker gives the `tail --quiet` view
 * thread instead of the body. They must carry exactly what the view reads of the decoder's spans
 * (independently: the one decoder's Spans, filtered here); and the reader must refuse anything malformed with
 * a ViewFactsError that says where, never crash or read out of bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { viewSpanKeys } from '../../src/lib/live/view-thread.js';
import { keepRequest } from '../../src/lib/receiver/keep.js';
import { readViewFacts, ViewFactsError, ViewFactsWriter, viewFactsOfSpans } from '../../src/lib/receiver/view-facts.js';
import { KvList, newAttributes, type Span } from '../../src/lib/span.js';
import type { StoreWriter } from '../../src/lib/store/writer.js';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { viewedSpans } from '../helpers/viewed-spans.js';
import { makeSdkSpans, sdkJson, sdkProtobuf } from '../helpers/sdk-spans.js';
import { spanWith, hexId, T0 } from '../helpers/span-factory.js';
import { CAPTURES } from '../otlp/wire-arbitraries.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const KEYS = new Set(viewSpanKeys(undefined));

const viewed = (spans: readonly Span[]) => viewedSpans(spans, KEYS);

const noStore: StoreWriter = { append: async () => {}, pending: 0, close: async () => {} };

describe('view facts from the store worker', () => {
  it.each([
    ['the OpenTelemetry SDK JSON serializer', sdkJson(makeSdkSpans())],
    ...['manual-agent-http-json.json', 'manual-error-http-json.json', 'official-agent-http-json.json'].map((f): [string, Uint8Array] => [f, readFileSync(path.join(CAPTURES, f))]),
  ])('are what the view reads of the decoder’s spans of a JSON body: %s', async (_name, body) => {
    const outcome = await keepRequest(noStore, 'traces', 'json', Buffer.from(body), new Date(), KEYS);
    if (outcome.kind !== 'kept') throw new Error('not kept');
    const spans = decodeExport('traces', 'json', Buffer.from(body), { storeLine: false }).spans;
    expect(spans.length).toBeGreaterThan(0);
    expect(viewed(readViewFacts(outcome.viewFacts!))).toEqual(viewed(spans));
  });

  it('are not made for a protobuf body (the view thread reads it, skipping what it does not keep)', async () => {
    const outcome = await keepRequest(noStore, 'traces', 'protobuf', Buffer.from(sdkProtobuf(makeSdkSpans())), new Date(), KEYS);
    expect(outcome).toMatchObject({ kind: 'kept', stored: true });
    expect((outcome as { viewFacts?: Uint8Array }).viewFacts).toBeUndefined();
  });
});

describe('view facts of decoded spans', () => {
  const resource = { attributes: Object.assign(newAttributes(), { 'service.name': 'svc', 'host.cores': 2n, flag: true, list: ['a', 1.5, null] }), droppedAttributesCount: 0, schemaUrl: '' };
  const attributes = Object.assign(newAttributes(), {
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 9007199254740993n,
    'gen_ai.usage.output_tokens': -0.5,
    'gen_ai.response.finish_reasons': ['stop', new KvList([['k', new Uint8Array([0, 255, 7])]])],
    'gen_ai.system': 'lone \ud800 surrogate, 世界',
    'not.kept': 'x',
  });
  const spans: Span[] = [
    spanWith({
      traceId: hexId('t', 16),
      spanId: hexId('a'),
      parentSpanId: hexId('p'),
      name: 'chat ✓',
      attributes,
      resource,
      startTimeUnixNano: (1n << 64n) - 1n,
      endTimeUnixNano: T0,
      status: { code: 2, message: 'boom' },
      events: [
        { name: 'exception', timeUnixNano: T0 + 5n, attributes: Object.assign(newAttributes(), { 'exception.message': 'm', 'exception.type': 'E', 'exception.stacktrace': 'long' }), droppedAttributesCount: 0 },
        { name: 'ai.stream.firstChunk', timeUnixNano: T0 + 7n, attributes: newAttributes(), droppedAttributesCount: 0 },
      ],
    }),
    spanWith({ traceId: hexId('t', 16), spanId: hexId('b'), resource }),
  ];

  it('keep every value type exactly, only the view’s span and event keys', () => {
    const back = readViewFacts(viewFactsOfSpans(spans, KEYS));
    expect(viewed(back)).toEqual(viewed(spans));
    expect(back[0]!.attributes['not.kept']).toBeUndefined();
    expect(back[0]!.attributes['gen_ai.system']).toBe('lone \ud800 surrogate, 世界');
    expect(back[0]!.events[0]!.attributes).toEqual(Object.assign(newAttributes(), { 'exception.message': 'm', 'exception.type': 'E' }));
    expect(back[0]!.resource).toBe(back[1]!.resource); // one resource object, as the decoder shares it
  });

  it('carry many spans (a 19 MB body’s worth)', () => {
    const many: Span[] = [];
    for (let i = 0; i < 20_000; i++) many.push(spanWith({ traceId: hexId(`t${i >> 4}`, 16), spanId: hexId(`s${i}`), attributes, resource, startTimeUnixNano: T0 + BigInt(i) }));
    const back = readViewFacts(viewFactsOfSpans(many, KEYS));
    expect(back.length).toBe(many.length);
    expect(viewed(back)).toEqual(viewed(many));
  });
});

describe('reading malformed view facts', () => {
  const good = viewFactsOfSpans(decodeOtlpProtoTraces(Buffer.from(sdkProtobuf(makeSdkSpans()))).spans, KEYS);

  const refused = (bytes: Uint8Array) => {
    try {
      readViewFacts(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(ViewFactsError);
      expect((e as Error).message).toMatch(/^view facts: /);
      return true;
    }
    return false;
  };

  it('refuses every truncation with a ViewFactsError', () => {
    for (let n = 0; n < good.length; n++) expect(refused(good.slice(0, n))).toBe(true);
  });

  it('refuses garbage, a wrong format mark and a header that does not fit the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void refused(bytes)));
    const wrongMark = good.slice();
    wrongMark[0]! ^= 1;
    expect(refused(wrongMark)).toBe(true);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true); // numbers it does not have
    expect(refused(huge)).toBe(true);
  });

  it('refuses any integer or double changed to a wrong tag, index or count, or reads it as other spans', () => {
    const dv = new DataView(good.buffer);
    const tableBytes = dv.getUint32(4, true);
    const doublesAt = 16 + tableBytes + ((8 - ((16 + tableBytes) % 8)) % 8);
    const doubles = dv.getUint32(8, true);
    const intsAt = doublesAt + doubles * 8;
    const ints = dv.getUint32(12, true);
    for (let i = 0; i < ints; i++) {
      for (const bad of [0xffffffff, 7, 0, 1000]) {
        const copy = good.slice();
        new DataView(copy.buffer).setUint32(intsAt + i * 4, bad, true);
        refused(copy); // a ViewFactsError, or some spans: never another error
      }
    }
    for (let i = 0; i < doubles; i++) {
      const copy = good.slice();
      new DataView(copy.buffer).setFloat64(doublesAt + i * 8, Number.NaN, true);
      refused(copy);
    }
  });

  it('refuses a string table that is not a list of strings', () => {
    const w = new ViewFactsWriter(KEYS);
    const ok = w.take();
    for (const table of ['{"a":1}', '[1]', '[', '"x"']) {
      const t = Buffer.from(table);
      const bytes = new Uint8Array(16 + t.length + ((8 - ((16 + t.length) % 8)) % 8));
      bytes.set(ok.subarray(0, 4));
      new DataView(bytes.buffer).setUint32(4, t.length, true);
      bytes.set(t, 16);
      expect(refused(bytes)).toBe(true);
    }
  });
});

/**
 * An attribute value nested deeper than MAX_VALUE_DEPTH, sent as OTLP/JSON and as protobuf, over
 * HTTP and gRPC, with and without the store worker: every way drops the attribute, keeps the
 * spans and answers with the same partial success; one level less is kept
 * (docs/architecture.md, "Nesting limit parity"). The store worker runs the sources
 * (test/setup/ts-hooks.mjs).
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH } from '../../src/lib/otlp/decode-result.js';
import { officialTraceTypes } from '../helpers/official-otlp.mjs';
import { decodeExport } from '../../src/lib/receiver/decode.js';
import { grpcServiceDefinition } from '../../src/lib/receiver/grpc.js';
import { createStoreWriter } from '../../src/lib/store/writer.js';
import { KvList, type AttrValue } from '../../src/lib/span.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { cat, fLen, kv } from '../otlp/wire-arbitraries.js';
import { JSON_CT, PROTOBUF, request, startReceivers, type TestReceivers } from './helpers.js';

import { openStoreLines } from '../../src/lib/receiver/store-lines.js';

const TRACE_HEX = 'ab'.repeat(16);
const spanHex = (n: number) => n.toString(16).padStart(16, '0');

/** Span 1 with attributes `deep` (`levels` arrays around a string) and `ok`; span 2 with none. */
function jsonRequest(levels: number): string {
  let value: object = { stringValue: 'leaf' };
  for (let i = 0; i < levels; i++) value = { arrayValue: { values: [value] } };
  const attributes = [
    { key: 'deep', value },
    { key: 'ok', value: { stringValue: 'x' } },
  ];
  const spans = [
    { traceId: TRACE_HEX, spanId: spanHex(1), name: 'one', attributes },
    { traceId: TRACE_HEX, spanId: spanHex(2), name: 'two' },
  ];
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

/** The same request as protobuf wire bytes (protobufjs' encoder refuses this depth). */
function protobufRequest(levels: number): Uint8Array {
  let value: Uint8Array = fLen(1, 'leaf');
  for (let i = 0; i < levels; i++) value = fLen(5, fLen(1, value));
  const span = (n: number, name: string, ...attributes: Uint8Array[]) =>
    fLen(2, cat(fLen(1, Buffer.from(TRACE_HEX, 'hex')), fLen(2, Buffer.from(spanHex(n), 'hex')), fLen(5, name), ...attributes.map((a) => fLen(9, a))));
  return fLen(1, fLen(2, cat(span(1, 'one', kv('deep', value), kv('ok', fLen(1, 'x'))), span(2, 'two'))));
}

/** What a client learns: spans rejected and the message, from any response encoding. */
interface Answer {
  rejected: number;
  message: string;
}

function protobufAnswer(body: Buffer): Answer {
  const t = officialTraceTypes().ExportTraceServiceResponse;
  const out = t.toObject(t.decode(body), { longs: Number }) as { partial_success?: { rejected_spans?: number; error_message?: string } };
  return { rejected: out.partial_success?.rejected_spans ?? 0, message: out.partial_success?.error_message ?? '' };
}

function jsonAnswer(body: Buffer): Answer {
  const out = JSON.parse(body.toString('utf8')) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
  return { rejected: Number(out.partialSuccess?.rejectedSpans ?? 0), message: out.partialSuccess?.errorMessage ?? '' };
}

function grpcExport(port: number, body: Uint8Array): Promise<Buffer> {
  const Ctor = grpc.makeGenericClientConstructor(grpcServiceDefinition('traces'), 'traces');
  const c = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    (c as unknown as { Export: Function }).Export(Buffer.from(body), new grpc.Metadata(), (error: grpc.ServiceError | null, response?: Buffer) => {
      c.close();
      if (error) reject(error);
      else resolve(response!);
    });
  });
}

/** AnyValue levels of a value nested as the requests above nest it. */
const levelsOf = (v: AttrValue | undefined): number => (Array.isArray(v) ? 1 + levelsOf(v[0]) : v instanceof KvList ? 1 + levelsOf(v.entries[0]![1]) : 0);

const DROPPED = /spans\[0\]\.attributes\[0\]\.value: attribute "deep" dropped: value nested too deeply \(more than 64 levels\)$/;

let r: TestReceivers | undefined;
let closeLines: (() => Promise<void>) | undefined;
afterEach(async () => {
  await r?.close();
  await closeLines?.();
  r = undefined;
  closeLines = undefined;
});

describe.each([
  ['on the receiving thread', false],
  ['with the store worker', true],
])('nesting limit parity %s', (_, worker) => {
  /** Receivers storing into `dir` (by the worker when `worker`). */
  async function receivers(): Promise<{ dir: string }> {
    const dir = path.join(tempDir(), 'store');
    const lines = worker ? openStoreLines({ dir }, { start: true }) : undefined;
    if (lines) closeLines = () => lines.close();
    r = await startReceivers({ store: createStoreWriter(dir), lines });
    return { dir };
  }

  /** The same request three ways: HTTP JSON, HTTP protobuf, gRPC protobuf. */
  async function sendAllWays(levels: number): Promise<Answer[]> {
    return [
      jsonAnswer((await request(r!.http.port, { headers: JSON_CT, body: jsonRequest(levels) })).body),
      protobufAnswer((await request(r!.http.port, { headers: PROTOBUF, body: protobufRequest(levels) })).body),
      protobufAnswer(await grpcExport(r!.grpc.port, protobufRequest(levels))),
    ];
  }

  it(`drops an attribute nested ${MAX_VALUE_DEPTH + 1} levels deep, keeps both spans, answers with partial success`, async () => {
    const { dir } = await receivers();
    const answers = await sendAllWays(MAX_VALUE_DEPTH + 1);
    for (const a of answers) {
      expect(a.rejected).toBe(0);
      expect(a.message).toMatch(DROPPED);
    }
    const { spans } = await readAll([dir]);
    expect(spans.map((s) => [s.name, Object.keys(s.attributes)])).toEqual(Array(3).fill([['one', ['ok']], ['two', []]]).flat());
    for (const e of r!.exports) expect(e.spans.map((s) => Object.keys(s.attributes))).toEqual([['ok'], []]);
  });

  it(`keeps an attribute nested ${MAX_VALUE_DEPTH} levels deep, with no partial success`, async () => {
    const { dir } = await receivers();
    expect(await sendAllWays(MAX_VALUE_DEPTH)).toEqual(Array(3).fill({ rejected: 0, message: '' }));
    const { spans } = await readAll([dir]);
    expect(spans.map((s) => s.name)).toEqual(Array(3).fill(['one', 'two']).flat());
    for (const s of spans.filter((x) => x.name === 'one')) expect(levelsOf(s.attributes.deep)).toBe(MAX_VALUE_DEPTH);
  });
});

it('tail --quiet view thread (only some span attributes decoded): the same partial success', () => {
  for (const levels of [MAX_VALUE_DEPTH, MAX_VALUE_DEPTH + 1]) {
    const full = decodeExport('traces', 'protobuf', protobufRequest(levels));
    const view = decodeExport('traces', 'protobuf', protobufRequest(levels), { storeLine: false, keepSpanAttributes: new Set(['ok']) });
    expect([view.rejected, view.warning, view.spans.length]).toEqual([full.rejected, full.warning, 2]);
    const json = decodeExport('traces', 'json', Buffer.from(jsonRequest(levels)));
    expect([json.rejected, json.spans.length, json.warning === '']).toEqual([full.rejected, 2, full.warning === '']);
  }
});

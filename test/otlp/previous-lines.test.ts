/**
 * Today's store lines of protobuf trace requests, byte for byte against the previous writer's
 * (commit 4a3f676, where proto-to-json.ts transcoded them): the sha256 and length of each line, in
 * previous-store-lines.json, made by make-previous-lines.mjs with that commit's build. The inputs:
 * the captures, the OTLP/JSON trace fixtures encoded by protobufjs, the first bench ingest frames.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { otlpJsonToPb } from '../../src/lib/otlp/pb-json.js';
import { isLineFallback, protoTracesLine } from '../../src/lib/otlp/proto-line.js';
import { officialTraceTypes } from '../helpers/official-otlp.mjs';
import { decodeExport } from '../../src/lib/receiver/decode.js';
// @ts-expect-error: a plain .mjs module of the bench
import { loadFrames } from '../../bench/lib/load/frames.mjs';

/** Kept in step with make-previous-lines.mjs. */
const JSON_FIXTURES = [
  'fixtures/instrumented/official.json',
  'fixtures/instrumented/openinference.json',
  'fixtures/instrumented/openllmetry.json',
  'fixtures/instrumented/vercel.json',
  'fixtures/shared/otlp-examples/trace.json',
  'fixtures/shared/otlp-examples/events.json',
  'fixtures/shared/formats/otlp-telemetrygen.json',
];
const FRAMES = 'bench/out/gen-3ae8571b50/ingest-200k.pb';

const previous = JSON.parse(readFileSync(new URL('./previous-store-lines.json', import.meta.url), 'utf8')) as Record<string, { bytes: number; sha256: string } | null>;

function inputs(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  const captures = 'fixtures/shared/captures';
  for (const f of readdirSync(captures).filter((f) => f.endsWith('.bin')).sort()) out.push([f, readFileSync(path.join(captures, f))]);
  const type = officialTraceTypes().ExportTraceServiceRequest;
  for (const f of JSON_FIXTURES) {
    const text = readFileSync(f, 'utf8');
    let docs: unknown[];
    try {
      docs = [JSON.parse(text)];
    } catch {
      docs = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
    }
    docs.forEach((doc, i) => out.push([`${f}#${i}`, Buffer.from(type.encode(otlpJsonToPb(type, doc)).finish())]));
  }
  if (existsSync(FRAMES)) {
    const frames = (loadFrames(FRAMES, { inspect: false }) as Array<{ body: Buffer }>).slice(0, 20);
    frames.forEach((f, i) => out.push([`ingest-200k.pb#${i}`, f.body]));
  }
  return out;
}

/** The store line as receiver/keep.ts makes it: proto-line.ts, or the decoder and the writer where it falls back. */
function storeLine(body: Buffer): Uint8Array | undefined {
  try {
    return protoTracesLine(body).line;
  } catch (e) {
    if (!isLineFallback(e)) throw e;
    return decodeExport('traces', 'protobuf', body).storeLine as Uint8Array | undefined;
  }
}

describe('store lines of protobuf requests, against the previous writer', () => {
  const all = inputs();
  it('has every input the previous writer saw (bench frames when generated)', () => {
    const names = all.map(([n]) => n);
    for (const name of Object.keys(previous)) if (!name.startsWith('ingest-200k.pb') || existsSync(FRAMES)) expect(names).toContain(name);
    expect(all.length).toBeGreaterThanOrEqual(11);
  });

  it.each(all)('%s', (name, body) => {
    const line = storeLine(body);
    const want = previous[name];
    if (want === null) return expect(line).toBeUndefined();
    expect(line).toBeDefined();
    const got = Buffer.from(line!);
    expect({ bytes: got.length, sha256: createHash('sha256').update(got).digest('hex') }).toEqual(want);
  });
});

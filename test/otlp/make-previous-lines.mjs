#!/usr/bin/env node
/**
 * Writes test/otlp/previous-store-lines.json: the sha256 and length of the store line the
 * previous writer made (commit 4a3f676: proto-to-json.ts transcoding, or the decoder + json-write
 * where it fell back) for each protobuf request previous-lines.test.ts reads: the captures, the
 * OTLP/JSON trace fixtures encoded by protobufjs, and the first bench ingest frames. Run once from
 * the repository root with that commit's build: node test/otlp/make-previous-lines.mjs <its dist>.
 * previous-lines.test.ts holds today's store line to these bytes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist] = process.argv.slice(2);
/** Kept in step with previous-lines.test.ts. */
const JSON_FIXTURES = ['fixtures/instrumented/official.json', 'fixtures/instrumented/openinference.json', 'fixtures/instrumented/openllmetry.json', 'fixtures/instrumented/vercel.json', 'fixtures/shared/otlp-examples/trace.json', 'fixtures/shared/otlp-examples/events.json', 'fixtures/shared/formats/otlp-telemetrygen.json'];
const BENCH_DIR = 'bench/out/gen-3ae8571b50';
const FRAMES = 20;
const imp = (m) => import(pathToFileURL(path.join(dist, m)).href);
const { transcodeTraceRequest, transcodedSpans } = await imp('lib/otlp/proto-to-json.js');
const { decodeExport } = await imp('lib/receiver/decode.js');
const { otlpJsonToPb } = await imp('lib/otlp/pb-json.js');
const { officialTraceTypes } = await import('../helpers/official-otlp.mjs');
const { loadFrames } = await import(pathToFileURL(path.resolve('bench/lib/load/frames.mjs')).href);
const inputs = {};
const captures = 'fixtures/shared/captures';
for (const f of readdirSync(captures).filter((f) => f.endsWith('.bin')).sort()) inputs[f] = readFileSync(path.join(captures, f));
const type = officialTraceTypes().ExportTraceServiceRequest;
for (const f of JSON_FIXTURES) {
  const text = readFileSync(f, 'utf8');
  let all;
  try {
    all = [JSON.parse(text)];
  } catch {
    all = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)); // JSON Lines
  }
  all.forEach((doc, i) => (inputs[`${f}#${i}`] = Buffer.from(type.encode(otlpJsonToPb(type, doc)).finish())));
}
const frames = loadFrames(path.join(BENCH_DIR, 'ingest-200k.pb'), { inspect: false }).slice(0, FRAMES);
frames.forEach((f, i) => (inputs[`ingest-200k.pb#${i}`] = f.body));
const out = {};
for (const [name, body] of Object.entries(inputs)) {
  // keep.ts at that commit: the transcoder when it answers for every span, else the decoder path.
  let line;
  try {
    line = transcodeTraceRequest(body);
    const n = transcodedSpans();
    if (n.written !== n.seen) line = decodeExport('traces', 'protobuf', body).storeLine;
  } catch {
    line = decodeExport('traces', 'protobuf', body).storeLine;
  }
  if (line === undefined) {
    out[name] = null; // nothing to keep
    continue;
  }
  const bytes = Buffer.from(line);
  out[name] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
writeFileSync(new URL('./previous-store-lines.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(out).length} lines`);

#!/usr/bin/env node
/**
 * Baseline: the bare protobuf decode of the ingest payloads in one process, one core —
 * llmtrace's own decodeOtlpProtoTraces (dist) over every frame, after a warm-up pass over a
 * tenth of them. Prints {"spans":…,"seconds":…,"spansPerSecond":…}.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadFrames } from './frames.mjs';

const [file, dist] = process.argv.slice(2);
const { decodeOtlpProtoTraces } = await import(pathToFileURL(path.join(dist, 'lib/otlp/proto-traces.js')).href);
const frames = loadFrames(file, { inspect: false }).map((f) => f.body);
for (const f of frames.slice(0, Math.ceil(frames.length / 10))) decodeOtlpProtoTraces(f);
let spans = 0;
const t0 = performance.now();
for (const f of frames) spans += decodeOtlpProtoTraces(f).spans.length;
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ spans, seconds, spansPerSecond: spans / seconds })}\n`);

#!/usr/bin/env node
/**
 * Store-line building, A against B in one process: the store worker's protobuf → OTLP/JSON line
 * (receiver/keep.ts: otlp/proto-line.ts, or proto-to-json.ts before 10b5ddd) of every ingest
 * frame, one thread, rounds alternating between two builds, so that a loaded machine slows both
 * alike. `decode` measures decodeOtlpProtoTraces instead. Prints each build's spans/s per round
 * (wall time) with the medians and best rounds, the same by the process's CPU time (less moved
 * by other processes on a busy machine), and B/A.
 *   node bench/lib/load/store-line-ab.mjs <dist A> <dist B> [rounds] [line|decode]
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadFrames } from './frames.mjs';

const [distA, distB, roundsArg = '7', what = 'line'] = process.argv.slice(2);
const rounds = Number(roundsArg);

async function builder(dist) {
  const imp = (m) => import(pathToFileURL(path.resolve(dist, m)).href);
  if (what === 'decode') {
    const { decodeOtlpProtoTraces } = await imp('lib/otlp/proto-traces.js');
    return (body) => decodeOtlpProtoTraces(body).spans.length;
  }
  try {
    const { protoTracesLine } = await imp('lib/otlp/proto-line.js');
    return (body) => protoTracesLine(body).line.length;
  } catch {
    const { transcodeTraceRequest } = await imp('lib/otlp/proto-to-json.js');
    return (body) => transcodeTraceRequest(body).length;
  }
}

const out = path.resolve(import.meta.dirname, '../../out');
const dir = readdirSync(out).find((d) => readdirSync(path.join(out, d)).includes('ingest-200k.pb'));
if (!dir) throw new Error('no ingest-200k.pb under bench/out: run bench/run.mjs --only ingest once');
const frames = loadFrames(path.join(out, dir, 'ingest-200k.pb')).map((f) => f);
const spans = frames.reduce((n, f) => n + f.spans, 0);
const builds = [await builder(distA), await builder(distB)];
for (const build of builds) for (const f of frames.slice(0, 200)) build(f.body); // warm-up

const rates = [[], []];
const cpuRates = [[], []];
const sizes = [0, 0];
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 ? [1, 0] : [0, 1]) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let n = 0;
    for (const f of frames) n += builds[k](f.body);
    rates[k].push(spans / ((performance.now() - t0) / 1000));
    const c = process.cpuUsage(c0);
    cpuRates[k].push(spans / ((c.user + c.system) / 1e6));
    sizes[k] = n;
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const k = (v) => `${(v / 1000).toFixed(1)}k`;
for (const i of [0, 1]) {
  console.log(`${'AB'[i]} ${what}: ${rates[i].map(k).join(' ')} spans/s; median ${k(median(rates[i]))}, best ${k(Math.max(...rates[i]))}; ${sizes[i]} ${what === 'line' ? 'bytes' : 'spans'} a pass`);
}
for (const i of [0, 1]) console.log(`${'AB'[i]} by CPU time: median ${k(median(cpuRates[i]))}, best ${k(Math.max(...cpuRates[i]))} spans/s`);
console.log(`B/A: median ${(median(rates[1]) / median(rates[0])).toFixed(3)}, best ${(Math.max(...rates[1]) / Math.max(...rates[0])).toFixed(3)}; by CPU time median ${(median(cpuRates[1]) / median(cpuRates[0])).toFixed(3)}, best ${(Math.max(...cpuRates[1]) / Math.max(...cpuRates[0])).toFixed(3)}`);

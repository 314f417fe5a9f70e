#!/usr/bin/env node
/**
 * Store-line building, A against B in one process: the store worker's protobuf → OTLP/JSON line
 * (receiver/keep.ts: otlp/proto-line.ts, or proto-to-json.ts before 10b5ddd) of every ingest
 * frame, one thread, rounds alternating between two builds, so that a loaded machine slows both
 * alike. `decode` measures decodeOtlpProtoTraces instead (`view`: with the `tail` view thread's
 * span attribute keys, the others checked and not built), `write` the OTLP/JSON writer
 * (otlpJsonTracesLine) of each frame's spans, decoded beforehand. Prints each build's spans/s per round
 * (wall time) with the medians and best rounds, the same by the process's CPU time (less moved
 * by other processes on a busy machine, and each round's B/A), and B/A.
 *   node bench/lib/load/store-line-ab.mjs <dist A> <dist B> [rounds] [line|decode|view|write]
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadFrames } from './frames.mjs';

const [distA, distB, roundsArg = '7', what = 'line'] = process.argv.slice(2);
const rounds = Number(roundsArg);

async function builder(dist) {
  const imp = (m) => import(pathToFileURL(path.resolve(dist, m)).href);
  if (what === 'decode' || what === 'view') {
    const { decodeOtlpProtoTraces } = await imp('lib/otlp/proto-traces.js');
    const keys = what === 'view' ? new Set((await imp('lib/live/view-thread.js')).viewSpanKeys(undefined)) : undefined;
    return (body) => decodeOtlpProtoTraces(body, keys).spans.length;
  }
  if (what === 'write') {
    const { decodeOtlpProtoTraces } = await imp('lib/otlp/proto-traces.js');
    const { otlpJsonTracesLine } = await imp('lib/otlp/json-write.js');
    const spans = new Map();
    return (body) => {
      let s = spans.get(body);
      if (s === undefined) spans.set(body, (s = decodeOtlpProtoTraces(body).spans));
      return otlpJsonTracesLine(s).length;
    };
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
for (const build of builds) for (const f of what === 'write' ? frames : frames.slice(0, 200)) build(f.body); // warm-up (write: decodes every frame once)

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
  console.log(`${'AB'[i]} ${what}: ${rates[i].map(k).join(' ')} spans/s; median ${k(median(rates[i]))}, best ${k(Math.max(...rates[i]))}; ${sizes[i]} ${what === 'decode' || what === 'view' ? 'spans' : 'bytes'} a pass`);
}
for (const i of [0, 1]) console.log(`${'AB'[i]} by CPU time: ${cpuRates[i].map(k).join(' ')} spans/s; median ${k(median(cpuRates[i]))}, best ${k(Math.max(...cpuRates[i]))}`);
console.log(`B/A by CPU time per round: ${cpuRates[1].map((b, r) => (b / cpuRates[0][r]).toFixed(3)).join(' ')}`);
console.log(`B/A: median ${(median(rates[1]) / median(rates[0])).toFixed(3)}, best ${(Math.max(...rates[1]) / Math.max(...rates[0])).toFixed(3)}; by CPU time median ${(median(cpuRates[1]) / median(cpuRates[0])).toFixed(3)}, best ${(Math.max(...cpuRates[1]) / Math.max(...cpuRates[0])).toFixed(3)}`);

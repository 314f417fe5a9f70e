#!/usr/bin/env node
/**
 * The calls stage's main-thread work (cost/attribution.ts: the Attributor with `stats`' tool
 * calls, its early decisions, encoding and spill), build A against build B, in one process and
 * one thread. Each build's facts (its own cost/facts.js over the first N lines of a file) are
 * made once and structured-cloned before every round, as a worker hands them over (not timed);
 * rounds alternate A B B A … so a busy machine slows both alike. Prints each round's CPU
 * seconds (process.cpuUsage: this thread plus V8's helper threads) and the calls, traces and a
 * digest of what was emitted, which must be equal between builds.
 *   node bench/lib/attribution-ab.mjs <dist A> <dist B> <file> [rounds=6] [lines=2000]
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [distA, distB, file, roundsArg = '6', linesArg = '2000'] = process.argv.slice(2);
if (!distA || !distB || !file) throw new Error('usage: attribution-ab.mjs <dist A> <dist B> <file> [rounds] [lines]');
const rounds = Number(roundsArg);
const lines = firstLines(file, Number(linesArg));

/** The first n lines of a file (read in pieces: the file may be larger than a string can be). */
function firstLines(name, n) {
  const fd = openSync(name, 'r');
  const out = [];
  let rest = '';
  const buf = Buffer.alloc(1 << 22);
  for (let got; out.length < n && (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
    const parts = (rest + buf.toString('utf8', 0, got)).split('\n');
    rest = parts.pop();
    for (const l of parts) if (l !== '' && out.length < n) out.push(l);
  }
  closeSync(fd);
  return out;
}

async function build(dist) {
  const imp = (m) => import(pathToFileURL(path.resolve(dist, m)).href);
  const { Attributor, SETTLE_AFTER_SPANS } = await imp('lib/cost/attribution.js');
  const { createMapper } = await imp('lib/cost/facts.js');
  const { InputReader, newReadStats } = await imp('lib/sources/read.js');
  const { loadPricing } = await imp('lib/cost/pricing.js');
  const book = await loadPricing({ files: [], warn: () => {} });
  const tracked = new Attributor({ book, onCall: () => {} }).trackedKeys;
  const map = createMapper({ layers: book.layers, window: {}, tracked, toolCalls: true });
  const reader = new InputReader(file, { onProblem: () => {} }, newReadStats());
  const facts = [];
  for (const line of lines) {
    const batch = reader.decodeJsonText(line);
    if (batch) facts.push(map(batch));
  }
  return { Attributor, SETTLE_AFTER_SPANS, book, facts };
}

function once(b) {
  const input = structuredClone(b.facts);
  const digest = createHash('sha256');
  let calls = 0;
  let traces = 0;
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  const a = new b.Attributor({
    book: b.book,
    settleAfterSpans: b.SETTLE_AFTER_SPANS,
    memoryBytes: 18 * 1024 * 1024, // stats' share of the default 24 MiB
    toolCalls: true,
    onCall: (c, sign) => {
      calls += sign;
      digest.update(`${sign}${c.traceId}${c.spanId}${c.model}${c.feature}${c.cost}${c.durationMs}\n`);
    },
    onTrace: (t, sign) => {
      traces += sign;
      digest.update(`${sign}${t.traceId}${t.toolCalls}${t.topRepeat?.key}${t.topRepeat?.count}\n`);
    },
  });
  for (const f of input) a.addFacts(f);
  const st = a.finish();
  const u = process.cpuUsage(t0);
  return { cpu: (u.user + u.system) / 1e6, wall: (performance.now() - w0) / 1000, calls, traces, spans: st.spans, digest: digest.digest('hex').slice(0, 16) };
}

const builds = { A: await build(distA), B: await build(distB) };
const got = { A: [], B: [] };
for (let r = 0; r < rounds; r++) {
  for (const side of r % 2 ? ['B', 'A'] : ['A', 'B']) {
    const x = once(builds[side]);
    got[side].push(x);
    console.log(`round ${r + 1} ${side}: cpu ${x.cpu.toFixed(3)} s, wall ${x.wall.toFixed(3)} s, spans ${x.spans}, calls ${x.calls}, traces ${x.traces}, digest ${x.digest}`);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const side of ['A', 'B']) {
  const c = got[side].map((x) => x.cpu);
  console.log(`${side}: cpu median ${med(c).toFixed(3)} s [${Math.min(...c).toFixed(3)}–${Math.max(...c).toFixed(3)}]`);
}
console.log(`B/A cpu medians: ${(med(got.B.map((x) => x.cpu)) / med(got.A.map((x) => x.cpu))).toFixed(3)}`);

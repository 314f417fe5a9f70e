#!/usr/bin/env node
/**
 * The `tail --quiet` view thread's work, build A against build B, in one process and one thread:
 * every ingest frame (3 passes, new trace ids each pass) decoded as the view thread decodes it
 * (live/view-worker.ts) and given to a quiet LiveView, the clock real and tick() every 200 ms as
 * there. Rounds alternate between the builds so a busy machine slows both alike. Prints each
 * round's CPU seconds (process.cpuUsage: this thread plus V8's helper threads) and wall time, and
 * the view's counters (printed traces held, saved to disk, loaded back) and totals, which must
 * be equal between builds. With --sim-clock the view's clock is simulated instead (1.25 ms a
 * body, 100k spans/s; tick() every 200 ms of it): every round then does the same work (the same
 * traces completed, held and saved), whatever the machine's speed, and only CPU differs.
 *   node bench/lib/load/view-ab.mjs <dist A> <dist B> [rounds=3] [passes=3] [--sim-clock]
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { frameForCycle, loadFrames } from './frames.mjs';

const args = process.argv.slice(2);
const simAt = args.indexOf('--sim-clock');
if (simAt !== -1) args.splice(simAt, 1);
const simulated = simAt !== -1;
const [distA, distB, roundsArg = '3', passesArg = '3'] = args;
const rounds = Number(roundsArg);
const passes = Number(passesArg);

async function build(dist) {
  const imp = (m) => import(pathToFileURL(path.resolve(dist, m)).href);
  const { LiveView } = await imp('lib/live/view.js');
  const { viewSpanKeys } = await imp('lib/live/view-thread.js');
  const { decodeExport } = await imp('lib/receiver/decode.js');
  const { loadPricing, priceCall } = await imp('lib/cost/pricing.js');
  const book = await loadPricing({ files: [], warn: () => {} });
  const price = (v, startMs) => priceCall(book, v, startMs)?.cost;
  return { LiveView, viewSpanKeys, decodeExport, price };
}

const out = path.resolve(import.meta.dirname, '../../out');
const dir = readdirSync(out).find((d) => { try { return readdirSync(path.join(out, d)).includes('ingest-200k.pb'); } catch { return false; } });
// INGEST_FILE: frames from elsewhere (while bench/out is being generated).
const frames = loadFrames(process.env.INGEST_FILE ?? path.join(out, dir, 'ingest-200k.pb'));
const bodies = [];
for (let c = 0; c < passes; c++) for (const f of frames) bodies.push(frameForCycle(f, c));
const spans = frames.reduce((n, f) => n + f.spans, 0) * passes;

/** Milliseconds of the simulated clock a body takes (100k spans/s over the frames' ~125 spans a body). */
const SIM_MS_PER_BODY = 1.25;

function once(b) {
  let sim = Date.UTC(2025, 5, 8);
  const clock = simulated ? () => sim : () => performance.now();
  const view = new b.LiveView({ emit: () => {}, price: b.price, traceEvents: false, showContent: false, filters: {}, ...(simulated ? { now: clock } : {}) });
  const keep = new Set(b.viewSpanKeys(undefined));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let lastTick = clock();
  for (const body of bodies) {
    const d = b.decodeExport('traces', 'protobuf', body, { storeLine: false, keepSpanAttributes: keep });
    view.onExport({ signal: 'traces', protocol: 'http', encoding: 'protobuf', receivedAt: new Date(), spans: d.spans, logs: [], itemCount: d.itemCount, body: new Uint8Array(0), contentType: 'application/x-protobuf' });
    sim += SIM_MS_PER_BODY;
    const now = clock();
    if (now - lastTick >= 200) {
      view.tick();
      lastTick = now;
    }
  }
  view.flush();
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  const printed = view.printed ?? {};
  const r = { cpuS: (c.user + c.system) / 1e6, wallS: wall, totals: JSON.stringify(view.totals, (k, v) => (Array.isArray(v) && v.length > 20 ? `${v.length} values, sum ${v.reduce((x, y) => x + y, 0).toFixed(3)}` : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(6) : v)), saved: printed.savedCount, loaded: printed.loadedCount, held: view.printedCount };
  view.close();
  return r;
}

const builds = { A: await build(distA), B: await build(distB) };
const results = { A: [], B: [] };
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
    globalThis.gc?.();
    const x = once(builds[k]);
    results[k].push(x);
    console.log(`round ${r + 1} ${k}: CPU ${x.cpuS.toFixed(2)} s, wall ${x.wallS.toFixed(2)} s (${((spans / x.wallS) / 1000).toFixed(1)}k spans/s), printed held ${x.held}, saved ${x.saved}, loaded ${x.loaded}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const a = median(results.A.map((x) => x.cpuS));
const b = median(results.B.map((x) => x.cpuS));
console.log(`median CPU A ${a.toFixed(2)} s, B ${b.toFixed(2)} s, B/A ${(b / a).toFixed(3)}`);
const same = results.A[0].totals === results.B[0].totals;
console.log(same ? 'totals equal between builds' : `TOTALS DIFFER\nA ${results.A[0].totals}\nB ${results.B[0].totals}`);

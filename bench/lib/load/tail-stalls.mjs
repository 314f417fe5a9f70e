#!/usr/bin/env node
/**
 * Where `tail --quiet`'s ingest waits: while the ingest frames go through one build's tail (8
 * exporters, as the ingest figure sends them), the state of every thread of tail and of the load
 * generator is sampled from /proc every few milliseconds: R (running or runnable: it has work)
 * or not (sleeping: it waits for a message, a socket, a write). What a thread waits for is a
 * property of the pipeline, not of the machine's other jobs, so the shares say which thread the
 * others wait on even on a busy machine; on a quiet one, samples with fewer than two threads
 * runnable are idle core time.
 *
 *   node bench/lib/load/tail-stalls.mjs <repo> [passes=3] [intervalMs=3]
 *
 * Threads: tail's main (receiving) thread, its view threads and store worker (the VIEWS + 1
 * busiest other threads, the views first by creation order: tail-threads-ab.mjs; VIEWS default
 * 1, 2 with the sharded view), V8's other threads summed; the load generator's threads summed.
 * Per view thread: the share of samples it was runnable; "view" counts a sample once when any
 * view thread was.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLoad } from './run-load.mjs';
import { freePort, startChild, waitForPort } from '../procs.mjs';
import { countStore } from '../store-count.mjs';

const [repo, passesArg = '3', intervalArg = '3'] = process.argv.slice(2);
if (!repo) throw new Error('usage: tail-stalls.mjs <repo> [passes] [intervalMs]');
const passes = Number(passesArg);
const interval = Number(intervalArg);
const TICK = 100;

const out = path.resolve(import.meta.dirname, '../../out');
const gen = readdirSync(out).find((d) => { try { return readdirSync(path.join(out, d)).includes('ingest-200k.pb'); } catch { return false; } });
if (!gen && !process.env.INGEST_FILE) throw new Error('no ingest-200k.pb under bench/out');
// INGEST_FILE: frames from elsewhere (while bench/out is being generated).
const file = process.env.INGEST_FILE ?? path.join(out, gen, 'ingest-200k.pb');

/** tid → [state, cpu seconds] of every thread of `pid` (undefined once it is gone). */
function states(pid) {
  const m = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return m;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      m.set(Number(tid), [f[0], (Number(f[11]) + Number(f[12])) / TICK]);
    } catch {
      /* the thread ended */
    }
  }
  return m;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-stalls-'));
const port = await freePort();
const tail = startChild(process.execPath, [path.join(repo, 'bin/llmtrace.js'), 'tail', '--http-port', String(port), '--no-grpc', '--quiet', '--store', path.join(dir, 'store')], { env: { NO_COLOR: '1', TZ: 'UTC' } });
const samples = [];
let load;
try {
  await waitForPort(port, 30_000, () => tail.child.exitCode === null);
  const started = startLoad({ file, loops: 8, workers: 1, timeoutS: 300, passes, url: `http://127.0.0.1:${port}/v1/traces` });
  const loadPid = (await started.ready, started.pid);
  let done = false;
  started.result.then(() => (done = true), () => (done = true));
  while (!done) {
    samples.push({ tail: states(tail.pid), gen: loadPid ? states(loadPid) : new Map() });
    await new Promise((r) => setTimeout(r, interval));
  }
  load = await started.result;
} finally {
  await tail.stop('SIGINT', 120_000);
  const stored = countStore(path.join(dir, 'store'));
  console.log(`stored ${stored.spans} of ${load?.ackedSpans} acknowledged, ${(load?.spansPerSecond / 1000).toFixed(1)}k spans/s, ${load?.seconds.toFixed(2)} s, load ${os.loadavg()[0].toFixed(1)}`);
  rmSync(dir, { recursive: true, force: true });
}

// Threads by the CPU they used in the last sample.
const last = samples.at(-1).tail;
const others = [...last.entries()].filter(([tid]) => tid !== tail.pid).sort((a, b) => b[1][1] - a[1][1]);
const views = Number(process.env.VIEWS ?? 1);
const workers = others.slice(0, views + 1).map(([tid]) => tid).sort((a, b) => a - b);
const roles = { main: [tail.pid], view: workers.slice(0, views), store: [workers[views]], v8: others.slice(views + 1).map(([tid]) => tid) };
const running = (m, tids) => tids.reduce((n, t) => n + (m.get(t)?.[0] === 'R' ? 1 : 0), 0);
const count = { main: 0, view: 0, store: 0, v8: 0, gen: 0 };
const eachView = roles.view.map(() => 0);
const bothViews = { n: 0 };
const runnable = new Array(12).fill(0);
let viewAlone = 0;
let viewIdleOthersBusy = 0;
for (const s of samples) {
  const viewsRunning = roles.view.map((t) => running(s.tail, [t]));
  viewsRunning.forEach((x, i) => (eachView[i] += x));
  if (views > 1 && viewsRunning.every(Boolean)) bothViews.n++;
  const r = { main: running(s.tail, roles.main), view: Math.min(1, running(s.tail, roles.view)), store: running(s.tail, roles.store), v8: running(s.tail, roles.v8), gen: running(s.gen, [...s.gen.keys()]) };
  for (const k of Object.keys(count)) count[k] += r[k];
  const all = r.main + running(s.tail, roles.view) + r.store + r.v8 + r.gen;
  runnable[Math.min(all, 11)]++;
  if (r.view && !r.main && !r.store && !r.gen) viewAlone++;
  if (!r.view && (r.main || r.store)) viewIdleOthersBusy++;
}
const pct = (n) => `${((100 * n) / samples.length).toFixed(1)}%`;
console.log(`${samples.length} samples every ${interval} ms; share of samples each thread was runnable:`);
console.log(`  main ${pct(count.main)}  view ${pct(count.view)}  store ${pct(count.store)}  V8 threads (sum) ${pct(count.v8)}  load generator (sum) ${pct(count.gen)}`);
if (views > 1) console.log(`  each view thread ${eachView.map(pct).join(' / ')}; all view threads at once ${pct(bothViews.n)}`);
console.log(`  runnable threads per sample: ${runnable.map((n, i) => `${i}: ${pct(n)}`).filter((_, i) => runnable[i] > 0).join('  ')}`);
const cpu = (m, tids) => tids.reduce((n, t) => n + (m.get(t)?.[1] ?? 0), 0);
const first = samples[0];
const lastGen = samples.at(-1).gen;
const used = (tids) => (cpu(last, tids) - cpu(first.tail, tids)).toFixed(2);
console.log(`  CPU s during the load: main ${used(roles.main)}  view ${used(roles.view)}  store ${used(roles.store)}  V8 threads ${used(roles.v8)}  load generator ${(cpu(lastGen, [...lastGen.keys()]) - cpu(first.gen, [...first.gen.keys()])).toFixed(2)}`);
console.log(`  view runnable with main, store and load generator all waiting: ${pct(viewAlone)}; view waiting while main or store runnable: ${pct(viewIdleOthersBusy)}`);

#!/usr/bin/env node
/**
 * `tail --quiet` ingest, build A against build B in alternating rounds: each round starts one
 * build's tail with a store, sends the ingest frames (`passes` passes, 8 exporters, as the
 * ingest figure does), reads the CPU time of each of its threads from /proc before SIGINT, and
 * checks stored = acknowledged. On a shared 2-core machine the rates swing with other jobs; CPU
 * seconds per thread move much less, so they are the figure to compare.
 *
 *   node bench/lib/load/tail-threads-ab.mjs <repo A> <repo B> [rounds=3] [passes=3] [--cpu-prof DIR]
 *
 * NODE_FLAGS_A / NODE_FLAGS_B: node and V8 flags for that build's process (e.g. the same repo
 * twice, B with `--v8-pool-size=1`). Each round also shows the process's minor page faults (all
 * threads, start-up included): fresh memory touched, 10–14 µs of CPU each on this VM
 * (docs/architecture.md, "Ingest CPU per span").
 *
 * --cpu-prof samples by wall time: a thread descheduled inside a call (postMessage waking
 * another thread) is charged for it. For CPU by function use perf (`perf record -e cpu-clock -g
 * -p PID` with node's `--perf-basic-prof` in NODE_FLAGS_*).
 *
 * Threads: the main (receiving) thread is the process id; worker threads are created in order,
 * the view threads first (tail/session.ts opens them before the store worker), so of the
 * views + 1 busiest other threads the lower ids are the view threads (summed as "view"; the
 * busiest of them as "view1") and the highest the store worker. VIEWS_A / VIEWS_B: that build's
 * view threads (default 1; 2 with the sharded view). The rest (V8's platform threads: GC
 * helpers, compilers; libuv) are summed as "other".
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad } from './run-load.mjs';
import { freePort, memoryOf, startChild, waitForPort } from '../procs.mjs';
import { countStore } from '../store-count.mjs';

const args = process.argv.slice(2);
const profAt = args.indexOf('--cpu-prof');
const profDir = profAt === -1 ? undefined : path.resolve(args.splice(profAt, 2)[1]);
const [repoA, repoB, roundsArg = '3', passesArg = '3'] = args;
if (!repoA || !repoB) throw new Error('usage: tail-threads-ab.mjs <repo A> <repo B> [rounds] [passes] [--cpu-prof DIR]');
const rounds = Number(roundsArg);
const passes = Number(passesArg);
const TICK = 100; // USER_HZ on Linux

const out = path.resolve(import.meta.dirname, '../../out');
const gen = readdirSync(out).find((d) => { try { return readdirSync(path.join(out, d)).includes('ingest-200k.pb'); } catch { return false; } });
if (!gen && !process.env.INGEST_FILE) throw new Error('no ingest-200k.pb under bench/out: run bench/run.mjs --only ingest once');
// INGEST_FILE: frames from elsewhere (while bench/out is being generated).
const file = process.env.INGEST_FILE ?? path.join(out, gen, 'ingest-200k.pb');

function threadTimes(pid) {
  const rows = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    rows.push({ tid: Number(tid), cpuS: (Number(f[11]) + Number(f[12])) / TICK, minflt: Number(f[7]) });
  }
  return rows;
}

function split(pid, rows, views) {
  const main = rows.find((r) => r.tid === pid)?.cpuS ?? 0;
  const others = rows.filter((r) => r.tid !== pid).sort((a, b) => b.cpuS - a.cpuS);
  const workers = others.slice(0, views + 1).sort((a, b) => a.tid - b.tid);
  const viewCpu = workers.slice(0, views).map((r) => r.cpuS);
  const view = viewCpu.reduce((n, x) => n + x, 0);
  const store = workers[views]?.cpuS ?? 0;
  const rest = others.slice(views + 1).reduce((n, r) => n + r.cpuS, 0);
  return { main, view, view1: Math.max(0, ...viewCpu), store, other: rest, all: main + view + store + rest };
}

async function once(repo, label, round) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-threads-ab-'));
  const port = await freePort();
  const flags = (process.env[`NODE_FLAGS_${label}`] ?? '').split(' ').filter(Boolean);
  const views = Number(process.env[`VIEWS_${label}`] ?? 1);
  const node = [...flags, ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profDir, `${label}-${round}`)] : [])];
  const p = startChild(process.execPath, [...node, path.join(repo, 'bin/llmtrace.js'), 'tail', '--http-port', String(port), '--no-grpc', '--quiet', '--store', path.join(dir, 'store')], { env: { NO_COLOR: '1', TZ: 'UTC' } });
  try {
    await waitForPort(port, 30_000, () => p.child.exitCode === null);
    const load = await runLoad({ file, loops: 8, workers: 1, timeoutS: 300, passes, url: `http://127.0.0.1:${port}/v1/traces` });
    // The view thread may still be counting the last exports: wait until the threads are idle.
    let t = split(p.pid, threadTimes(p.pid), views);
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const next = split(p.pid, threadTimes(p.pid), views);
      const busy = next.all - t.all;
      t = next;
      if (busy < 0.1) break;
    }
    const peakMB = memoryOf(p.pid).peakMB;
    const faultsK = threadTimes(p.pid).reduce((n, r) => n + r.minflt, 0) / 1000;
    if (process.env.THREADS_ALL) console.log(threadTimes(p.pid).filter((r) => r.cpuS > 0.05).map((r) => `${r.tid}:${r.cpuS.toFixed(2)}`).join(' '));
    const stopped = await p.stop('SIGINT', 120_000);
    const stored = countStore(path.join(dir, 'store'));
    return { label, rate: load.spansPerSecond, acked: load.ackedSpans, stored: stored.spans, exit: stopped.code, peakMB, faultsK, ...t };
  } finally {
    await p.stop('SIGKILL', 5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n) => n.toFixed(2).padStart(6);
const results = { A: [], B: [] };
const load = () => os.loadavg().map((n) => n.toFixed(1)).join(' ');
for (let r = 0; r < rounds; r++) {
  for (const [label, repo] of r % 2 === 0 ? [['A', repoA], ['B', repoB]] : [['B', repoB], ['A', repoA]]) {
    const before = load();
    const x = await once(repo, label, r);
    results[label].push(x);
    console.log(`round ${r + 1} ${label}: ${(x.rate / 1000).toFixed(1)}k spans/s, CPU s main ${f(x.main)} view ${f(x.view)} (busiest ${f(x.view1)}) store ${f(x.store)} other ${f(x.other)} all ${f(x.all)}, peak ${x.peakMB.toFixed(0)} MB, ${x.faultsK.toFixed(0)}k page faults, stored ${x.stored}/${x.acked} exit ${x.exit}, load ${before} → ${load()}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
for (const k of ['rate', 'main', 'view', 'view1', 'store', 'other', 'all', 'peakMB', 'faultsK']) {
  const a = median(results.A.map((x) => x[k]));
  const b = median(results.B.map((x) => x[k]));
  console.log(`median ${k.padEnd(6)} A ${a.toFixed(2).padStart(10)}  B ${b.toFixed(2).padStart(10)}  B/A ${(b / a).toFixed(3)}`);
}
const ratios = (k) => results.A.map((a, i) => (results.B[i]?.[k] / a[k]).toFixed(2)).join(' ');
for (const k of ['view1', 'all', 'peakMB']) console.log(`B/A per round ${k.padEnd(6)} ${ratios(k)}`);
const whole = [...results.A, ...results.B].every((x) => x.stored === x.acked && x.exit === 0);
console.log(whole ? 'every run: stored = acknowledged, exit 0' : 'SOME RUN LOST DATA OR FAILED');

#!/usr/bin/env node
/**
 * A batch command (`cost`, `lint`, `stats`) of build A against build B over one file, in
 * alternating rounds (A B, then B A, …) with the floor (bench/floor.mjs) in every round: wall
 * seconds, CPU seconds of the main thread and of all threads (the rest is the worker and V8's
 * helper threads), peak RSS, and the output of A and B compared byte for byte. On a shared
 * machine the CPU seconds move less than the wall time; the ratios are against the floor of the
 * same round.
 *
 *   node bench/lib/batch-ab.mjs <repo A> <repo B> <file> [rounds=3] [commands=cost,lint,stats] [--workers N]
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_ENV } from './llmtrace.mjs';
import { median, run } from './measure.mjs';

const args = process.argv.slice(2);
const wAt = args.indexOf('--workers');
const workers = wAt === -1 ? undefined : args.splice(wAt, 2)[1];
const [repoA, repoB, file, roundsArg = '3', commandsArg = 'cost,lint,stats'] = args;
if (!repoA || !repoB || !file) throw new Error('usage: batch-ab.mjs <repo A> <repo B> <file> [rounds] [commands] [--workers N]');
const rounds = Number(roundsArg);
const commands = commandsArg.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const preload = path.join(here, 'thread-cpu.mjs');
const floorScript = path.join(here, '../floor.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-batch-ab-'));
const cpuFile = path.join(tmp, 'cpu.json');
const outFile = path.join(tmp, 'out');

const argv = { cost: ['cost', '--since', '7d', '--format', 'json'], lint: ['lint', '--format', 'json'], stats: ['stats', '--since', '7d', '--format', 'json'] };
const env = { ...CLI_ENV, LLMTRACE_AB_CPU_FILE: cpuFile, ...(workers === undefined ? {} : { LLMTRACE_WORKERS: workers }) };

async function once(repo, command) {
  rmSync(cpuFile, { force: true });
  // To a file, hashed whole: lint's output over 1M spans is about a gigabyte.
  const r = await run(process.execPath, ['--import', preload, path.join(repo, 'bin/llmtrace.js'), ...argv[command], file], { env, stdout: outFile, timeoutMs: 600_000 });
  if (r.code !== 0 && !(command === 'lint' && r.code === 1)) throw new Error(`${repo} ${command} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  const cpu = JSON.parse(readFileSync(cpuFile, 'utf8'));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(outFile)) hash.update(chunk);
  rmSync(outFile, { force: true });
  return { wall: r.seconds, cpu: cpu.allS, main: cpu.mainS, rss: r.maxRssMB, digest: hash.digest('hex') };
}

const rows = { A: {}, B: {} };
for (const c of commands) rows.A[c] = [], rows.B[c] = [];
const floors = [];
try {
  for (let round = 0; round < rounds; round++) {
    const f = await run(process.execPath, [floorScript, file], { stdout: 'capture' });
    floors.push({ wall: f.seconds, cpu: f.cpuSeconds });
    const order = round % 2 ? ['B', 'A'] : ['A', 'B'];
    for (const c of commands) {
      const got = {};
      for (const side of order) got[side] = await once(side === 'A' ? repoA : repoB, c);
      if (got.A.digest !== got.B.digest) console.log(`!! ${c}: outputs differ (round ${round + 1})`);
      for (const side of order) {
        const g = got[side];
        rows[side][c].push({ ...g, ratio: g.wall / f.seconds, cpuRatio: g.cpu / f.cpuSeconds });
        console.log(`round ${round + 1} ${side} ${c.padEnd(5)} wall ${g.wall.toFixed(2)} s (${(g.wall / f.seconds).toFixed(2)}× floor ${f.seconds.toFixed(2)}), cpu ${g.cpu.toFixed(2)} s (main ${g.main.toFixed(2)}, rest ${(g.cpu - g.main).toFixed(2)}; ${(g.cpu / f.cpuSeconds).toFixed(2)}×), rss ${g.rss?.toFixed(0)} MB`);
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const fmt = (xs, k, d = 2) => `${median(xs.map((x) => x[k])).toFixed(d)} [${Math.min(...xs.map((x) => x[k])).toFixed(d)}–${Math.max(...xs.map((x) => x[k])).toFixed(d)}]`;
console.log(`floor wall ${fmt(floors, 'wall')} s, cpu ${fmt(floors, 'cpu')} s`);
for (const c of commands) {
  for (const side of ['A', 'B']) {
    const xs = rows[side][c];
    console.log(`${side} ${c.padEnd(5)} ratio ${fmt(xs, 'ratio')}, wall ${fmt(xs, 'wall')} s, cpu ${fmt(xs, 'cpu')} s, main ${fmt(xs, 'main')} s, rest ${median(xs.map((x) => x.cpu - x.main)).toFixed(2)} s, cpu ratio ${fmt(xs, 'cpuRatio')}, rss ${fmt(xs, 'rss', 0)} MB`);
  }
}

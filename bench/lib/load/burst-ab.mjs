#!/usr/bin/env node
/**
 * The burst robustness test (bench/robust/burst.mjs: 60 concurrent ~19 MB OTLP/JSON posts into
 * `tail --quiet` with a store), build A against build B in alternating rounds, printing each
 * run's peak RSS, RSS after, time, refusals and acknowledged spans missing from the store. Writes
 * nothing (bench/out may be shared): the rows go to stdout.
 *   node bench/lib/load/burst-ab.mjs <repo A> <repo B> [rounds=2] [afterS=10]
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [repoA, repoB, roundsArg = '2', afterArg = '10'] = process.argv.slice(2);
const load = () => os.loadavg().map((n) => n.toFixed(1)).join(' ');
for (let r = 0; r < Number(roundsArg); r++) {
  for (const [label, repo] of r % 2 === 0 ? [['A', repoA], ['B', repoB]] : [['B', repoB], ['A', repoA]]) {
    const { burstTest } = await import(pathToFileURL(path.resolve(repo, 'bench/robust/burst.mjs')).href);
    const before = load();
    const { details: d } = await burstTest({ afterS: Number(afterArg) });
    console.log(`round ${r + 1} ${label}: peak ${d.peakMB.toFixed(0)} MB, after ${Object.entries(d.after).map(([s, mb]) => `${s}s ${mb.toFixed(0)}`).join(' / ')} MB, idle ${d.idleMB.toFixed(0)} MB, ${d.burstS.toFixed(1)} s, answers ${JSON.stringify(d.answers)}, missing ${d.missing} of ${d.ackedSpans}, exit ${d.exit}, load ${before} → ${load()}`);
  }
}

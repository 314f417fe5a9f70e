#!/usr/bin/env node
/**
 * Robustness of `tail` under load and faults (issue #6): long-running, not a unit test.
 *
 *   node bench/robustness.mjs [--seconds 300] [--rate 10000] [--loops 8] [--only soak,kill,forward,burst]
 *
 * soak     continuous export for --seconds at --rate spans/s; tail's RSS sampled: flat memory
 * kill     kill -9 of tail mid-load, restart on the same store: nothing acknowledged is lost
 * forward  a --forward target that answers after 2 s does not slow the exporters
 * burst    60 concurrent ~19 MB exports: peak RSS bounded by the cap on bytes in flight, memory
 *          given back afterwards, every acknowledged span stored (not in the default set: heavy)
 * Prints one table; writes bench/out/robustness.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OUT_DIR, ensureDatasets } from './generate.mjs';
import { burstTest } from './robust/burst.mjs';
import { forwardTest } from './robust/forward.mjs';
import { killTest } from './robust/kill.mjs';
import { soak } from './robust/soak.mjs';
import { REPO, commandAvailable } from './lib/llmtrace.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderTable } from './lib/table.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const options = {
  seconds: Number(opt('--seconds', '300')),
  rate: Number(opt('--rate', '10000')),
  loops: Number(opt('--loops', '8')),
  only: opt('--only', 'soak,kill,forward').split(','),
};
const log = (m) => process.stderr.write(`robustness: ${m}\n`);
const machine = machineInfo(REPO);
const data = await ensureDatasets({ sizes: [], ingestSpans: 200_000, bigTrace: 0, log });
const rows = [];
const details = {};
const avail = commandAvailable('tail', ['--http-port', '--no-grpc', '--quiet', '--store']);
const tests = { soak: () => soak({ data, seconds: options.seconds, rate: options.rate, loops: options.loops, log }), kill: () => killTest({ data, loops: options.loops, log }), forward: () => forwardTest({ data, loops: options.loops, log }), burst: () => burstTest({ log }) };
for (const name of options.only) {
  if (!tests[name]) throw new Error(`unknown test ${name}`);
  if (!avail.ok) {
    rows.push({ figure: name, value: 'not available yet', baseline: avail.why });
    continue;
  }
  log(`${name}…`);
  try {
    const r = await tests[name]();
    rows.push(...r.rows);
    details[name] = r.details;
  } catch (e) {
    rows.push({ figure: name, value: 'failed', baseline: String(e?.message ?? e).split('\n')[0].slice(0, 120) });
    details[name] = { error: String(e?.stack ?? e) };
    log(`${name} failed: ${e?.stack ?? e}`);
  }
}
const date = new Date().toISOString();
const table = renderTable(rows);
process.stdout.write(`\nllmtrace robustness — ${date.slice(0, 16).replace('T', ' ')} UTC — ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node.slice(1)}\n\n${table}`);
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(path.join(OUT_DIR, 'robustness.json'), `${JSON.stringify({ date, machine, options, rows, table, details }, null, 2)}\n`);

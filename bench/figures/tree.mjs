/**
 * `tree` on one agent run of ~100k spans (deep and wide, conventions mixed), as JSON and as
 * text, both to /dev/null, against the floor of reading and parsing the same file. Then depth
 * alone (docs/architecture.md, "Tree rendering depth"): a 100k-deep chain and a 100k-span parent
 * cycle drawn as text against the JSON of the same file (goal ≤ 3×), in interleaved rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDeepChain } from '../lib/deep-chain.mjs';
import { BIN, CLI_ENV, REPO, commandAvailable } from '../lib/llmtrace.mjs';
import { median, run } from '../lib/measure.mjs';
import { fmt } from '../lib/table.mjs';

const DEPTH = 100_000;
const DEPTH_GOAL = 3;
const DEPTH_ROUNDS = 3;

export async function treeFigure({ data, timeoutMs = 300_000, log = () => {} }) {
  const file = data.trace.file;
  const spans = data.trace.totals.spans;
  const label = `tree: one ${(spans / 1000).toFixed(0)}k-span trace`;
  const avail = commandAvailable('tree', ['--format']);
  if (!avail.ok) return { rows: [{ figure: label, value: 'not available yet', baseline: avail.why }], details: { available: false, why: avail.why } };
  const floor = await run(process.execPath, [path.join(REPO, 'bench/floor.mjs'), file], { timeoutMs });
  const details = { spans, floor: { seconds: floor.seconds, maxRssMB: floor.maxRssMB } };
  const rows = [];
  for (const [fmtName, args] of [['--format json', ['--format', 'json']], ['text', []]]) {
    // COLUMNS: a terminal-like width for the text layout even though stdout is not a terminal.
    const r = await run(process.execPath, [BIN, 'tree', file, ...args], { env: { ...CLI_ENV, COLUMNS: '160' }, stdout: 'ignore', timeoutMs });
    details[fmtName] = { seconds: r.seconds, maxRssMB: r.maxRssMB, code: r.code };
    log(`tree ${fmtName}: ${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}`);
    if (r.code !== 0) {
      rows.push({ figure: `${label}, ${fmtName}`, value: 'failed', baseline: r.timedOut ? 'timed out' : `exit ${r.code}: ${r.stderr.split('\n')[0]}` });
      continue;
    }
    rows.push({ figure: `${label}, ${fmtName}`, value: `${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}`, baseline: `${fmt.s(floor.seconds)} (floor)`, ratio: fmt.ratio(r.seconds / floor.seconds), goal: 'report' });
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-bench-deep-'));
  try {
    for (const [name, cycle] of [['a 100k-deep chain', false], ['a 100k-span parent cycle', true]]) {
      const file = path.join(dir, `${cycle ? 'cycle' : 'chain'}.json`);
      writeDeepChain(file, DEPTH, { cycle });
      const d = await depthRounds(file, timeoutMs, log);
      details[`depth: ${name}`] = d;
      const figure = `tree: ${name}, text`;
      if (d.failed) {
        rows.push({ figure, value: 'failed', baseline: d.failed });
        continue;
      }
      const ratio = median(d.ratios);
      const range = d.ratios.length > 1 ? ` (${fmt.ratio(Math.min(...d.ratios))}–${fmt.ratio(Math.max(...d.ratios))})` : '';
      rows.push({
        figure,
        value: `${fmt.s(median(d.text.map((r) => r.seconds)))}, ${fmt.mb(Math.max(...d.text.map((r) => r.maxRssMB)))}`,
        baseline: `${fmt.s(median(d.json.map((r) => r.seconds)))} (--format json)`,
        ratio: `${fmt.ratio(ratio)}${range}`,
        goal: `≤ ${DEPTH_GOAL}×`,
        met: ratio <= DEPTH_GOAL,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, details };
}

/** JSON then text of one file, DEPTH_ROUNDS times: each round's text time over its JSON time. */
async function depthRounds(file, timeoutMs, log) {
  const d = { json: [], text: [], ratios: [] };
  for (let round = 0; round < DEPTH_ROUNDS; round++) {
    const pair = {};
    for (const [fmtName, args] of [['json', ['--format', 'json']], ['text', []]]) {
      const r = await run(process.execPath, [BIN, 'tree', file, ...args], { env: { ...CLI_ENV, COLUMNS: '160' }, stdout: 'ignore', timeoutMs });
      log(`tree ${path.basename(file)} ${fmtName}: ${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}`);
      if (r.code !== 0) return { ...d, failed: r.timedOut ? `${fmtName} timed out` : `${fmtName}: exit ${r.code}: ${r.stderr.split('\n')[0]}` };
      pair[fmtName] = r;
      d[fmtName].push({ seconds: r.seconds, maxRssMB: r.maxRssMB });
    }
    d.ratios.push(pair.text.seconds / pair.json.seconds);
  }
  return d;
}

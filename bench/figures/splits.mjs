/**
 * `cost` and `lint` over the same spans as spans-<n>.jsonl in other orders and splits
 * (lib/gen/splits.mjs): shuffled; two services (root spans in one file, the rest in another,
 * each in end-time order); three replicas (the lines round-robin over three files). `cost` must
 * give exactly the generator's totals whatever order and split a trace's spans arrive in:
 * calls, every token field, and the USD total within 1e-6. Time against the floor over the same
 * files (goal ≤ 3×: reordering may cost more than the main rows' 1.5×), peak RSS ≤ 300 MB.
 * One run each: these rows prove exactness and bound the price of disorder; the main figure's
 * interleaved rounds measure the speed.
 */
import path from 'node:path';
import { checkCostReport } from '../lib/check-totals.mjs';
import { BIN, CLI_ENV, commandAvailable } from '../lib/llmtrace.mjs';
import { run } from '../lib/measure.mjs';
import { fmt } from '../lib/table.mjs';
import { label } from '../generate.mjs';
import { COMMANDS, FLOOR, RSS_GOAL_MB } from './cost-lint.mjs';

const TIME_GOAL = 3;

const failure = (r, timeoutMs) => (r.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${r.code}: ${r.stderr.trim().slice(0, 300)}`);

/** Time and peak RSS rows of one command against the floor over the same files. */
function measuredRows(figure, r, floor) {
  const ratio = r.seconds / floor.seconds;
  return [
    { figure: `${figure}, time`, value: fmt.s(r.seconds), baseline: `${fmt.s(floor.seconds)} (floor, same files)`, ratio: fmt.ratio(ratio), goal: `≤ ${TIME_GOAL}×`, met: ratio <= TIME_GOAL },
    { figure: `${figure}, peak RSS`, value: fmt.mb(r.maxRssMB), baseline: `${fmt.mb(floor.maxRssMB)} (floor)`, goal: `≤ ${RSS_GOAL_MB} MB`, met: r.maxRssMB <= RSS_GOAL_MB },
  ];
}

/** Floor, cost and lint over one set's files: its rows and details. */
async function measureSet(name, files, totals, n, available, timeoutMs, log) {
  const rows = [];
  const details = { files: files.map((f) => path.basename(f)) };
  const floor = await run(process.execPath, [FLOOR, ...files], { timeoutMs });
  if (floor.code !== 0) throw new Error(`floor over ${name} failed: ${failure(floor, timeoutMs)}`);
  details.floor = { seconds: floor.seconds, cpuSeconds: floor.cpuSeconds, maxRssMB: floor.maxRssMB, output: JSON.parse(floor.stdout) };
  if (details.floor.output.spans !== totals.spans) throw new Error(`${name}: the floor read ${details.floor.output.spans} spans, the generator wrote ${totals.spans}`);
  log(`floor ${label(n)} ${name}: ${fmt.s(floor.seconds)}, ${fmt.mb(floor.maxRssMB)}`);

  for (const [command, c] of Object.entries(COMMANDS)) {
    const figure = `${command}: ${label(n)} ${name}`;
    if (!available[command].ok) {
      rows.push({ figure: `${figure}, time`, value: 'not available yet', baseline: available[command].why });
      continue;
    }
    const r = await run(process.execPath, [BIN, ...c.args(files)], { env: CLI_ENV, stdout: c.stdout, timeoutMs });
    if (!c.okCodes.includes(r.code)) {
      details[command] = { error: failure(r, timeoutMs) };
      rows.push({ figure: `${figure}, time`, value: 'failed', baseline: details[command].error.split('\n')[0] });
      log(`${command} ${label(n)} ${name} failed: ${details[command].error}`);
      continue;
    }
    details[command] = { seconds: r.seconds, cpuSeconds: r.cpuSeconds, maxRssMB: r.maxRssMB, exitCode: r.code };
    rows.push(...measuredRows(figure, r, floor));
    let differ = '';
    if (command === 'cost') {
      let problems;
      try {
        problems = checkCostReport(JSON.parse(r.stdout), totals);
      } catch (e) {
        problems = [`output is not JSON: ${e.message}`];
      }
      details.cost.problems = problems;
      rows.push({
        figure: `${figure}, totals = generator's`,
        value: problems.length ? `WARNING: ${problems.length} differ` : `equal (${totals.total.calls.toLocaleString('en-US')} calls, $${totals.total.cost.toFixed(2)})`,
        baseline: problems[0] ?? '',
        goal: 'equal',
        met: problems.length === 0,
      });
      differ = problems.length ? `, totals differ (${problems.length})` : ", totals = generator's";
    }
    log(`${command} ${label(n)} ${name}: ${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}${differ}`);
  }
  return { rows, details };
}

export async function splitsFigure({ data, timeoutMs = 600_000, log = () => {} }) {
  const rows = [];
  const details = {};
  const available = Object.fromEntries(Object.entries(COMMANDS).map(([name, c]) => [name, commandAvailable(name, c.flags)]));
  for (const [n, { sets, totals }] of Object.entries(data.splits)) {
    for (const [name, files] of Object.entries(sets)) {
      const r = await measureSet(name, files, totals, Number(n), available, timeoutMs, log);
      rows.push(...r.rows);
      (details[n] ??= {})[name] = r.details;
    }
  }
  return { rows, details };
}

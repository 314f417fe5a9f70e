/**
 * `cost`, `lint` and `stats` over OTLP JSON Lines: wall time at the largest size against the floor
 * (bench/floor.mjs: read + JSON.parse only; goal ≤ 1.5×) and against jq doing the same
 * aggregation (tokens by model); peak RSS at every size (goal ≤ 300 MB and flat); and a check
 * that `cost --format json` counts exactly what the generator wrote.
 */
import path from 'node:path';
import { checkCostReport, checkJqOutput } from '../lib/check-totals.mjs';
import { BIN, CLI_ENV, REPO, commandAvailable } from '../lib/llmtrace.mjs';
import { median, run } from '../lib/measure.mjs';
import { fmt } from '../lib/table.mjs';
import { label } from '../generate.mjs';

export const FLOOR = path.join(REPO, 'bench/floor.mjs');
const JQ_PROGRAM = path.join(REPO, 'bench/jq/tokens-by-model.jq');
export const RSS_GOAL_MB = 300;
/** "Flat": ten times the input may cost at most this much more peak memory. */
const FLAT_GOAL = 1.25;
const TIME_GOAL = 1.5;

/** How each command runs over a list of files (the splits figure passes several). */
export const COMMANDS = {
  cost: { flags: ['--since', '--by', '--format'], args: (files) => ['cost', ...files, '--since', '7d', '--by', 'feature,model', '--format', 'json'], stdout: 'capture', okCodes: [0] },
  // Findings of a realistic dump are many: written to /dev/null, as a CI job writes them to a file.
  lint: { flags: ['--format'], args: (files) => ['lint', ...files, '--format', 'json'], stdout: 'ignore', okCodes: [0, 1] },
  // docs/architecture.md "Benchmark goals": stats ≤ 1.5× the floor. Its figures are checked against the generator in the tests.
  stats: { flags: ['--since', '--by', '--format'], args: (files) => ['stats', ...files, '--since', '7d', '--by', 'provider,model', '--format', 'json'], stdout: 'ignore', okCodes: [0] },
};

/** Median time and CPU, largest RSS, of a list of runs (the last one's output is checked). */
function summarizeRuns(runs) {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds ?? NaN)),
    maxRssMB: Math.max(...runs.map((r) => r.maxRssMB ?? NaN)),
    runs,
    last: runs[runs.length - 1],
  };
}

/**
 * The largest size in `rounds` rounds of floor, cost, lint, one after the other: the machine's
 * load drifts over minutes, and a ratio is only fair when its two figures are taken side by
 * side (all floor runs first, then all lint runs, let a busy minute fall on one side only).
 */
async function interleavedRounds(rounds, steps, log) {
  const runs = Object.fromEntries(steps.map((s) => [s.name, []]));
  const failed = new Set();
  for (let i = 0; i < rounds; i++) {
    for (const s of steps) {
      if (failed.has(s.name)) continue; // its figure is "failed" already: no more timeouts to wait for
      const r = await s.run();
      runs[s.name].push(r);
      if (!s.ok(r)) failed.add(s.name);
      if (rounds > 1) log(`round ${i + 1}/${rounds}: ${s.name} ${fmt.s(r.seconds)}${s.ok(r) ? '' : ' (failed)'}`);
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, summarizeRuns(list)]));
}

export async function costLintFigure({ data, runs = 3, jq = true, timeoutMs = 600_000, log = () => {} }) {
  const sizes = Object.keys(data.spans).map(Number).sort((a, b) => a - b);
  const big = sizes[sizes.length - 1];
  const small = sizes[0];
  const rows = [];
  const details = { sizes, runs, floor: {}, jq: undefined };

  const available = Object.fromEntries(Object.entries(COMMANDS).map(([name, c]) => [name, commandAvailable(name, c.flags)]));
  if (!Object.values(available).some((a) => a.ok)) {
    for (const [name, a] of Object.entries(available)) rows.push({ figure: `${name}: ${label(big)} spans, time`, value: 'not available yet', baseline: a.why });
    return { rows, details: { available } };
  }

  const runCommand = (c, file) => run(process.execPath, [BIN, ...c.args([file])], { env: CLI_ENV, stdout: c.stdout, timeoutMs });
  const runFloor = (file) => run(process.execPath, [FLOOR, file], { timeoutMs });
  // The largest size first, interleaved; the smaller sizes (peak memory) once each below.
  const bigRuns = await interleavedRounds(
    runs,
    [
      { name: 'floor', run: () => runFloor(data.spans[big].file), ok: (r) => r.code === 0 },
      ...Object.entries(COMMANDS)
        .filter(([name]) => available[name].ok)
        .map(([name, c]) => ({ name, run: () => runCommand(c, data.spans[big].file), ok: (r) => c.okCodes.includes(r.code) })),
    ],
    log,
  );

  // The floor at every size (its RSS is a reference too).
  for (const n of sizes) {
    const r = n === big ? bigRuns.floor : summarizeRuns([await runFloor(data.spans[n].file)]);
    const failed = r.runs.find((x) => x.code !== 0);
    if (failed) throw new Error(`floor failed: ${failed.timedOut ? 'timed out' : failed.stderr}`);
    details.floor[n] = { seconds: r.seconds, cpuSeconds: r.cpuSeconds, maxRssMB: r.maxRssMB, runs: r.runs.map((x) => x.seconds), output: JSON.parse(r.last.stdout) };
    log(`floor ${label(n)}: ${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}`);
  }

  let jqResult;
  if (jq) {
    const file = data.spans[big].file;
    const r = await run('jq', ['-n', '-c', '-f', JQ_PROGRAM, file], { timeoutMs });
    if (r.code === 0) {
      const problems = checkJqOutput(JSON.parse(r.stdout), data.spans[big].totals);
      jqResult = { seconds: r.seconds, maxRssMB: r.maxRssMB, problems };
      log(`jq ${label(big)}: ${fmt.s(r.seconds)}${problems.length ? ` (differs: ${problems.join('; ')})` : ' (totals equal the generator\'s)'}`);
    } else {
      jqResult = { error: r.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${r.code}: ${r.stderr.slice(0, 200)}` };
      log(`jq failed: ${jqResult.error}`);
    }
    details.jq = jqResult;
  }

  for (const [name, c] of Object.entries(COMMANDS)) {
    const avail = available[name];
    if (!avail.ok) {
      rows.push({ figure: `${name}: ${label(big)} spans, time`, value: 'not available yet', baseline: avail.why });
      details[name] = { available: false, why: avail.why };
      continue;
    }
    const per = {};
    for (const n of sizes) {
      const file = data.spans[n].file;
      const r = n === big ? bigRuns[name] : summarizeRuns([await runCommand(c, file)]);
      const failed = r.runs.find((x) => !c.okCodes.includes(x.code));
      if (failed) {
        per[n] = { error: failed.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${failed.code}: ${failed.stderr.slice(0, 300)}` };
        log(`${name} ${label(n)} failed: ${per[n].error}`);
        continue;
      }
      per[n] = { seconds: r.seconds, cpuSeconds: r.cpuSeconds, maxRssMB: r.maxRssMB, exitCode: r.last.code, runs: r.runs.map((x) => x.seconds) };
      if (name === 'cost') {
        try {
          per[n].problems = checkCostReport(JSON.parse(r.last.stdout), data.spans[n].totals);
        } catch (e) {
          per[n].problems = [`output is not JSON: ${e.message}`];
        }
      }
      log(`${name} ${label(n)}: ${fmt.s(r.seconds)}, ${fmt.mb(r.maxRssMB)}${per[n].problems?.length ? `, totals differ (${per[n].problems.length})` : ''}`);
    }
    details[name] = { available: true, perSize: per };

    const b = per[big];
    const fl = details.floor[big];
    if (b?.error) rows.push({ figure: `${name}: ${label(big)} spans, time`, value: 'failed', baseline: b.error.split('\n')[0] });
    else {
      // Each round's ratio against the floor run beside it; the round with the median ratio (the
      // lower one of an even count) gives the figure, so value / baseline = ratio in the row.
      const ratios = b.runs.map((t, i) => t / fl.runs[i]);
      const mid = ratios.map((_, i) => i).sort((x, y) => ratios[x] - ratios[y])[(ratios.length - 1) >> 1];
      const ratio = ratios[mid];
      details[name].ratios = ratios;
      const range = ratios.length > 1 ? ` (${ratios.length} rounds: ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)` : '';
      const beside = ratios.length > 1 ? ' (floor, same round)' : ' (floor)';
      rows.push({ figure: `${name}: ${label(big)} spans, time`, value: `${fmt.s(b.runs[mid])}${range}`, baseline: `${fmt.s(fl.runs[mid])}${beside}`, ratio: fmt.ratio(ratio), goal: `≤ ${TIME_GOAL}×`, met: ratio <= TIME_GOAL });
      // Worker threads make the wall time; say what it costs in CPU and what one thread takes.
      if (Number.isFinite(b.cpuSeconds) && Number.isFinite(fl.cpuSeconds)) {
        rows.push({ figure: `${name}: ${label(big)} spans, CPU time (all threads)`, value: fmt.s(b.cpuSeconds), baseline: `${fmt.s(fl.cpuSeconds)} (floor CPU)`, ratio: fmt.ratio(b.cpuSeconds / fl.cpuSeconds), goal: 'report' });
      }
      const one = await run(process.execPath, [BIN, ...c.args([data.spans[big].file])], { env: { ...CLI_ENV, LLMTRACE_WORKERS: '0' }, stdout: c.stdout === 'capture' ? 'ignore' : c.stdout, timeoutMs });
      if (c.okCodes.includes(one.code)) {
        details[name].singleThread = { seconds: one.seconds, cpuSeconds: one.cpuSeconds, maxRssMB: one.maxRssMB };
        log(`${name} ${label(big)} with LLMTRACE_WORKERS=0: ${fmt.s(one.seconds)}, ${fmt.mb(one.maxRssMB)}`);
        rows.push({ figure: `${name}: ${label(big)} spans, one thread (LLMTRACE_WORKERS=0)`, value: `${fmt.s(one.seconds)}, ${fmt.mb(one.maxRssMB)}`, baseline: `${fmt.s(fl.seconds)} (floor)`, ratio: fmt.ratio(one.seconds / fl.seconds), goal: 'report' });
      }
      if (jqResult?.seconds) {
        rows.push({ figure: `${name}: ${label(big)} spans, vs jq`, value: fmt.s(b.seconds), baseline: `${fmt.s(jqResult.seconds)} (jq tokens by model)`, ratio: fmt.ratio(b.seconds / jqResult.seconds), goal: 'report' });
      }
    }
    for (const n of sizes) {
      const p = per[n];
      if (!p || p.error) continue;
      const isBig = n === big && n !== small && per[small] && !per[small].error;
      const flat = isBig ? p.maxRssMB / per[small].maxRssMB : undefined;
      rows.push({
        figure: `${name}: ${label(n)} spans, peak RSS`,
        value: fmt.mb(p.maxRssMB),
        baseline: isBig ? `${fmt.mb(per[small].maxRssMB)} (${label(small)})` : `${fmt.mb(details.floor[n].maxRssMB)} (floor)`,
        ratio: isBig ? fmt.ratio(flat) : '',
        goal: isBig ? `≤ ${RSS_GOAL_MB} MB, flat ≤ ${FLAT_GOAL}×` : `≤ ${RSS_GOAL_MB} MB`,
        met: p.maxRssMB <= RSS_GOAL_MB && (flat === undefined || flat <= FLAT_GOAL),
      });
    }
    if (name === 'cost') {
      for (const n of sizes) {
        const p = per[n];
        if (!p || p.error) continue;
        rows.push({
          figure: `cost: ${label(n)} totals = generator's`,
          value: p.problems.length ? `WARNING: ${p.problems.length} differ` : `equal (${data.spans[n].totals.total.calls.toLocaleString('en-US')} calls)`,
          baseline: p.problems.length ? p.problems[0] : '',
          goal: 'equal',
          met: p.problems.length === 0,
        });
      }
    }
  }
  if (jqResult?.seconds !== undefined) {
    rows.push({
      figure: `jq: ${label(big)} spans (baseline)`,
      value: fmt.s(jqResult.seconds),
      baseline: `${fmt.s(details.floor[big].seconds)} (floor)`,
      ratio: fmt.ratio(jqResult.seconds / details.floor[big].seconds),
      goal: jqResult.problems.length ? `totals differ: ${jqResult.problems[0]}` : "totals = generator's",
    });
  } else if (jqResult?.error) rows.push({ figure: `jq: ${label(big)} spans (baseline)`, value: 'failed', baseline: jqResult.error });
  return { rows, details };
}

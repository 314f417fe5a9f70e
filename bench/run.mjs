#!/usr/bin/env node
/**
 * The benchmark harness (docs/architecture.md "Benchmark goals"): `npm run bench` (builds first). Generates the
 * traces if needed (bench/generate.mjs, cached in bench/out/), measures each figure next to a
 * baseline taken in the same run on the same machine, prints one table and writes
 * bench/results.json. Never part of `npm test`.
 *
 *   node bench/run.mjs [--only startup,cost-lint,small-spans,splits,tree,ingest,clickhouse] [--quick] [--runs N] [--no-jq]
 *                      [--loops N] [--workers N] [--seed N]
 *   --quick   100k spans only for cost/lint, small spans and splits, 100k for ingest (a smoke run; figures not comparable)
 *   --runs N  rounds of floor, cost and lint at 1M spans, interleaved (median of the rounds' ratios; default 3, 1 with --quick);
 *             tail --quiet ingest always runs 3 times (median, range shown)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDatasets } from './generate.mjs';
import { costLintFigure } from './figures/cost-lint.mjs';
import { splitsFigure } from './figures/splits.mjs';
import { smallSpansFigure } from './figures/small-spans.mjs';
import { ingestFigure } from './figures/ingest.mjs';
import { startupFigure } from './figures/startup.mjs';
import { treeFigure } from './figures/tree.mjs';
import { clickhouseFigure } from './figures/clickhouse.mjs';
import { REPO } from './lib/llmtrace.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderTable } from './lib/table.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const quick = args.includes('--quick');
const only = new Set(opt('--only', 'startup,cost-lint,small-spans,splits,tree,ingest').split(','));
const options = {
  quick,
  only: [...only],
  runs: Number(opt('--runs', quick ? '1' : '3')),
  jq: !args.includes('--no-jq'),
  loops: Number(opt('--loops', '8')),
  workers: Number(opt('--workers', '1')),
  seed: Number(opt('--seed', '42')),
};
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const started = performance.now();
const machine = machineInfo(REPO);
log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryMB} MB, node ${machine.node}`);

const data = await ensureDatasets({
  sizes: only.has('cost-lint') || only.has('clickhouse') ? (quick ? [100_000] : [100_000, 1_000_000]) : [],
  splits: only.has('splits') ? [quick ? 100_000 : 1_000_000] : [],
  small: only.has('small-spans') ? (quick ? [100_000] : [100_000, 1_000_000]) : [],
  ingestSpans: only.has('ingest') ? (quick ? 100_000 : 200_000) : 0,
  bigTrace: only.has('tree') ? 100_000 : 0,
  seed: options.seed,
  log,
});

const rows = [];
const details = {};
const figure = async (key, fn) => {
  if (!only.has(key)) return;
  const t0 = performance.now();
  log(`${key}…`);
  try {
    const r = await fn();
    rows.push(...r.rows);
    details[key] = r.details;
  } catch (e) {
    rows.push({ figure: key, value: 'failed', baseline: String(e?.message ?? e).split('\n')[0].slice(0, 120) });
    details[key] = { error: String(e?.stack ?? e) };
    log(`${key} failed: ${e?.stack ?? e}`);
  }
  log(`${key} took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
};

await figure('startup', () => startupFigure());
await figure('cost-lint', () => costLintFigure({ data, runs: options.runs, jq: options.jq, log }));
await figure('small-spans', () => smallSpansFigure({ data, runs: options.runs, log }));
await figure('splits', () => splitsFigure({ data, log }));
await figure('tree', () => treeFigure({ data, log }));
await figure('ingest', () => ingestFigure({ data, loops: options.loops, workers: options.workers, log }));
// Not in the default set: it needs the chdb devDependency and minutes to load the engine once.
await figure('clickhouse', () => clickhouseFigure({ data, log }));

const date = new Date().toISOString();
const header = `llmtrace benchmark — ${date.slice(0, 16).replace('T', ' ')} UTC — ${machine.cpuModel}, ${machine.cores} cores, ${Math.round(machine.memoryMB / 1024)} GB, node ${machine.node.slice(1)}${quick ? ' — QUICK RUN' : ''}`;
const table = renderTable(rows);
process.stdout.write(`\n${header}\n\n${table}`);
const summarize = (d) => d && { file: path.relative(REPO, d.file), spans: d.totals.spans, traces: d.totals.traces, batches: d.totals.batches, bytes: d.totals.bytes, total: d.totals.total };
const results = {
  date,
  machine,
  options,
  generator: {
    version: data.version,
    seed: data.seed,
    now: data.now,
    spans: Object.fromEntries(Object.entries(data.spans).map(([n, d]) => [n, summarize(d)])),
    small: Object.fromEntries(Object.entries(data.small).map(([n, d]) => [n, summarize(d)])),
    splits: Object.fromEntries(Object.entries(data.splits).map(([n, s]) => [n, s.meta])),
    ingest: summarize(data.ingest),
    trace: summarize(data.trace),
  },
  rows,
  table,
  details,
  seconds: Math.round((performance.now() - started) / 1000),
};
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${path.relative(process.cwd(), out)} (${results.seconds} s in all)`);

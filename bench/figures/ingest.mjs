/**
 * `tail` ingest over OTLP/HTTP protobuf: concurrent exporter loops send the generator's
 * realistic batches, three passes (new trace ids each pass) as for the baselines: the rate tail
 * sustains, as it does left running under load; spans/s acknowledged with 200, then after SIGINT
 * the store is counted (stored must equal acknowledged). One extra run of a single pass into a
 * fresh process shows the first seconds (start-up and JIT warm-up of three threads included).
 * Baselines from the same run: the bare protobuf decode of the same payloads in one process (dist
 * decodeOtlpProtoTraces) and @elastic/mockotlpserver taking the same load; and the load
 * generator's own ceiling against a server that does nothing, so it is known not to be the
 * bottleneck. Goal ≥ 100k spans/s.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { DIST, REPO, commandAvailable } from '../lib/llmtrace.mjs';
import { runLoad } from '../lib/load/run-load.mjs';
import { run } from '../lib/measure.mjs';
import { startChild } from '../lib/procs.mjs';
import { countStore } from '../lib/store-count.mjs';
import { startTail } from '../lib/tail.mjs';
import { fmt } from '../lib/table.mjs';

const GOAL = 100_000;
/** Passes over the batches for tail and the baselines alike. */
const PASSES = 3;
const LOAD = path.join(REPO, 'bench/lib/load');

/** Baselines are quick: three passes over the batches (new trace ids each pass) steady them. */
async function againstServer(script, cfg) {
  const s = startChild(process.execPath, [path.join(LOAD, script)]);
  try {
    const { port } = await s.waitFor((m) => typeof m.port === 'number', 30_000, 'the port');
    return await runLoad({ ...cfg, passes: PASSES, url: `http://127.0.0.1:${port}/v1/traces` });
  } finally {
    await s.stop('SIGTERM', 5_000);
  }
}

async function againstTail(cfg, mode, passes = PASSES) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-bench-tail-'));
  const store = path.join(dir, 'store');
  try {
    const tail = await startTail({ store, mode, eventsFile: path.join(dir, 'events.ndjson') });
    const load = await runLoad({ ...cfg, passes, url: tail.url }).catch((e) => e);
    const stopped = await tail.stop();
    if (load instanceof Error) throw load;
    const stored = countStore(store);
    const events = mode === 'json' ? statSync(path.join(dir, 'events.ndjson')).size : undefined;
    return { load, exit: { code: stopped.code, signal: stopped.signal }, peakMB: stopped.peakMB, stored: { lines: stored.lines, spans: stored.spans, badLines: stored.badLines }, eventsBytes: events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run with the median rate of `runs` (odd) runs of tail --quiet; each run must be complete. */
async function medianTailRun(cfg, runs, log) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const t = await againstTail(cfg, 'quiet');
    log(`tail --quiet run ${i + 1}/${runs}: ${fmt.rate(t.load.spansPerSecond)}, stored ${t.stored.spans}/${t.load.ackedSpans}, peak ${fmt.mb(t.peakMB)}`);
    all.push(t);
  }
  const byRate = [...all].sort((a, b) => a.load.spansPerSecond - b.load.spansPerSecond);
  return { median: byRate[(runs - 1) >> 1], all };
}

export async function ingestFigure({ data, loops = 8, workers = 1, json = true, runs = 3, log = () => {} }) {
  const rows = [];
  const file = data.ingest.file;
  const cfg = { file, loops, workers, timeoutS: 120 };
  const spans = data.ingest.totals.spans;
  const name = `tail ingest, ${loops} exporters, ${PASSES}×${(spans / 1000).toFixed(0)}k spans`;
  const details = { loops, workers, spans, batches: data.ingest.totals.batches, payloadMB: statSync(file).size / 1e6 };

  const avail = commandAvailable('tail', ['--http-port', '--no-grpc', '--quiet', '--store']);
  if (!avail.ok) {
    rows.push({ figure: name, value: 'not available yet', baseline: avail.why });
    return { rows, details: { ...details, available: false, why: avail.why } };
  }

  const ceiling = await againstServer('trivial-server.mjs', cfg);
  log(`load generator ceiling: ${fmt.rate(ceiling.spansPerSecond)}`);
  const decode = JSON.parse((await run(process.execPath, [path.join(LOAD, 'decode-baseline.mjs'), file, DIST], { timeoutMs: 300_000 })).stdout);
  log(`bare decode: ${fmt.rate(decode.spansPerSecond)}`);
  let mock;
  try {
    createRequire(import.meta.url).resolve('@elastic/mockotlpserver');
    mock = await againstServer('mock-otlp.mjs', cfg);
    log(`@elastic/mockotlpserver: ${fmt.rate(mock.spansPerSecond)}`);
  } catch (e) {
    mock = { error: e.code === 'MODULE_NOT_FOUND' ? 'not installed (npm install --save-dev @elastic/mockotlpserver@0.10.0)' : e.message };
    log(`mockotlpserver: ${mock.error}`);
  }
  // The shared machine's noise is largest here (±15%): the median of several runs.
  const { median: tail, all: tailRuns } = await medianTailRun(cfg, runs, log);
  const first = await againstTail(cfg, 'quiet', 1);
  log(`tail --quiet, one pass into a fresh process: ${fmt.rate(first.load.spansPerSecond)}`);
  const tailJson = json ? await againstTail(cfg, 'json') : undefined;
  if (tailJson) log(`tail --json: ${fmt.rate(tailJson.load.spansPerSecond)}, stored ${tailJson.stored.spans}/${tailJson.load.ackedSpans}`);
  Object.assign(details, { passes: PASSES, ceiling, decode, mock, tail, first: { spansPerSecond: first.load.spansPerSecond, stored: first.stored.spans, acked: first.load.ackedSpans }, tailRuns: tailRuns.map((t) => ({ spansPerSecond: t.load.spansPerSecond, p99: t.load.latencyMs.p99, peakMB: t.peakMB, stored: t.stored.spans, exit: t.exit.code })), tailJson });

  const rate = tail.load.spansPerSecond;
  const whole = (t, passes) => t.load.ackedSpans === spans * passes && t.stored.spans === t.load.ackedSpans && t.exit.code === 0;
  const complete = tailRuns.every((t) => whole(t, PASSES)) && whole(first, 1) && (!tailJson || whole(tailJson, PASSES));
  const rates = tailRuns.map((t) => t.load.spansPerSecond / 1000);
  const range = tailRuns.length > 1 ? ` (${tailRuns.length} runs: ${Math.min(...rates).toFixed(1)}–${Math.max(...rates).toFixed(1)}k)` : '';
  rows.push({ figure: `${name} (--quiet)`, value: `${fmt.rate(rate)}${range}`, baseline: `${fmt.rate(decode.spansPerSecond)} (bare decode, 1 core)`, ratio: fmt.ratio(rate / decode.spansPerSecond), goal: `≥ ${GOAL / 1000}k spans/s`, met: rate >= GOAL && complete });
  if (mock.spansPerSecond) rows.push({ figure: 'tail ingest vs @elastic/mockotlpserver', value: fmt.rate(rate), baseline: `${fmt.rate(mock.spansPerSecond)} (mockotlpserver)`, ratio: fmt.ratio(rate / mock.spansPerSecond), goal: 'report' });
  else rows.push({ figure: 'tail ingest vs @elastic/mockotlpserver', value: 'not measured', baseline: mock.error });
  rows.push({
    figure: 'tail: stored = acknowledged (after SIGINT)',
    value: `${tail.stored.spans.toLocaleString('en-US')} / ${tail.load.ackedSpans.toLocaleString('en-US')} spans`,
    baseline: `exit ${tail.exit.code ?? tail.exit.signal}, ${tail.load.retries} retries, ${tail.load.errors} errors`,
    goal: 'equal, exit 0 (every run)',
    met: complete,
  });
  rows.push({
    figure: `tail ingest, first ${(spans / 1000).toFixed(0)}k spans of a fresh process`,
    value: fmt.rate(first.load.spansPerSecond),
    baseline: `${fmt.rate(rate)} (sustained, above)`,
    ratio: fmt.ratio(first.load.spansPerSecond / rate),
    goal: 'report (start-up, JIT warm-up)',
  });
  rows.push({ figure: 'tail: peak RSS during ingest', value: fmt.mb(tail.peakMB), baseline: `p99 export latency ${tail.load.latencyMs.p99?.toFixed(0)} ms`, goal: 'report' });
  if (tailJson) {
    rows.push({ figure: 'tail ingest with --json events to a file', value: fmt.rate(tailJson.load.spansPerSecond), baseline: `${fmt.rate(rate)} (--quiet)`, ratio: fmt.ratio(tailJson.load.spansPerSecond / rate), goal: 'report' });
  }
  rows.push({ figure: 'load generator ceiling (no-op server)', value: fmt.rate(ceiling.spansPerSecond), baseline: `${fmt.rate(rate)} (tail)`, ratio: fmt.ratio(ceiling.spansPerSecond / rate), goal: '≥ 2× tail (not the bottleneck)', met: ceiling.spansPerSecond >= 2 * rate });
  return { rows, details };
}

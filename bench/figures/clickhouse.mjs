/**
 * `cost` over a `clickhouse://` source against `cost` over the same spans in the JSON Lines file
 * (issue #14): the 1M-span bench data loaded into a real ClickHouse engine (chdb, behind the
 * test endpoint that speaks the HTTP interface, in its own process on this machine), with the
 * exporter's value mapping. Both reports must be equal; the figure is wall time and the client's
 * peak RSS (the engine's memory is not the client's), with the CPU seconds of the engine and of
 * the client beside the file's: on a shared machine the ratio of CPU seconds is the steadier one
 * (the engine runs on the same cores). `tree --trace ID` of one trace too.
 * The engine's data directory is kept under $TMPDIR between runs (loading takes minutes).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createClient } from '@clickhouse/client';
import { BIN, CLI_ENV, DIST, REPO } from '../lib/llmtrace.mjs';
import { run } from '../lib/measure.mjs';
import { fmt } from '../lib/table.mjs';
import { exporterRow, tracesDdl } from '../../test/helpers/clickhouse/exporter.mjs';

const SPEEDUP_GOAL = 5;
const RSS_GOAL_MB = 150;
const TREE_GOAL_S = 1;
const INSERT_ROWS = 20_000;

/** CPU seconds (user + system) a process has used so far (Linux /proc; undefined elsewhere). */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function startEndpoint(dataDir) {
  const child = spawn(process.execPath, [path.join(REPO, 'test/helpers/clickhouse/endpoint.mjs'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port));
    child.once('exit', (code) => reject(new Error(`chdb endpoint exited (${code})`)));
  });
  return { port, child };
}

/** Loads the file's spans with the exporter's mapping, unless the engine holds them already. */
async function ensureLoaded(client, file, spans, log) {
  const have = await client.query({ query: "SELECT count() AS n FROM system.tables WHERE database = 'bench' AND name = 'otel_traces'", format: 'JSONEachRow' }).then((r) => r.json());
  if (Number(have[0].n) === 1) {
    const rows = await client.query({ query: 'SELECT count() AS n FROM bench.otel_traces', format: 'JSONEachRow' }).then((r) => r.json());
    if (Number(rows[0].n) === spans) return { loadedSeconds: undefined };
    await client.command({ query: 'DROP DATABASE bench' });
  }
  for (const sql of tracesDdl('bench')) await client.command({ query: sql });
  const { fileInput } = await import(path.join(DIST, 'lib/sources/inputs.js'));
  const { readSpanBatches } = await import(path.join(DIST, 'lib/sources/read.js'));
  const t0 = performance.now();
  let rows = [];
  let n = 0;
  for await (const batch of readSpanBatches([fileInput(file)], { onProblem: () => {} })) {
    for (const s of batch.spans) rows.push(exporterRow(s));
    if (rows.length >= INSERT_ROWS) {
      await client.insert({ table: 'bench.otel_traces', values: rows, format: 'JSONEachRow' });
      n += rows.length;
      rows = [];
      if (n % 200_000 < INSERT_ROWS) log(`clickhouse: loaded ${n.toLocaleString('en-US')} spans`);
    }
  }
  if (rows.length) await client.insert({ table: 'bench.otel_traces', values: rows, format: 'JSONEachRow' });
  await client.command({ query: 'OPTIMIZE TABLE bench.otel_traces FINAL' });
  return { loadedSeconds: (performance.now() - t0) / 1000 };
}

export async function clickhouseFigure({ data, timeoutMs = 900_000, log = () => {} }) {
  const sizes = Object.keys(data.spans).map(Number).sort((a, b) => a - b);
  const n = sizes[sizes.length - 1];
  const d = data.spans[n];
  const label = `cost over ClickHouse, ${(n / 1e6).toFixed(n >= 1e6 ? 0 : 1)}M spans`;
  const dataDir = path.join(os.tmpdir(), `llmtrace-bench-chdb-${data.version}-${n}`);
  const { port, child } = await startEndpoint(dataDir);
  const client = createClient({ url: `http://127.0.0.1:${port}`, request_timeout: timeoutMs });
  try {
    const { loadedSeconds } = await ensureLoaded(client, d.file, d.totals.spans, log);
    if (loadedSeconds !== undefined) log(`clickhouse: loaded in ${fmt.s(loadedSeconds)}`);
    const url = `clickhouse://127.0.0.1:${port}/bench`;
    const args = (src) => ['cost', src, '--since', '7d', '--by', 'feature,model', '--format', 'json'];
    const file = await run(process.execPath, [BIN, ...args(d.file)], { env: CLI_ENV, timeoutMs });
    log(`cost file: ${fmt.s(file.seconds)}, ${fmt.mb(file.maxRssMB)}`);
    const engineBefore = cpuOf(child.pid);
    const ch = await run(process.execPath, [BIN, ...args(url)], { env: CLI_ENV, timeoutMs });
    const engineCpu = engineBefore === undefined ? undefined : cpuOf(child.pid) - engineBefore;
    log(`cost clickhouse: ${fmt.s(ch.seconds)}, ${fmt.mb(ch.maxRssMB)}, engine CPU ${engineCpu?.toFixed(1)} s, client CPU ${ch.cpuSeconds?.toFixed(1)} s`);
    const rows = [];
    const details = { spans: d.totals.spans, loadedSeconds, loadAverage: os.loadavg(), file: { seconds: file.seconds, maxRssMB: file.maxRssMB, cpuSeconds: file.cpuSeconds }, clickhouse: { seconds: ch.seconds, maxRssMB: ch.maxRssMB, code: ch.code, engineCpuSeconds: engineCpu, clientCpuSeconds: ch.cpuSeconds } };
    if (ch.code !== 0 || file.code !== 0) {
      rows.push({ figure: label, value: 'failed', baseline: `exit ${ch.code}/${file.code}: ${(ch.stderr || file.stderr).split('\n')[0]}` });
      return { rows, details };
    }
    const same = JSON.stringify(JSON.parse(ch.stdout)) === JSON.stringify(JSON.parse(file.stdout));
    details.sameReport = same;
    const speedup = file.seconds / ch.seconds;
    rows.push({ figure: `${label} (report ${same ? 'equal to the file\'s' : 'DIFFERS from the file\'s'})`, value: `${fmt.s(ch.seconds)}`, baseline: `${fmt.s(file.seconds)} (the JSONL file)`, ratio: `${fmt.ratio(speedup)} faster`, goal: `≥ ${SPEEDUP_GOAL}× faster`, met: same && speedup >= SPEEDUP_GOAL });
    if (engineCpu !== undefined && ch.cpuSeconds !== undefined && file.cpuSeconds !== undefined) {
      const cpu = engineCpu + ch.cpuSeconds;
      rows.push({ figure: `${label}: CPU seconds, engine + client`, value: `${fmt.s(cpu)} (${fmt.s(engineCpu)} + ${fmt.s(ch.cpuSeconds)})`, baseline: `${fmt.s(file.cpuSeconds)} (the JSONL file)`, ratio: `${fmt.ratio(file.cpuSeconds / cpu)} less` });
    }
    rows.push({ figure: `${label}: client peak RSS`, value: fmt.mb(ch.maxRssMB), baseline: `${fmt.mb(file.maxRssMB)} (the JSONL file)`, goal: `≤ ${RSS_GOAL_MB} MB`, met: ch.maxRssMB <= RSS_GOAL_MB });
    const [one] = await client.query({ query: 'SELECT TraceId FROM bench.otel_traces LIMIT 1', format: 'JSONEachRow' }).then((r) => r.json());
    const tree = await run(process.execPath, [BIN, 'tree', url, '--trace', one.TraceId, '--format', 'json'], { env: CLI_ENV, stdout: 'ignore', timeoutMs });
    details.tree = { seconds: tree.seconds, maxRssMB: tree.maxRssMB, code: tree.code };
    rows.push({ figure: 'tree --trace ID over ClickHouse, 1 trace', value: tree.code === 0 ? `${fmt.s(tree.seconds)}, ${fmt.mb(tree.maxRssMB)}` : `failed: ${tree.stderr.split('\n')[0]}`, goal: `≤ ${TREE_GOAL_S} s`, met: tree.code === 0 && tree.seconds <= TREE_GOAL_S });
    return { rows, details };
  } finally {
    await client.close();
    child.kill('SIGTERM');
  }
}

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
/** The 10M row: the 1M table copied this many times, each copy's trace ids rewritten. */
const COPIES = 10;
/** "About linear": 10× the spans in at most this many times the 1M time. */
const LINEAR_GOAL = 12;

/** CPU seconds (user + system) a process has used so far (Linux /proc; undefined elsewhere). */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The engine process's peak RSS so far (MB; Linux /proc). */
function engineHwm(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
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

/**
 * The 1M table copied COPIES times into `bench10`, copy c with its trace ids' first byte set to c
 * (span ids stay: they are unique within a trace), so traces stay whole and distinct — checked
 * with uniqExact, since two ids differing only in their first byte would merge. Timestamps are
 * kept: every report of it is COPIES times the 1M one.
 */
async function ensureCopies(client, spans, log) {
  const count = async (q) => Number((await client.query({ query: q, format: 'JSONEachRow' }).then((r) => r.json()))[0].n);
  if ((await count("SELECT count() AS n FROM system.tables WHERE database = 'bench10' AND name = 'otel_traces'")) === 1) {
    if ((await count('SELECT count() AS n FROM bench10.otel_traces')) === spans * COPIES) return { loadedSeconds: undefined };
    await client.command({ query: 'DROP DATABASE bench10' });
  }
  const t0 = performance.now();
  for (const sql of tracesDdl('bench10')) await client.command({ query: sql });
  for (let c = 0; c < COPIES; c++) {
    await client.command({
      query: `INSERT INTO bench10.otel_traces SELECT * REPLACE (concat(lower(hex(toUInt8(${c}))), substring(TraceId, 3)) AS TraceId) FROM bench.otel_traces`,
    });
    log(`clickhouse: copied the 1M spans ${c + 1} of ${COPIES} times`);
  }
  const traces = await count('SELECT uniqExact(TraceId) AS n FROM bench.otel_traces');
  const copied = await count('SELECT uniqExact(TraceId) AS n FROM bench10.otel_traces');
  if (copied !== traces * COPIES) throw new Error(`the ${COPIES} copies hold ${copied} traces, not ${traces * COPIES}: some trace ids differ only in their first byte`);
  return { loadedSeconds: (performance.now() - t0) / 1000 };
}

/** Whether `big` is `k` times `small` row by row: counts exact, costs to 1e-9 USD per row (scaled). */
function timesReport(big, small, k) {
  const rows = (r) => [...r.rows, r.total, ...(r.unpriced ?? [])];
  const [b, s] = [rows(big), rows(small)];
  if (b.length !== s.length) return false;
  return b.every((row, i) =>
    Object.entries(s[i]).every(([key, v]) => {
      const w = row[key];
      if (typeof v !== 'number') return JSON.stringify(v) === JSON.stringify(w);
      return key === 'cost' || key === 'reportedCost' ? Math.abs(w - k * v) <= 1e-9 * k * Math.max(1, Math.abs(v)) : w === k * v;
    }),
  );
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
    // A build to compare with in the same run (e.g. main's), on the same engine and data.
    const before = process.env.BENCH_CLICKHOUSE_BEFORE;
    if (before) {
      const engine0 = cpuOf(child.pid);
      const old = await run(process.execPath, [before, ...args(url)], { env: CLI_ENV, timeoutMs });
      const oldEngine = engine0 === undefined ? undefined : cpuOf(child.pid) - engine0;
      const oldSame = old.code === 0 && JSON.stringify(JSON.parse(old.stdout)) === JSON.stringify(JSON.parse(file.stdout));
      details.before = { bin: before, seconds: old.seconds, maxRssMB: old.maxRssMB, engineCpuSeconds: oldEngine, clientCpuSeconds: old.cpuSeconds, sameReport: oldSame };
      rows.push({ figure: `${label}, before (${before}; report ${oldSame ? 'equal' : 'DIFFERS'})`, value: `${fmt.s(old.seconds)}, CPU ${fmt.s((oldEngine ?? NaN) + (old.cpuSeconds ?? NaN))} (${fmt.s(oldEngine)} + ${fmt.s(old.cpuSeconds)})`, baseline: `${fmt.s(ch.seconds)} now`, ratio: `${fmt.ratio(old.seconds / ch.seconds)} faster now` });
    }
    // 10× the spans: no file run at 10M (it would take minutes and the file path's own growth is
    // measured by the cost-lint rows); the 10M report must be 10× the 1M one.
    const { loadedSeconds: copiedSeconds } = await ensureCopies(client, d.totals.spans, log);
    if (copiedSeconds !== undefined) log(`clickhouse: 10M spans copied in ${fmt.s(copiedSeconds)}`);
    const engine10 = cpuOf(child.pid);
    const big = await run(process.execPath, [BIN, ...args(`clickhouse://127.0.0.1:${port}/bench10`)], { env: CLI_ENV, timeoutMs });
    const bigEngine = engine10 === undefined ? undefined : cpuOf(child.pid) - engine10;
    log(`cost clickhouse 10M: ${fmt.s(big.seconds)}, ${fmt.mb(big.maxRssMB)}, engine CPU ${bigEngine?.toFixed(1)} s`);
    const bigSame = big.code === 0 && timesReport(JSON.parse(big.stdout), JSON.parse(ch.stdout), COPIES);
    const growth = big.seconds / ch.seconds;
    details.tenfold = { spans: d.totals.spans * COPIES, copiedSeconds, seconds: big.seconds, maxRssMB: big.maxRssMB, code: big.code, engineCpuSeconds: bigEngine, clientCpuSeconds: big.cpuSeconds, engineHwmMB: engineHwm(child.pid), timesReport: bigSame };
    rows.push({
      figure: `cost over ClickHouse, ${((d.totals.spans * COPIES) / 1e6).toFixed(0)}M spans (${COPIES} copies of the 1M; report ${bigSame ? `${COPIES}× the 1M's` : 'NOT 10× the 1M\'s'}; no file run)`,
      value: big.code === 0 ? `${fmt.s(big.seconds)}, engine CPU ${fmt.s(bigEngine)}, client ${fmt.mb(big.maxRssMB)}, engine peak ${fmt.mb(details.tenfold.engineHwmMB)}` : `failed: ${big.stderr.split('\n')[0]}`,
      baseline: `${fmt.s(ch.seconds)}, engine CPU ${fmt.s(engineCpu)} (1M)`,
      ratio: `${fmt.ratio(growth)} the time for ${COPIES}× the spans`,
      goal: `≤ ${LINEAR_GOAL}× (about linear)`,
      met: bigSame && growth <= LINEAR_GOAL,
    });
    return { rows, details };
  } finally {
    await client.close();
    child.kill('SIGTERM');
  }
}

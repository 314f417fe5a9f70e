#!/usr/bin/env node
/**
 * The load generator: `loops` concurrent exporter loops (spread over `workers` threads), each
 * POSTing the next protobuf batch to an OTLP/HTTP /v1/traces endpoint over keep-alive
 * connections (undici), as an SDK's BatchSpanProcessor does: one export at a time per loop, the
 * next once the previous is answered; 429/503 are retried after a pause, like the SDK's
 * exporter. Optionally paced to `rate` spans/s; `passes` > 1 or `cycle` (until `durationS`)
 * send the batches again with rewritten trace ids, so every pass is new traces.
 *
 *   node bench/lib/load/loadgen.mjs '<json config>'
 * Config: { url, file, loops = 8, workers = 1, offset = 0, frames?, passes = 1, cycle = false, durationS?, rate?,
 *           timeoutS = 120, progressMs?, record = false, retryMs = 50 }
 * stdout (NDJSON): {"event":"ready"}, {"event":"progress",…}, {"event":"done",…}. SIGTERM ends
 * the run early (in-flight requests get a second to finish) and still reports "done". With
 * `record`, "done" lists the acknowledged requests as pass × frames + index (from `offset`).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { frameForCycle, loadFrames } from './frames.mjs';

const now = () => performance.timeOrigin + performance.now();

if (isMainThread) await main();
else await workerMain();

async function main() {
  const cfg = { loops: 8, workers: 1, cycle: false, timeoutS: 120, record: false, retryMs: 50, ...JSON.parse(process.argv[2]) };
  const frames = loadFrames(cfg.file).slice(cfg.offset ?? 0);
  const count = Math.min(cfg.frames ?? frames.length, frames.length);
  const spansPerPass = frames.slice(0, count).reduce((s, f) => s + f.spans, 0);
  // Shared: [next frame index to claim, stop flag].
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const startAt = now() + 100;
  const workers = [];
  const progress = Array.from({ length: cfg.workers }, () => ({ ackedSpans: 0, requests: 0, errors: 0, retries: 0 }));
  const results = [];
  for (let w = 0; w < cfg.workers; w++) {
    const loops = Math.floor(cfg.loops / cfg.workers) + (w < cfg.loops % cfg.workers ? 1 : 0);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { cfg, count, loops, shared, startAt, spansPerPass } });
    worker.on('message', (m) => {
      if (m.type === 'progress') progress[w] = m.stats;
      else if (m.type === 'done') results.push(m.stats);
    });
    workers.push(new Promise((resolve, reject) => worker.on('exit', resolve).on('error', reject)));
  }
  process.stdout.write(`${JSON.stringify({ event: 'ready', frames: count, spansPerPass, loops: cfg.loops, workers: cfg.workers })}\n`);
  const stop = () => Atomics.store(shared, 1, 1);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const hardStop = setTimeout(stop, cfg.timeoutS * 1000);
  const ticker = cfg.progressMs
    ? setInterval(() => {
        const sum = (k) => progress.reduce((s, p) => s + p[k], 0);
        process.stdout.write(`${JSON.stringify({ event: 'progress', t: (now() - startAt) / 1000, ackedSpans: sum('ackedSpans'), requests: sum('requests'), errors: sum('errors'), retries: sum('retries') })}\n`);
      }, cfg.progressMs)
    : undefined;
  await Promise.all(workers);
  clearTimeout(hardStop);
  clearInterval(ticker);
  const sum = (k) => results.reduce((s, r) => s + r[k], 0);
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : null);
  const first = Math.min(...results.map((r) => r.firstSend ?? Infinity));
  const last = Math.max(...results.map((r) => r.lastAck ?? -Infinity));
  const seconds = Number.isFinite(first) && Number.isFinite(last) ? (last - first) / 1000 : 0;
  const ackedSpans = sum('ackedSpans');
  const done = {
    event: 'done',
    ackedSpans,
    ackedRequests: sum('ackedRequests'),
    requests: sum('requests'),
    errors: sum('errors'),
    retries: sum('retries'),
    statuses: results.reduce((o, r) => {
      for (const [k, v] of Object.entries(r.statuses)) o[k] = (o[k] ?? 0) + v;
      return o;
    }, {}),
    seconds,
    spansPerSecond: seconds > 0 ? ackedSpans / seconds : 0,
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies[latencies.length - 1] ?? null },
    stopped: Atomics.load(shared, 1) === 1,
    firstErrors: results.flatMap((r) => r.firstErrors).slice(0, 5),
  };
  if (cfg.record) done.acked = results.flatMap((r) => r.acked).sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify(done)}\n`);
}

async function workerMain() {
  const { Pool } = await import('undici');
  const { cfg, count, loops, shared, startAt, spansPerPass } = workerData;
  const frames = loadFrames(cfg.file).slice(cfg.offset ?? 0).slice(0, count);
  const cum = [];
  let acc = 0;
  for (const f of frames) {
    cum.push(acc);
    acc += f.spans;
  }
  const url = new URL(cfg.url);
  const pool = new Pool(url.origin, { connections: loops, pipelining: 1, keepAliveTimeout: 30_000 });
  const stats = { ackedSpans: 0, ackedRequests: 0, requests: 0, errors: 0, retries: 0, statuses: {}, latencies: [], firstSend: undefined, lastAck: undefined, acked: [], firstErrors: [] };
  const deadline = cfg.durationS ? startAt + cfg.durationS * 1000 : Infinity;
  const stopped = () => Atomics.load(shared, 1) === 1 || now() >= deadline;
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const report = setInterval(() => parentPort.postMessage({ type: 'progress', stats: { ackedSpans: stats.ackedSpans, requests: stats.requests, errors: stats.errors, retries: stats.retries } }), 250);

  async function loop() {
    if (now() < startAt) await wait(startAt - now());
    for (;;) {
      if (stopped()) return;
      const k = Atomics.add(shared, 0, 1);
      const cycle = Math.floor(k / count);
      if (!cfg.cycle && cycle >= (cfg.passes ?? 1)) return;
      const i = k % count;
      const frame = frames[i];
      if (cfg.rate) {
        const at = startAt + ((cycle * spansPerPass + cum[i]) / cfg.rate) * 1000;
        if (at > now()) await wait(at - now());
        if (stopped()) return;
      }
      const body = frameForCycle(frame, cycle);
      for (;;) {
        const t0 = now();
        stats.firstSend ??= t0;
        stats.requests++;
        let status;
        try {
          const res = await pool.request({ path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
          status = res.statusCode;
          await res.body.dump();
        } catch (e) {
          stats.errors++;
          if (stats.firstErrors.length < 5) stats.firstErrors.push(String(e?.code ?? e?.message ?? e));
        }
        if (status !== undefined) stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (status === 200) {
          const t1 = now();
          stats.latencies.push(t1 - t0);
          stats.lastAck = t1;
          stats.ackedSpans += frame.spans;
          stats.ackedRequests++;
          if (cfg.record) stats.acked.push(k);
          break;
        }
        if (stopped()) return;
        stats.retries++;
        await wait(cfg.retryMs);
      }
    }
  }

  await Promise.all(Array.from({ length: loops }, loop));
  clearInterval(report);
  // Let in-flight work end; do not wait long for a dead server.
  await Promise.race([pool.close(), wait(1000)]);
  parentPort.postMessage({ type: 'done', stats });
}

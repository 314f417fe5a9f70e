/**
 * A slow `--forward` target (a local server answering each request after 2 s) must not slow
 * the exporters: the same steady load into `tail` with and without it, export latency compared.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandAvailable } from '../lib/llmtrace.mjs';
import { runLoad } from '../lib/load/run-load.mjs';
import { startChild } from '../lib/procs.mjs';
import { startTail } from '../lib/tail.mjs';
import { fmt } from '../lib/table.mjs';

const TRIVIAL = path.join(path.dirname(fileURLToPath(import.meta.url)), '../lib/load/trivial-server.mjs');
const SLOWER = 1.5;

async function phase({ data, forward, seconds, rate, loops }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-fwd-'));
  try {
    const events = path.join(dir, 'events.ndjson');
    const tail = await startTail({ store: path.join(dir, 'store'), mode: 'json', eventsFile: events, forward });
    const load = await runLoad({ file: data.ingest.file, url: tail.url, loops, cycle: true, durationS: seconds, rate, timeoutS: seconds + 30 });
    const t0 = Date.now();
    const stopped = await tail.stop();
    const stopSeconds = (Date.now() - t0) / 1000;
    const lines = readFileSync(events, 'utf8').trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]);
    return { load, stopSeconds, exit: stopped.code, forward: summary.forward ?? summary.session?.forward ?? null, summaryEvent: summary.event };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function forwardTest({ data, seconds = 20, rate = 5_000, loops = 8, delayMs = 2_000, log = () => {} }) {
  const avail = commandAvailable('tail', ['--forward', '--json']);
  if (!avail.ok) return { rows: [{ figure: 'slow --forward target', value: 'not available yet', baseline: avail.why }], details: { available: false } };
  const slow = startChild(process.execPath, [TRIVIAL, '--delay-ms', String(delayMs)]);
  try {
    const { port } = await slow.waitFor((m) => typeof m.port === 'number', 30_000, 'the port');
    const without = await phase({ data, seconds, rate, loops });
    log(`forward: without: p50 ${without.load.latencyMs.p50?.toFixed(1)} ms, p99 ${without.load.latencyMs.p99?.toFixed(1)} ms`);
    const withSlow = await phase({ data, seconds, rate, loops, forward: `http://127.0.0.1:${port}` });
    log(`forward: with a ${delayMs} ms target: p50 ${withSlow.load.latencyMs.p50?.toFixed(1)} ms, p99 ${withSlow.load.latencyMs.p99?.toFixed(1)} ms, ${JSON.stringify(withSlow.forward)}`);
    const p99 = withSlow.load.latencyMs.p99 / without.load.latencyMs.p99;
    const rateA = without.load.ackedSpans / without.load.seconds;
    const rateB = withSlow.load.ackedSpans / withSlow.load.seconds;
    const fw = withSlow.forward;
    const rows = [
      { figure: `slow --forward (${delayMs / 1000} s/request): export p99`, value: `${withSlow.load.latencyMs.p99.toFixed(1)} ms`, baseline: `${without.load.latencyMs.p99.toFixed(1)} ms (no forward)`, ratio: fmt.ratio(p99), goal: `≤ ${SLOWER}×`, met: p99 <= SLOWER },
      { figure: 'slow --forward: export p50', value: `${withSlow.load.latencyMs.p50.toFixed(1)} ms`, baseline: `${without.load.latencyMs.p50.toFixed(1)} ms (no forward)`, ratio: fmt.ratio(withSlow.load.latencyMs.p50 / without.load.latencyMs.p50), goal: 'report' },
      { figure: 'slow --forward: rate held', value: fmt.rate(rateB), baseline: `${fmt.rate(rateA)} (no forward)`, ratio: fmt.ratio(rateB / rateA), goal: '≥ 0.95×', met: rateB >= 0.95 * rateA },
      { figure: 'slow --forward: tail stops', value: `exit ${withSlow.exit} in ${fmt.s(withSlow.stopSeconds)}`, baseline: fw ? `forwarded ${fw.forwarded}, failed ${fw.failed}, dropped ${fw.dropped}` : 'no forward stats in the summary', goal: 'exit 0', met: withSlow.exit === 0 },
    ];
    return { rows, details: { seconds, rate, loops, delayMs, without, withSlow } };
  } finally {
    await slow.stop('SIGTERM', 5_000);
  }
}

/**
 * Continuous export into `tail` for `seconds` at a steady `rate` (batches re-sent with new trace
 * ids), sampling tail's RSS every few seconds: memory must stay flat (last minute against the
 * first), the rate must hold, and the store must hold every acknowledged span.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLoad } from '../lib/load/run-load.mjs';
import { median, sleep } from '../lib/measure.mjs';
import { countStore } from '../lib/store-count.mjs';
import { startTail } from '../lib/tail.mjs';
import { fmt } from '../lib/table.mjs';

const FLAT = 1.2;

export async function soak({ data, seconds = 300, rate = 10_000, loops = 8, sampleMs = 3_000, log = () => {} }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-soak-'));
  const store = path.join(dir, 'store');
  try {
    const tail = await startTail({ store });
    const samples = [];
    const t0 = Date.now();
    const load = startLoad({ file: data.ingest.file, url: tail.url, loops, cycle: true, durationS: seconds, rate, timeoutS: seconds + 60, progressMs: 10_000 }, { onProgress: (p) => log(`soak ${p.t.toFixed(0)} s: ${p.ackedSpans.toLocaleString('en-US')} spans acknowledged, tail RSS ${fmt.mb(samples.at(-1)?.rssMB)}`) });
    let done = false;
    const result = load.result.finally(() => (done = true));
    while (!done) {
      samples.push({ t: (Date.now() - t0) / 1000, rssMB: tail.memory().rssMB });
      await Promise.race([sleep(sampleMs), result]);
    }
    const r = await result;
    const stopped = await tail.stop();
    log(`soak: counting the store…`);
    const stored = countStore(store);
    const window = Math.min(60, seconds / 4);
    const first = median(samples.filter((s) => s.t <= window).map((s) => s.rssMB));
    const last = median(samples.filter((s) => s.t >= seconds - window).map((s) => s.rssMB));
    const growth = last / first;
    // A plateau (bounded caches filling) and a leak differ in the second half: flat vs still rising.
    const mid = median(samples.filter((s) => s.t >= seconds / 2 && s.t <= seconds / 2 + window).map((s) => s.rssMB));
    const achieved = r.ackedSpans / r.seconds;
    const rows = [
      { figure: `soak ${seconds} s at ${(rate / 1000).toFixed(0)}k spans/s: tail RSS`, value: `${fmt.mb(last)} (last ${window.toFixed(0)} s)`, baseline: `${fmt.mb(first)} (first ${window.toFixed(0)} s)`, ratio: fmt.ratio(growth), goal: `flat, ≤ ${FLAT}×`, met: growth <= FLAT },
      { figure: 'soak: tail RSS, second half', value: `${fmt.mb(last)} (last ${window.toFixed(0)} s)`, baseline: `${fmt.mb(mid)} (from ${(seconds / 2).toFixed(0)} s)`, ratio: fmt.ratio(last / mid), goal: 'report (≈1× = plateau)' },
      { figure: 'soak: rate sustained', value: fmt.rate(achieved), baseline: `${fmt.rate(rate)} (offered)`, ratio: fmt.ratio(achieved / rate), goal: '≥ 0.95×', met: achieved >= 0.95 * rate },
      { figure: 'soak: stored = acknowledged', value: `${stored.spans.toLocaleString('en-US')} / ${r.ackedSpans.toLocaleString('en-US')} spans`, baseline: `exit ${stopped.code ?? stopped.signal}, p99 latency ${r.latencyMs.p99?.toFixed(0)} ms, ${r.retries} retries`, goal: 'equal, exit 0', met: stored.spans === r.ackedSpans && stopped.code === 0 },
    ];
    return { rows, details: { seconds, rate, loops, samples, firstMB: first, midMB: mid, lastMB: last, peakMB: stopped.peakMB, load: r, stored: { lines: stored.lines, spans: stored.spans, badLines: stored.badLines }, exit: stopped.code } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

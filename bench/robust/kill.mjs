/**
 * `kill -9` of `tail` in the middle of a load, then a restart on the same store and more load:
 * every span acknowledged with 200 must be in the store; at most the line being written when the
 * process died is cut; llmtrace must read the store, skipping only that line.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { BIN, CLI_ENV, DIST } from '../lib/llmtrace.mjs';
import { loadFrames, spanKeys } from '../lib/load/frames.mjs';
import { startLoad } from '../lib/load/run-load.mjs';
import { run, sleep } from '../lib/measure.mjs';
import { countStore } from '../lib/store-count.mjs';
import { startTail } from '../lib/tail.mjs';

/** llmtrace's own reader over the store (dist): spans read and problems reported. */
async function readWithLlmtrace(store) {
  const { openSources } = await import(pathToFileURL(path.join(DIST, 'lib/sources/open.js')).href);
  let messages = '';
  const stderr = new Writable({ write: (c, _e, cb) => ((messages += c), cb()) });
  const opened = await openSources({ sources: [], store, stderr });
  let spans = 0;
  for await (const b of opened.batches) spans += b.spans.length;
  const fin = opened.finish();
  return { spans, badRecords: opened.stats.badRecords, summary: fin.summary, unusable: fin.unusable, messages: messages.trim().split('\n').filter(Boolean).slice(0, 3) };
}

export async function killTest({ data, loops = 8, killAfter = 0.4, log = () => {} }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-kill-'));
  const store = path.join(dir, 'store');
  const file = data.ingest.file;
  const frames = loadFrames(file, { inspect: false });
  try {
    // Phase 1: load, then SIGKILL once `killAfter` of the spans are acknowledged.
    const a = await startTail({ store });
    let acked = 0;
    const load1 = startLoad({ file, url: a.url, loops, record: true, progressMs: 100, timeoutS: 120, retryMs: 20 }, { onProgress: (p) => (acked = p.ackedSpans) });
    const target = killAfter * data.ingest.totals.spans;
    const until = Date.now() + 60_000;
    while (acked < target && Date.now() < until) await sleep(20);
    await a.kill9();
    log(`kill: SIGKILL after ${acked.toLocaleString('en-US')} spans acknowledged`);
    await sleep(300);
    load1.stop();
    const r1 = await load1.result;
    const afterKill = countStore(store);
    log(`kill: store after the kill: ${afterKill.lines} lines, ${afterKill.badLines} cut, ${afterKill.spans.toLocaleString('en-US')} spans; ${r1.ackedSpans.toLocaleString('en-US')} acknowledged`);

    // Each store line is one write(2), which SIGKILL does not tear: the kill almost always falls
    // between two lines. Then cut the last line by hand (as a torn write would leave it), so the
    // restart's "start with a newline" and the readers' skip of a cut line are exercised too.
    // The killed tail leaves its store lock: the restart below takes it over (stale holder).
    let simulatedCut = false;
    if (afterKill.badLines === 0) {
      const name = readdirSync(store).filter((n) => /^traces-.*\.jsonl$/.test(n)).sort().at(-1);
      const lines = readFileSync(path.join(store, name), 'utf8').split('\n').filter(Boolean);
      appendFileSync(path.join(store, name), lines[lines.length - 1].slice(0, 2000));
      simulatedCut = true;
      log('kill: no line was cut by the kill; appended a torn copy of the last line');
    }

    // Phase 2: restart on the same store, send batches the first run never got to.
    const offset = Math.min(frames.length - 1, (r1.acked.at(-1) ?? 0) + loops + 1);
    const b = await startTail({ store });
    const r2 = await startLoad({ file, url: b.url, loops, record: true, offset, frames: Math.min(200, frames.length - offset), timeoutS: 60 }).result;
    const stopB = await b.stop();
    log(`kill: restarted tail took ${r2.ackedSpans.toLocaleString('en-US')} more spans, exit ${stopB.code}`);

    // Every acknowledged span must be in the store.
    const final = countStore(store, { keys: true });
    let ackedSpans = 0;
    let missing = 0;
    for (const [r, base] of [[r1, 0], [r2, offset]]) {
      for (const k of r.acked) {
        for (const key of spanKeys(frames[base + k].body)) {
          ackedSpans++;
          if (!final.keys.has(key)) missing++;
        }
      }
    }
    const read = await readWithLlmtrace(store);
    const tree = await run(process.execPath, [BIN, 'tree', '--store', store, '--last', '1', '--format', 'json'], { env: CLI_ENV, stdout: 'ignore', timeoutMs: 120_000 });
    const inFlight = final.spans - ackedSpans;
    const rows = [
      { figure: 'kill -9 mid-load: acknowledged spans lost', value: `${missing} of ${ackedSpans.toLocaleString('en-US')}`, baseline: `${inFlight} spans stored but unacknowledged (in flight)`, goal: '0', met: missing === 0 },
      { figure: 'kill -9: lines cut in the store', value: String(final.badLines), baseline: simulatedCut ? 'the kill fell between two writes; 1 torn line simulated' : (afterKill.badLineSamples[0] ?? ''), goal: '≤ 1', met: final.badLines <= 1 },
      { figure: 'kill -9: restart on the same store', value: `exit ${stopB.code}, +${r2.ackedSpans.toLocaleString('en-US')} spans`, baseline: `llmtrace reads ${read.spans.toLocaleString('en-US')} of ${final.spans.toLocaleString('en-US')} spans, ${read.badRecords} bad line(s)`, goal: 'reads all but the cut line', met: stopB.code === 0 && read.spans === final.spans && read.badRecords === final.badLines },
      { figure: 'kill -9: llmtrace tree --store after restart', value: `exit ${tree.code}`, baseline: (tree.stderr.split('\n').find((l) => l.trim()) ?? '(no warning)').replace(store, '<store>').slice(0, 100), goal: 'exit 0', met: tree.code === 0 },
    ];
    return { rows, details: { killedAfterAckedSpans: acked, phase1: { ...r1, acked: r1.acked.length }, phase2: { ...r2, acked: r2.acked.length, offset }, afterKill: { ...afterKill, keys: undefined }, simulatedCut, final: { ...final, keys: undefined }, ackedSpans, missing, read, tree: { code: tree.code, stderr: tree.stderr.slice(0, 500) } } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

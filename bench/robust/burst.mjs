/**
 * A burst of large exports (issue #17 item 3): `clients` concurrent ~19 MB OTLP/JSON posts (valid
 * spans, unique ids) into `tail` with a store. Refused posts (429/503) are retried after their
 * Retry-After, as an SDK's exporter does, within a bounded time. Figures: tail's peak RSS (the
 * cap on bytes in flight should hold it), its RSS 10–40 s after the burst (memory given back),
 * and every span acknowledged with 200 found in the store.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../lib/measure.mjs';
import { countStore } from '../lib/store-count.mjs';
import { startTail } from '../lib/tail.mjs';
import { fmt } from '../lib/table.mjs';

const PEAK_GOAL_MB = 600;
/** What main measured before the cap (issue #17): 60 × 18.9 MB drove tail to 3.06 GB, 1.07 GB held 40 s later. */
const BEFORE = { peakMB: 3060, afterMB: 1070 };

const hex = (n, width) => n.toString(16).padStart(width, '0');
const FILLER = 'Summarize the attached quarterly report for the board, section by section. '.repeat(20);

/** One ExportTraceServiceRequest as OTLP/JSON, ~`bytes` long; ids unique per (client, span). */
function exportBody(client, bytes) {
  const spans = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const traceId = hex(client, 8) + hex(Math.floor(i / 8) + 1, 24);
    const spanId = hex(client, 4) + hex(i + 1, 12);
    const start = 1_750_000_000_000_000_000n + BigInt(i) * 1_000_000n;
    const span = JSON.stringify({
      traceId,
      spanId,
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 900_000_000n),
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.system', value: { stringValue: 'openai' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: String(1000 + (i % 500)) } },
        { key: 'gen_ai.usage.output_tokens', value: { intValue: String(100 + (i % 50)) } },
        { key: 'gen_ai.prompt', value: { stringValue: FILLER } },
      ],
      status: {},
    });
    spans.push(span);
    size += span.length + 1;
  }
  const json = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"burst-${client}"}}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[${spans.join(',')}]}]}]}`;
  return { body: Buffer.from(json), spans: spans.length };
}

/**
 * One POST on the client's keep-alive connection (as SDK exporters keep theirs); `chunked` sends
 * it without Content-Length (as exporters that stream do).
 */
function post(url, body, chunked, agent) {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = String(body.length);
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
      res.on('error', () => resolve({ status: 'error' }));
    });
    req.on('error', (e) => resolve({ status: `error ${e.code ?? e.message}` }));
    if (chunked) {
      for (let at = 0; at < body.length; at += 1 << 20) req.write(body.subarray(at, at + (1 << 20)));
      req.end();
    } else req.end(body);
  });
}

/**
 * Until 200 or a non-retryable answer; refusals wait Retry-After (else 1 s; network errors too,
 * as exporters retry them), until `deadline`.
 */
async function exportWithRetry(url, body, chunked, deadline, stats) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await attempts(url, body, chunked, deadline, stats, agent);
  } finally {
    agent.destroy();
  }
}

async function attempts(url, body, chunked, deadline, stats, agent) {
  for (let attempt = 1; ; attempt++) {
    const r = await post(url, body, chunked, agent);
    stats.answers[r.status] = (stats.answers[r.status] ?? 0) + 1;
    if (r.status === 200) return { ok: true, attempts: attempt };
    const retryable = r.status === 429 || r.status === 503 || String(r.status).startsWith('error');
    const waitMs = Math.max(0, Number(r.retryAfter ?? 1)) * 1000;
    if (!retryable || Date.now() + waitMs > deadline) return { ok: false, attempts: attempt, last: r.status };
    await sleep(waitMs);
  }
}

export async function burstTest({ clients = 60, bodyBytes = 18.9e6, retryForS = 180, afterS = 40, tailArgs = [], log = () => {} }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-burst-'));
  const store = path.join(dir, 'store');
  try {
    const tail = await startTail({ store, args: tailArgs });
    const idleMB = tail.memory().rssMB;
    log(`burst: building ${clients} bodies of ~${(bodyBytes / 1e6).toFixed(1)} MB…`);
    const bodies = Array.from({ length: clients }, (_, c) => exportBody(c + 1, bodyBytes));
    const samples = [];
    let sampling = true;
    const t0 = Date.now();
    const sampler = (async () => {
      while (sampling) {
        samples.push({ t: (Date.now() - t0) / 1000, rssMB: tail.memory().rssMB });
        await sleep(200);
      }
    })();
    const stats = { answers: {} };
    const deadline = Date.now() + retryForS * 1000;
    // Half of the clients send Content-Length, half stream chunked: both ways of reserving.
    const results = await Promise.all(bodies.map((b, c) => exportWithRetry(tail.url, b.body, c % 2 === 1, deadline, stats)));
    const burstS = (Date.now() - t0) / 1000;
    const peakDuringMB = Math.max(...samples.map((s) => s.rssMB));
    bodies.forEach((b, c) => (b.body = results[c].ok ? null : b.body)); // the bench's own memory
    log(`burst: ${results.filter((r) => r.ok).length}/${clients} accepted in ${burstS.toFixed(1)} s; answers ${JSON.stringify(stats.answers)}; tail RSS peak ${fmt.mb(peakDuringMB)}`);
    const after = {};
    for (const at of [10, 20, 30, afterS]) {
      await sleep(Math.max(0, t0 + burstS * 1000 + at * 1000 - Date.now()));
      after[at] = tail.memory().rssMB;
      log(`burst: tail RSS ${at} s after the burst: ${fmt.mb(after[at])}`);
    }
    sampling = false;
    await sampler;
    const stopped = await tail.stop();
    const stored = countStore(store, { keys: true });
    let ackedSpans = 0;
    let missing = 0;
    bodies.forEach((b, c) => {
      if (!results[c].ok) return;
      for (let i = 0; i < b.spans; i++) {
        ackedSpans++;
        if (!stored.keys.has(`${hex(c + 1, 8) + hex(Math.floor(i / 8) + 1, 24)}/${hex(c + 1, 4) + hex(i + 1, 12)}`)) missing++;
      }
    });
    const refused = (stats.answers[503] ?? 0) + (stats.answers[429] ?? 0);
    const errors = Object.entries(stats.answers).filter(([k]) => k.startsWith('error')).reduce((n, [, v]) => n + v, 0);
    const gaveUp = results.filter((r) => !r.ok).length;
    const attempts = results.map((r) => r.attempts);
    const rows = [
      { figure: `burst ${clients}×${(bodyBytes / 1e6).toFixed(1)} MB JSON: tail peak RSS`, value: fmt.mb(stopped.peakMB), baseline: `${fmt.mb(BEFORE.peakMB)} on main, no cap (issue #17)`, ratio: fmt.ratio(stopped.peakMB / BEFORE.peakMB), goal: `≤ ${PEAK_GOAL_MB} MB`, met: stopped.peakMB <= PEAK_GOAL_MB },
      { figure: `burst: tail RSS 10 s / ${afterS} s after`, value: `${fmt.mb(after[10])} / ${fmt.mb(after[afterS])}`, baseline: `${fmt.mb(BEFORE.afterMB)} 40 s after on main; ${fmt.mb(idleMB)} idle before`, goal: 'report (memory given back)' },
      { figure: 'burst: acknowledged spans in the store', value: `${missing} missing of ${ackedSpans.toLocaleString('en-US')}`, baseline: `${stored.spans.toLocaleString('en-US')} stored, exit ${stopped.code ?? stopped.signal}`, goal: '0 missing, exit 0', met: missing === 0 && stopped.code === 0 },
      { figure: 'burst: refusals (retried after Retry-After)', value: `${refused} refused, ${errors} connection errors, ${gaveUp} of ${clients} gave up`, baseline: `${burstS.toFixed(1)} s; attempts max ${Math.max(...attempts)}, answers ${JSON.stringify(stats.answers)}`, goal: `all accepted within ${retryForS} s`, met: gaveUp === 0 },
    ];
    return { rows, details: { clients, bodyBytes, spansPerBody: bodies.map((b) => b.spans), idleMB, peakMB: stopped.peakMB, peakDuringMB, after, burstS, answers: stats.answers, attempts, ackedSpans, missing, stored: { lines: stored.lines, spans: stored.spans, badLines: stored.badLines }, exit: stopped.code, samples } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

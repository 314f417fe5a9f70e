/**
 * `llmtrace stats` over OTLP metrics as a user runs it (the built binary): a dump and the
 * store's metrics files, every format marking the interpolated figures, a service with both
 * spans and metrics kept to its spans, and bad metrics lines named by file and line while the
 * rest is read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { otlpJsonToPb } from '../../src/lib/otlp/pb-json.js';
import { requestType } from '../../src/lib/otlp/signals.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';
import { startTail } from '../helpers/tail-process.js';
import type { StatsReport } from '../../src/lib/stats/report.js';
import { CUMULATIVE, jsonl, metricsRequest, T0, type PointSpec } from './metrics-fixtures.js';

const MIN = 60_000;
const BOUNDS = [0.1, 0.5, 1, 5];

/**
 * 10 calls of metrics-svc in two delta exports: buckets (≤0.1, ≤0.5, ≤1, ≤5, >5 s) [1, 3, 4, 2, 0],
 * two of them failed with 429; 4 streamed with TTFT buckets (≤0.25, ≤0.5, >0.5 s) [1, 2, 1].
 */
const METRICS_ONLY: PointSpec[] = [
  { timeMs: T0 + MIN, bounds: BOUNDS, counts: [1, 2, 2, 0, 0] },
  { timeMs: T0 + 2 * MIN, bounds: BOUNDS, counts: [0, 1, 1, 1, 0] },
  { timeMs: T0 + 2 * MIN, bounds: BOUNDS, counts: [0, 0, 1, 1, 0], errorType: '429' },
  { metric: 'gen_ai.client.operation.time_to_first_chunk', timeMs: T0 + 2 * MIN, bounds: [0.25, 0.5], counts: [1, 2, 1] },
  { metric: 'gen_ai.client.token.usage', tokenType: 'output', timeMs: T0 + 2 * MIN, bounds: [100], counts: [10, 0], sum: 420 },
];

// Worked out by hand from the buckets above (ms):
// latency p50: rank 5; 4 below (0.5, 1], the 5th is the 1st of 4 → 500 + 500·1/4 = 625.
// latency p95 and p99: rank 10, the 2nd of 2 in (1, 5] → 5000; no max, so max is that bound too.
// TTFT p50: rank 2, the 1st of 2 in (0.25, 0.5] → 250 + 250·1/2 = 375; p95: rank 4, overflow, ends at 0.5 s → 500.
const EXPECTED_ROW = {
  provider: 'openai', source: 'metrics', calls: 10, errors: 2, errorRate: 0.2, errorTypes: { '429': 2 },
  latencyMs: { p50: 625, p95: 5000, p99: 5000, max: 5000, source: 'metrics', method: 'histogram-interpolated' },
  ttftMs: { count: 4, p50: 375, p95: 500, source: 'metrics', method: 'histogram-interpolated' },
  lengthRate: null, tokens: { input: 0, output: 420 },
};

function spanDump(service: string): string {
  const n = (ms: number) => String(BigInt(T0 + ms) * 1_000_000n);
  const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'string' ? { stringValue: v } : { intValue: String(v) } });
  const spans = [100, 300].map((ms, i) => ({
    traceId: 'c'.repeat(32), spanId: `${i + 1}`.repeat(16), name: 'chat gpt-4o', startTimeUnixNano: n(0), endTimeUnixNano: n(ms),
    attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.provider.name', 'openai'), attr('gen_ai.request.model', 'gpt-4o'), attr('gen_ai.usage.input_tokens', 5), attr('gen_ai.usage.output_tokens', 5)],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', service)] }, scopeSpans: [{ spans }] }] }) + '\n';
}

const json = (stdout: string) => JSON.parse(stdout) as StatsReport;

describe('llmtrace stats from OTLP metrics', () => {
  it('reads a metrics dump: interpolated percentiles, errors by error.type, marked in JSON', async () => {
    const r = await runCli(['stats', writeTemp('metrics.jsonl', jsonl(METRICS_ONLY)), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = json(r.stdout);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject(EXPECTED_ROW);
    expect(report.total.calls).toBe(0); // the total is the spans'
    expect(report.metrics).toMatchObject({ services: ['metrics-svc'], setAside: [], total: { calls: 10, errors: 2 } });
    expect(r.stderr).toContain('from OTLP metrics (services without spans: metrics-svc)');
  });

  it('marks the interpolated figures in the table, markdown and CSV', async () => {
    const file = writeTemp('metrics.jsonl', jsonl(METRICS_ONLY));
    const table = await runCli(['stats', file]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/~openai .*~625ms .*~5\.00s/);
    expect(table.stdout).toContain('percentiles interpolated within histogram buckets, not exact');
    const md = await runCli(['stats', file, '--format', 'markdown']);
    expect(md.stdout).toMatch(/\| \\~openai \|.*\| \\~625ms \|/); // `~` escaped: GitHub would strike ~a~ through
    expect(md.stdout).toContain('interpolated within histogram buckets');
    const csv = await runCli(['stats', file, '--format', 'csv']);
    const [header, row] = csv.stdout.trim().split('\n').map((l) => l.split(','));
    const cell = (name: string) => row![header!.indexOf(name)];
    expect(cell('latencyP50Ms')).toBe('625');
    expect(cell('source')).toBe('metrics');
    expect(cell('percentileMethod')).toBe('histogram-interpolated');
    expect(cell('lengthRate')).toBe('');
  });

  it('reads the store: metrics files alone are usable input', async () => {
    const store = tempDir();
    writeFileSync(path.join(store, 'metrics-20260501T00.jsonl'), jsonl(METRICS_ONLY));
    const r = await runCli(['stats', '--store', store, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).rows[0]).toMatchObject(EXPECTED_ROW);
  });

  it('reads what tail stored from OTLP/HTTP metrics exports, JSON and protobuf', async () => {
    const store = path.join(tempDir(), 'store');
    const { tail, listening } = await startTail(['--store', store, '--no-grpc']);
    try {
      const url = `http://127.0.0.1:${listening.http.port}/v1/metrics`;
      const [first, ...rest] = METRICS_ONLY.map(metricsRequest);
      const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(first) });
      expect(json.status).toBe(200);
      for (const req of rest) {
        const t = requestType('metrics');
        const body = Buffer.from(t.encode(otlpJsonToPb(t, req) as never).finish());
        const pb = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
        expect(pb.status).toBe(200);
      }
    } finally {
      expect(await tail.stop()).toBe(0);
    }
    const r = await runCli(['stats', '--store', store, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).rows[0]).toMatchObject(EXPECTED_ROW);
  });

  it('cumulative series inside --since/--until: last point minus the one before the window', async () => {
    const store = tempDir();
    // Cumulative since T0: 2, then 6, then 9 calls (all ≤ 0.1 s but the last 3 in (1, 5]).
    const cum = (min: number, counts: number[]): PointSpec => ({ temporality: CUMULATIVE, startMs: T0, timeMs: T0 + min * MIN, bounds: BOUNDS, counts });
    writeFileSync(path.join(store, 'metrics-20260501T00.jsonl'), jsonl([cum(5, [2, 0, 0, 0, 0]), cum(15, [6, 0, 0, 0, 0]), cum(25, [6, 0, 0, 3, 0])]));
    const run = async (...window: string[]) => {
      const r = await runCli(['stats', '--store', store, '--format', 'json', ...window], { env: { LLMTRACE_NOW: new Date(T0 + 60 * MIN).toISOString() } });
      expect(r.code, r.stderr).toBe(0);
      return json(r.stdout).rows[0]!;
    };
    expect((await run()).calls).toBe(9);
    // Since minute 10: 9 − 2 (the point at minute 5 is the baseline).
    expect((await run('--since', new Date(T0 + 10 * MIN).toISOString())).calls).toBe(7);
    // Until minute 20: the point at minute 15 is the last inside → 6 − 2, all in the first bucket.
    const early = await run('--since', new Date(T0 + 10 * MIN).toISOString(), '--until', new Date(T0 + 20 * MIN).toISOString());
    expect(early.calls).toBe(4);
    expect(early.latencyMs?.p95).toBeCloseTo(100, 9); // rank 4 of 4 in [0, 0.1 s]
  });

  it('points without a time: counted without a window; under one in no row, untimed in every format, and --strict fails', async () => {
    const NOW = { LLMTRACE_NOW: new Date(T0 + 60 * MIN).toISOString() };
    const since = ['--since', new Date(T0 + 10 * MIN).toISOString()];
    const cum = (min: number, counts: number[], noTime = false): PointSpec => ({ service: 'cum-svc', temporality: CUMULATIVE, startMs: T0, timeMs: T0 + min * MIN, noTime, bounds: BOUNDS, counts });
    const points: PointSpec[] = [
      ...METRICS_ONLY.map((p) => ({ ...p, timeMs: p.timeMs + 15 * MIN })),
      // A delta export without a time: 3 calls (before the fix, dropped silently under a window).
      { timeMs: T0 + 15 * MIN, noTime: true, bounds: BOUNDS, counts: [0, 3, 0, 0, 0] },
      { metric: 'gen_ai.client.token.usage', tokenType: 'input', timeMs: T0 + 15 * MIN, noTime: true, bounds: [100], counts: [3, 0], sum: 50 },
      // A cumulative series since T0: 6, then 9 calls inside the window, and a point of 4 without a time
      // (before the fix, the baseline "before the window": 9 − 4 instead of 9 − 6).
      cum(15, [6, 0, 0, 0, 0]), cum(25, [6, 0, 0, 3, 0]), cum(0, [4, 0, 0, 0, 0], true),
    ];
    const file = writeTemp('metrics-untimed.jsonl', jsonl(points));
    const row = (report: StatsReport, service: string) => report.rows.find((r) => r.service === service)!;
    const all = await runCli(['stats', file, '--by', 'service', '--format', 'json'], { env: NOW });
    expect(all.code, all.stderr).toBe(0);
    const whole = json(all.stdout);
    expect(row(whole, 'metrics-svc').calls).toBe(13);
    expect(row(whole, 'cum-svc').calls).toBe(9); // the series' last point holds everything
    expect(whole.untimedCalls).toBeUndefined();

    const windowed = await runCli(['stats', file, '--by', 'service', '--format', 'json', '--strict', ...since], { env: NOW });
    expect(windowed.code).toBe(1);
    const report = json(windowed.stdout);
    expect(row(report, 'metrics-svc')).toMatchObject({ calls: 10, tokens: { input: 0, output: 420 } });
    expect(row(report, 'cum-svc').calls).toBe(3); // last − first inside: no point before the window
    // The untimed delta export's 3 calls and the cumulative point's 4; the tokens are the token
    // histogram's (the agents' usage reader, which counts no call from it in stats).
    expect(report).toMatchObject({ untimedCalls: 7, untimedInputTokens: 50, untimedOutputTokens: 0 });
    const said = '7 model calls have no start time (50 → 0 tokens)';
    expect(windowed.stderr).toContain(`FAILED strict: ${said}`);
    for (const format of ['table', 'markdown']) expect((await runCli(['stats', file, '--format', format, ...since], { env: NOW })).stdout).toContain(said);
    const csv = await runCli(['stats', file, '--format', 'csv', ...since], { env: NOW });
    expect(csv.stderr).toContain(said);
    const summary = path.join(tempDir(), 'summary.md');
    await runCli(['stats', file, '--format', 'json', ...since], { env: { ...NOW, GITHUB_STEP_SUMMARY: summary } });
    expect(readFileSync(summary, 'utf8')).toContain(said);
  });

  it('finds the point before --since in the previous hour\'s store file', async () => {
    const store = tempDir();
    const cum = (min: number, counts: number[]): PointSpec => ({ temporality: CUMULATIVE, startMs: T0, timeMs: T0 + min * MIN, bounds: BOUNDS, counts });
    // Hour 00 ends before --since (01:05); its last point (00:50, 3 calls) is the baseline.
    writeFileSync(path.join(store, 'metrics-20260501T00.jsonl'), jsonl([cum(50, [3, 0, 0, 0, 0])]));
    writeFileSync(path.join(store, 'metrics-20260501T01.jsonl'), jsonl([cum(70, [5, 0, 0, 0, 0]), cum(80, [8, 0, 0, 0, 0])]));
    const r = await runCli(['stats', '--store', store, '--format', 'json', '--since', new Date(T0 + 65 * MIN).toISOString()]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).rows[0]!.calls).toBe(8 - 3);
  });

  it('never mixes: a service with spans keeps its span figures, its metrics are set aside and said so', async () => {
    const dir = tempDir();
    const spans = path.join(dir, 'spans.jsonl');
    writeFileSync(spans, spanDump('both-svc'));
    const metrics = path.join(dir, 'metrics.jsonl');
    writeFileSync(metrics, jsonl([...METRICS_ONLY, { service: 'both-svc', timeMs: T0 + MIN, bounds: BOUNDS, counts: [50, 0, 0, 0, 0] }]));
    const r = await runCli(['stats', spans, metrics, '--by', 'service,model', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = json(r.stdout);
    const both = report.rows.filter((row) => row.service === 'both-svc');
    expect(both).toHaveLength(1);
    expect(both[0]!.source).toBeUndefined(); // from spans, exact: 2 calls, not 52
    expect(both[0]).toMatchObject({ calls: 2, latencyMs: { p50: 100, p95: 300, p99: 300, max: 300 } });
    expect(report.total.calls).toBe(2);
    expect(report.metrics).toMatchObject({ services: ['metrics-svc'], setAside: ['both-svc'] });
    expect(r.stderr).toContain('metrics not used for both-svc: their spans are exact');
    // The same model from spans and from metrics: two rows, never one.
    const byModel = json((await runCli(['stats', spans, metrics, '--by', 'model', '--format', 'json'])).stdout);
    expect(byModel.rows.map((row) => [row.source ?? 'spans', row.calls])).toEqual([['spans', 2], ['metrics', 10]]);
  });

  it('names each bad metrics line by file and line, and reads the rest', async () => {
    const store = tempDir();
    const file = path.join(store, 'metrics-20260501T00.jsonl');
    const good = jsonl(METRICS_ONLY.slice(0, 1));
    const wrongType = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'gen_ai.client.operation.duration', gauge: { dataPoints: [{ asDouble: 2 }] } }] }] }] });
    const badField = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'gen_ai.client.operation.duration', histogram: { aggregationTemporality: 1, dataPoints: [{ count: 'many' }] } }] }] }] });
    const truncated = JSON.stringify(metricsRequest(METRICS_ONLY[1]!)).slice(0, 80);
    writeFileSync(file, [good.trim(), 'garbage', wrongType, badField, '{"resourceSpans":[]}', truncated, jsonl(METRICS_ONLY.slice(1, 3)).trim()].join('\n') + '\n');
    const r = await runCli(['stats', '--store', store, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${file}:2: invalid JSON`);
    expect(r.stderr).toContain(`${file}:3: resourceMetrics[0].scopeMetrics[0].metrics[0]: gen_ai.client.operation.duration is a gauge, expected a histogram with explicit buckets; skipped`);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: .*count: expected an unsigned integer`));
    expect(r.stderr).toContain(`${file}:5: not an OTLP metrics request`);
    expect(r.stderr).toContain(`${file}:6: invalid JSON`);
    expect(json(r.stdout).rows[0]!.calls).toBe(10); // lines 1 and 7–8
    const strict = await runCli(['stats', '--store', store, '--strict']);
    expect(strict.code).toBe(1);
  });

  it('gates check metrics rows and the metrics total', async () => {
    const file = writeTemp('metrics.jsonl', jsonl(METRICS_ONLY));
    const fail = await runCli(['stats', file, '--max-p95', '4s']);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('provider=openai model=');
    expect(fail.stderr).toContain('(metrics, interpolated)');
    expect(fail.stderr).toContain('FAILED max-p95: total (metrics, interpolated) latency p95 5.00s exceeds 4.00s');
    expect((await runCli(['stats', file, '--max-p95', '5s', '--max-error-rate', '20%'])).code).toBe(0);
    expect((await runCli(['stats', file, '--max-error-rate', '10%'])).code).toBe(1);
  });

  it('reads bounds and max in seconds as the decimals they are in ms (2.007 s is 2007 ms) and passes --max-p95 2007ms', async () => {
    // 3 calls in (0.5, 2.007] s, max 2.007 s: p95 is rank 3 of 3, the bucket's upper bound, 2007 ms.
    const file = writeTemp('metrics-seconds.jsonl', jsonl([{ timeMs: T0 + MIN, bounds: [0.5, 2.007, 5], counts: [0, 3, 0, 0], min: 0.6, max: 2.007 }]));
    const r = await runCli(['stats', file, '--format', 'json']);
    expect(json(r.stdout).rows[0]!.latencyMs).toMatchObject({ p95: 2007, p99: 2007, max: 2007 });
    const gate = await runCli(['stats', file, '--max-p95', '2007ms']);
    expect(gate.code, gate.stderr).toBe(0);
    expect(gate.stderr).toContain('ok max-p95: total (metrics, interpolated) latency p95 2.01s within 2.01s');
  });
});

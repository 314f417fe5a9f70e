/**
 * `stats` where a coding agent sends no spans: its request events' `duration_ms` are the calls'
 * latencies (cost/signal-usage.ts), exact values, as a span's duration would be. Checked against
 * the durations read straight from the recorded Claude Code and Gemini CLI events.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

const RUNS = ['claude-code/http-json-delta', 'gemini-cli/several-exports-cumulative'].map((r) => path.resolve('test/fixtures/agents', r));
const NAMES = new Set(['claude_code.api_request', 'gemini_cli.api_response']);

type Attr = { key: string; value: Record<string, unknown> };
type Doc = { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body?: { stringValue?: string }; attributes: Attr[] }> }> }> };

function logsOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /-logs\.json$/.test(f))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8').trim());
}

/** Each request event's duration_ms, read without llmtrace. */
function durations(lines: string[]): number[] {
  const out: number[] = [];
  for (const line of lines) {
    for (const rl of (JSON.parse(line) as Doc).resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const r of sl.logRecords) {
          const a = Object.fromEntries(r.attributes.map((x) => [x.key, Object.values(x.value)[0]]));
          if (NAMES.has(String(a['event.name'])) || NAMES.has(r.body?.stringValue ?? '')) out.push(Number(a.duration_ms));
        }
      }
    }
  }
  return out.sort((x, y) => x - y);
}

const nearestRank = (sorted: number[], p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];

describe('stats from coding agents’ request events', () => {
  it('uses the events’ duration_ms as the calls’ latency when no spans exist', async () => {
    const store = tempDir();
    const lines = RUNS.flatMap(logsOf);
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), `${lines.join('\n')}\n`);
    const r = await runCli(['stats', '--store', store, '--by', 'agent', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { rows: Array<{ agent: string; calls: number; latencyMs: { p50: number; p95: number; max: number } }>; total: { calls: number; latencyMs: { p50: number; max: number } } };
    for (const dir of RUNS) {
      const want = durations(logsOf(dir));
      const row = doc.rows.find((x) => x.agent === (dir.includes('claude') ? 'claude-code' : 'gemini-cli'))!;
      expect(row.calls).toBe(want.length);
      expect(row.latencyMs).toMatchObject({ p50: nearestRank(want, 50), p95: nearestRank(want, 95), max: want.at(-1) });
    }
    const all = RUNS.flatMap((d) => durations(logsOf(d))).sort((x, y) => x - y);
    expect(doc.total.calls).toBe(all.length);
    expect(doc.total.latencyMs).toMatchObject({ p50: nearestRank(all, 50), max: all.at(-1) });
  });

  it('an event without a time still has its duration_ms: its latency counts, only its place in a window is unknown', async () => {
    const store = tempDir();
    // The recorded events with no timeUnixNano or observedTimeUnixNano (an exporter that never set them).
    const untimed = RUNS.flatMap(logsOf).map((line) => line.replace(/"(?:observedT|t)imeUnixNano":"\d+",/g, ''));
    expect(untimed.join('\n')).not.toContain('imeUnixNano');
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), `${untimed.join('\n')}\n`);
    const all = RUNS.flatMap((d) => durations(logsOf(d))).sort((x, y) => x - y);
    const r = await runCli(['stats', '--store', store, '--by', 'agent', '--format', 'json', '--strict']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    expect(doc.unknownDurations).toBeUndefined();
    expect(doc.total.calls).toBe(all.length);
    expect(doc.total.latencyMs).toMatchObject({ p50: nearestRank(all, 50), p95: nearestRank(all, 95), max: all.at(-1) });
    // Under a window: in no row, untimed (as a span without a start), and still not of unknown duration.
    const since = await runCli(['stats', '--store', store, '--format', 'json', '--since', '2026-12-05T00:00:00Z'], { env: { LLMTRACE_NOW: '2026-12-06T00:00:00Z' } });
    const windowed = JSON.parse(since.stdout) as Record<string, any>;
    expect(windowed).toMatchObject({ untimedCalls: all.length, total: { calls: 0 } });
    expect(windowed.unknownDurations).toBeUndefined();
  });
});

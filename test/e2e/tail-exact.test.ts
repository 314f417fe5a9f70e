/**
 * `tail` counts by the same count-once definition as `cost`: spans of many traces posted in
 * shuffled batches (children before parents, late spans of traces printed long ago), and the
 * session summary equals `llmtrace cost` over what the session stored — calls, every token
 * counter and the cost. A budget of a few KiB makes printed traces go to disk and come back.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { startTail } from '../helpers/tail-process.js';
import { DATE_SWITCH, generateDump, rng, writePricingFile } from '../cost/generate.js';

const FROM = DATE_SWITCH - 3 * 86_400_000;

interface Row { calls: number; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; reasoningTokens: number; cost: number | null }
const pick = (r: Row): Row => ({ calls: r.calls, inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: r.cacheReadTokens, cacheWriteTokens: r.cacheWriteTokens, reasoningTokens: r.reasoningTokens, cost: r.cost });

describe('tail summary = cost over its store', () => {
  it.each([
    ['held in memory', []],
    ['printed traces spilled to disk', ['--memory', '4KiB']],
  ] as const)('for shuffled batches (%s)', async (_name, extra) => {
    const dir = tempDir();
    const dump = generateDump(dir, 5, { traces: 60, files: 1, fromMs: FROM, spanDays: 2, layout: 'shuffled' });
    const pricing = writePricingFile(dir);
    const lines = dump.files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    const rand = rng(9);
    for (let i = lines.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    const store = `${dir}/store`;
    const { tail, listening } = await startTail(['--store', store, '--no-grpc', '--pricing', pricing, ...extra]);
    const url = `http://127.0.0.1:${listening.http.port}/v1/traces`;
    for (const [i, line] of lines.entries()) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: line });
      expect(res.status).toBe(200);
      // Traces are printed while their spans still come: quiet periods between some batches.
      if (i % 40 === 39) await new Promise((r) => setTimeout(r, 1100));
    }
    expect(await tail.stop()).toBe(0);
    const summary = tail.events.find((e) => e.event === 'summary') as Record<string, number> | undefined;
    expect(summary).toBeDefined();
    const cost = await runCli(['cost', '--store', store, '--pricing', pricing, '--by', 'model.raw', '--format', 'json'], { env: { LLMTRACE_NOW: '2027-01-01T00:00:00Z' } });
    const report = JSON.parse(cost.stdout) as { total: Row; rows: Array<Row & { 'model.raw': string }> };
    expect(report.total.calls).toBe(dump.calls.length);
    const total = pick(summary as unknown as Row);
    // One exact sum (cost/usd-sum.ts) in both: equal to the last digit, not within a tolerance.
    expect(total).toEqual(pick(report.total));
    const byModel = (summary as unknown as { byModel: Array<Row & { model: string }> }).byModel;
    const mine = new Map(byModel.map((m) => [m.model, pick(m)]));
    const theirs = new Map(report.rows.map((r) => [r['model.raw'], pick(r)]));
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [model, m] of mine) {
      const t = theirs.get(model)!;
      expect(m, model).toEqual(t); // unpriced: null in both
    }
  }, 60_000);
});

/**
 * `tail` over differing copies of one span id and parent cycles (docs/architecture.md
 * "Differing copies", "Parent cycles"): the spans of fixtures/counting/copies-and-cycles.jsonl
 * posted one by one to a running `tail`, in two orders, with a pause that prints traces before
 * their later copies come. The session summary equals `llmtrace cost` over what it stored, on
 * the main thread's view (--json) and on the --quiet view thread alike.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import type { Span } from '../../src/lib/span.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { freePort, spawnTail, startTail } from '../helpers/tail-process.js';
import { rng } from '../cost/generate.js';

const SPANS: Span[] = decodeOtlpJsonTraces(JSON.parse(readFileSync('fixtures/counting/copies-and-cycles.jsonl', 'utf8'))).spans;
// The fixture's spans start on 2026-11-22.
const NOW = { LLMTRACE_NOW: '2026-11-30T00:00:00Z' };

interface Row { calls: number; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; reasoningTokens: number; cost: number | null }
const pick = (r: Row): Row => ({ calls: r.calls, inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: r.cacheReadTokens, cacheWriteTokens: r.cacheWriteTokens, reasoningTokens: r.reasoningTokens, cost: r.cost });

function orders(): Span[][] {
  const shuffled = [...SPANS];
  const rand = rng(5);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return [[...SPANS].reverse(), shuffled];
}

async function post(port: number, spans: Span[]): Promise<void> {
  for (const [i, s] of spans.entries()) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJsonTracesLine([s]) });
    expect(res.status).toBe(200);
    // Traces are printed while their copies still come.
    if (i === Math.floor(spans.length / 2)) await new Promise((r) => setTimeout(r, 1100));
  }
}

async function costOver(store: string): Promise<Row> {
  const cost = await runCli(['cost', '--store', store, '--format', 'json'], { env: NOW });
  const report = JSON.parse(cost.stdout) as { total: Row; differingSpans: number; parentCycles: number };
  expect([report.total.calls, report.differingSpans, report.parentCycles]).toEqual([10, 4, 2]);
  return pick(report.total);
}

describe('tail summary = cost over its store, with differing copies and parent cycles', () => {
  it.each(orders().map((o, i) => [i === 0 ? 'reversed' : 'shuffled', o] as const))('in %s order (--json)', async (_name, order) => {
    const store = `${tempDir()}/store`;
    const { tail, listening } = await startTail(['--store', store, '--no-grpc'], { env: NOW });
    await post(listening.http.port, order);
    expect(await tail.stop()).toBe(0);
    const summary = tail.events.find((e) => e.event === 'summary') as unknown as Row;
    const expected = await costOver(store);
    expect({ ...pick(summary), cost: undefined }).toEqual({ ...expected, cost: undefined });
    expect(Math.abs(summary.cost! - expected.cost!)).toBeLessThan(1e-12);
    // Each differing copy is noted on stderr (one line, terminal-safe), the counted one shown.
    expect(tail.stderr()).toMatch(/span 0000000000006331 came again, differing/);
  }, 60_000);

  it.each(orders().map((o, i) => [i === 0 ? 'reversed' : 'shuffled', o] as const))('in %s order (--quiet, view thread)', async (_name, order) => {
    const store = `${tempDir()}/store`;
    const port = await freePort();
    const tail = spawnTail(['--quiet', '--http-port', String(port), '--no-grpc', '--store', store], { env: NOW });
    for (let i = 0; ; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'GET' });
        break;
      } catch {
        if (i > 100) throw new Error(`tail did not listen: ${tail.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await post(port, order);
    expect(await tail.stop()).toBe(0);
    const expected = await costOver(store);
    // The summary's total row: calls, errors, p95, input, cached, output, cost.
    const total = /^total +(\d+) +\d+ +\S+ +(\d+) +(\d+) +(\d+) +\$/m.exec(tail.stdout());
    expect(total?.slice(1).map(Number), tail.stdout()).toEqual([expected.calls, expected.inputTokens, expected.cacheReadTokens, expected.outputTokens]);
  }, 60_000);
});

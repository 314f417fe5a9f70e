/**
 * Wrappers that repeat a call's usage, counted once by every command (docs/architecture.md
 * "Counting model calls"), against totals worked out by hand from fixtures/counting/wrappers.json:
 *
 * - Vercel `ai.generateText` (100 → 10) over its `doGenerate` (100 → 10): 1 call, 100 → 10;
 * - an `invoke_agent` carrying its chats' totals (300 → 30) over chats of 100 → 10 and 200 → 20: 2 calls;
 * - an OpenInference LangChain LLM span (50 → 5) over an OpenAI-instrumentation chat (50 → 5): 1 call;
 * - a Vercel `ai.generateText` (70 → 7) whose step never arrived: it is the call, 70 → 7;
 * - an `invoke_agent` with usage (40 → 4) over a failed chat without usage: 1 call, not failed;
 * - a chat without usage over a failed chat without usage: the inner one, 1 failed call.
 *
 * 7 calls, 560 → 56 tokens, gpt-4o at $2.50/$10 per 1M: $0.0014 + $0.00056 = $0.00196; 1 error.
 * The same through the file reversed, one span per line shuffled, split over three files, at
 * --memory 1KiB (spilled) and without worker threads; `tail`'s summary over the spans posted
 * one by one in a shuffled order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { spawnTail, type TailProcess } from '../helpers/tail-process.js';

const FIXTURE = path.resolve('fixtures/counting/wrappers.json');
const HAND = { calls: 7, input: 560, output: 56, cost: 0.00196, errors: 1 };

interface Item {
  resource: unknown;
  scope: unknown;
  span: Record<string, unknown>;
}

function items(file: string): Item[] {
  const req = JSON.parse(readFileSync(file, 'utf8')) as { resourceSpans: Array<{ resource: unknown; scopeSpans: Array<{ scope: unknown; spans: Array<Record<string, unknown>> }> }> };
  return req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ resource: rs.resource, scope: ss.scope, span }))));
}

const line = (list: Item[]) => JSON.stringify({ resourceSpans: list.map((i) => ({ resource: i.resource, scopeSpans: [{ scope: i.scope, spans: [i.span] }] })) });

function shuffled<T>(list: T[], seed: number): T[] {
  const a = [...list];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The fixture as files: as written, reversed, one span a line shuffled, and shuffled over three files. */
function variants(): Record<string, string[]> {
  const dir = tempDir();
  const all = items(FIXTURE);
  const write = (name: string, contents: string[]) => contents.map((c, i) => {
    const p = path.join(dir, `${name}-${i}.jsonl`);
    writeFileSync(p, c);
    return p;
  });
  const mixed = shuffled(all, 11);
  const third = Math.ceil(mixed.length / 3);
  return {
    asWritten: [FIXTURE],
    reversed: write('reversed', [line([...all].reverse())]),
    perLine: write('per-line', [shuffled(all, 5).map((i) => line([i])).join('\n') + '\n']),
    split: write('split', [0, 1, 2].map((k) => mixed.slice(k * third, (k + 1) * third).map((i) => line([i])).join('\n') + '\n')),
  };
}

async function json(args: string[], env?: Record<string, string>): Promise<Record<string, any>> {
  const r = await runCli(args, { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

describe('wrappers repeating usage: every command counts the hand totals (fixtures/counting/wrappers.json)', () => {
  const files = variants();
  const runs = Object.entries(files).flatMap(([name, f]) => [
    { name, f, extra: [] as string[], env: undefined as Record<string, string> | undefined },
    { name: `${name}, --memory 1KiB`, f, extra: ['--memory', '1KiB'], env: undefined },
    { name: `${name}, no worker threads`, f, extra: [], env: { LLMTRACE_WORKERS: '0' } },
  ]);

  it.each(runs)('cost, stats and tree over $name', async ({ f, extra, env }) => {
    const cost = await json(['cost', '--format', 'json', '--strict', ...extra, ...f], env);
    expect([cost.total.calls, cost.total.inputTokens, cost.total.outputTokens, cost.total.cost, cost.unpriced]).toEqual([HAND.calls, HAND.input, HAND.output, HAND.cost, []]);
    const stats = await json(['stats', '--format', 'json', ...extra, ...f], env);
    const rows = stats.rows as Array<{ calls: number; errors: number }>;
    expect([rows.reduce((a, r) => a + r.calls, 0), rows.reduce((a, r) => a + r.errors, 0)]).toEqual([HAND.calls, HAND.errors]);
    const tree = await json(['tree', '--format', 'json', '--last', '100', ...extra, ...f], env);
    const traces = tree.traces as Array<{ calls: number; usage?: { input: number; output: number }; cost?: number }>;
    expect(traces).toHaveLength(6);
    expect(traces.reduce((a, t) => a + t.calls, 0)).toBe(HAND.calls);
    expect(traces.reduce((a, t) => a + (t.usage?.input ?? 0), 0)).toBe(HAND.input);
    expect(traces.reduce((a, t) => a + (t.usage?.output ?? 0), 0)).toBe(HAND.output);
    // Per trace, as `cost --by trace` counts it.
    const byTrace = await json(['cost', '--format', 'json', '--by', 'trace', ...extra, ...f], env);
    const costs = new Map((byTrace.rows as Array<{ trace: string; calls: number; cost: number }>).map((r) => [r.trace, [r.calls, r.cost]]));
    for (const t of tree.traces as Array<{ traceId: string; calls: number; cost?: number }>) expect([t.calls, t.cost ?? 0]).toEqual(costs.get(t.traceId));
  });

  describe('tail, the spans posted one by one in a shuffled order', () => {
    let tail: TailProcess;
    beforeAll(async () => {
      tail = spawnTail(['--json', '--http-port', '0', '--no-grpc', '--store', tempDir()]);
      await tail.waitFor((e) => e.event === 'listening');
    });
    afterAll(async () => {
      await tail.stop('SIGKILL');
    });

    it('shows the hand totals in its summary', async () => {
      const port = (tail.events.find((e) => e.event === 'listening')!.http as { port: number }).port;
      for (const i of shuffled(items(FIXTURE), 23)) {
        const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: line([i]) });
        expect(r.status).toBe(200);
      }
      await tail.stop('SIGINT');
      const s = tail.events.find((e) => e.event === 'summary')!;
      expect([s.calls, s.inputTokens, s.outputTokens, s.cost, s.errors, s.unpricedCalls]).toEqual([HAND.calls, HAND.input, HAND.output, HAND.cost, HAND.errors, 0]);
    });
  });
});

describe('token counts that are not counts (fixtures/counting/invalid-token-counts.json)', () => {
  // Four gpt-4o calls: input 2^53+1 (above 2^53−1) → 1, input 10.5 → 2, input −5 → 3, 100 → 10.
  // read-usage.ts ignores the first and third inputs; the fractional one is summed as written
  // (docs/architecture.md "Exact USD sums").
  const FILE = path.resolve('fixtures/counting/invalid-token-counts.json');

  it('is read alike by cost, stats, tree and lint', async () => {
    const cost = await json(['cost', '--format', 'json', FILE]);
    expect([cost.total.calls, cost.total.inputTokens, cost.total.outputTokens]).toEqual([4, 110.5, 16]);
    const stats = await json(['stats', '--format', 'json', FILE]);
    expect((stats.rows as Array<{ calls: number }>).reduce((a, r) => a + r.calls, 0)).toBe(4);
    const tree = await json(['tree', '--format', 'json', FILE]);
    const traces = tree.traces as Array<{ calls: number; usage: { input: number } }>;
    expect([traces.reduce((a, t) => a + t.calls, 0), traces.reduce((a, t) => a + t.usage.input, 0)]).toEqual([4, 110.5]);
    const lint = await runCli(['lint', '--format', 'json', FILE]);
    const found = (JSON.parse(lint.stdout).findings as Array<{ rule: string }>).filter((f) => f.rule === 'invalid-token-count');
    expect(found).toHaveLength(3);
  });

  // KNOWN DEFECT (not fixed): the same junk count in a Claude Code api_request event is named
  // (file, line, field), reported as `skipped.signalProblems` and fails --strict; on a span it is
  // dropped silently and `cost --strict` exits 0 with the call's input counted as 0.
  it.fails('KNOWN DEFECT: cost --strict passes although two span token counts could not be counted', async () => {
    const r = await runCli(['cost', '--format', 'json', '--strict', FILE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gen_ai\.usage\.input_tokens/);
  });
});

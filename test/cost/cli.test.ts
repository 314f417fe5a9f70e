/** `llmtrace cost` end to end: the built binary (run `npm run build` first), NO_COLOR, TZ=UTC. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';
import { DATE_SWITCH, generateDump, writePricingFile } from './generate.js';

const VERCEL = 'fixtures/instrumented/vercel.json';
const AGENT = path.resolve('fixtures/shared/captures/manual-agent-http-json.json');

describe('llmtrace cost (built binary)', () => {
  it('prints the documented JSON shape', async () => {
    const r = await runCli(['cost', VERCEL, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['currency', 'since', 'until', 'groupBy', 'rows', 'total', 'unpriced']);
    expect(doc).toMatchObject({ currency: 'USD', since: null, until: null, groupBy: ['feature', 'model'], unpriced: [] });
    expect(Object.keys(doc.rows[0])).toEqual(['feature', 'model', 'calls', 'inputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'outputTokens', 'reasoningTokens', 'cost', 'reportedCost', 'reportedCostDiff', 'source']);
    expect(doc.total).toMatchObject({ calls: 4, inputTokens: 99, cacheReadTokens: 11, outputTokens: 59, reasoningTokens: 32, reportedCost: null, reportedCostDiff: null, source: 'spans' });
  });

  it('renders table, csv and markdown', async () => {
    const table = await runCli(['cost', AGENT]);
    expect(table.stdout.split('\n')[0]).toMatch(/^feature\s+model\s+calls\s+input\s+cached\s+output\s+cost\s+share$/);
    expect(table.stdout).toMatch(/^total\s+3\s+85\s+11\s+19\s+\$0\.000175\s+100\.0%$/m);
    const csv = await runCli(['cost', AGENT, '--format', 'csv', '--by', 'model']);
    expect(csv.stdout.split('\n')[0]).toBe('model,calls,inputTokens,cacheReadTokens,cacheWriteTokens,outputTokens,reasoningTokens,cost,share,reportedCost,reportedCostDiff,source');
    expect(csv.stdout).toContain('gpt-4o,1,23,11,0,12,0,0.00016375,');
    expect(csv.stdout.split('\n')[1]).toMatch(/,,,spans$/);
    const md = await runCli(['cost', AGENT, '--format', 'markdown', '--top', '1']);
    expect(md.stdout).toContain('| research | gpt-4o | 1 | 23 | 11 | 12 | $0.000164 | 93.5% |');
    expect(md.stdout).toContain('2 more rows ($0.0000114) not shown (--top)');
  });

  it('passes and fails --budget (exit 0 / 1) and appends the markdown to $GITHUB_STEP_SUMMARY', async () => {
    const summary = path.join(tempDir(), 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const ok = await runCli(['cost', AGENT, '--budget', '0.01'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(ok.code).toBe(0);
    const over = await runCli(['cost', AGENT, '--budget', '0.0001'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('FAILED budget: total cost $0.000175 exceeds the budget of $0.00010');
    expect(over.stderr).toContain('1 cost gate failed');
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n### LLM cost')).toBe(true);
    expect(text).toContain('- ❌ budget: total cost $0.000175 exceeds the budget of $0.00010');
  });

  it('fails a --budget-file feature limit', async () => {
    const budgets = writeTemp('budgets.json', JSON.stringify({ features: { research: 0.0001 } }));
    const r = await runCli(['cost', AGENT, '--budget-file', budgets]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAILED budget-file: feature research: $0.000175 exceeds $0.00010');
  });

  it('compares with --baseline and fails --max-increase', async () => {
    const prev = await runCli(['cost', AGENT, '--format', 'json']);
    const doc = JSON.parse(prev.stdout);
    doc.rows[0].cost = doc.rows[0].cost / 2; // the gpt-4o row used to cost half
    doc.total.cost = doc.total.cost - doc.rows[0].cost;
    const base = writeTemp('base.json', JSON.stringify(doc));
    const shown = await runCli(['cost', AGENT, '--baseline', base]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/vs baseline/);
    expect(shown.stdout).toMatch(/gpt-4o\s+.*\+100\.0%/);
    const gated = await runCli(['cost', AGENT, '--baseline', base, '--max-increase', '10%']);
    expect(gated.code).toBe(1);
    expect(gated.stderr).toContain('FAILED max-increase: feature=research model=gpt-4o: cost');
  });

  it('warns about unpriced models, never prices them at $0, and fails --strict', async () => {
    const r = await runCli(['cost', AGENT, '--no-builtin-pricing', '--pricing', 'fixtures/pricing/prices.json', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.rows.find((x: { model: string }) => x.model === 'gpt-4o-mini').cost).toBeNull();
    expect(doc.unpriced.map((u: { model: string }) => u.model).sort()).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
    expect(r.stderr).toMatch(/warning: 2 calls of 2 models have no price/);
    const strict = await runCli(['cost', AGENT, '--no-builtin-pricing', '--pricing', 'fixtures/pricing/prices.json', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/gpt-4o-mini\s+1\s+46\s+0\s+7\s+unpriced/);
  });

  it('--strict fails when input records or spans were skipped, as in stats (their calls are in no figure)', async () => {
    // Scenario: every priced call of the agent capture, plus a line that is not JSON and a span with a bad trace id.
    const badSpan = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: '1'.repeat(16), name: 'chat gpt-4o' }] }] }] };
    const bad = writeTemp('cost-bad.jsonl', `${JSON.stringify(badSpan)}\nnot json\n`);
    const ok = await runCli(['cost', AGENT, bad, '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).total).toMatchObject({ calls: 3, inputTokens: 85 });
    // What no figure includes is in the report itself, without --strict too.
    expect(JSON.parse(ok.stdout).skipped).toEqual({ badRecords: 1, invalidSpans: 1 });
    const text = await runCli(['cost', AGENT, bad]);
    expect(text.stdout).toContain('input left out of every figure: 1 bad record, 1 invalid span (named on stderr; --strict fails)');
    expect(JSON.parse((await runCli(['cost', AGENT, '--format', 'json'])).stdout)).not.toHaveProperty('skipped');
    const strict = await runCli(['cost', AGENT, bad, '--strict', '--format', 'markdown']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('FAILED strict: input was skipped: read 2 inputs, 5 spans, 1 bad record skipped, 1 invalid span skipped');
    expect(strict.stdout).toContain('- ❌ strict: input was skipped');
    expect(strict.stdout).toContain('input left out of every figure: 1 bad record, 1 invalid span');
    const clean = await runCli(['cost', AGENT, '--strict']);
    expect(clean.code).toBe(0);
  });

  /** One chat gpt-4o span of trace cd…cd as a JSON Lines record. */
  const chatLine = (spanId: string, parent: string, input: number, output: number) =>
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: 'cd'.repeat(16), spanId, parentSpanId: parent, name: 'chat gpt-4o', kind: 3, startTimeUnixNano: '1780000000000000000', endTimeUnixNano: '1780000000100000000',
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: input } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: output } },
      ],
    }] }] }] });

  // Differing copies of one span id: one copy is counted by one rule whatever came first, the
  // count is shown and --strict fails (docs/architecture.md "Differing copies").
  it('counts the same copy of a span id whichever of two differing copies comes first, and fails --strict', async () => {
    const a = chatLine('2'.repeat(16), '', 50, 5), b = chatLine('2'.repeat(16), '', 60, 6);
    const ab = await runCli(['cost', writeTemp('dup-ab.jsonl', `${a}\n${b}\n`), '--format', 'json', '--strict']);
    const ba = await runCli(['cost', writeTemp('dup-ba.jsonl', `${b}\n${a}\n`), '--format', 'json', '--strict']);
    expect(ba.stdout).toBe(ab.stdout);
    const doc = JSON.parse(ab.stdout);
    expect([doc.total.calls, doc.total.inputTokens, doc.differingSpans]).toEqual([1, 60, 1]); // the greater input count
    expect(ab.code).toBe(1);
    expect(ab.stderr).toContain('FAILED strict: 1 span id was read as copies that differ');
    const md = await runCli(['cost', writeTemp('dup-md.jsonl', `${a}\n${b}\n`), '--format', 'markdown']);
    expect(md.stdout).toContain('1 span id was read as copies that differ: one copy of each is counted');
    // Identical copies stay one span, and pass.
    const same = await runCli(['cost', writeTemp('dup-same.jsonl', `${a}\n${a}\n`), '--format', 'json', '--strict']);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout).differingSpans).toBeUndefined();
  });

  // Two calls whose spans name each other as parent: the cycle is cut where tree cuts it (above
  // the lowest span id), so one call is counted; a note says so; --strict passes (docs "Parent cycles").
  it('counts the calls of a parent cycle once, as tree cuts it, and says so', async () => {
    const x = chatLine('a'.repeat(16), 'b'.repeat(16), 100, 10), y = chatLine('b'.repeat(16), 'a'.repeat(16), 200, 20);
    for (const text of [`${x}\n${y}\n`, `${y}\n${x}\n`]) {
      const r = await runCli(['cost', writeTemp('cycle.jsonl', text), '--strict', '--format', 'json']);
      const doc = JSON.parse(r.stdout);
      // Cut above aaaa…: bbbb… is its child, the innermost usage span.
      expect([doc.total.calls, doc.total.inputTokens, doc.parentCycles]).toEqual([1, 200, 1]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('1 parent cycle cut above the lowest span id');
    }
  });

  it.each([
    [['--since', 'yesterdayish'], '--since must be a duration'],
    [['--budget', '-3'], '--budget must be a non-negative amount of USD'],
    [['--max-increase', 'x'], '--max-increase must be a percentage'],
    [['--max-increase', '10%'], '--max-increase needs --baseline'],
    [['--by', 'feature,colour'], 'unknown dimension "colour"'],
    [['--since', '2026-11-02', '--until', '2026-11-01'], '--since (2026-11-02) must be before --until (2026-11-01)'],
  ])('exits 2 on bad flags %j', async (args, message) => {
    const r = await runCli(['cost', AGENT, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exits 2 naming the file, model key and problem of a bad pricing file', async () => {
    const bad = writeTemp('prices.json', JSON.stringify({ models: { 'gpt-4o': { input: 'abc', output: 10 } } }));
    const r = await runCli(['cost', AGENT, '--pricing', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: models["gpt-4o"].input: expected a non-negative number, got "abc"`);
    const badBudget = writeTemp('b.json', '{"features": {"x": -1}}');
    expect((await runCli(['cost', AGENT, '--budget-file', badBudget])).code).toBe(2);
  });

  it('lists the effective price table', async () => {
    const r = await runCli(['cost', '--pricing-info', '--format', 'json', '--pricing', 'fixtures/pricing/prices.json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.layers).toEqual(['built-in', 'fixtures/pricing/prices.json']);
    const o3 = doc.models.find((m: { model: string }) => m.model === 'o3');
    expect(o3.layer).toBe('fixtures/pricing/prices.json');
    expect(o3.prices.map((p: { until: string | null; input: number }) => [p.until, p.input])).toEqual([['2025-06-10', 10], [null, 2]]);
    const table = await runCli(['cost', '--pricing-info']);
    expect(table.stdout).toMatch(/^claude-sonnet-4\s+3\s+15\s+0\.3\s+3\.75\s+15\s+provider|^claude-sonnet-4\s+3\s+15\s+0\.3\s+3\.75\s+15\s+anthropic/m);
  });

  it('reads the store by default, every file whatever --since (a file\'s hour bounds no span\'s start)', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    mkdirSync(store);
    const dump = generateDump(dir, 3, { traces: 30, files: 1, fromMs: DATE_SWITCH + 3_600_000, spanDays: 0.02 });
    writeFileSync(path.join(store, 'traces-20260101T01.jsonl'), readFileSync(dump.files[0]!));
    // An hour that ended before the window, holding a garbage line: read, so its problem is reported.
    writeFileSync(path.join(store, 'traces-20251231T22.jsonl'), 'not json\n');
    const pricing = writePricingFile(dir);
    const env = { LLMTRACE_NOW: '2026-01-01T03:00:00Z' };
    const r = await runCli(['cost', '--store', store, '--since', '3h', '--pricing', pricing, '--format', 'json'], { env });
    expect(r.stderr).toContain('traces-20251231T22.jsonl');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.since).toBe('2026-01-01T00:00:00.000Z');
    expect(doc.total.calls).toBe(dump.calls.length);
  });
});

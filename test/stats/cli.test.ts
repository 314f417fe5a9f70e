/**
 * `llmtrace stats` as a user runs it (the built binary): the same calls as `cost` on real
 * library captures, gates exiting 0 or 1 on the total and per row, garbage flags exiting 2,
 * the markdown report appended to $GITHUB_STEP_SUMMARY.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';
import type { StatsReport } from '../../src/lib/stats/report.js';

const CAPTURES = ['official', 'openinference', 'openllmetry', 'vercel'].map((n) => `fixtures/instrumented/${n}.json`);

/** One trace: three chat calls under an agent (200, 400 and 4000 ms), one cut off, one failed (429), one streamed (TTFT 1.5 s); two identical tool calls. */
function scenario(): string {
  const ns = (ms: number) => String(BigInt(Date.UTC(2026, 4, 1)) * 1_000_000n + BigInt(ms) * 1_000_000n);
  const attr = (key: string, v: string | number | string[]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { arrayValue: { values: v.map((x) => ({ stringValue: x })) } },
  });
  const chat = (id: string, ms: number, extra: ReturnType<typeof attr>[], status = 0) => ({
    traceId: 'a'.repeat(32), spanId: id, parentSpanId: '1'.repeat(16), name: 'chat gpt-4o', startTimeUnixNano: ns(0), endTimeUnixNano: ns(ms),
    attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.provider.name', 'openai'), attr('gen_ai.request.model', 'gpt-4o'), ...extra],
    status: { code: status },
  });
  const usage = [attr('gen_ai.usage.input_tokens', 10), attr('gen_ai.usage.output_tokens', 50)];
  const tool = (id: string) => ({
    traceId: 'a'.repeat(32), spanId: id, parentSpanId: '1'.repeat(16), name: 'execute_tool search', startTimeUnixNano: ns(0), endTimeUnixNano: ns(5),
    attributes: [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', 'search'), attr('gen_ai.tool.call.arguments', '{"q":"x"}')],
  });
  const spans = [
    { traceId: 'a'.repeat(32), spanId: '1'.repeat(16), name: 'invoke_agent a', startTimeUnixNano: ns(0), endTimeUnixNano: ns(5000), attributes: [attr('gen_ai.operation.name', 'invoke_agent')] },
    chat('2'.repeat(16), 200, [...usage, attr('gen_ai.response.finish_reasons', ['stop'])]),
    chat('3'.repeat(16), 400, [...usage, attr('gen_ai.response.finish_reasons', ['length'])]),
    chat('4'.repeat(16), 4000, [...usage, attr('gen_ai.response.finish_reasons', ['stop']), attr('gen_ai.response.time_to_first_chunk', 1.5)]),
    chat('5'.repeat(16), 30, [attr('error.type', '429')], 2),
    tool('6'.repeat(16)),
    tool('7'.repeat(16)),
  ];
  return writeTemp('stats-scenario.json', JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'svc')] }, scopeSpans: [{ spans }] }] }));
}

describe('llmtrace stats', () => {
  it('counts exactly the calls cost counts on real library captures (Vercel streams, OpenInference, official error spans)', async () => {
    for (const file of CAPTURES) {
      const stats = await runCli(['stats', file, '--format', 'json']);
      const cost = await runCli(['cost', file, '--format', 'json']);
      expect(stats.code, stats.stderr).toBe(0);
      const s = JSON.parse(stats.stdout) as StatsReport;
      expect(s.total.calls, file).toBe((JSON.parse(cost.stdout) as { total: { calls: number } }).total.calls);
      expect(s.percentiles).toBe('nearest-rank');
    }
    // The Vercel stream's TTFT (ai.response.msToFirstChunk) is read from the inner doStream span.
    const vercel = JSON.parse((await runCli(['stats', CAPTURES[3]!, '--format', 'json'])).stdout) as StatsReport;
    expect(vercel.total.ttftMs?.count).toBe(1);
  });

  it('reports the scenario exactly', async () => {
    const r = await runCli(['stats', scenario(), '--format', 'json', '--by', 'model']);
    expect(r.code, r.stderr).toBe(0);
    const t = (JSON.parse(r.stdout) as StatsReport).total;
    expect(t).toMatchObject({
      calls: 4, errors: 1, errorRate: 0.25, errorTypes: { '429': 1 },
      latencyMs: { p50: 200, p95: 4000, p99: 4000, max: 4000 },
      ttftMs: { count: 1, p50: 1500, p95: 1500 },
      outputTokensPerSecond: { p50: 50 / 2.5 },
      finishReasons: { length: 1, stop: 2 }, lengthRate: 0.25,
      toolCallsPerTrace: { traces: 1, p50: 2, p95: 2, max: 2 },
      repeatedToolCall: { tool: 'search', arguments: '{"q":"x"}', count: 2, traceId: 'a'.repeat(32) },
    });
  });

  it("counts a trace's tool calls in the group of a call whose model comes from an ancestor (Codex)", async () => {
    // Codex's shape (test/fixtures/agents/codex): the usage is on `handle_responses`, the model
    // on the turn span above it; the turn's two identical tool calls belong to that model's row.
    const ns = (ms: number) => String(BigInt(Date.UTC(2026, 4, 1)) * 1_000_000n + BigInt(ms) * 1_000_000n);
    const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
    const span = (id: string, parent: string, name: string, attributes: ReturnType<typeof s>[]) => ({
      traceId: 'c'.repeat(32), spanId: id.repeat(16), parentSpanId: parent.repeat(16), name, startTimeUnixNano: ns(0), endTimeUnixNano: ns(100), attributes,
    });
    const tool = (id: string) => span(id, '1', 'execute_tool shell', [s('gen_ai.operation.name', 'execute_tool'), s('gen_ai.tool.name', 'shell'), s('gen_ai.tool.call.arguments', '{"cmd":"ls"}')]);
    const spans = [
      span('1', '', 'session_task.turn', [s('model', 'gpt-5.1-codex')]),
      span('2', '1', 'handle_responses', [s('gen_ai.usage.input_tokens', '1379'), s('gen_ai.usage.output_tokens', '65')]),
      tool('3'),
      tool('4'),
    ];
    const file = writeTemp('stats-codex-tools.json', JSON.stringify({ resourceSpans: [{ resource: { attributes: [s('service.name', 'codex_exec')] }, scopeSpans: [{ spans }] }] }));
    const r = await runCli(['stats', file, '--format', 'json', '--by', 'model']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as StatsReport;
    const cost = JSON.parse((await runCli(['cost', file, '--format', 'json', '--by', 'model'])).stdout) as { rows: Array<{ model: string }> };
    expect(report.rows.map((row) => row.model)).toEqual(cost.rows.map((row) => row.model));
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({
      calls: 1,
      toolCallsPerTrace: { traces: 1, p50: 2, p95: 2, max: 2 },
      repeatedToolCall: { tool: 'shell', arguments: '{"cmd":"ls"}', count: 2, traceId: 'c'.repeat(32) },
    });
  });

  it.each([
    [['--max-p95', '5s'], 0],
    [['--max-p95', '3s'], 1],
    [['--max-ttft-p95', '2s'], 0],
    [['--max-ttft-p95', '1000ms'], 1],
    [['--max-error-rate', '25%'], 0],
    [['--max-error-rate', '10%'], 1],
    [['--max-length-rate', '30'], 0],
    [['--max-length-rate', '5%'], 1],
    [['--max-p95', '5s', '--max-error-rate', '1%'], 1],
  ])('gates %j exit %i', async (flags, code) => {
    const r = await runCli(['stats', scenario(), ...flags]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(code === 1 ? /FAILED max-/ : /ok max-/);
  });

  it('names each row that breaks a gate, besides the total', async () => {
    const r = await runCli(['stats', scenario(), '--by', 'provider,model', '--max-p95', '3s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED max-p95: total latency p95 4\.00s exceeds 3\.00s/);
    expect(r.stderr).toMatch(/FAILED max-p95: provider=openai model=gpt-4o: latency p95 4\.00s exceeds 3\.00s/);
  });

  it.each([
    [['--max-p95', '5'], /--max-p95 must be a duration/],
    [['--max-p95', 'fast'], /--max-p95 must be a duration/],
    [['--max-ttft-p95', '-1s'], /--max-ttft-p95 must be a duration/],
    [['--max-error-rate', 'lots'], /--max-error-rate must be a percentage/],
    [['--max-length-rate', ''], /--max-length-rate must be a percentage/],
    [['--max-error-rate', '150%'], /--max-error-rate is a share of calls, at most 100%/], // could never fail
    [['--by', 'colour'], /unknown dimension/],
    [['--format', 'xml'], /--format/],
    [['--memory', '12'], /--memory must be a size/],
  ])('exits 2 on garbage flags %j', async (flags, message) => {
    const r = await runCli(['stats', scenario(), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('appends the markdown report to $GITHUB_STEP_SUMMARY', async () => {
    const summary = path.join(tempDir(), 'summary.md');
    const r = await runCli(['stats', scenario(), '--max-error-rate', '10%'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### LLM call stats');
    expect(md).toContain('❌ max-error-rate');
  });

  it('--baseline with --max-increase: exit 0 against itself, 1 when p95 or a rate rose more, 2 for a bad baseline', async () => {
    const file = scenario();
    const base = JSON.parse((await runCli(['stats', file, '--format', 'json'])).stdout) as StatsReport;
    const same = writeTemp('stats-base-same.json', JSON.stringify(base));
    const r0 = await runCli(['stats', file, '--baseline', same, '--max-increase', '10%']);
    expect(r0.code, r0.stderr).toBe(0);
    expect(r0.stderr).toMatch(/ok max-increase: total latency p95 4\.00s → 4\.00s \(\+0\.0%\)/);
    // The baseline was faster and failed less: p95 +33%, error rate 0.2 → 0.25 (+25%).
    const better = structuredClone(base);
    better.total.latencyMs!.p95 = 3000;
    better.total.errorRate = 0.2;
    better.rows[0]!.lengthRate = 0;
    const r1 = await runCli(['stats', file, '--baseline', writeTemp('stats-base-better.json', JSON.stringify(better)), '--max-increase', '10%']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/FAILED max-increase: total latency p95 3\.00s → 4\.00s \(\+33\.3%\)/);
    expect(r1.stderr).toMatch(/FAILED max-increase: total error rate 20\.00% → 25\.00% \(\+25\.0%\)/);
    expect(r1.stderr).toMatch(/FAILED max-increase: provider=openai model=gpt-4o: length rate 0\.00% → 25\.00% \(from 0\)/);
    const r2 = await runCli(['stats', file, '--baseline', writeTemp('stats-base-cost.json', '{"rows": []}'), '--max-increase', '10%']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/not a stats report/);
    const r3 = await runCli(['stats', file, '--by', 'model', '--baseline', same, '--max-increase', '10%']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/groups by provider,model/);
    const r4 = await runCli(['stats', file, '--max-increase', '10%']);
    expect(r4.code).toBe(2);
  });

  it('tree marks the call cut off by length (text and JSON)', async () => {
    const file = scenario();
    const text = await runCli(['tree', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n').filter((l) => l.includes('✂ cut off (length)'))).toHaveLength(1);
    const json = JSON.parse((await runCli(['tree', file, '--format', 'json'])).stdout) as { traces: Array<{ roots: Node[] }> };
    interface Node { spanId: string; cutOff?: boolean; children: Node[] }
    const cut: string[] = [];
    const walk = (n: Node) => (n.cutOff && cut.push(n.spanId), n.children.forEach(walk));
    json.traces.forEach((t) => t.roots.forEach(walk));
    expect(cut).toEqual(['3'.repeat(16)]);
  });

  it('a window without calls has no rates: null in JSON, empty in CSV (no measurement, not 0%)', async () => {
    const env = { LLMTRACE_NOW: '2099-01-01T00:00:00Z' };
    const json = JSON.parse((await runCli(['stats', scenario(), '--since', '1h', '--format', 'json'], { env })).stdout);
    expect(json.total).toMatchObject({ calls: 0, errorRate: null, lengthRate: null });
    const csv = (await runCli(['stats', scenario(), '--since', '1h', '--format', 'csv'], { env })).stdout.trim().split('\n');
    const header = csv[0]!.split(',');
    const total = csv[1]!.split(',');
    expect(total[header.indexOf('errorRate')]).toBe('');
    expect(total[header.indexOf('source')]).toBe('spans');
  });

  it('a bad logs line and a bad metrics line are two problems, each printed once, as in cost (stats reads metrics files twice)', async () => {
    // Scenario: a store with the spans, one unreadable logs line and one unreadable metrics line.
    const store = tempDir();
    copyFileSync(scenario(), path.join(store, 'traces-20261205T17.jsonl'));
    writeFileSync(path.join(store, 'logs-20261205T17.jsonl'), '{bad\n');
    writeFileSync(path.join(store, 'metrics-20261205T17.jsonl'), '{bad\n');
    const stats = await runCli(['stats', '--store', store, '--format', 'json']);
    const cost = await runCli(['cost', '--store', store, '--format', 'json']);
    expect(stats.stderr.match(/metrics-20261205T17\.jsonl:1: invalid JSON/g)).toHaveLength(1);
    expect(stats.stderr.match(/logs-20261205T17\.jsonl:1: invalid JSON/g)).toHaveLength(1);
    expect(JSON.parse(stats.stdout).skipped).toEqual({ signalProblems: 2 });
    expect(JSON.parse(cost.stdout).skipped).toEqual({ signalProblems: 2 });
  });

  it('--strict fails when input was skipped', async () => {
    const bad = writeTemp('stats-bad.jsonl', '{not json\n');
    const ok = await runCli(['stats', scenario(), bad]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/stats-bad\.jsonl: invalid JSON/);
    expect(ok.stdout).toContain('input left out of every figure: 1 bad record (named on stderr; --strict fails)');
    expect(JSON.parse((await runCli(['stats', scenario(), bad, '--format', 'json'])).stdout).skipped).toEqual({ badRecords: 1 });
    const strict = await runCli(['stats', scenario(), bad, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/FAILED strict/);
  });
});

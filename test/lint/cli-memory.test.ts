/**
 * `llmtrace lint` with spans far apart and a small --memory (the built binary: npm run build
 * first): same output as in one file, temporary files gone afterwards (also on Ctrl-C), and
 * nothing dropped without saying so.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import type { Span } from '../../src/lib/span.js';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';

const LLM = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 5 };
const TOOL = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' };

/** Traces of a frontend (roots) calling a worker (agent, LLM call, tool; some tools lost their parent). */
function agentTraces(count: number): Span[] {
  return Array.from({ length: count }, (_, t) => [
    span({ trace: `tr${t}`, id: `r${t}`, name: 'POST /ask', attrs: t % 4 ? { 'user.id': 'u' } : {} }),
    span({ trace: `tr${t}`, id: `a${t}`, parent: `r${t}`, name: 'invoke_agent', attrs: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ trace: `tr${t}`, id: `l${t}`, parent: `a${t}`, name: 'chat gpt-4o', kind: 3, attrs: LLM }),
    span({ trace: `tr${t}`, id: `x${t}`, parent: t % 5 ? `a${t}` : `lost${t}`, name: 'execute_tool search', attrs: TOOL }),
  ]).flat();
}

function jsonl(spans: Span[], perLine = 7): string {
  let out = '';
  for (let i = 0; i < spans.length; i += perLine) out += `${JSON.stringify(encodeOtlpJsonTraces(spans.slice(i, i + perLine)))}\n`;
  return out;
}

/** What must not depend on the files: findings without their place, the summary, the scorecard. */
function comparable(stdout: string) {
  const doc = JSON.parse(stdout) as { findings: Array<Record<string, unknown>>; summary: Record<string, unknown>; scorecard: unknown };
  const findings = doc.findings.map((f) => JSON.stringify([f.rule, f.severity, f.traceId, f.spanId, f.facts])).sort();
  const { inputs: _, ...summary } = doc.summary;
  return { findings, summary, scorecard: doc.scorecard };
}

describe('llmtrace lint --memory (built binary)', () => {
  it('lints two services\' files, children first, the same as one file, spilling beyond --memory, and leaves no temporary files', async () => {
    const dir = tempDir();
    const spans = agentTraces(200);
    writeFileSync(path.join(dir, 'all.jsonl'), jsonl(spans));
    writeFileSync(path.join(dir, 'worker.jsonl'), jsonl(spans.filter((s) => s.parentSpanId !== '')));
    writeFileSync(path.join(dir, 'frontend.jsonl'), jsonl(spans.filter((s) => s.parentSpanId === '')));
    const spill = path.join(dir, 'spill');
    mkdirSync(spill);
    const env = { LLMTRACE_TMPDIR: spill };
    const one = await runCli(['lint', 'all.jsonl', '--format', 'json'], { cwd: dir, env });
    expect(one.stderr).not.toMatch(/temporary files/);
    const two = await runCli(['lint', 'worker.jsonl', 'frontend.jsonl', '--format', 'json', '--memory', '4KiB'], { cwd: dir, env });
    expect(two.stderr).toMatch(/the trace state outgrew --memory 4 KiB; \d+ MB of it went through temporary files/);
    expect(two.code).toBe(one.code);
    const expected = comparable(one.stdout);
    expect(expected.findings.filter((f) => f.startsWith('["orphan-span"'))).toHaveLength(40);
    expect(comparable(two.stdout)).toEqual(expected);
    expect(readdirSync(spill)).toEqual([]);
  });

  it('removes its temporary files on Ctrl-C', async () => {
    const spill = tempDir();
    const child = spawn(process.execPath, [BIN, 'lint', '-', '--memory', '1B'], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', LLMTRACE_TMPDIR: spill }, stdio: ['pipe', 'ignore', 'pipe'] });
    child.stdin.on('error', () => {}); // EPIPE once it is stopped mid-input
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // Spans, then no end of input: lint waits for more with its state on disk. (More than the
    // 8 MiB the reader looks at to tell the format, so it starts before the input ends.)
    const chunk = jsonl(agentTraces(50));
    child.stdin.write(chunk.repeat(Math.ceil((9 << 20) / chunk.length)));
    const deadline = Date.now() + 15_000;
    while (readdirSync(spill).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(spill)).toHaveLength(1);
    child.kill('SIGINT');
    const { signal } = await exited;
    expect(signal).toBe('SIGINT');
    expect(readdirSync(spill)).toEqual([]);
  });

  it('exits 2 on a --memory that is not a size', async () => {
    for (const bad of ['12Mi', '0MiB', '-1GiB', 'lots', '4096']) {
      const r = await runCli(['lint', 'x.jsonl', '--memory', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--memory must be a size with a unit/);
    }
    const help = await runCli(['lint', '--help']);
    expect(help.stdout).toMatch(/--memory <size>[\s\S]*\(default \d+MiB\)/);
  });

  it('counts decode problems it could not hold, says so and fails', async () => {
    // Two good lines around 12,000 bad ones: more problems at once than the reader holds.
    const root = jsonl([span({ trace: 'tr', id: 'r', name: 'GET /' })]);
    const child = jsonl([span({ trace: 'tr', id: 'c', parent: 'r', name: 'db' })]);
    const file = path.join(tempDir(), 'flood.jsonl');
    writeFileSync(file, root + '{"not otlp\n'.repeat(12_000) + child);
    const j = await runCli(['lint', file, '--format', 'json']);
    const doc = JSON.parse(j.stdout) as { findings: Array<{ rule: string }>; summary: Record<string, unknown> };
    expect(doc.findings.filter((f) => f.rule === 'decode-problem')).toHaveLength(10_000);
    expect(doc.summary).toMatchObject({ problemsNotReported: 2_000, warnings: 10_000, errors: 0, failed: true });
    expect(j.code).toBe(1);
    expect(j.stderr).toMatch(/lint failed: 2,000 decode problems not reported/);
    const text = await runCli(['lint', file]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^✖ 10,000 problems \(0 errors, 10,000 warnings, 0 infos\) in 2 spans of 1 trace; 2,000 more decode problems not reported/m);
  });
});

/**
 * Issue #19's "done when": each recorded coding-agent run (test/fixtures/agents/, the real CLIs
 * against mock model servers) is sent to a real `tail` over the transport it was recorded on,
 * then `cost --store` shows exactly the tokens the mocks returned (truth.json): input including
 * cache, cache read, cache write, and output including reasoning. Delta and cumulative runs,
 * runs with several exports, and runs that send spans, events and metrics together (one source
 * per process and session: nothing twice).
 */
import { describe, expect, it } from 'vitest';
import { agentCaptures, replayCapture, type AgentCapture } from '../helpers/agent-captures.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { startTail } from '../helpers/tail-process.js';

interface Row {
  model: string;
  agent: string;
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cost: number | null;
  reportedCost: number | null;
  reportedCostDiff: number | null;
  source: string;
}

/** The model ids the price table names the mock's models by (cost --by model shows the entry). */
const ENTRY: Record<string, string> = { 'gpt-5.1-codex': 'gpt-5.1', 'claude-sonnet-4.5': 'claude-sonnet-4-5' };

export async function costOfCapture(capture: AgentCapture, by = 'agent,model'): Promise<{ rows: Row[]; total: Row; stderr: string }> {
  const store = tempDir();
  const { tail, listening } = await startTail(['--store', store]);
  try {
    await replayCapture(capture, { http: listening.http.port, grpc: listening.grpc?.port });
  } finally {
    expect(await tail.stop('SIGINT')).toBe(0);
  }
  const res = await runCli(['cost', '--store', store, '--by', by, '--format', 'json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const doc = JSON.parse(res.stdout) as { rows: Row[]; total: Row };
  return { ...doc, stderr: res.stderr };
}

describe('cost --store after tail received a coding agent run', () => {
  const captures = agentCaptures();

  it.each(captures.map((c) => [`${c.agent}/${c.run}`, c] as const))('%s: the tokens the mock returned', async (_, capture) => {
    const { rows, total } = await costOfCapture(capture);
    const want = Object.entries(capture.truth.totalsByModel).map(([model, t]) => ({
      model: ENTRY[model] ?? model,
      inputTokens: t.input,
      cacheReadTokens: t.cacheRead,
      cacheWriteTokens: t.cacheWrite,
      outputTokens: t.output,
      reasoningTokens: t.reasoning,
    }));
    const got = rows.map((r) => ({ model: r.model, inputTokens: r.inputTokens, cacheReadTokens: r.cacheReadTokens, cacheWriteTokens: r.cacheWriteTokens, outputTokens: r.outputTokens, reasoningTokens: r.reasoningTokens }));
    expect(got).toEqual(want);
    // Priced at the price table (no unpriced model), from one source.
    expect(total.cost).not.toBeNull();
    expect(SOURCE[capture.agent]).toBe(total.source);
    // Per-request sources count each model call once: spans and events together never add up.
    expect(total.calls).toBe(capture.truth.calls.length);
  }, 60_000);

  it.each(captures.filter((c) => c.agent === 'claude-code').map((c) => [c.run, c] as const))(
    'claude-code/%s: the reported cost is the list price, but for the 1-hour cache writes no signal shows',
    async (_, capture) => {
      const { total } = await costOfCapture(capture, 'model');
      // Claude Opus 4.8 at list price, USD per 1M tokens: input 5, output 25, cache read 0.5,
      // cache write 6.25 (5 minutes) or 10 (1 hour). The agent exports only the total cache
      // write, so llmtrace prices it all at the 5-minute rate; Claude Code knows the split.
      const M = 1e6;
      let computed = 0;
      let premium = 0;
      for (const c of capture.truth.calls) {
        const n = c.normalized;
        computed += ((n.input - n.cacheRead - n.cacheWrite) * 5 + n.cacheRead * 0.5 + n.cacheWrite * 6.25 + n.output * 25) / M;
        premium += ((n.cacheWrite1h ?? 0) * (10 - 6.25)) / M;
      }
      expect(premium).toBeGreaterThan(0);
      expect(total.cost).toBeCloseTo(computed, 12);
      expect(total.reportedCost).toBeCloseTo(computed + premium, 12);
      expect(total.reportedCostDiff).toBeCloseTo(premium, 12);
    },
    60_000,
  );
});

/** The source each agent's recorded runs are counted from (docs/architecture.md, "Usage from log events and metrics"). */
const SOURCE: Record<string, string> = { 'claude-code': 'events', codex: 'spans', 'gemini-cli': 'events', 'copilot-cli': 'spans' };

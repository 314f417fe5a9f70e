/**
 * `tail` receiving the recorded coding agents (test/fixtures/agents/): one `agent_call` per API
 * request from the agents' events, with the running total of its agent and session; the
 * session summary by agent and model; and an agent that sends spans with usage (Codex) counted
 * from its spans, its events stepping aside. Figures against the mocks' truth.
 */
import { describe, expect, it } from 'vitest';
import { agentCaptures, replayCapture, type AgentCapture } from '../helpers/agent-captures.js';
import { startTail, type TailEvent } from '../helpers/tail-process.js';

const captures = agentCaptures();
const run = (name: string) => captures.find((c) => `${c.agent}/${c.run}` === name)!;

async function tailOf(list: AgentCapture[]): Promise<TailEvent[]> {
  const { tail, listening } = await startTail(['--no-store']);
  try {
    for (const c of list) await replayCapture(c, { http: listening.http.port, grpc: listening.grpc?.port });
  } finally {
    expect(await tail.stop('SIGINT')).toBe(0);
  }
  return tail.events;
}

const truthOf = (c: AgentCapture) => c.truth.calls.map((x) => x.normalized);

describe('tail shows coding agents’ API requests', () => {
  it('one line per request from Claude Code’s and Gemini CLI’s events, with the running Σ of the session, and a summary by agent and model', async () => {
    const claude = run('claude-code/http-json-delta');
    const gemini = run('gemini-cli/http-json-delta');
    const events = await tailOf([claude, gemini]);
    const calls = events.filter((e) => e.event === 'agent_call') as Array<TailEvent & { agent: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; reasoningTokens: number; sessionTotal: { calls: number; inputTokens: number } }>;
    for (const [capture, agent] of [[claude, 'claude-code'], [gemini, 'gemini-cli']] as const) {
      const mine = calls.filter((e) => e.agent === agent);
      const want = truthOf(capture);
      // The events arrive in export batches: compare as multisets of per-call figures.
      const key = (x: { input: number; cacheRead: number; output: number; reasoning: number }) => `${x.input}/${x.cacheRead}/${x.output}/${x.reasoning}`;
      expect(mine.map((e) => key({ input: e.inputTokens, cacheRead: e.cacheReadTokens, output: e.outputTokens, reasoning: e.reasoningTokens })).sort()).toEqual(want.map(key).sort());
      // The running Σ of the session ends at the session's totals.
      const last = mine.at(-1)!;
      expect(last.sessionTotal.calls).toBe(want.length);
      expect(last.sessionTotal.inputTokens).toBe(want.reduce((s, x) => s + x.input, 0));
    }
    const summary = events.find((e) => e.event === 'summary') as TailEvent & { calls: number; byAgentModel: Array<{ agent: string; model: string; calls: number; inputTokens: number; outputTokens: number }> };
    expect(summary.calls).toBe(claude.truth.calls.length + gemini.truth.calls.length);
    const rows = summary.byAgentModel.map((r) => [r.agent, r.model, r.calls, r.inputTokens, r.outputTokens]).sort();
    const t = (c: AgentCapture) => Object.values(c.truth.totalsByModel)[0]!;
    expect(rows).toEqual(
      [
        ['claude-code', 'claude-opus-4-8', 3, t(claude).input, t(claude).output],
        ['gemini-cli', 'gemini-2.5-flash', 2, t(gemini).input, t(gemini).output],
      ].sort(),
    );
  }, 60_000);

  it('an agent that sends only metrics (Copilot without traces, Claude Code without logs): its totals as they arrive', async () => {
    for (const name of ['copilot-cli/chat-http-json', 'claude-code/several-exports-cumulative', 'claude-code/several-exports-delta']) {
      const capture = run(name);
      const metricsOnly = { ...capture, requests: capture.requests.filter((r) => r.signal === 'metrics') };
      const events = await tailOf([metricsOnly]);
      const shown = events.filter((e) => e.event === 'agent_metrics');
      expect(shown.length).toBeGreaterThan(0);
      const summary = events.find((e) => e.event === 'summary') as TailEvent & { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
      const want = Object.values(capture.truth.totalsByModel)[0]!;
      expect([summary.inputTokens, summary.cacheReadTokens, summary.cacheWriteTokens, summary.outputTokens], name).toEqual([want.input, want.cacheRead, want.cacheWrite, want.output]);
    }
  }, 60_000);

  it('Codex sends spans with usage too: its calls are counted once, from the spans', async () => {
    const codex = run('codex/http-json');
    const events = await tailOf([codex]);
    const summary = events.find((e) => e.event === 'summary') as TailEvent & { calls: number; inputTokens: number; outputTokens: number };
    const want = truthOf(codex);
    expect(summary.calls).toBe(want.length);
    expect(summary.inputTokens).toBe(want.reduce((s, x) => s + x.input, 0));
    expect(summary.outputTokens).toBe(want.reduce((s, x) => s + x.output, 0));
  }, 60_000);
});

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
import { startTail, type TailEvent } from '../helpers/tail-process.js';

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

/** `tail --json --store` received the run; then `cost --store` over what it stored. Both outputs. */
export async function costOfCapture(capture: AgentCapture, by = 'agent,model'): Promise<{ rows: Row[]; total: Row; stderr: string; events: TailEvent[] }> {
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
  return { ...doc, stderr: res.stderr, events: tail.events };
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

/**
 * Attributes whose value differs from call to call (the mock gives each call usage of its own):
 * grouping `cost` by them gives one row per call. Spans' `gen_ai.usage.input_tokens` (Codex,
 * Copilot), Claude's `input_tokens` and Gemini's and Codex's `input_token_count` on events.
 */
const PER_CALL = ['attr:gen_ai.usage.input_tokens', 'attr:input_tokens', 'attr:input_token_count'];

type Tokens = Pick<Row, 'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'outputTokens' | 'reasoningTokens'>;
const tokens = (r: Tokens) => `${r.inputTokens}/${r.cacheReadTokens}/${r.cacheWriteTokens}/${r.outputTokens}/${r.reasoningTokens}`;
type CallLine = TailEvent & Tokens & { model: string | null; cost: number | null; agent?: string; service?: string };

describe('tail prints each agent request with its model and cost', () => {
  const captures = agentCaptures();

  // Codex names the model on ancestor spans that end (and arrive) after the call span: the line
  // waits for them (docs/architecture.md, "Live lines wait for an inherited model").
  it.each(captures.map((c) => [`${c.agent}/${c.run}`, c] as const))('%s: every call line has the mock’s model and the cost `cost --store` gives that call', async (_, capture) => {
    const { rows, events } = await costOfCapture(capture, ['agent', 'model.raw', ...PER_CALL].join(','));
    // One row per call: `cost`'s figure for each call, found by its tokens (distinct per call).
    expect(rows.every((r) => r.calls === 1)).toBe(true);
    const byTokens = new Map(rows.map((r) => [tokens(r), r]));
    expect(byTokens.size).toBe(capture.truth.calls.length);
    // Every line tail printed: a request event's (agent_call) or a counted span's. An agent
    // process that sends spans with usage has its earlier event lines taken back (a notice
    // says so): those lines, too, must name the model and cost of their call.
    const lines = events.filter((e): e is CallLine => e.event === 'agent_call' || (e.event === 'span' && e.counted === true));
    const truthModel = new Map(capture.truth.calls.map((c) => [tokens({ inputTokens: c.normalized.input, cacheReadTokens: c.normalized.cacheRead, cacheWriteTokens: c.normalized.cacheWrite, outputTokens: c.normalized.output, reasoningTokens: c.normalized.reasoning }), c.model]));
    expect(truthModel.size).toBe(capture.truth.calls.length);
    for (const l of lines) {
      const key = tokens(l);
      const row = byTokens.get(key);
      expect(row, key).toBeDefined();
      expect(l.model, key).toBe(truthModel.get(key));
      expect(l.model, key).toBe(row!['model.raw' as keyof Row]);
      // `cost` reports USD to 12 significant digits (cost/report.ts roundUsd).
      expect(l.cost, key).not.toBeNull();
      expect(Number(l.cost!.toPrecision(12)), key).toBe(row!.cost);
    }
    // The lines of the source counted are the mock's calls, each once.
    const counted = lines.filter((l) => (SOURCE[capture.agent] === 'spans' ? l.event === 'span' : l.event === 'agent_call'));
    expect(counted.map(tokens).sort()).toEqual([...truthModel.keys()].sort());
    // The running Σ per agent and session: each counted line's total is the sum of its session's
    // counted lines so far, spans' lines too (they carry one where a session is known).
    const running = new Map<string, { calls: number; cost: number }>();
    for (const l of counted) {
      const sum = l as CallLine & { session?: string | null; sessionTotal?: { calls: number; cost: number | null } };
      if (SOURCE[capture.agent] === 'spans' && SPAN_SESSIONS[capture.agent]) expect(sum.session, tokens(l)).toBeTruthy();
      if (!sum.session || !sum.sessionTotal) continue;
      const k = `${l.agent ?? l.service}\u0000${sum.session}`;
      const before = running.get(k) ?? { calls: 0, cost: 0 };
      const r = { calls: before.calls + 1, cost: before.cost + l.cost! };
      running.set(k, r);
      expect(sum.sessionTotal.calls, tokens(l)).toBe(r.calls);
      expect(sum.sessionTotal.cost!, tokens(l)).toBeCloseTo(r.cost, 15);
    }
    // The summary, by agent and model, is what `cost --store` reports.
    const summary = events.find((e) => e.event === 'summary') as TailEvent & { byAgentModel: Array<Row & { agent: string }> };
    const perModel = new Map<string, Row>();
    for (const r of rows) {
      const k = `${r.agent}\u0000${r['model.raw' as keyof Row] as string}`;
      const m = perModel.get(k) ?? { ...r, calls: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, cost: 0 };
      perModel.set(k, { ...m, calls: m.calls + r.calls, inputTokens: m.inputTokens + r.inputTokens, cacheReadTokens: m.cacheReadTokens + r.cacheReadTokens, cacheWriteTokens: m.cacheWriteTokens + r.cacheWriteTokens, outputTokens: m.outputTokens + r.outputTokens, reasoningTokens: m.reasoningTokens + r.reasoningTokens, cost: m.cost! + r.cost! });
    }
    expect(summary.byAgentModel.map((r) => `${r.agent}\u0000${r.model}`).sort()).toEqual([...perModel.keys()].sort());
    for (const r of summary.byAgentModel) {
      const c = perModel.get(`${r.agent}\u0000${r.model}`)!;
      expect(tokens(r), r.model).toBe(tokens(c));
      expect(r.calls, r.model).toBe(c.calls);
      expect(r.cost, r.model).toBeCloseTo(c.cost!, 15);
    }
    expect(JSON.stringify(events)).not.toContain('(unknown model)');
  }, 60_000);
});

/** Agents whose call spans (or their ancestors or resource) name the session (genai/agents.ts SESSION_KEYS). */
const SPAN_SESSIONS: Record<string, boolean> = { codex: true, 'copilot-cli': true };

/** The source each agent's recorded runs are counted from (docs/architecture.md, "Usage from log events and metrics"). */
const SOURCE: Record<string, string> = { 'claude-code': 'events', codex: 'spans', 'gemini-cli': 'events', 'copilot-cli': 'spans' };

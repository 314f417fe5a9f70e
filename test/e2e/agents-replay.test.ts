/**
 * Every recorded coding-agent export (test/fixtures/agents/) is accepted by `tail` over the
 * transport it was recorded on, and the store keeps one line per request per signal: what the
 * readers of issue #19 read back is exactly what the agents sent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentCaptures, replayCapture, type CapturedSignal } from '../helpers/agent-captures.js';
import { tempDir } from '../helpers/read-all.js';
import { startTail } from '../helpers/tail-process.js';

function storeLines(dir: string): Record<CapturedSignal, number> {
  const out: Record<CapturedSignal, number> = { traces: 0, logs: 0, metrics: 0 };
  for (const name of readdirSync(dir)) {
    const m = /^(traces|logs|metrics)-.*\.jsonl$/.exec(name);
    if (!m) continue;
    const text = readFileSync(path.join(dir, name), 'utf8');
    out[m[1] as CapturedSignal] += text.split('\n').filter((l) => l.trim()).length;
  }
  return out;
}

describe('tail stores every recorded coding-agent export', () => {
  const captures = agentCaptures();

  it('there are captures of all four agents', () => {
    expect(new Set(captures.map((c) => c.agent))).toEqual(new Set(['claude-code', 'codex', 'copilot-cli', 'gemini-cli']));
  });

  it.each(['claude-code', 'codex', 'copilot-cli', 'gemini-cli'])('%s', async (agent) => {
    const mine = captures.filter((c) => c.agent === agent);
    const store = tempDir();
    const { tail, listening } = await startTail(['--store', store]);
    try {
      for (const c of mine) await replayCapture(c, { http: listening.http.port, grpc: listening.grpc?.port });
    } finally {
      expect(await tail.stop('SIGINT')).toBe(0);
    }
    const want: Record<CapturedSignal, number> = { traces: 0, logs: 0, metrics: 0 };
    for (const c of mine) for (const r of c.requests) want[r.signal]++;
    expect(storeLines(store)).toEqual(want);
  }, 60_000);
});

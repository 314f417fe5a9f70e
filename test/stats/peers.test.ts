/**
 * `stats` over what real instrumentation libraries emit, driving the real `openai` client / the
 * Vercel AI SDK against the mock server: a call answered with HTTP 429 is exactly one failed
 * call where the library records it (the official instrumentation, the Vercel AI SDK), and always
 * the same calls as `cost`.
 */
import { describe, expect, it } from 'vitest';
import { LIBS, emitDump } from '../peers/index.js';
import { runCli } from '../helpers/cli.js';
import { writeTemp } from '../helpers/read-all.js';
import type { StatsReport } from '../../src/lib/stats/report.js';

describe.each(LIBS)('stats over %s', (lib) => {
  it('a 429 is one failed call, counted as cost counts calls', async () => {
    const file = writeTemp(`${lib}-error.json`, await emitDump(lib, 'json', { scenario: 'error' }));
    const stats = await runCli(['stats', file, '--format', 'json']);
    expect(stats.code, stats.stderr).toBe(0);
    const t = (JSON.parse(stats.stdout) as StatsReport).total;
    const cost = JSON.parse((await runCli(['cost', file, '--format', 'json'])).stdout) as { total: { calls: number } };
    expect(t.calls).toBe(cost.total.calls);
    // OpenLLMetry and OpenInference (these versions) end no model span for a request that failed
    // before a response: nothing to count. The others record it as one failed call.
    const recorded = lib === 'official' || lib === 'vercel';
    expect(t.calls).toBe(recorded ? 1 : 0);
    expect(t.errors).toBe(t.calls);
    expect(Object.values(t.errorTypes)).toEqual(recorded ? [1] : []);
  }, 60_000);
});

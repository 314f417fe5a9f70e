/**
 * `tail --quiet` with a store worker shards the view: each view thread counts the traces of its
 * share of the trace ids and skips the others' spans (docs/architecture.md, "Sharded view"). The
 * summary must be exactly one view thread's: every figure, the coding agents' events and metrics
 * that spans with usage seen by another shard make step aside included. Workers exist only in
 * the built code: this imports dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sortedDifference } from '../../src/lib/stats/percentiles.js';
import type { CallTotals, SessionTotals } from '../../src/lib/live/totals.js';
import { agentCaptures, requestBody } from '../helpers/agent-captures.js';
import { tempDir } from '../helpers/read-all.js';
import { makeSdkSpans, sdkJson } from '../helpers/sdk-spans.js';
import { decodeExport, shardOfTrace } from '../../src/lib/receiver/decode.js';

const { openStoreLines } = (await import(path.resolve('dist/lib/receiver/store-lines.js'))) as typeof import('../../src/lib/receiver/store-lines.js');
const { ViewThread, viewSpanKeys } = (await import(path.resolve('dist/lib/live/view-thread.js'))) as typeof import('../../src/lib/live/view-thread.js');

const CAPTURES = 'fixtures/shared/captures';
const AT = new Date('2026-11-22T07:30:00Z');
const capture = (f: string) => new Uint8Array(readFileSync(path.join(CAPTURES, f)));

type Req = { signal: 'traces' | 'logs' | 'metrics'; encoding: 'json' | 'protobuf'; body: Uint8Array };
const requests: Req[] = [
  ...['manual-agent-http-proto.bin', 'manual-stream-http-proto.bin', 'official-agent-http-proto.bin'].map((f): Req => ({ signal: 'traces', encoding: 'protobuf', body: capture(f) })),
  ...['manual-agent-http-json.json', 'manual-error-http-json.json', 'official-agent-http-json.json'].map((f): Req => ({ signal: 'traces', encoding: 'json', body: capture(f) })),
  { signal: 'traces', encoding: 'json', body: Uint8Array.from(Buffer.from(sdkJson(makeSdkSpans()))) },
  // Coding agents: Codex sends spans with usage (its events step aside), Claude Code events and metrics.
  ...agentCaptures()
    .filter((c) => ['codex/http-json', 'claude-code/http-json-delta', 'claude-code/several-exports-delta'].includes(`${c.agent}/${c.run}`))
    .flatMap((c) => c.requests.filter((r) => r.transport === 'http').map((r): Req => ({ signal: r.signal, encoding: r.contentType.includes('json') ? 'json' : 'protobuf', body: new Uint8Array(requestBody(c, r)) }))),
];

/** The figures the summary shows (durations as the multiset still counted). */
function figures(t: SessionTotals) {
  const of = (c: CallTotals) => ({ ...c, durationsMs: [...sortedDifference(Float64Array.from(c.durationsMs), Float64Array.from(c.takenBackMs))], takenBackMs: [] });
  const rows = (m: Map<string, CallTotals>) => [...m].map(([k, c]) => [k, of(c)]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1));
  return { ...t, calls: of(t.calls), byModel: rows(t.byModel), byAgentModel: rows(t.byAgentModel) };
}

describe('view shards', () => {
  const lines = openStoreLines(tempDir(), true, viewSpanKeys(undefined))!;
  afterAll(() => lines.close());

  it('the fixtures have traces in both shards, and agents with events and spans with usage', () => {
    const ids = requests.filter((r) => r.signal === 'traces').flatMap((r) => decodeExport('traces', r.encoding, Buffer.from(r.body)).spans.map((s) => s.traceId));
    expect(new Set(ids.map((id) => shardOfTrace(id, 2)))).toEqual(new Set([0, 1]));
    expect(requests.filter((r) => r.signal === 'logs').length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.signal === 'metrics').length).toBeGreaterThan(0);
  });

  // Codex's trace (id ending c4) is in the first of 2 shards, with its events; in the second of 3.
  it.each([2, 3])('%i view threads give one view thread’s totals, from bodies and from facts alike', async (shards) => {
    const one = new ViewThread({ filters: {} });
    const two = new ViewThread({ filters: {} }, shards);
    for (const r of requests) {
      const req = { signal: r.signal, protocol: 'http', encoding: r.encoding, contentType: 'application/json', receivedAt: AT } as const;
      await (await one.show({ ...req, body: r.body })).done;
      const outcome = await lines.keep(r.signal, r.encoding, r.body, AT);
      const facts = (outcome as { viewFacts?: Uint8Array }).viewFacts;
      await (await two.show(facts ? { ...req, body: new Uint8Array(0) } : { ...req, body: r.body }, facts)).done;
    }
    await one.finish();
    await two.finish();
    expect(one.totals.spans).toBeGreaterThan(0);
    expect(one.totals.eventCalls).toBeGreaterThan(0);
    expect(figures(two.totals)).toEqual(figures(one.totals));
  });
});

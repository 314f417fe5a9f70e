/**
 * Count once across signals (cost/signal-usage.ts), on what the real agents sent
 * (test/fixtures/agents/): whichever of its signals an agent's run is read from — spans, log
 * events, metrics, any combination, in any order, with exports sent twice — the tokens are the
 * ones the mock returned, and the source is the most detailed one present.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../src/lib/cost/aggregate.js';
import { planDimensions } from '../../src/lib/cost/dimensions.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import { attributeCalls } from '../../src/lib/cost/run.js';
import type { SignalRecord } from '../../src/lib/cost/signal-usage.js';
import type { Problem } from '../../src/lib/errors.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import { decodeOtlpProtoTraces } from '../../src/lib/otlp/proto-traces.js';
import { decodeSignalJson, decodeSignalProtobuf } from '../../src/lib/otlp/signals.js';
import type { SpanBatch } from '../../src/lib/sources/read.js';
import { agentCaptures, requestBody, type AgentCapture, type CapturedSignal } from '../helpers/agent-captures.js';

type Decoded = { signal: 'traces'; batch: SpanBatch } | { signal: 'logs' | 'metrics'; rec: SignalRecord };

function decode(capture: AgentCapture): Decoded[] {
  return capture.requests.map((r): Decoded => {
    const body = requestBody(capture, r);
    const json = r.contentType.includes('json');
    if (r.signal === 'traces') {
      const res = json ? decodeOtlpJsonTraces(JSON.parse(body.toString('utf8'))) : decodeOtlpProtoTraces(body);
      return { signal: 'traces', batch: { spans: res.spans, source: r.file } };
    }
    const msg = json ? decodeSignalJson(r.signal, JSON.parse(body.toString('utf8'))) : decodeSignalProtobuf(r.signal, body);
    return { signal: r.signal, rec: { msg, source: r.file } };
  });
}

/** The signals of each agent that carry its usage (docs/coding-agents.md). */
const USAGE: Record<string, CapturedSignal[]> = {
  'claude-code': ['logs', 'metrics'],
  codex: ['traces', 'logs', 'metrics'],
  'gemini-cli': ['logs', 'metrics'],
  'copilot-cli': ['traces', 'metrics'],
};
const SOURCE_OF: Record<CapturedSignal, string> = { traces: 'spans', logs: 'events', metrics: 'metrics' };
const ENTRY: Record<string, string> = { 'gpt-5.1-codex': 'gpt-5.1', 'claude-sonnet-4.5': 'claude-sonnet-4-5' };

async function* each<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

async function count(items: readonly Decoded[], book: PriceBook) {
  const agg = new Aggregator(planDimensions(['model']).dimensions);
  const problems: Problem[] = [];
  const batches = items.flatMap((d) => (d.signal === 'traces' ? [d.batch] : []));
  const records = (s: 'logs' | 'metrics') => items.flatMap((d) => (d.signal === s ? [d.rec] : []));
  await attributeCalls(
    {
      async *mapped(spec) {
        const map = spec.create(spec.config);
        for (const b of batches) yield map(b);
      },
    },
    {
      book,
      inherited: planDimensions(['model']).inherited,
      onCall: (call, sign) => agg.add(call, sign),
      signals: { open: async () => ({ logs: each(records('logs')), metrics: each(records('metrics')) }), onProblem: (p) => problems.push(p) },
    },
  );
  return { agg, problems };
}

describe('count once across signals, on the recorded agents', async () => {
  const book = await loadPricing({ files: [], builtin: true, storeDir: '/nonexistent', warn: () => {} });
  const captures = agentCaptures();

  it.each(captures.map((c) => [`${c.agent}/${c.run}`, c] as const))('%s: any combination of signals gives the mock’s tokens', async (_, capture) => {
    const decoded = decode(capture);
    const present = [...new Set(decoded.map((d) => d.signal))];
    const want = Object.entries(capture.truth.totalsByModel)
      .map(([model, t]) => ({ model: ENTRY[model] ?? model, input: t.input, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite, output: t.output, reasoning: t.reasoning }))
      .sort((a, b) => a.model.localeCompare(b.model));
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(present, { minLength: 1 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.nat(),
        async (signals, resend, seed) => {
          let items = decoded.filter((d) => signals.includes(d.signal));
          // Exports sent again: spans and events are the same records, delta points the same
          // intervals, cumulative points the same running totals.
          for (const i of resend) {
            const d = items[i % Math.max(1, items.length)];
            if (d) items.push(d);
          }
          // Any order within a signal (each signal is read in a pass of its own).
          items = items.map((d, i) => [((i + 1) * 2654435761 + seed) % 4294967296, d] as const).sort((a, b) => a[0] - b[0]).map(([, d]) => d);
          const { agg, problems } = await count(items, book);
          expect(problems).toEqual([]);
          const usageSignals = USAGE[capture.agent]!.filter((s) => signals.includes(s));
          const rows = agg
            .list()
            .filter((g) => g.counters.inputTokens + g.counters.outputTokens > 0)
            .map((g) => ({ model: g.keys[0]!, input: g.counters.inputTokens, cacheRead: g.counters.cacheReadTokens, cacheWrite: g.counters.cacheWriteTokens, output: g.counters.outputTokens, reasoning: g.counters.reasoningTokens }))
            .sort((a, b) => a.model.localeCompare(b.model));
          if (usageSignals.length === 0) {
            expect(rows).toEqual([]);
            return;
          }
          expect(rows).toEqual(want);
          const source = SOURCE_OF[usageSignals[0]!];
          const r = agg.total.records;
          expect((['spans', 'events', 'metrics'] as const).filter((s) => r[s] > 0 && (s !== 'spans' || source === 'spans'))).toEqual([source]);
          if (source !== 'metrics') expect(agg.total.calls).toBe(capture.truth.calls.length);
        },
      ),
      { numRuns: 12 },
    );
  });
});

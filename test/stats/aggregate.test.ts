/**
 * The StatsAggregator's per-trace figures under take-backs, as the Attributor hands them over:
 * a trace's calls, then the trace; a redecision takes the early decision back (calls, then
 * trace, sign −1) and adds the new one. Expected figures are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { AttributedCall, DecidedTrace } from '../../src/lib/cost/attribution.js';
import { planDimensions } from '../../src/lib/cost/dimensions.js';
import { StatsAggregator } from '../../src/lib/stats/aggregate.js';

function call(traceId: string, spanId: string, model: string): AttributedCall {
  return {
    traceId,
    spanId,
    startMs: 0,
    usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost: null,
    model,
    provider: 'openai',
    operation: 'chat',
    service: 'svc',
    durationMs: 100,
    feature: 'f',
    inherited: [],
  } as AttributedCall;
}

/** Hands over one decision as the Attributor does: its calls, then the trace. */
function decide(agg: StatsAggregator, traceId: string, models: string[], repeat: [key: string, count: number] | undefined, sign: 1 | -1): void {
  const calls = models.map((m, i) => call(traceId, `s${i}`, m));
  for (const c of calls) agg.addCall(c, sign);
  const trace: DecidedTrace = { traceId, calls, toolCalls: repeat?.[1] ?? 0, topRepeat: repeat && { key: repeat[0], count: repeat[1] } };
  agg.addTrace(trace, sign);
}

function tops(agg: StatsAggregator) {
  agg.finish();
  return Object.fromEntries([agg.total, ...agg.list()].map((g) => [g.keys.join('/') || 'total', g.topRepeat && { ...g.topRepeat }]));
}

describe('StatsAggregator repeated tool calls', () => {
  it('a group keeps the highest count, then the smallest key, then the smallest trace id', () => {
    const agg = new StatsAggregator(planDimensions(['model']).dimensions);
    decide(agg, 'b', ['m1'], ['search\u0000{}', 3], 1);
    decide(agg, 'a', ['m1'], ['search\u0000{}', 3], 1);
    decide(agg, 'c', ['m1', 'm2'], ['fetch\u0000{}', 3], 1);
    decide(agg, 'd', ['m2'], ['fetch\u0000{}', 2], 1);
    decide(agg, 'e', ['m2'], ['zzz\u0000', 1], 1); // not repeated
    expect(tops(agg)).toEqual({
      total: { traceId: 'c', key: 'fetch\u0000{}', count: 3 },
      m1: { traceId: 'c', key: 'fetch\u0000{}', count: 3 },
      m2: { traceId: 'c', key: 'fetch\u0000{}', count: 3 },
    });
  });

  it('a trace taken back leaves every group it was in; its redecision counts in its new groups only', () => {
    const agg = new StatsAggregator(planDimensions(['model']).dimensions);
    decide(agg, 'a', ['m1'], ['search\u0000', 5], 1);
    decide(agg, 'b', ['m1'], ['search\u0000', 2], 1);
    decide(agg, 'c', ['m2'], ['fetch\u0000', 2], 1);
    // A late span moves trace a's call to m2 and repeats its tool once more.
    decide(agg, 'a', ['m1'], ['search\u0000', 5], -1);
    decide(agg, 'a', ['m2'], ['search\u0000', 6], 1);
    // Trace b's late span leaves it with no call in the window: taken back, not added again.
    decide(agg, 'b', ['m1'], ['search\u0000', 2], -1);
    decide(agg, 'x', ['m1'], undefined, 1);
    const got = tops(agg);
    expect(got).toEqual({
      total: { traceId: 'a', key: 'search\u0000', count: 6 },
      m1: undefined,
      m2: { traceId: 'a', key: 'search\u0000', count: 6 },
    });
    const m1 = agg.list().find((g) => g.keys[0] === 'm1')!;
    expect([m1.calls, m1.traces]).toEqual([1, 1]);
    expect(m1.summaries!.toolCallsPerTrace).toEqual({ count: 1, p50: 0, p95: 0, p99: 0, max: 0 });
    expect(agg.total.summaries!.toolCallsPerTrace!.count).toBe(3);
  });

  it('calls no trace follows (agents\' events) never reach a trace; a trace handed over alone finds its groups from its calls', () => {
    const agg = new StatsAggregator(planDimensions(['model']).dimensions);
    for (let i = 0; i < 1000; i++) agg.addCall(call('', `e${i}`, `event-model-${i}`), 1);
    decide(agg, 'a', ['m1'], ['search\u0000', 2], 1);
    const alone = call('b', 's0', 'm2');
    agg.addCall(alone, 1);
    agg.addCall(call('c', 's0', 'm1'), 1);
    agg.addTrace({ traceId: 'b', calls: [alone], toolCalls: 4, topRepeat: { key: 'fetch\u0000', count: 4 } }, 1);
    const got = tops(agg);
    expect(got.m1).toEqual({ traceId: 'a', key: 'search\u0000', count: 2 });
    expect(got.m2).toEqual({ traceId: 'b', key: 'fetch\u0000', count: 4 });
    const traces = Object.fromEntries(agg.list().filter((g) => g.traces).map((g) => [g.keys[0], g.traces]));
    expect(traces).toEqual({ m1: 1, m2: 1 });
    expect(agg.total.traces).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { Attributor, type AttributedCall, type AttributorOptions } from '../../src/lib/cost/attribution.js';
import { keyPositions, trackedKeys } from '../../src/lib/cost/tracked-keys.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { builtinPriceLayer } from '../../src/lib/cost/pricing.js';
import { emptyResource, newAttributes, type Span } from '../../src/lib/span.js';
import { T0, llm, span } from '../helpers/span-factory.js';

const book = new PriceBook([builtinPriceLayer()]);

function attribute(spans: Span[], opts: Partial<AttributorOptions> = {}) {
  const calls: Array<AttributedCall & { sign: 1 | -1 }> = [];
  const a = new Attributor({ book, onCall: (c, sign) => calls.push({ ...c, sign }), ...opts });
  a.add(spans);
  const stats = a.finish();
  return { calls, stats };
}

function withResource(s: Span, attrs: Record<string, string>): Span {
  return { ...s, resource: { ...emptyResource(), attributes: Object.assign(newAttributes(), attrs) } };
}

describe('count-once', () => {
  it('counts the Vercel doGenerate span, not the ai.generateText span repeating its usage, in any order', () => {
    const usage = { 'ai.model.id': 'gpt-4o', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 20 };
    const spans = [
      span({ id: 'root', name: 'root' }),
      span({ id: 'outer', parent: 'root', name: 'ai.generateText', attrs: { 'ai.operationId': 'ai.generateText', ...usage } }),
      span({ id: 'inner', parent: 'outer', name: 'ai.generateText.doGenerate', attrs: { 'ai.operationId': 'ai.generateText.doGenerate', ...usage } }),
    ];
    for (const order of [spans, [...spans].reverse(), [spans[1]!, spans[2]!, spans[0]!]]) {
      const { calls, stats } = attribute(order);
      expect(calls.map((c) => c.spanId)).toEqual([spans[2]!.spanId]);
      expect(stats.outerSpans).toBe(1);
      expect(calls[0]!.cost).toBeCloseTo((100 * 2.5 + 20 * 10) / 1e6, 15);
    }
  });

  it('does not add invoke_agent totals to the calls below them, even through non-LLM spans', () => {
    const spans = [
      span({ id: 'agent', name: 'invoke_agent a', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 6 } }),
      span({ id: 'http', parent: 'agent', name: 'POST' }),
      llm('c1', 'http', 'gpt-4o-mini', 10, 2),
      llm('c2', 'agent', 'gpt-4o-mini', 20, 4),
    ];
    const { calls } = attribute(spans);
    expect(calls.map((c) => c.usage.input).sort()).toEqual([10, 20]);
    expect(calls.every((c) => c.feature === 'planner')).toBe(true);
  });

  it('counts a span read twice once', () => {
    const s = llm('c1', undefined, 'gpt-4o', 10, 2);
    expect(attribute([s, s]).stats).toMatchObject({ calls: 1, duplicateSpans: 1 });
  });

  it('walks 10,000-level chains without recursion', () => {
    const spans: Span[] = [span({ id: 'n0', name: 'deep-root', attrs: { 'app.feature': 'deep' } })];
    for (let i = 1; i < 10_000; i++) spans.push(span({ id: `n${i}`, parent: `n${i - 1}` }));
    spans.push(llm('leaf', 'n9999', 'gpt-4o', 5, 5));
    const { calls } = attribute(spans.reverse());
    expect(calls).toHaveLength(1);
    expect(calls[0]!.feature).toBe('deep');
  });

  it('does not hang on parent cycles', () => {
    const a = span({ id: 'a', parent: 'b' });
    const b = span({ id: 'b', parent: 'a' });
    const { calls } = attribute([a, b, llm('c', 'a', 'gpt-4o', 1, 1)]);
    expect(calls).toHaveLength(1);
  });
});

describe('feature', () => {
  const call = (extra: Record<string, string> = {}) => llm('call', 'mid', 'gpt-4o', 10, 1, extra);

  it('takes the key on the span itself before the same key on ancestors', () => {
    const { calls } = attribute([span({ id: 'root', attrs: { 'app.feature': 'outer' } }), span({ id: 'mid', parent: 'root' }), call({ 'app.feature': 'own' })]);
    expect(calls[0]!.feature).toBe('own');
  });

  it('tries keys in order: an earlier key on the root beats a later key on the span', () => {
    const { calls } = attribute([span({ id: 'root', attrs: { 'app.feature': 'from-root' } }), span({ id: 'mid', parent: 'root', attrs: { 'gen_ai.agent.name': 'agent' } }), call({ 'traceloop.workflow.name': 'wf' })]);
    expect(calls[0]!.feature).toBe('from-root');
  });

  it('looks at the nearest ancestor first', () => {
    const { calls } = attribute([span({ id: 'root', attrs: { feature: 'far' } }), span({ id: 'mid', parent: 'root', attrs: { feature: 'near' } }), call()]);
    expect(calls[0]!.feature).toBe('near');
  });

  it('then the resource, per key: an earlier key in the resource beats a later key on the span', () => {
    const spans = [span({ id: 'root' }), span({ id: 'mid', parent: 'root' }), withResource(call({ 'gen_ai.agent.name': 'agent' }), { 'service.name': 's', 'app.feature': 'svc-feature' })];
    expect(attribute(spans).calls[0]!.feature).toBe('svc-feature');
  });

  it("falls back to the root span's name, then to (none)", () => {
    expect(attribute([span({ id: 'root', name: 'POST /chat' }), span({ id: 'mid', parent: 'root' }), call()]).calls[0]!.feature).toBe('POST /chat');
    expect(attribute([span({ id: 'mid', parent: 'missing' }), call()]).calls[0]!.feature).toBe('(none)');
  });

  it('uses --feature-key instead of the defaults', () => {
    const spans = [span({ id: 'root', attrs: { 'app.feature': 'default', tenant: 'acme' } }), span({ id: 'mid', parent: 'root' }), call()];
    expect(attribute(spans, { featureKeys: ['tenant'] }).calls[0]!.feature).toBe('acme');
  });

  it('with thousands of feature keys (a generated config), the first key with a value wins, a key shared with a dimension serves both', () => {
    const featureKeys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    const spans = [span({ id: 'root', attrs: { k4999: 'last', k0: 'first-on-root' } }), span({ id: 'mid', parent: 'root', attrs: { k2500: 'middle' } }), call({ k4000: 'own' })];
    const { calls } = attribute(spans, { featureKeys, inherited: [['k4999'], ['k2500', 'k0']] });
    expect(calls.map((c) => [c.feature, c.inherited])).toEqual([['first-on-root', ['last', 'middle']]]);
    expect(keyPositions(trackedKeys(featureKeys, [['x', 'k7'], ['k7']]), [featureKeys, ['x', 'k7'], ['k7']])).toEqual([featureKeys.map((_, i) => i), [5000, 7], [7]]);
  });

  it('resolves inherited dimensions (user, attr:) the same way', () => {
    const spans = [span({ id: 'root', attrs: { 'user.id': 'u1', tenant: 't1' } }), span({ id: 'mid', parent: 'root', attrs: { tenant: 't2' } }), call()];
    expect(attribute(spans, { inherited: [['user.id', 'enduser.id'], ['tenant'], ['absent']] }).calls[0]!.inherited).toEqual(['u1', 't2', undefined]);
  });
});

describe('window and early decisions', () => {
  it('counts calls by their start; an outer span outside the window still hides its inner call', () => {
    const spans = [llm('a', undefined, 'gpt-4o', 1, 1, {}, 0), llm('b', undefined, 'gpt-4o', 1, 1, {}, 60_000)];
    const startMs = Number(T0 / 1_000_000n);
    const { calls, stats } = attribute(spans, { window: { sinceMs: startMs + 30_000 } });
    expect(calls.map((c) => c.spanId)).toEqual([spans[1]!.spanId]);
    expect(stats.outsideWindow).toBe(1);
  });

  it('redoes a trace decided early when a span of it arrives later: the result is as if decided once', () => {
    const t1 = [span({ id: 'r', trace: 't1' }), llm('c', 'r', 'gpt-4o', 1, 1)];
    const filler = Array.from({ length: 20 }, (_, i) => span({ id: `f${i}`, trace: `other${i}` }));
    // A late child carrying usage: `c` becomes an outer span, the late one is the call.
    const late = { ...llm('late', 'c', 'gpt-4o', 1, 1), traceId: t1[0]!.traceId };
    const { calls, stats } = attribute([...t1, ...filler, late], { settleAfterSpans: 8 });
    expect(stats.decidedEarly).toBeGreaterThan(0);
    expect(stats).toMatchObject({ lateSpans: 1, redecided: 1, calls: 1 });
    const net = new Map<string, number>();
    for (const c of calls) net.set(c.spanId, (net.get(c.spanId) ?? 0) + c.sign);
    expect([...net].filter(([, n]) => n !== 0)).toEqual([[late.spanId, 1]]);
  });

  it('does not decide a trace early while a parent is missing', () => {
    const child = llm('c', 'outer', 'gpt-4o', 1, 1);
    const root = span({ id: 'r' });
    const filler = Array.from({ length: 20 }, (_, i) => span({ id: `f${i}`, trace: `other${i}` }));
    const outer = span({ id: 'outer', parent: 'r', name: 'ai.generateText', attrs: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-4o', 'ai.usage.inputTokens': 1, 'ai.usage.outputTokens': 1 } });
    const { calls, stats } = attribute([root, child, ...filler, outer], { settleAfterSpans: 8 });
    expect(stats.lateSpans).toBe(0);
    expect(calls.map((c) => c.spanId)).toEqual([child.spanId]);
  });
});

describe('settle checks', () => {
  /**
   * The rule the Attributor's interval lists implement, written plainly: every `settle / 4`
   * spans, walk the held traces in the order first seen and decide each undecided one that is
   * quiet for `settle` spans, was not checked since its last span, and has a root and every parent.
   */
  function oracle(spans: Span[], settle: number): Array<[traceId: string, atSpan: number, spansHeld: number]> {
    const every = Math.max(1, Math.floor(settle / 4));
    const held = new Map<string, { last: number; checked: number; ids: Set<string>; parents: string[]; decided: boolean }>();
    const decided: Array<[string, number, number]> = [];
    spans.forEach((s, i) => {
      const seq = i + 1;
      if (seq % every === 0) {
        for (const [id, t] of held) {
          if (t.decided || seq - t.last < settle || t.checked >= t.last) continue;
          t.checked = seq;
          if (!t.parents.includes('') || t.parents.some((p) => p !== '' && !t.ids.has(p))) continue;
          t.decided = true;
          decided.push([id, i, t.ids.size]);
        }
      }
      let t = held.get(s.traceId);
      if (!t) held.set(s.traceId, (t = { last: seq, checked: 0, ids: new Set(), parents: [], decided: false }));
      if (t.decided) return;
      t.ids.add(s.spanId);
      t.parents.push(s.parentSpanId);
      t.last = seq;
    });
    return decided;
  }

  it('decides each quiet trace at the check the plain rule gives, in the order traces were first seen', () => {
    // Traces interleaved at random, some with a root that comes late (not complete at a check, then
    // complete), some touched again long after they began.
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 16) % n);
    const traces = Array.from({ length: 60 }, (_, t) => {
      const trace = `t${t}`;
      const spans = [span({ id: `${trace}r`, trace })];
      for (let i = 0; i < 1 + rand(6); i++) spans.push({ ...llm(`${trace}c${i}`, `${trace}r`, 'gpt-4o', 1, 1), traceId: spans[0]!.traceId });
      if (rand(3) === 0) spans.push(spans.shift()!); // the root last
      return spans;
    });
    const input: Span[] = [];
    const cursor = traces.map(() => 0);
    for (let live = 0; input.length < traces.reduce((n, t) => n + t.length, 0); ) {
      live = Math.min(traces.length, live + (rand(2) === 0 ? 1 : 0) + (live === 0 ? 1 : 0));
      const t = rand(live);
      if (cursor[t]! < traces[t]!.length) input.push(traces[t]![cursor[t]!++]!);
    }
    for (const settle of [4, 8, 13]) {
      const at: Array<[string, number]> = [];
      let i = 0;
      const a = new Attributor({ book, settleAfterSpans: settle, onCall: (c) => at.at(-1)?.[0] === c.traceId && at.at(-1)?.[1] === i ? undefined : at.push([c.traceId, i]) });
      for (; i < input.length; i++) a.add([input[i]!]);
      const expected = oracle(input, settle);
      // Every span but a root is a call here: a trace decided with its root alone emits nothing.
      expect(at.filter(([, n]) => n < input.length)).toEqual(expected.filter(([, , held]) => held > 1).map(([id, n]) => [id, n]));
      expect(a.finish().decidedEarly).toBe(expected.length);
    }
  });
});

describe('spilling', () => {
  it('finishes one trace larger than the budget (it is held whole: splitting stops)', () => {
    const spans: Span[] = [span({ id: 'root', name: 'root' })];
    for (let i = 0; i < 50_000; i++) spans.push(span({ id: `s${i}`, parent: 'root' }));
    spans.push(llm('call', 's7', 'gpt-4o', 5, 5));
    const { calls, stats } = attribute(spans.reverse(), { memoryBytes: 1024 });
    expect(stats.spilledTraces).toBe(1);
    expect(stats.spilledBytes).toBeGreaterThan(1 << 20);
    expect(calls.map((c) => c.spanId)).toEqual([spans[0]!.spanId]);
  });
});

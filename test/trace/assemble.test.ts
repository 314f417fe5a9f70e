import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleTrace, hasTrueRoot } from '../../src/lib/trace/assemble.js';
import type { Span } from '../../src/lib/span.js';
import { hexId, llm, span } from '../helpers/span-factory.js';

const TRACE = hexId('t1', 16);
const order = (t: ReturnType<typeof assembleTrace>) => t.nodes.map((n) => `${'  '.repeat(n.depth)}${n.span.name}`);

describe('assembleTrace', () => {
  const agentSpans = [
    span({ id: 'root', name: 'agent', start: 0, end: 100 }),
    llm('c1', 'root', 'gpt-4o', 23, 12, { 'gen_ai.usage.cache_read.input_tokens': 11 }, 1),
    span({ id: 'tool', parent: 'root', name: 'execute_tool search', start: 30, end: 40, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }),
    llm('c2', 'root', 'gpt-4o-mini', 46, 7, {}, 50),
  ];

  it('builds the hierarchy with children ordered by start time', () => {
    const t = assembleTrace(TRACE, [...agentSpans].reverse());
    expect(order(t)).toEqual(['agent', '  chat gpt-4o', '  execute_tool search', '  chat gpt-4o-mini']);
    expect(t.orphanCount).toBe(0);
    expect(hasTrueRoot(t)).toBe(true);
  });

  it('is independent of arrival order (property)', () => {
    const expected = order(assembleTrace(TRACE, agentSpans));
    fc.assert(fc.property(fc.shuffledSubarray(agentSpans, { minLength: agentSpans.length }), (shuffled) => {
      expect(order(assembleTrace(TRACE, shuffled))).toEqual(expected);
    }));
  });

  it('sums subtree usage once: an outer span repeating its child usage is not added again', () => {
    const outer = span({ id: 'gen', parent: 'root', name: 'ai.generateText', start: 60, end: 90, attrs: { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10, 'ai.model.id': 'gpt-4o' } });
    const inner = span({ id: 'gen2', parent: 'gen', name: 'ai.generateText.doGenerate', start: 61, end: 89, attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10, 'ai.model.id': 'gpt-4o' } });
    const t = assembleTrace(TRACE, [...agentSpans, outer, inner]);
    const byName = new Map(t.nodes.map((n) => [n.span.name, n]));
    expect(byName.get('ai.generateText')!.countsUsage).toBe(false);
    expect(byName.get('ai.generateText.doGenerate')!.countsUsage).toBe(true);
    expect(t.usage).toMatchObject({ input: 23 + 46 + 100, output: 12 + 7 + 10, cacheRead: 11 });
    expect(byName.get('agent')!.subtreeUsage).toMatchObject({ input: 169, output: 29 });
  });

  it('counts model calls as count-once does: a failed call without usage is a call, an outer span repeating usage is not', () => {
    const vercelOuter = span({ id: 'gen', parent: 'root', name: 'ai.generateText', start: 60, end: 90, attrs: { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10, 'ai.model.id': 'gpt-4o' } });
    const vercelInner = span({ id: 'gen2', parent: 'gen', name: 'ai.generateText.doGenerate', start: 61, end: 89, attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10, 'ai.model.id': 'gpt-4o' } });
    const failed = span({ id: 'fail', parent: 'root', name: 'chat gpt-4o', start: 95, end: 96, status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } });
    const t = assembleTrace(TRACE, [...agentSpans, vercelOuter, vercelInner, failed]);
    const by = new Map(t.nodes.map((n) => [n.span.spanId, n]));
    const id = (label: string) => hexId(label);
    expect(t.calls).toBe(4); // c1, c2, doGenerate, the failed chat
    expect(t.nodes.filter((n) => n.countsCall).map((n) => n.span.name).sort()).toEqual(['ai.generateText.doGenerate', 'chat gpt-4o', 'chat gpt-4o', 'chat gpt-4o-mini']);
    expect(by.get(id('fail'))).toMatchObject({ countsCall: true, countsUsage: false });
    expect(by.get(id('gen'))).toMatchObject({ countsCall: false, countsUsage: false });
    expect(by.get(id('gen2'))).toMatchObject({ countsCall: true, countsUsage: true });
    expect(by.get(id('root'))).toMatchObject({ countsCall: false, countsUsage: false });
    // Subtree sums count usage once, as before.
    expect(t.usage).toMatchObject({ input: 23 + 46 + 100, output: 12 + 7 + 10 });
  });

  it('does not count a failed model span under an agent span that carries the usage itself', () => {
    const agent = span({ id: 'agent', name: 'invoke_agent a', start: 0, end: 50, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } });
    const chat = span({ id: 'chat', parent: 'agent', name: 'chat gpt-4o', start: 1, end: 40, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } });
    const t = assembleTrace(TRACE, [chat, agent]);
    expect(t.calls).toBe(1);
    expect(t.nodes.map((n) => [n.span.name, n.countsCall, n.countsUsage])).toEqual([
      ['invoke_agent a', true, true],
      ['chat gpt-4o', false, false],
    ]);
  });

  it('shows a span whose parent never arrived as an orphan root', () => {
    const t = assembleTrace(TRACE, [agentSpans[1]!, agentSpans[3]!]);
    expect(t.roots.map((r) => r.orphan)).toEqual([true, true]);
    expect(t.orphanCount).toBe(2);
    expect(hasTrueRoot(t)).toBe(false);
  });

  it('cuts parent cycles instead of looping', () => {
    const t = assembleTrace(TRACE, [
      span({ id: 'a', parent: 'c', start: 0 }),
      span({ id: 'b', parent: 'a', start: 1 }),
      span({ id: 'c', parent: 'b', start: 2 }),
      span({ id: 'self', parent: 'self', start: 3 }),
    ]);
    expect(t.nodes).toHaveLength(4);
    expect(t.cyclesCut).toBe(2);
    expect(t.roots.every((r) => r.cycleCut)).toBe(true);
  });

  it('cuts a parent cycle at the same span whatever the arrival order: above its lowest span id (count-once cuts there too)', () => {
    // Scenario: a three-span cycle with usage on every member, and a self-parent; any order of
    // arrival (any file split) must draw the same tree. The lowest id, a, starts last.
    const cycle = [
      llm('b', 'a', 'gpt-4o', 200, 20, {}, 1),
      llm('a', 'c', 'gpt-4o', 100, 10, {}, 2.5),
      llm('c', 'b', 'gpt-4o', 300, 30, {}, 2),
      span({ id: 'self', parent: 'self', start: 3 }),
    ];
    const drawn = (spans: Span[]) => assembleTrace(TRACE, spans).nodes.map((n) => [n.depth, n.span.spanId, n.cycleCut]);
    expect(drawn(cycle)).toEqual([
      [0, hexId('a'), true],
      [1, hexId('b'), false],
      [2, hexId('c'), false],
      [0, hexId('self'), true],
    ]);
    // c, the innermost, is the call counted.
    expect(assembleTrace(TRACE, cycle).nodes.filter((n) => n.countsCall).map((n) => n.span.spanId)).toEqual([hexId('c')]);
    fc.assert(fc.property(fc.shuffledSubarray(cycle, { minLength: cycle.length }), (shuffled) => {
      expect(drawn(shuffled)).toEqual(drawn(cycle));
    }));
  });

  /** A failed model call (no usage) under `parent`. */
  const failed = (id: string, parent: string, start: number) =>
    span({ id, parent, start, name: 'chat gpt-4o', status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } });
  const agent = (id: string, parent: string | undefined, start: number) =>
    span({ id, parent, start, name: 'invoke_agent a', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } });

  it('counts the failed calls under a 50,000-deep chain once each, or none under a counted agent span', () => {
    const depth = 50_000;
    const comb = (root: Span) => {
      const spans = [root];
      for (let i = 1; i < depth; i++) spans.push(span({ id: `n${i}`, parent: `n${i - 1}`, start: i }), failed(`f${i}`, `n${i}`, i));
      return spans;
    };
    expect(assembleTrace(TRACE, comb(span({ id: 'n0', start: 0 }))).calls).toBe(depth - 1);
    // The agent span's usage is that of the calls below it: they were counted with it.
    expect(assembleTrace(TRACE, comb(agent('n0', undefined, 0))).calls).toBe(1);
  });

  it('decides a failed call hanging off a parent cycle by the cycle\'s counted usage', () => {
    const cycle = (top: Span) => [top, span({ id: 'b', parent: 'a', start: 1 }), span({ id: 'c', parent: 'b', start: 2 }), failed('f', 'b', 3)];
    const withUsage = assembleTrace(TRACE, cycle(agent('a', 'c', 0)));
    expect(withUsage.nodes.filter((n) => n.countsCall).map((n) => n.span.name)).toEqual(['invoke_agent a']);
    const without = assembleTrace(TRACE, cycle(span({ id: 'a', parent: 'c', start: 0 })));
    expect(without.nodes.filter((n) => n.countsCall).map((n) => n.span.name)).toEqual(['chat gpt-4o']);
  });

  it('draws one of two differing spans with the same id whichever came first, and reports the other', () => {
    const first = span({ id: 'a', name: 'first' }), second = span({ id: 'a', name: 'second' });
    const ab = assembleTrace(TRACE, [first, second]), ba = assembleTrace(TRACE, [second, first]);
    expect(ab.nodes.map((n) => n.span.name)).toEqual(ba.nodes.map((n) => n.span.name));
    expect(ab.duplicateSpans.map((s) => s.name)).toEqual(ba.duplicateSpans.map((s) => s.name));
    expect([...ab.nodes, ...ab.duplicateSpans.map((s) => ({ span: s }))].map((n) => n.span.name).sort()).toEqual(['first', 'second']);
  });

  it('assembles a 10,000-deep chain without recursion', () => {
    const spans = [span({ id: 'n0', start: 0 })];
    for (let i = 1; i < 10_000; i++) spans.push(llm(`n${i}`, `n${i - 1}`, 'gpt-4o', 1, 1, {}, i));
    const t = assembleTrace(TRACE, spans.reverse());
    expect(t.nodes).toHaveLength(10_000);
    expect(t.nodes.at(-1)!.depth).toBe(9_999);
    // Only the deepest call counts: every other span has a descendant with usage.
    expect(t.usage).toMatchObject({ input: 1, output: 1 });
  });
});

/**
 * A counted span call in a known session carries the running Σ of its agent and session, as a
 * coding agent's request events do (genai/agents.ts SESSION_KEYS, on the span, an ancestor or the
 * resource). The Σ follows count-once: a call taken back when a child with usage arrives leaves it.
 */
import { describe, expect, it } from 'vitest';
import type { GenAiView } from '../../src/lib/genai/classify.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderSpanLine } from '../../src/lib/render/live.js';
import { spanEvent } from '../../src/lib/render/live-json.js';
import { hexId, span } from '../helpers/span-factory.js';
import { totalUsd } from '../../src/lib/live/totals.js';
import { harness, traceExport } from './helpers.js';

/** $1 per 1k tokens for gpt-4o. */
const price = (v: GenAiView) => ((v.responseModel ?? v.requestModel) === 'gpt-4o' && v.usage ? (v.usage.input + v.usage.output) / 1000 : undefined);
const llm = (id: string, parent: string, input: number, output: number, trace = 't1') =>
  span({ id, parent, trace, name: 'chat gpt-4o', start: 10, end: 20, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output } });
const root = (trace: string, attrs: Record<string, string>) => span({ id: `root-${trace}`, trace, name: 'agent turn', start: 0, end: 50, attrs });
const sums = (h: ReturnType<typeof harness>) => h.of('span').map((e) => e.line.session && { id: e.line.session.id, calls: e.line.session.total.calls, cost: totalUsd(e.line.session.total) });

describe('live view: the running Σ of a span call’s session', () => {
  it('adds up calls of one conversation across traces, from the root’s session key', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([root('t1', { 'gen_ai.conversation.id': 'conv-1' }), llm('a', 'root-t1', 100, 20)]));
    h.view.onExport(traceExport([root('t2', { 'gen_ai.conversation.id': 'conv-1' }), llm('b', 'root-t2', 200, 50, 't2')]));
    h.view.onExport(traceExport([root('t3', { 'session.id': 'other' }), llm('c', 'root-t3', 10, 10, 't3')]));
    expect(sums(h)).toEqual([
      { id: 'conv-1', calls: 1, cost: 0.12 },
      { id: 'conv-1', calls: 2, cost: 0.37 },
      { id: 'other', calls: 1, cost: 0.02 },
    ]);
    const line = h.of('span')[1]!.line;
    expect(renderSpanLine(line, { colors: makeColors({ noColor: true }), width: Infinity, pricing: true })[0]).toMatch(/Σ conv-1 2 calls \$0\.370$/);
    expect(spanEvent(line)).toMatchObject({ session: 'conv-1', sessionTotal: { calls: 2, cost: 0.37 } });
  });

  it('no session key anywhere: no Σ, and the JSON has none', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([root('t1', {}), llm('a', 'root-t1', 100, 20)]));
    expect(sums(h)).toEqual([undefined]);
    expect(spanEvent(h.of('span')[0]!.line)).not.toHaveProperty('sessionTotal');
  });

  it('a call taken back by count-once leaves the Σ: the inner call that replaces it counts once', () => {
    const h = harness({ price });
    // The outer span with usage arrives first (Vercel's ai.generateText shape), its inner call later.
    h.view.onExport(traceExport([root('t1', { 'session.id': 's' }), llm('outer', 'root-t1', 100, 20)]));
    expect(sums(h)).toEqual([{ id: 's', calls: 1, cost: 0.12 }]);
    h.view.onExport(traceExport([llm('inner', 'outer', 100, 20)]));
    expect(sums(h).at(-1)).toEqual({ id: 's', calls: 1, cost: 0.12 });
    expect(h.view.totals.calls.calls).toBe(1);
    expect(totalUsd(h.view.totals.calls)).toBe(0.12);
  });
  it('a failed call (no usage) counts in its session’s Σ, as `cost --by session` counts it', () => {
    const h = harness({ price });
    const failed = span({ id: 'f', parent: 'root-t1', name: 'chat gpt-4o', start: 20, end: 21, status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'error.type': '429' } });
    h.view.onExport(traceExport([root('t1', { 'session.id': 's' }), llm('a', 'root-t1', 100, 20), failed, llm('b', 'root-t1', 200, 50)]));
    // Lines come in end-time order: a and b (ending at 20), then the failed call (21).
    expect(h.of('span').map((e) => e.line.span.spanId)).toEqual(['a', 'b', 'f'].map((l) => hexId(l)));
    expect(sums(h)).toEqual([
      { id: 's', calls: 1, cost: 0.12 },
      { id: 's', calls: 2, cost: 0.37 },
      { id: 's', calls: 3, cost: 0.37 },
    ]);
    expect(h.view.totals.calls.calls).toBe(3);
  });
  it('a call that arrives before the root naming its session joins that session’s Σ once the root comes', () => {
    const h = harness({ price });
    // Exporters send a call when it ends, its root (which names the session) later.
    h.view.onExport(traceExport([llm('a', 'root-t1', 100, 20)]));
    expect(sums(h)).toEqual([undefined]);
    h.view.onExport(traceExport([root('t1', { 'session.id': 's' })]));
    h.view.onExport(traceExport([root('t2', { 'session.id': 's' }), llm('b', 'root-t2', 200, 50, 't2')]));
    expect(sums(h).at(-1)).toEqual({ id: 's', calls: 2, cost: 0.37 });
  });

  it('a call whose root never comes stays out of every session, and is still in the totals', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([llm('a', 'root-t1', 100, 20)]));
    h.view.flush();
    h.view.onExport(traceExport([root('t2', { 'session.id': 's' }), llm('b', 'root-t2', 200, 50, 't2')]));
    expect(sums(h).at(-1)).toEqual({ id: 's', calls: 1, cost: 0.25 });
    expect(h.view.totals.calls.calls).toBe(2);
  });
  it('a call shown under its own conversation.id moves to the session.id its root names when the root comes, as cost decides', () => {
    const h = harness({ price });
    const call = span({ id: 'a', parent: 'root-t1', name: 'chat gpt-4o', start: 10, end: 20, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20, 'conversation.id': 'c' } });
    h.view.onExport(traceExport([call]));
    // Shown at once under the session known then.
    expect(sums(h)).toEqual([{ id: 'c', calls: 1, cost: 0.12 }]);
    // The root names session.id, the first session key: `cost --by session` puts the call there.
    h.view.onExport(traceExport([root('t1', { 'session.id': 's' })]));
    h.view.onExport(traceExport([root('t2', { 'session.id': 's' }), llm('b', 'root-t2', 200, 50, 't2')]));
    h.view.onExport(traceExport([root('t3', { 'conversation.id': 'c' }), llm('c', 'root-t3', 10, 10, 't3')]));
    expect(sums(h).slice(1)).toEqual([
      { id: 's', calls: 2, cost: 0.37 },
      { id: 'c', calls: 1, cost: 0.02 },
    ]);
  });
});

/**
 * The live view holds back the line of a call that names no model until the ancestor that names
 * it arrives (Codex: `handle_responses` carries the usage, the turn spans above it the `model`,
 * and they end, so arrive, after it), as `cost` takes the model from the whole trace
 * (cost/inherited-model.ts). A line still held when its trace completes, times out or is flushed
 * is printed then, with whatever is known. Clock injected (helpers.ts).
 */
import { describe, expect, it } from 'vitest';
import type { GenAiView } from '../../src/lib/genai/classify.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderSpanLine } from '../../src/lib/render/live.js';
import { spanEvent } from '../../src/lib/render/live-json.js';
import { toTerminal } from '../../src/lib/render/terminal.js';
import type { AttrValue } from '../../src/lib/span.js';
import { hexId, span } from '../helpers/span-factory.js';
import { harness, traceExport, withUsd } from './helpers.js';

/** $1 per 1k tokens for gpt-4o; every other model has no known price. */
const price = (v: GenAiView) => ((v.responseModel ?? v.requestModel) === 'gpt-4o' && v.usage ? (v.usage.input + v.usage.output) / 1000 : undefined);

/** Codex's shapes (docs/coding-agents.md): usage without a model, the model on the turn above. */
const call = (id = 'call', parent = 'turn', input = 23, output = 12, trace = 't1') =>
  span({ id, parent, trace, name: 'handle_responses', start: 10, end: 20, attrs: { 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output } });
const turn = (attrs: Record<string, string> = { model: 'gpt-4o' }, parent = 'root', trace = 't1') => span({ id: 'turn', parent, trace, name: 'session_task.turn', start: 5, end: 40, attrs });
const root = (trace = 't1') => span({ id: 'root', trace, name: 'codex.exec', start: 0, end: 50 });

const lines = (h: ReturnType<typeof harness>) => h.of('span').map((e) => ({ name: e.line.span.name, model: e.line.model, cost: e.line.cost, counted: e.line.counted, late: e.line.late }));

describe('live view: a call whose model is on an ancestor that arrives later', () => {
  it('holds the line until the parent names the model; then prints it once, priced, and counts it once', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([call()]));
    expect(h.of('span')).toHaveLength(0);
    expect(h.view.totals.calls.calls).toBe(0);
    h.advance(500);
    expect(h.of('span')).toHaveLength(0);

    h.view.onExport(traceExport([turn()]));
    expect(lines(h)).toEqual([{ name: 'handle_responses', model: 'gpt-4o', cost: 0.035, counted: true, late: false }]);
    expect(withUsd(h.view.totals.calls)).toMatchObject({ calls: 1, cost: 0.035, pricedCalls: 1, unpricedCalls: 0 });
    expect([...h.view.totals.byModel.keys()]).toEqual(['gpt-4o']);
    expect(renderSpanLine(h.of('span')[0]!.line, { colors: makeColors({ noColor: true }), width: Infinity, pricing: true })[0]).toMatch(/handle_responses gpt-4o +23 → 12 tok +\$0\.0350 /);

    h.view.onExport(traceExport([root()]));
    h.advance(1500);
    expect(h.of('trace')).toHaveLength(1);
    const done = h.of('trace')[0]!.done;
    expect(withUsd(done.totals)).toMatchObject({ calls: 1, cost: 0.035 });
    // The tree prices the call, and its ancestors' Σ, the same way.
    expect(done.costOf!(done.trace.nodes.find((n) => n.span.name === 'handle_responses')!)).toBe(0.035);
    expect(done.costOf!(done.trace.roots[0]!)).toBe(0.035);
    h.view.flush();
    expect(h.of('span')).toHaveLength(1);
    expect(h.view.totals.calls.calls).toBe(1);
  });

  it('stops waiting at the root: no ancestor names a model, so the line says so', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([call()]));
    h.view.onExport(traceExport([turn({})]));
    expect(h.of('span')).toHaveLength(0); // the root may still name it
    h.view.onExport(traceExport([root()]));
    expect(lines(h)).toEqual([{ name: 'handle_responses', model: undefined, cost: undefined, counted: true, late: false }]);
    expect(h.view.totals.calls).toMatchObject({ calls: 1, pricedCalls: 0, unpricedCalls: 1 });
    expect([...h.view.totals.byModel.keys()]).toEqual(['(unknown model)']);
  });

  it('a trace whose root never arrives: the held line is printed at flush (shutdown), once', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([call('c1', 'turn', 23, 12), call('c2', 'turn', 40, 10)]));
    h.advance(5_000);
    expect(h.of('span')).toHaveLength(0);
    h.view.flush();
    expect(lines(h)).toEqual([
      { name: 'handle_responses', model: undefined, cost: undefined, counted: true, late: false },
      { name: 'handle_responses', model: undefined, cost: undefined, counted: true, late: false },
    ]);
    expect(h.view.totals.calls).toMatchObject({ calls: 2, unpricedCalls: 2 });
    h.view.flush();
    expect(h.of('span')).toHaveLength(2);
  });

  it('and at its timeout, with the model when the parent came but the root did not', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([call('c1')]));
    h.view.onExport(traceExport([turn()])); // named: printed now, not at the timeout
    h.view.onExport(traceExport([call('c2', 'other-turn', 40, 10)]));
    expect(lines(h).map((l) => l.model)).toEqual(['gpt-4o']);
    h.advance(31_000);
    expect(lines(h).map((l) => [l.model, l.cost])).toEqual([
      ['gpt-4o', 0.035],
      [undefined, undefined],
    ]);
    expect(h.of('trace')[0]!.done.reason).toBe('timeout');
    expect(withUsd(h.view.totals.calls)).toMatchObject({ calls: 2, pricedCalls: 1, unpricedCalls: 1, cost: 0.035 });
  });

  it('takes the nearest ancestor’s model, through spans that name none', () => {
    const h = harness({ price });
    const stream = span({ id: 'stream', parent: 'turn', name: 'model_client.stream_responses_api', start: 8, end: 30 });
    h.view.onExport(traceExport([call('call', 'stream')]));
    h.view.onExport(traceExport([stream]));
    expect(h.of('span')).toHaveLength(0);
    h.view.onExport(traceExport([turn({ model: 'gpt-4o' }), span({ id: 'root', name: 'codex.exec', attrs: { model: 'gpt-4.1' } })]));
    expect(lines(h).map((l) => l.model)).toEqual(['gpt-4o']);
  });

  it('a call that names its own model is never held', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([span({ id: 'c', parent: 'turn', name: 'chat', attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 5 } })]));
    expect(lines(h).map((l) => l.model)).toEqual(['gpt-4o-mini']);
  });

  it('--model matches the inherited model', () => {
    const h = harness({ price, filters: { models: ['gpt-4o'] } });
    h.view.onExport(traceExport([call()]));
    h.view.onExport(traceExport([turn()]));
    expect(lines(h).map((l) => l.model)).toEqual(['gpt-4o']);
    expect(h.view.totals.calls.calls).toBe(1);
  });

  it('--quiet (spans kept slim): the totals price the call by the model of a parent that came in another batch', () => {
    const h = harness({ price, traceEvents: false });
    const stream = span({ id: 'stream', parent: 'turn', name: 'model_client.stream_responses_api', start: 8, end: 30 });
    h.view.onExport(traceExport([call('call', 'stream')]));
    h.view.onExport(traceExport([stream]));
    h.view.onExport(traceExport([turn()]));
    h.view.onExport(traceExport([root()]));
    h.advance(1500);
    expect(withUsd(h.view.totals.calls)).toMatchObject({ calls: 1, cost: 0.035, pricedCalls: 1 });
    expect([...h.view.totals.byModel.keys()]).toEqual(['gpt-4o']);
  });

  it('a late call of a printed trace takes the model its ancestors named, also after the trace went to disk', () => {
    const h = harness({ price, printedMemoryBytes: 1 });
    h.view.onExport(traceExport([turn(), root()]));
    h.advance(1500);
    h.view.onExport(traceExport([span({ id: 'pad', trace: 't2', name: 'other' })])); // t1 is pushed out to disk
    h.advance(1500);
    h.view.onExport(traceExport([call()]));
    expect(lines(h)).toEqual([{ name: 'handle_responses', model: 'gpt-4o', cost: 0.035, counted: true, late: true }]);
    expect(withUsd(h.view.totals.calls)).toMatchObject({ calls: 1, cost: 0.035 });
    h.view.close();
  });

  it('an ancestor’s model is untrusted: controls never reach the terminal; wrong types and empty strings name none; a huge one is no crash', () => {
    const h = harness({ price });
    const cases: Array<[string, AttrValue]> = [
      ['controls', '\u001b[2J\u0007gpt\nfake line'],
      ['number', 42],
      ['array', ['gpt-4o']],
      ['empty', ''],
      ['bytes', new Uint8Array([0x67, 0x70, 0x74])],
      ['huge', 'm'.repeat(1 << 20)],
    ];
    for (const [trace, model] of cases) {
      h.view.onExport(traceExport([call('call', 'turn', 23, 12, trace)]));
      h.view.onExport(traceExport([span({ id: 'turn', parent: 'root', trace, name: 'session_task.turn', attrs: { model } }), root(trace)]));
    }
    const byTrace = new Map(h.of('span').map((e) => [e.line.span.traceId, e.line]));
    expect(byTrace.size).toBe(cases.length);
    const models = cases.map(([trace]) => byTrace.get(hexId(trace, 16))!.model);
    expect(models.slice(0, 5)).toEqual(['\u001b[2J\u0007gpt\nfake line', '42', undefined, undefined, undefined]);
    expect(models[5]).toHaveLength(1 << 20);
    const text = { colors: makeColors({ noColor: true }), width: 200, pricing: true };
    for (const e of h.of('span')) {
      expect(JSON.parse(JSON.stringify(spanEvent(e.line))).model).toBe(e.line.model ?? null);
      // The text line's layout takes time quadratic in a name's length (render/live.ts, as for
      // any model name): the huge one is checked as data only.
      if ((e.line.model?.length ?? 0) > 1000) continue;
      const shown = toTerminal(renderSpanLine(e.line, text).join('\n'));
      expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(shown.split('\n')).toHaveLength(1);
    }
    // None priced: no price for these names; each counted once, unpriced.
    expect(h.view.totals.calls).toMatchObject({ calls: cases.length, pricedCalls: 0, unpricedCalls: cases.length });
  });
});

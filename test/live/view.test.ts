import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GenAiView } from '../../src/lib/genai/classify.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderSpanLine, renderSummary, renderTotalLine, renderTraceDone } from '../../src/lib/render/live.js';
import { llm, span } from '../helpers/span-factory.js';
import { genAiLog, harness, inService, logExport, traceExport, withUsd } from './helpers.js';
import { toTerminal } from '../../src/lib/render/terminal.js';
import type { CallTotals, SessionTotals } from '../../src/lib/live/totals.js';
import { sortedDifference } from '../../src/lib/stats/percentiles.js';

/** Totals with the durations as the multiset they stand for: their order follows the arrivals. */
function comparable(t: SessionTotals) {
  const calls = (c: CallTotals) => {
    const { durationsMs, takenBackMs, ...rest } = c;
    return { ...rest, durations: [...sortedDifference(Float64Array.from(durationsMs), Float64Array.from(takenBackMs))] };
  };
  return { ...t, calls: calls(t.calls), byModel: new Map([...t.byModel].map(([m, c]) => [m, calls(c)])) };
}

const colors = makeColors({ noColor: true });
const text = { colors, width: Infinity, pricing: true };
/** $1 per 1k tokens for gpt-4o and gpt-4o-mini; every other model has no known price. */
const price = (v: GenAiView) => {
  const m = v.responseModel ?? v.requestModel;
  return (m === 'gpt-4o' || m === 'gpt-4o-mini') && v.usage ? (v.usage.input + v.usage.output) / 1000 : undefined;
};

const tool = (id: string, parent: string, name: string, start = 30, status: 0 | 2 = 0) =>
  span({ id, parent, name: `execute_tool ${name}`, start, end: start + 5, status, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name } });
const root = (id = 'root', trace = 't1', attrs: Record<string, string> = { 'app.feature': 'research' }) =>
  span({ id, trace, name: 'agent.research', start: 0, end: 100, attrs });

describe('live view: lines', () => {
  it('prints one line per LLM, embeddings and tool call, with tokens, cost, latency and finish reason', () => {
    const h = harness({ price });
    const chat = llm('c1', 'root', 'gpt-4o', 23, 12, { 'gen_ai.usage.cache_read.input_tokens': 11, 'gen_ai.response.finish_reasons': ['tool_calls'] }, 1);
    const emb = span({ id: 'e1', parent: 'root', name: 'embeddings text-embedding-3-small', start: 60, end: 70, attrs: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 16 } });
    h.view.onExport(traceExport([emb, tool('t1', 'root', 'search_docs'), chat]));
    const lines = h.of('span').map((e) => renderSpanLine(e.line, text));
    expect(lines).toHaveLength(3);
    // Lines come in start order, whatever order the batch had.
    expect(lines[0]![0]).toMatch(/^\d\d:\d\d:\d\d {2}test-svc +chat gpt-4o +23 → 12 tok \(11 cached\) +\$0\.0350 +20ms  tool_calls$/);
    expect(lines[1]![0]).toMatch(/tool search_docs +5\.0ms {2}ok$/);
    expect(lines[2]![0]).toMatch(/embeddings text-embedding-3-small +16 tok in +\$\? +10ms$/);
    expect(h.view.totals.calls.calls).toBe(2);
    expect(h.view.totals.calls.usage).toMatchObject({ input: 39, output: 12, cacheRead: 11 });
  });

  it('shows errors in red with their reason', () => {
    const h = harness();
    const failed = llm('c1', 'root', 'gpt-4o', 0, 0, { 'error.type': '429' });
    failed.status = { code: 2, message: 'rate limited' };
    h.view.onExport(traceExport([failed, tool('t2', 'root', 'fetch', 30, 2)]));
    const red = makeColors({ env: { FORCE_COLOR: '1' } });
    const [callLine] = renderSpanLine(h.of('span')[0]!.line, { ...text, colors: red });
    expect(toTerminal(callLine!)).toMatch(/^\u001b\[31m.*✗ 429/);
    expect(renderSpanLine(h.of('span')[1]!.line, text)[0]).toMatch(/tool fetch +✗ error +5\.0ms$/);
  });

  it('counts a call once when an outer span repeats its usage (Vercel generateText over doGenerate)', () => {
    const h = harness();
    const outer = llm('outer', 'root', 'gpt-4o', 10, 5, {}, 0);
    const inner = llm('inner', 'outer', 'gpt-4o', 10, 5, {}, 1);
    // The outer span arrives first, in its own batch: counted, then taken back.
    h.view.onExport(traceExport([outer]));
    expect(h.view.totals.calls.calls).toBe(1);
    h.view.onExport(traceExport([inner]));
    expect(h.view.totals.calls.calls).toBe(1);
    expect(h.view.totals.calls.usage.input).toBe(10);
    // Same batch: only the inner call gets a line.
    const h2 = harness();
    h2.view.onExport(traceExport([outer, inner]));
    expect(h2.of('span').map((e) => e.line.span.name)).toEqual(['chat gpt-4o']);
    expect(h2.of('span')[0]!.line.span.spanId).toBe(inner.spanId);
    expect(h2.view.totals.calls.calls).toBe(1);
  });

  it('--quiet keeps spans slimmed and counts exactly as the full view, whatever the batching', () => {
    // Outer spans before and after their calls, features on ancestors, a feature filter.
    const spans = [
      root('root', 't1', { 'app.feature': 'research' }),
      llm('outer', 'root', 'gpt-4o', 10, 5, {}, 2),
      llm('inner', 'outer', 'gpt-4o', 10, 5, {}, 3),
      llm('solo', 'root', 'gpt-4o-mini', 7, 3, {}, 4),
      tool('t1', 'root', 'search_docs'),
      root('root2', 't2', { 'app.feature': 'chat' }),
      span({ id: 'mid', trace: 't2', parent: 'root2', name: 'step', attrs: { 'user.id': 'u1' } }),
      llm('deep', 'mid', 'gpt-4o', 100, 50, {}, 5),
    ].map((s, i) => (i >= 5 ? { ...s, traceId: span({ id: 'x', trace: 't2' }).traceId } : s));
    for (const filters of [{}, { features: ['chat'] }, { models: ['gpt-4o'] }]) {
      for (const cut of [1, 3, 8]) {
        const full = harness({ price, filters });
        const quiet = harness({ price, filters, traceEvents: false });
        for (let i = 0; i < spans.length; i += cut) {
          const batch = spans.slice(i, i + cut).reverse();
          full.view.onExport(traceExport(batch.map((s) => ({ ...s }))));
          quiet.view.onExport(traceExport(batch.map((s) => ({ ...s }))));
        }
        full.advance(5_000);
        quiet.advance(5_000);
        full.view.flush();
        quiet.view.flush();
        expect(comparable(quiet.view.totals)).toEqual(comparable(full.view.totals));
        expect(quiet.view.totals.calls.calls).toBeGreaterThan(0);
      }
    }
  });

  it('counts each call once over any tree, batching and filter, quiet or not, as an independent count-once says', () => {
    // A random tree: node i hangs under an earlier node (or is a root); calls of two models
    // anywhere, also above other calls and several levels above them (the walk up passes kept
    // records); batches sometimes arrive after the trace was reported (late spans).
    const tree = fc.integer({ min: 1, max: 14 }).chain((n) =>
      fc.record({
        parents: fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))),
        calls: fc.array(fc.constantFrom(undefined, 'gpt-4o', 'gpt-4o-mini'), { minLength: n, maxLength: n }),
        order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        cut: fc.integer({ min: 1, max: n }),
        pauses: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        models: fc.constantFrom<string[] | undefined>(undefined, ['gpt-4o']),
      }),
    );
    fc.assert(
      fc.property(tree, ({ parents, calls, order, cut, pauses, models }) => {
        const id = (i: number) => `s${i}`;
        const spans = parents.map((p, i) => {
          const model = calls[i];
          const parent = p < 0 ? undefined : id(p);
          return model ? llm(id(i), parent, model, 10 + i, 1, {}, i) : span({ id: id(i), parent, name: `step ${i}`, start: i });
        });
        // Count-once: a call is counted unless a call is below it; the filter then picks models.
        const callBelow = new Set<number>();
        parents.forEach((_, i) => {
          if (!calls[i]) return;
          for (let p = parents[i]!; p >= 0; p = parents[p]!) callBelow.add(p);
        });
        const counted = calls.map((m, i) => m !== undefined && !callBelow.has(i) && (!models || models.includes(m)));
        const expected = { calls: counted.filter(Boolean).length, input: counted.reduce((s, c, i) => s + (c ? 10 + i : 0), 0) };
        for (const traceEvents of [true, false]) {
          const h = harness({ price, traceEvents, filters: models ? { models } : {} });
          for (let i = 0, b = 0; i < order.length; i += cut, b++) {
            h.view.onExport(traceExport(order.slice(i, i + cut).map((k) => ({ ...spans[k]! }))));
            if (pauses[b]) h.advance(1_500); // a trace with its root is reported after 1 s quiet
          }
          h.advance(5_000);
          h.view.flush();
          expect({ calls: h.view.totals.calls.calls, input: h.view.totals.calls.usage.input }).toEqual(expected);
        }
      }),
    );
  });

  it('counts a late span of a trace reported without its root, under --feature (its feature settled as the trace\'s)', () => {
    for (const traceEvents of [true, false]) {
      const h = harness({ traceEvents, filters: { features: ['(none)'] } });
      h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 5, 5)]));
      h.advance(31_000); // reported at the timeout: its root never came
      h.view.onExport(traceExport([llm('c2', 'root', 'gpt-4o', 7, 7, {}, 50)]));
      h.advance(31_000);
      h.view.flush();
      expect(h.view.totals.calls.calls).toBe(2);
      expect(h.view.totals.calls.usage.input).toBe(12);
    }
  });

  it('ignores a span it has already seen (an exporter retry)', () => {
    const h = harness();
    const c = llm('c1', 'root', 'gpt-4o', 1, 1);
    h.view.onExport(traceExport([c]));
    h.view.onExport(traceExport([c]));
    expect(h.of('span')).toHaveLength(1);
    expect(h.view.totals.calls.calls).toBe(1);
  });
});

describe('live view: trees', () => {
  it('prints the tree of a trace split over 3 batches exactly once', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 23, 12, {}, 1)]));
    h.advance(400);
    h.view.onExport(traceExport([tool('t1', 'root', 'search_docs')]));
    h.advance(400);
    h.view.onExport(traceExport([root()]));
    h.advance(900);
    expect(h.of('trace')).toHaveLength(0); // root here, but not quiet for 1s yet
    h.advance(200);
    expect(h.of('trace')).toHaveLength(1);
    h.advance(60_000);
    h.view.flush();
    expect(h.of('trace')).toHaveLength(1);
    const done = h.of('trace')[0]!.done;
    expect(done.trace.nodes.map((n) => n.span.name)).toEqual(['agent.research', 'chat gpt-4o', 'execute_tool search_docs']);
    expect(done.reason).toBe('quiet');
    expect(done.totals).toMatchObject({ calls: 1, usage: { input: 23, output: 12 } });
    const lines = renderTraceDone(done, text);
    expect(lines.filter((l) => l.startsWith('trace '))).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/agent\.research .*∑ 23 → 12 tok {2}∑ \$0\.035/);
    expect(lines.join('\n')).toMatch(/├─ chat gpt-4o .*23 → 12 tok {2}\$0\.035/);
  });

  it('prints late spans of a printed trace as lines only, never a second tree', () => {
    // A budget of 1 byte: every printed trace goes to disk at once and comes back for its late spans.
    const h = harness({ printedMemoryBytes: 1 });
    h.view.onExport(traceExport([root(), llm('c1', 'root', 'gpt-4o', 5, 5)]));
    h.advance(1500);
    expect(h.of('trace')).toHaveLength(1);
    h.view.onExport(traceExport([llm('c2', 'root', 'gpt-4o', 7, 7, {}, 50)]));
    // Another trace pushes t1 out of memory: it is still known, and counted exactly.
    h.view.onExport(traceExport([root('r2', 't2')]));
    h.advance(1500);
    h.view.onExport(traceExport([tool('t9', 'root', 'late_tool')]));
    h.advance(40_000);
    h.view.flush();
    const late = h.of('span').filter((e) => e.line.late);
    expect(late.map((e) => e.line.span.name)).toEqual(['chat gpt-4o', 'execute_tool late_tool']);
    expect(renderSpanLine(late[0]!.line, text)[0]).toMatch(/\(late span of trace /);
    expect(h.of('trace').map((e) => e.done.trace.traceId)).toEqual([root().traceId, root('r2', 't2').traceId]);
    expect(h.view.totals.calls.calls).toBe(2);
    h.view.close();
  });

  it('takes back a call printed long ago when a late span shows it was an outer span, even from disk', () => {
    const h = harness({ printedMemoryBytes: 1 });
    h.view.onExport(traceExport([root(), llm('outer', 'root', 'gpt-4o', 10, 5)]));
    h.advance(1500);
    for (let i = 0; i < 5; i++) {
      h.view.onExport(traceExport([root(`r${i}`, `x${i}`)]));
      h.advance(1500);
    }
    // The same usage, reported again by the inner span: still one call, 10 → 5.
    h.view.onExport(traceExport([llm('inner', 'outer', 'gpt-4o', 10, 5)]));
    h.view.flush();
    expect(h.view.totals.calls.calls).toBe(1);
    expect(h.view.totals.calls.usage.input).toBe(10);
    h.view.close();
  });

  it('waits for the root; without one, reports the trace after the timeout', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 1, 1)]));
    h.advance(29_000);
    expect(h.of('trace')).toHaveLength(0);
    h.advance(1_000);
    const done = h.of('trace')[0]!.done;
    expect(done.reason).toBe('timeout');
    expect(renderTraceDone(done, text).join('\n')).toMatch(/incomplete trace/);
  });

  it('restarts the quiet period when more spans arrive', () => {
    const h = harness();
    h.view.onExport(traceExport([root()]));
    h.advance(800);
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 1, 1)]));
    h.advance(800);
    expect(h.of('trace')).toHaveLength(0);
    h.advance(300);
    expect(h.of('trace')).toHaveLength(1);
    expect(h.of('trace')[0]!.done.trace.nodes).toHaveLength(2);
  });

  it('reports pending traces at shutdown', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 1, 1)]));
    h.view.flush();
    expect(h.of('trace').map((e) => e.done.reason)).toEqual(['shutdown']);
  });

  it('marks traces without GenAI spans, and says once that they are not drawn', () => {
    const h = harness();
    h.view.onExport(traceExport([span({ id: 'h1', trace: 'x1', name: 'GET /health' }), span({ id: 'h2', trace: 'x2', name: 'GET /health' })]));
    h.advance(1500);
    expect(h.of('trace').map((e) => e.done.genai)).toEqual([false, false]);
    expect(h.of('notice')).toHaveLength(1);
  });

  it('cuts a huge tree and points to llmtrace tree', () => {
    const h = harness();
    const spans = [root(), ...Array.from({ length: 100 }, (_, i) => tool(`k${i}`, 'root', `t${i}`, i))];
    h.view.onExport(traceExport(spans));
    h.advance(1500);
    const lines = renderTraceDone(h.of('trace')[0]!.done, text);
    expect(lines.length).toBeLessThanOrEqual(42);
    expect(lines.at(-2)).toMatch(/more lines: llmtrace tree --trace [0-9a-f]{32}/);
  });
});

describe('live view: filters', () => {
  const batch = () => [
    root('root', 't1', { 'app.feature': 'research' }),
    llm('c1', 'root', 'gpt-4o', 10, 1, {}, 1),
    llm('c2', 'root', 'gpt-4o-mini', 20, 2, {}, 2),
    tool('t1', 'root', 'search_docs'),
    inService(llm('c3', undefined, 'gpt-4o', 30, 3, {}, 3), 'billing'),
  ];

  it('--model shows only those models; totals follow what is shown; storage is not the view’s business', () => {
    const h = harness({ filters: { models: ['gpt-4o'] } });
    h.view.onExport(traceExport(batch()));
    expect(h.of('span').map((e) => e.line.model)).toEqual(['gpt-4o', 'gpt-4o']);
    expect(h.view.totals.calls.calls).toBe(2);
    expect(h.view.totals.spans).toBe(5); // everything received is still counted as received
  });

  it('--service and --feature (the feature comes from an ancestor)', () => {
    const svc = harness({ filters: { services: ['billing'] } });
    svc.view.onExport(traceExport(batch()));
    expect(svc.of('span').map((e) => e.line.service)).toEqual(['billing']);
    const feat = harness({ filters: { features: ['research'] } });
    feat.view.onExport(traceExport(batch()));
    expect(feat.of('span').map((e) => e.line.span.name)).toEqual(['chat gpt-4o', 'chat gpt-4o-mini', 'execute_tool search_docs']);
    expect(feat.of('span').every((e) => e.line.feature === 'research')).toBe(true);
  });

  it('uses the configured feature keys (llmtrace.config.json featureKeys)', () => {
    const h = harness({ featureKeys: ['service.name'] });
    h.view.onExport(traceExport(batch()));
    const lines = h.of('span').map((e) => e.line);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.feature).toBe(l.service); // found on the resource, not app.feature
  });

  it('hides the trees of traces with nothing that matches', () => {
    const h = harness({ filters: { models: ['claude-sonnet-4'] } });
    h.view.onExport(traceExport(batch()));
    h.advance(1500);
    expect(h.of('span')).toHaveLength(0);
    expect(h.of('trace')).toHaveLength(0);
    expect(h.view.totals.traces).toBe(1);
  });
});

describe('live view: content', () => {
  const withContent = () =>
    llm('c1', 'root', 'gpt-4o', 5, 2, {
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"What is OTLP?"}]}]',
      'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"A protocol."}]}]',
    });

  it('is hidden by default, even GenAI log events', () => {
    const h = harness();
    h.view.onExport(logExport([genAiLog('c1', 'gen_ai.user.message', 'What is OTLP?')]));
    h.view.onExport(traceExport([withContent()]));
    const line = h.of('span')[0]!.line;
    expect(line.content).toEqual([]);
    expect(line.logs).toEqual([]);
    expect(h.of('log')).toHaveLength(0);
    expect(renderSpanLine(line, text).join('\n')).not.toContain('OTLP');
    expect(h.view.totals.logRecords).toBe(1);
  });

  it('--show-content shows prompt and completion attributes and the span’s GenAI events under it', () => {
    const h = harness({ showContent: true });
    h.view.onExport(logExport([genAiLog('c1', 'gen_ai.user.message', 'What is OTLP?'), genAiLog('zz', 'http.request', 'not genai')]));
    h.view.onExport(traceExport([withContent()]));
    h.view.onExport(logExport([genAiLog('c1', 'gen_ai.choice', 'A protocol.')]));
    const lines = renderSpanLine(h.of('span')[0]!.line, text);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^ {10}▸ gen_ai\.input\.messages: .*What is OTLP\?/);
    expect(lines[2]).toMatch(/▸ gen_ai\.output\.messages: .*A protocol\./);
    expect(lines[3]).toMatch(/▸ gen_ai\.user\.message: What is OTLP\?$/);
    // The event that came after its span's line is shown on its own, naming the span.
    expect(h.of('log').map((e) => [e.spanName, e.log.eventName])).toEqual([['chat gpt-4o', 'gen_ai.choice']]);
  });
});

describe('live view: cost', () => {
  it('shows an unknown model’s cost as unknown, never $0', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([llm('c1', undefined, 'my-finetune', 100, 10), llm('c2', undefined, 'gpt-4o', 1000, 0, {}, 5)]));
    const [unknown, known] = h.of('span').map((e) => e.line);
    expect(unknown!.cost).toBeUndefined();
    expect(renderSpanLine(unknown!, text)[0]).toMatch(/110 tok|100 → 10 tok +\$\? /);
    expect(renderSpanLine(unknown!, text)[0]).not.toContain('$0');
    expect(known!.cost).toBe(1);
    const t = h.view.totals;
    expect(withUsd(t.calls)).toMatchObject({ calls: 2, cost: 1, unpricedCalls: 1 });
    expect(renderTotalLine(t, true, colors)).toContain('$1.00 + ? (1 unpriced)');
    const summary = renderSummary({ totals: t, pricing: true, durationMs: 5000, store: null }, colors).join('\n');
    expect(summary).toMatch(/my-finetune +1 +0 +\S+ +100 +0 +10 +\? \(no price\)/);
    expect(summary).toMatch(/gpt-4o +1 +0 +\S+ +1,000 +0 +0 +\$1\.00/);
  });

  it('shows cache writes apart from cached (read) input, as `cost` does', () => {
    const h = harness({ price });
    const call = llm('c1', 'root', 'gpt-4o', 1000, 10, { 'gen_ai.usage.cache_read.input_tokens': 600, 'gen_ai.usage.cache_creation.input_tokens': 300 });
    h.view.onExport(traceExport([call]));
    expect(renderSpanLine(h.of('span')[0]!.line, text)[0]).toMatch(/1,000 → 10 tok \(600 cached, 300 to cache\) +\$/);
    const summary = renderSummary({ totals: h.view.totals, pricing: true, durationMs: 1000, store: null }, colors);
    expect(summary[1]).toMatch(/^model +calls +errors +p95 +input +cached +cache write +output +cost$/);
    expect(summary.join('\n')).toMatch(/gpt-4o +1 +0 +\S+ +1,000 +600 +300 +10 +\$/);
  });

  it('a call without usage (a failed request) is a call with nothing to price', () => {
    const h = harness({ price });
    const failed = span({ id: 'f1', name: 'chat gpt-4o', status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'error.type': '429' } });
    h.view.onExport(traceExport([failed]));
    expect(withUsd(h.view.totals.calls)).toMatchObject({ calls: 1, cost: 0, unpricedCalls: 0 });
    expect(renderSpanLine(h.of('span')[0]!.line, text)[0]).toMatch(/chat gpt-4o +✗ 429 +10ms$/);
  });

  it('shows no cost at all when no pricing is given', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 100, 10)]));
    const line = renderSpanLine(h.of('span')[0]!.line, { ...text, pricing: false })[0]!;
    expect(line).not.toContain('$');
    expect(renderTotalLine(h.view.totals, false, colors)).not.toContain('$');
  });
});

describe('live view: requests and rejections', () => {
  it('counts requests per signal and reports rejections', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 1, 1)]));
    h.view.onExport({ ...traceExport([]), signal: 'metrics', itemCount: 7 });
    h.view.onReject({ protocol: 'http', status: 413, reason: 'body above 20 MiB' });
    expect(h.view.totals.requests).toEqual({ traces: 1, logs: 0, metrics: 1 });
    expect(h.view.totals.metricPoints).toBe(7);
    expect(h.view.totals.rejected).toBe(1);
    expect(h.of('rejected')[0]).toMatchObject({ protocol: 'http', status: 413 });
  });
});

describe('live view: --feature with spans that arrive before their root', () => {
  it('holds a call until its root tells the feature, then shows it once', () => {
    const h = harness({ filters: { features: ['research'] } });
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 5, 5)]));
    expect(h.of('span')).toHaveLength(0);
    expect(h.view.totals.calls.calls).toBe(0);
    h.view.onExport(traceExport([root()]));
    expect(h.of('span').map((e) => [e.line.span.name, e.line.feature, e.line.late])).toEqual([['chat gpt-4o', 'research', false]]);
    expect(h.view.totals.calls.calls).toBe(1);
    h.advance(1500);
    expect(h.of('trace')).toHaveLength(1);
    expect(h.of('span')).toHaveLength(1);
  });

  it('settles a rootless trace at its timeout: no feature, so nothing matches', () => {
    const h = harness({ filters: { features: ['research'] } });
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 5, 5)]));
    h.advance(31_000);
    expect(h.of('span')).toHaveLength(0);
    expect(h.of('trace')).toHaveLength(0);
  });

  it('without a filter, shows the call at once with the feature not yet known', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 5, 5)]));
    expect(h.of('span')[0]!.line.feature).toBeUndefined();
  });
});

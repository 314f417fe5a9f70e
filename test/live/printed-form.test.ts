/**
 * A printed trace's saved line (printed-form.ts) and its holding as a line (printed-traces.ts
 * compact): the line must give back exactly the records it was made of (count-once's state,
 * each call as counted, kept spans), in their order, and a trace held as a line must count its
 * late spans as a trace held as objects does.
 */
import { describe, expect, it } from 'vitest';
import { restoreTrace, saveTrace } from '../../src/lib/live/printed-form.js';
import { lineBytes, LINE_ENTRY_BYTES, PrintedTraces } from '../../src/lib/live/printed-traces.js';
import type { CallRecord, CountRecord } from '../../src/lib/live/count-records.js';
import type { KeptSpan } from '../../src/lib/live/view-trace.js';
import { newAttributes } from '../../src/lib/span.js';
import { LiveCount, type CountFacts } from '../../src/lib/trace/count-once.js';
import { llm, span } from '../helpers/span-factory.js';
import { harness, traceExport } from './helpers.js';

const facts = (r: CountRecord): CountFacts => (typeof r === 'string' ? { parent: r, usage: false, model: false } : r);

function call(parent: string, over: Partial<CallRecord> = {}, callOver: Partial<CallRecord['call']> = {}): CallRecord {
  return {
    parent,
    usage: true,
    model: true,
    call: { model: 'gpt-4o', usage: { input: 10, output: 5, cacheRead: 2, cacheWrite: 1, reasoning: 3 }, cost: 0.0004932000000000001, durationMs: 5347.46, failed: false, agent: 'svc', ...callOver },
    startMs: 1_717_000_000_123.456,
    shown: true,
    inTotals: true,
    session: '',
    ...over,
  };
}

describe('saved line of a printed trace', () => {
  it('gives back every record, flag and number as it was, in order', () => {
    const records: Array<[string, CountRecord]> = [
      ['root', ''],
      ['outer', call('root', { shown: undefined, inTotals: false, session: undefined })],
      ['inner', call('outer', { session: 'sess-1' }, { cost: undefined, agent: 'ägent ✓ "quoted"\n' })],
      ['plain', 'inner'],
      ['failed', call('root', { usage: false, shown: false }, { usage: undefined, cost: undefined, failed: true })],
      ['embed', call('root', { usage: false, model: true }, { usage: undefined, cost: undefined, durationMs: 0 })],
      ['orphan', 'never-came'],
    ];
    const count = new LiveCount<CountRecord>(facts);
    count.add(records);
    const kept = new Map<string, KeptSpan>([
      ['outer', { spanId: 'outer', parentSpanId: 'root', name: 'turn', attributes: Object.assign(newAttributes(), { model: 'o3', 'gen_ai.request.model': 'x', other: 1 }), resource: { attributes: Object.assign(newAttributes(), { 'service.name': 'svc', 'host.name': 'h' }), droppedAttributesCount: 0, schemaUrl: '' } }],
    ]);
    const line = saveTrace({ hasRoot: true, spans: kept, count }, ['model']);
    expect(line).not.toContain('\n');
    const back = restoreTrace(line);
    expect(back.hasRoot).toBe(true);
    expect(back.count).toEqual([...count.spans]);
    // Absent stays absent: a session not resolved yet, a call without usage or price.
    expect('session' in (back.count[1]![1] as CallRecord)).toBe(false);
    expect((back.count[4]![1] as CallRecord).call.usage).toBeUndefined();
    expect(back.calls).toEqual([...count.calls]);
    expect(back.calls.map(([id, c]) => `${id}:${c}`)).toEqual(['inner:usage', 'failed:no-usage', 'embed:no-usage']);
    // Kept spans keep only the given keys and the service name, as strings.
    expect(back.spans).toHaveLength(1);
    const [id, k] = back.spans[0]!;
    expect(id).toBe('outer');
    expect(typeof k).toBe('object');
    const s = k as Exclude<KeptSpan, string>;
    expect({ ...s.attributes }).toEqual({ model: 'o3' });
    expect({ ...s.resource.attributes }).toEqual({ 'service.name': 'svc' });
    expect([s.parentSpanId, s.name]).toEqual(['root', 'turn']);
  });

  it('a trace without a root and without calls', () => {
    const count = new LiveCount<CountRecord>(facts);
    count.add([['a', 'b'], ['b', 'c']]);
    const back = restoreTrace(saveTrace({ hasRoot: false, spans: new Map(), count }, []));
    expect(back).toEqual({ hasRoot: false, spans: [], count: [['a', 'b'], ['b', 'c']], calls: [] });
  });

  it('counts its size as the heap holds it: one byte a character for ASCII, two otherwise', () => {
    expect(lineBytes('[1,[],[]]')).toBe(LINE_ENTRY_BYTES + 9);
    expect(lineBytes('["é"]')).toBe(LINE_ENTRY_BYTES + 10);
  });
});

describe('printed traces held as lines', () => {
  it('holds a trace as its line after trim, and gives it back as objects when asked for', () => {
    const saved: string[] = [];
    const p = new PrintedTraces<{ n: number }>({
      memoryBytes: 1 << 20,
      sizeOf: () => 1000,
      save: (t) => {
        saved.push(`${t.n}`);
        return JSON.stringify(t);
      },
      load: (_id, line) => JSON.parse(line) as { n: number },
      compact: true,
    });
    p.add('t1', { n: 1 });
    expect(p.bytes).toBe(1000);
    p.trim();
    expect(saved).toEqual(['1']);
    expect(p.bytes).toBe(lineBytes('{"n":1}'));
    const back = p.get('t1')!;
    expect(back).toEqual({ n: 1 });
    expect(p.loadedCount).toBe(1);
    // Until the next trim the same objects are handed out (the owner changes them in place).
    expect(p.get('t1')).toBe(back);
    back.n = 2;
    p.trim();
    expect(saved).toEqual(['1', '2']);
    expect(p.get('t1')).toEqual({ n: 2 });
    p.close();
  });

  it('counts late spans of a trace held as a line exactly once, and takes back an outer call', () => {
    const h = harness({ traceEvents: false, showContent: false });
    h.view.onExport(traceExport([span({ id: 'root', name: 'agent', start: 0, end: 100 }), llm('outer', 'root', 'gpt-4o', 10, 5)]));
    h.advance(1500);
    expect(h.view.printedCount).toBe(1);
    // As objects it would count at least 1,100 bytes (printedTraceBytes).
    expect(h.view.printedBytes).toBeLessThan(1100);
    // Held as its line (not objects): a late inner call takes the outer one back.
    h.view.onExport(traceExport([llm('inner', 'outer', 'gpt-4o', 10, 5)]));
    expect(h.view.totals.calls.calls).toBe(1);
    h.view.onExport(traceExport([llm('c2', 'root', 'gpt-4o', 7, 3), span({ id: 'p', parent: 'root' })]));
    // A retried export of spans already counted changes nothing.
    h.view.onExport(traceExport([llm('c2', 'root', 'gpt-4o', 7, 3)]));
    h.view.flush();
    expect(h.view.totals.calls.calls).toBe(2);
    expect(h.view.totals.calls.usage.input).toBe(17);
    expect(h.view.totals.calls.usage.output).toBe(8);
    expect(h.view.totals.traces).toBe(1);
    h.view.close();
  });
});

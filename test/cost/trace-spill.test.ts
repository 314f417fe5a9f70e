import { describe, expect, it } from 'vitest';
import { decodeTrace, encodeTrace } from '../../src/lib/cost/trace-spill.js';
import type { TraceRecord } from '../../src/lib/cost/attribution.js';

describe('encodeTrace', () => {
  it('writes plain records as JSON.stringify would, whatever the ids hold', () => {
    const ids: Array<[string, string]> = [
      ['00f067aa0ba902b7', ''],
      ['a"b\\c', 'd\ne'],
      ['\u0001\ud800x', '\u2028'],
      ['span-😀', '00f067aa0ba902b7'],
    ];
    const spans = new Map<string, TraceRecord>(ids);
    for (const state of ['decided', 'reopened', 'open'] as const) {
      expect(encodeTrace(spans, state)).toBe(JSON.stringify({ s: state, r: ids }));
    }
    expect(encodeTrace(new Map(), 'open')).toBe('{"s":"open","r":[]}');
  });

  it('reads back what it wrote, records with calls included', () => {
    const spans = new Map<string, TraceRecord>([
      ['p"1', ''],
      [
        'c1',
        {
          parent: 'p"1',
          vals: ['feat', undefined],
          call: {
            startMs: 1.5,
            usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 2 },
            cost: 0.25,
            entry: 'gpt-4o',
            model: 'gpt-4o',
            provider: 'openai',
            operation: 'chat',
            service: 'svc',
            durationMs: 12,
            errorType: undefined,
            ttftMs: undefined,
            finishReasons: undefined,
          },
          usage: true,
          model: true,
          root: undefined,
          late: false,
          tool: undefined,
        },
      ],
      ['x', 'c1'],
    ]);
    const back = decodeTrace(encodeTrace(spans, 'decided'));
    expect([...back.keys()]).toEqual(['p"1', 'c1', 'x']);
    expect(back.get('p"1')).toBe('');
    expect(back.get('x')).toBe('c1');
    const c = back.get('c1');
    expect(typeof c).toBe('object');
    if (typeof c === 'object') {
      expect(c.parent).toBe('p"1');
      expect(c.vals).toEqual(['feat', undefined]);
      expect(c.call?.usage).toEqual({ input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 2 });
      expect(c.call?.cost).toBe(0.25);
      expect(c.usage && c.model).toBe(true);
    }
  });
});

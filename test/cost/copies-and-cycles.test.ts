/**
 * Differing copies of one span id and parent cycles (docs/architecture.md "Differing copies",
 * "Parent cycles"): `cost` and `stats` count the same calls, the same copy of each span id and
 * the same cycle cut in any arrival order and split of the input, in memory, decided early and
 * spilled; `tree` cuts a cycle where count-once does; `LiveCount` counts what `countCalls`
 * counts over the copies `countedCopy` keeps. The ClickHouse pushdown over the same kinds of
 * traces: clickhouse-pushdown.test.ts (`differ`, `cycle2`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Attributor, type AttributedCall, type AttributorOptions } from '../../src/lib/cost/attribution.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { builtinPriceLayer } from '../../src/lib/cost/pricing.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import type { Span } from '../../src/lib/span.js';
import { assembleTrace } from '../../src/lib/trace/assemble.js';
import { LiveCount, copyKey, countCalls, countedCopy, type CountFacts, type Counted } from '../../src/lib/trace/count-once.js';
import { runCli } from '../helpers/cli.js';
import { rng } from './generate.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';
import { hexId, llm, span } from '../helpers/span-factory.js';

const book = new PriceBook([builtinPriceLayer()]);
const FIXTURES = path.resolve('fixtures/counting');

const inTrace = (trace: string, s: Span): Span => ({ ...s, traceId: hexId(trace, 16) });
const failed = (id: string, parent: string, start: number) =>
  span({ id, parent, start, name: 'chat gpt-4o', kind: 3, status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' } });

/** Differing copies: tokens, usage against none, a parent that makes another call an outer span, the end; identical copies. */
function differingTrace(): Span[] {
  const t = (s: Span) => inTrace('dc', s);
  const laterEnd = llm('c5', 'root', 'gpt-4o', 7, 7, {}, 5);
  return [
    t(span({ id: 'root', name: 'agent', attrs: { 'app.feature': 'copies' } })),
    t(llm('c1', 'root', 'gpt-4o', 50, 5, {}, 1)),
    t(llm('c1', 'root', 'gpt-4o', 60, 6, {}, 1)),
    t(failed('c2', 'root', 2)),
    t(llm('c2', 'root', 'gpt-4o', 30, 3, {}, 2)),
    t(llm('c3', 'root', 'gpt-4o', 11, 1, {}, 3)),
    t(llm('c3', 'root', 'gpt-4o', 11, 1, {}, 3)),
    // The greater parent id wins (root's hex id is greater than c2's): c2 stays a call, no outer span.
    t(span({ id: 'p1', parent: 'root', start: 4 })),
    t(span({ id: 'p1', parent: 'c2', start: 4 })),
    t(llm('c4', 'p1', 'gpt-4o', 20, 2, {}, 4)),
    t(laterEnd),
    t({ ...laterEnd, endTimeUnixNano: laterEnd.endTimeUnixNano + 1_000_000n, attributes: { ...laterEnd.attributes, 'gen_ai.usage.input_tokens': 8n } }),
  ];
}

/** A three-span cycle (a tool span and two calls) beside a root, a failed call off it; a two-call cycle with no root. */
function cycleTraces(): Span[] {
  const t = (s: Span) => inTrace('cy', s);
  const u = (s: Span) => inTrace('cy2', s);
  return [
    t(span({ id: 'root', name: 'agent', attrs: { 'app.feature': 'cycles' } })),
    t(llm('d', 'root', 'gpt-4o', 1, 1, {}, 1)),
    t(span({ id: 'a', parent: 'c', start: 2, attrs: { 'app.feature': 'in-cycle' } })),
    t(llm('b', 'a', 'gpt-4o', 100, 10, {}, 3)),
    t(llm('c', 'b', 'gpt-4o', 200, 20, {}, 4)),
    t(failed('f', 'b', 5)),
    u(llm('x', 'y', 'gpt-4o', 300, 30, {}, 1)),
    u(llm('y', 'x', 'gpt-4o', 400, 40, {}, 2)),
  ];
}

const plainTrace = (): Span[] => [inTrace('pl', span({ id: 'root', name: 'plain' })), inTrace('pl', llm('k', 'root', 'gpt-4o', 5, 5, {}, 1))];

const SCENARIO = [...differingTrace(), ...cycleTraces(), ...plainTrace()];

/** The calls counted after take-backs, by trace and span id, with what the report reads of them. */
function attribute(batches: Span[][], opts: Partial<AttributorOptions> = {}) {
  const net = new Map<string, { call: AttributedCall; n: number }>();
  const a = new Attributor({
    book,
    onCall: (call, sign) => {
      const key = `${call.traceId}/${call.spanId}/${call.usage.input}/${call.feature}/${call.noUsage ?? false}`;
      const e = net.get(key) ?? { call, n: 0 };
      e.n += sign;
      if (e.n === 0) net.delete(key);
      else net.set(key, e);
    },
    ...opts,
  });
  for (const b of batches) a.add(b);
  const stats = a.finish();
  const calls = [...net.entries()].map(([k, e]) => `${k}×${e.n}`).sort();
  return { calls, differingSpans: stats.differingSpans, parentCycles: stats.parentCycles, duplicateSpans: stats.duplicateSpans };
}

const label = (trace: string, id: string, input: number, feature: string, noUsage = false) => `${hexId(trace, 16)}/${hexId(id)}/${input}/${feature}/${noUsage}×1`;

describe('differing copies and parent cycles in cost', () => {
  it('counts one copy by the copy order and cuts each cycle above its lowest span id', () => {
    const r = attribute([SCENARIO]);
    expect(r.calls).toEqual(
      [
        // c1: the greater input; c2: the copy with usage; c5: the later end.
        label('dc', 'c1', 60, 'copies'),
        label('dc', 'c2', 30, 'copies'),
        label('dc', 'c3', 11, 'copies'),
        label('dc', 'c4', 20, 'copies'),
        label('dc', 'c5', 8, 'copies'),
        // cy: cut above a (the lowest id): a ← b ← c; c is the innermost usage span, b an outer
        // one; the failed call f off b has no counted usage above it: a call of its own.
        label('cy', 'd', 1, 'cycles'),
        label('cy', 'c', 200, 'in-cycle'),
        label('cy', 'f', 0, 'in-cycle', true),
        // cy2: cut above x: y is x's child, the innermost; no root: the feature is (none).
        label('cy2', 'y', 400, '(none)'),
        label('pl', 'k', 5, 'plain'),
      ].sort(),
    );
    expect([r.differingSpans, r.parentCycles, r.duplicateSpans]).toEqual([4, 2, 5]);
  });

  it('gives the same calls, copies and cuts in any arrival order, split, settling and memory budget (property)', () => {
    const expected = attribute([SCENARIO]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(SCENARIO, { minLength: SCENARIO.length }),
        fc.array(fc.integer({ min: 1, max: SCENARIO.length }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(undefined, 1, 2, 4),
        fc.constantFrom(undefined, 1, 2048),
        (order, cuts, settleAfterSpans, memoryBytes) => {
          const batches: Span[][] = [];
          let at = 0;
          for (const c of [...cuts].sort((x, y) => x - y)) {
            batches.push(order.slice(at, c));
            at = c;
          }
          batches.push(order.slice(at));
          expect(attribute(batches, { settleAfterSpans, memoryBytes })).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('tree draws the copy cost counts, in any order', () => {
    const spans = differingTrace();
    fc.assert(
      fc.property(fc.shuffledSubarray(spans, { minLength: spans.length }), (order) => {
        const t = assembleTrace(hexId('dc', 16), order);
        const counted = t.nodes.filter((n) => n.countsCall).map((n) => `${n.span.spanId}/${n.view.usage?.input}`).sort();
        expect(counted).toEqual([['c1', 60], ['c2', 30], ['c3', 11], ['c4', 20], ['c5', 8]].map(([id, input]) => `${hexId(id as string)}/${input}`).sort());
        expect(t.duplicateSpans).toHaveLength(5);
      }),
      { numRuns: 50 },
    );
  });

  it('tree cuts a cycle where count-once does and counts the same calls', () => {
    for (const trace of ['cy', 'cy2']) {
      const spans = cycleTraces().filter((s) => s.traceId === hexId(trace, 16));
      fc.assert(
        fc.property(fc.shuffledSubarray(spans, { minLength: spans.length }), (order) => {
          const t = assembleTrace(hexId(trace, 16), order);
          const cut = t.nodes.filter((n) => n.cycleCut).map((n) => n.span.spanId);
          expect(cut).toEqual([hexId(trace === 'cy' ? 'a' : 'x')]);
          const counted = t.nodes.filter((n) => n.countsCall).map((n) => n.span.spanId).sort();
          expect(counted).toEqual((trace === 'cy' ? ['d', 'c', 'f'] : ['y']).map((id) => hexId(id)).sort());
        }),
        { numRuns: 30 },
      );
    }
  });
});

/** A record of LiveCount's property test: count-once's facts and what the copy key reads. */
interface LiveRecord extends CountFacts {
  startMs: number;
  durationMs: number;
  input: number;
}

const liveFacts = (r: LiveRecord): CountFacts => r;
const liveKey = (r: LiveRecord) => {
  const k = copyKey(r, r.usage || r.model ? { startMs: r.startMs, durationMs: r.durationMs, usage: r.usage ? { input: r.input, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } : undefined } : undefined);
  k.push(JSON.stringify(r));
  return k;
};

describe('LiveCount with differing copies and cycles', () => {
  it('counts what countCalls counts over the copies countedCopy keeps, in any arrival order and batching (property)', () => {
    const n = 7;
    const record = fc.record({
      id: fc.integer({ min: 0, max: n - 1 }),
      parent: fc.integer({ min: -1, max: n - 1 }),
      usage: fc.boolean(),
      model: fc.boolean(),
      startMs: fc.integer({ min: 0, max: 3 }),
      durationMs: fc.integer({ min: 0, max: 3 }),
      input: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 14 }), fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }), (arrivals, breaks) => {
        const entries: Array<[string, LiveRecord]> = arrivals.map((a) => [
          `s${a.id}`,
          { parent: a.parent < 0 || a.parent === a.id ? '' : `s${a.parent}`, usage: a.usage, model: a.model, startMs: a.startMs, durationMs: a.durationMs, input: a.input },
        ]);
        // The oracle: the copy each id keeps, then one decision.
        const kept = new Map<string, LiveRecord>();
        for (const [id, r] of entries) {
          const held = kept.get(id);
          kept.set(id, held === undefined ? r : countedCopy(held, r, liveKey));
        }
        const want = new Map<string, [Counted, LiveRecord]>();
        countCalls(kept, liveFacts, (id, r, c) => want.set(id, [c, r]));

        const live = new LiveCount<LiveRecord>(liveFacts, liveKey);
        const net = new Map<string, number>();
        let batch: Array<[string, LiveRecord]> = [];
        const flush = () => {
          for (const ch of live.add(batch)) {
            const key = `${ch.id}/${ch.counted}/${JSON.stringify(ch.record)}`;
            net.set(key, (net.get(key) ?? 0) + ch.sign);
          }
          batch = [];
        };
        entries.forEach((e, i) => {
          batch.push(e);
          if (breaks[i]) flush();
        });
        flush();
        const got = [...net].filter(([, v]) => v !== 0);
        expect(got.every(([, v]) => v === 1)).toBe(true);
        expect(got.map(([k]) => k).sort()).toEqual([...want].map(([id, [c, r]]) => `${id}/${c}/${JSON.stringify(r)}`).sort());
      }),
      { numRuns: 400 },
    );
  });
});

describe('the fixtures through the files (fixtures/counting)', () => {
  const lines = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8').trimEnd().split('\n');

  it('holds the scenario above (LLMTRACE_WRITE_FIXTURES=1 writes it again)', () => {
    const text = Buffer.from(otlpJsonTracesLine(SCENARIO)).toString('utf8');
    if (process.env.LLMTRACE_WRITE_FIXTURES === '1') writeFileSync(path.join(FIXTURES, 'copies-and-cycles.jsonl'), text.endsWith('\n') ? text : `${text}\n`);
    expect(lines('copies-and-cycles.jsonl').join('\n')).toBe(text.trimEnd());
  });

  it('cost and stats give the same report over any order and split of the spans, in memory and spilled at 1B', async () => {
    const spans = SCENARIO;
    const dir = tempDir();
    const env = { LLMTRACE_TMPDIR: dir };
    const run = (cmd: string, files: string[], extra: string[] = []) => runCli([cmd, ...files, '--format', 'json', ...extra], { env });
    const whole = [writeTemp('copies-and-cycles.jsonl', otlpJsonTracesLine(spans))];
    const cost = await run('cost', whole);
    const stats = await run('stats', whole);
    const doc = JSON.parse(cost.stdout);
    expect([doc.differingSpans, doc.parentCycles, doc.total.calls]).toEqual([4, 2, 10]);
    expect(JSON.parse(stats.stdout).differingSpans).toBe(4);
    const r = rng(11);
    for (let round = 0; round < 3; round++) {
      const order = [...spans].sort(() => r() - 0.5);
      const split = 1 + Math.floor(r() * (order.length - 1));
      const files = [writeTemp(`part-a-${round}.jsonl`, otlpJsonTracesLine(order.slice(0, split))), writeTemp(`part-b-${round}.jsonl`, otlpJsonTracesLine(order.slice(split)))];
      for (const memory of [[], ['--memory', '1B']]) {
        expect((await run('cost', files, memory)).stdout).toBe(cost.stdout);
        expect((await run('stats', files, memory)).stdout).toBe(stats.stdout);
      }
    }
  }, 120_000);
});

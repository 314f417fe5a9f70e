/**
 * Differing copies of one span id and parent cycles in the live view (docs/architecture.md
 * "Differing copies", "Parent cycles"): the totals count the copy `cost` counts and cut each
 * cycle where it does, in any arrival order and batching, with pauses that print traces before
 * their later copies arrive, quiet or drawn, held in memory or spilled. The end-to-end check
 * against `cost` over the store: test/e2e/tail-exact-copies.test.ts.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import type { PriceFn } from '../../src/lib/live/events.js';
import { totalUsd } from '../../src/lib/live/totals.js';
import type { Span } from '../../src/lib/span.js';
import { harness, traceExport } from './helpers.js';

const SPANS: Span[] = decodeOtlpJsonTraces(JSON.parse(readFileSync('fixtures/counting/copies-and-cycles.jsonl', 'utf8'))).spans;
const price: PriceFn = (v) => (v.usage ? v.usage.input * 2 + v.usage.output * 3 : undefined);

// What `cost` counts over the fixture (test/cost/copies-and-cycles.test.ts): 10 calls.
const EXPECTED = { calls: 10, input: 735, output: 85, usd: 735 * 2 + 85 * 3 };

describe('tail over differing copies and parent cycles', () => {
  it('counts what cost counts in any order, batching and pause, quiet or drawn, in memory or spilled (property)', () => {
    const scenario = fc.record({
      order: fc.shuffledSubarray([...SPANS.keys()], { minLength: SPANS.length, maxLength: SPANS.length }),
      cuts: fc.array(fc.boolean(), { minLength: SPANS.length, maxLength: SPANS.length }),
      pauses: fc.array(fc.boolean(), { minLength: SPANS.length, maxLength: SPANS.length }),
    });
    fc.assert(
      fc.property(scenario, ({ order, cuts, pauses }) => {
        for (const traceEvents of [true, false]) {
          for (const printedMemoryBytes of [undefined, 1]) {
            const h = harness({ price, traceEvents, printedMemoryBytes });
            let batch: Span[] = [];
            order.forEach((i, k) => {
              batch.push(SPANS[i]!);
              if (!cuts[k] && k < order.length - 1) return;
              h.view.onExport(traceExport(batch));
              batch = [];
              if (pauses[k]) h.advance(2000);
            });
            h.view.flush();
            const t = h.view.totals.calls;
            expect({ calls: t.calls, input: t.usage.input, output: t.usage.output, usd: totalUsd(t) }).toEqual(EXPECTED);
            h.view.close();
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('notes a differing copy, and shows the replacing copy as the counted call', () => {
    const c1 = SPANS.filter((s) => s.spanId === '0000000000006331');
    const h = harness({ price });
    const root = SPANS.find((s) => s.traceId === c1[0]!.traceId && s.parentSpanId === '')!;
    h.view.onExport(traceExport([root, c1[0]!])); // 50 tokens in
    h.view.onExport(traceExport([c1[0]!])); // identical: a retried export, nothing said
    h.view.onExport(traceExport([c1[1]!])); // 60 tokens: it replaces the first
    h.view.onExport(traceExport([c1[0]!])); // the first again: it stays out
    h.view.flush();
    const notices = h.of('notice').map((e) => e.text);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/span 0000000000006331 came again, differing: the new copy replaces/);
    expect(notices[1]).toMatch(/the copy held stays/);
    const lines = h.of('span').map((e) => [e.line.view.usage?.input, e.line.counted]);
    expect(lines).toEqual([
      [50, true],
      [60, true],
    ]);
    expect(h.view.totals.calls.calls).toBe(1);
    expect(h.view.totals.calls.usage.input).toBe(60);
    h.view.close();
  });
});

/**
 * `tail`'s totals count calls without a start time (docs/architecture.md "Unset span times") as
 * `cost` does without a window: every call counted; priced unless its price depends on the date
 * (then unpriced); and its duration, unknown, left out of the p95.
 */
import { describe, expect, it } from 'vitest';
import { PriceBook, priceCall } from '../../src/lib/cost/pricebook.js';
import { parsePricingDocument } from '../../src/lib/cost/pricing-file.js';
import { latencyP95 } from '../../src/lib/live/totals.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderSummary } from '../../src/lib/render/live.js';
import { summaryEvent } from '../../src/lib/render/live-json.js';
import { GEN_PRICES } from '../cost/generate.js';
import { span } from '../helpers/span-factory.js';
import { harness, traceExport } from './helpers.js';

const book = new PriceBook([{ label: 'test', entries: parsePricingDocument({ currency: 'USD', models: GEN_PRICES }, 'test') }]);
const AT = BigInt(Date.UTC(2026, 10, 20)) * 1_000_000n;

const call = (id: string, model: string, start: bigint, end: bigint) => {
  const s = span({ id, parent: 'root', name: `chat ${model}`, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } });
  return { ...s, startTimeUnixNano: start, endTimeUnixNano: end, startMs: Number(start / 1_000_000n), durationMs: Number((end - start) / 1_000_000n) };
};

describe('tail totals: calls without a start time', () => {
  it('counts them, prices the undated model, leaves the dated one unpriced and their durations out of the p95', () => {
    const h = harness({ price: (v, startMs) => priceCall(book, v, startMs)?.cost });
    h.view.onExport(traceExport([call('a', 'm-plain', 0n, AT), call('b', 'm-dated', 0n, AT), call('c', 'm-plain', AT, AT + 250_000_000n)]));
    h.view.flush();
    const t = h.view.totals.calls;
    expect(t.calls).toBe(3);
    expect(t.pricedCalls).toBe(2);
    expect(t.unpricedCalls).toBe(1);
    expect(t.usage.input).toBe(3000);
    expect(latencyP95(t)).toBe(250);
  });

  it('says how many calls the p95 leaves out, in the summary and its --json event, take-backs included', () => {
    const h = harness({ price: (v, startMs) => priceCall(book, v, startMs)?.cost });
    // Untimed, an end before the start, a timed one; and an outer span over a call, taken back when its inner call arrives.
    const outer = { ...call('o', 'm-plain', 0n, AT), parentSpanId: '' };
    h.view.onExport(traceExport([outer]));
    h.view.onExport(traceExport([call('a', 'm-plain', 0n, AT), call('b', 'm-dated', AT, AT - 1_000_000n), call('c', 'm-plain', AT, AT + 250_000_000n), { ...call('i', 'm-plain', 0n, AT), parentSpanId: outer.spanId }]));
    h.view.flush();
    const t = h.view.totals;
    expect(t.calls.calls).toBe(4);
    expect(t.calls.unknownDurations).toBe(3);
    expect(t.byModel.get('m-dated')!.unknownDurations).toBe(1);
    const ev = summaryEvent({ totals: t, pricing: true, durationMs: 1, store: null });
    expect(ev).toMatchObject({ calls: 4, latencyP95Ms: 250, unknownDurations: 3 });
    expect((ev.byModel as Array<Record<string, unknown>>).find((m) => m.model === 'm-dated')).toMatchObject({ latencyP95Ms: null, unknownDurations: 1 });
    const text = renderSummary({ totals: t, pricing: true, durationMs: 1000, store: null }, makeColors({ noColor: true })).join('\n');
    expect(text).toContain('p95 leaves out 3 calls of unknown duration (no start time, or an end before the start)');
  });
});

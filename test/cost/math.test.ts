import { describe, expect, it } from 'vitest';
import { callCost, pointAt, ratesFor } from '../../src/lib/cost/math.js';
import { PriceBook, priceCall } from '../../src/lib/cost/pricebook.js';
import { builtinPriceLayer } from '../../src/lib/cost/pricing.js';
import { parsePricingDocument } from '../../src/lib/cost/pricing-file.js';
import type { GenAiView } from '../../src/lib/genai/types.js';

const u = (input: number, output: number, cacheRead = 0, cacheWrite = 0, reasoning = 0) => ({ input, output, cacheRead, cacheWrite, reasoning });
const book = (models: object) => new PriceBook([{ label: 'p.json', entries: parsePricingDocument({ models }, 'p.json') }]);
const view = (model: string, usage: ReturnType<typeof u>): GenAiView => ({ kind: 'llm', convention: 'gen_ai', requestModel: model, usage });
const builtin = new PriceBook([builtinPriceLayer()]);

describe('cost math', () => {
  it('prices plain, cached, cache-write and reasoning tokens apart', () => {
    const rates = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, reasoning: 15 };
    // 1000 input of which 200 read and 100 written; 500 output of which 100 reasoning.
    expect(callCost(rates, u(1000, 500, 200, 100, 100))).toBeCloseTo((700 * 3 + 200 * 0.3 + 100 * 3.75 + 500 * 15) / 1e6, 15);
  });

  it('bills reasoning at its own price when given, else as output', () => {
    const b = book({ r: { input: 1, output: 4, reasoning: 2 }, o: { input: 1, output: 4 } });
    expect(priceCall(b, view('r', u(0, 1000, 0, 0, 600)), 0)!.cost).toBeCloseTo((400 * 4 + 600 * 2) / 1e6, 15);
    expect(priceCall(b, view('o', u(0, 1000, 0, 0, 600)), 0)!.cost).toBeCloseTo(4000 / 1e6, 15);
  });

  it('defaults cache prices to the input price', () => {
    const b = book({ m: { input: 2, output: 0 } });
    expect(priceCall(b, view('m', u(1000, 0, 400, 100)), 0)!.cost).toBeCloseTo(2000 / 1e6, 15);
  });

  it('applies a 200k tier to the whole call, not to the tokens above it', () => {
    const ts = Date.UTC(2026, 0, 1);
    const below = priceCall(builtin, view('gemini-2.5-pro', u(200_000, 1000)), ts)!;
    expect(below.cost).toBeCloseTo((200_000 * 1.25 + 1000 * 10) / 1e6, 12);
    const above = priceCall(builtin, view('gemini-2.5-pro', u(200_001, 1000, 100_000)), ts)!;
    expect(above.cost).toBeCloseTo((100_001 * 2.5 + 100_000 * 0.25 + 1000 * 15) / 1e6, 12);
    const sonnet = priceCall(builtin, view('us.anthropic.claude-sonnet-4-20250514-v1:0', u(300_000, 2000, 0, 10_000)), ts)!;
    expect(sonnet.cost).toBeCloseTo((290_000 * 6 + 10_000 * 7.5 + 2000 * 22.5) / 1e6, 12);
  });

  it('chooses the dated price by the call start (o3 price cut of 2025-06-10)', () => {
    const before = Date.UTC(2025, 5, 9, 23, 59, 59);
    const after = Date.UTC(2025, 5, 10);
    expect(priceCall(builtin, view('o3-2025-04-16', u(1_000_000, 1_000_000)), before)!.cost).toBeCloseTo(50, 9);
    expect(priceCall(builtin, view('o3-2025-04-16', u(1_000_000, 1_000_000)), after)!.cost).toBeCloseTo(10, 9);
  });

  it('leaves a call unpriced when no dated price covers its start', () => {
    const b = book({ m: [{ since: '2026-01-01', input: 1, output: 1 }] });
    expect(priceCall(b, view('m', u(10, 10)), Date.UTC(2025, 11, 31))).toBeUndefined();
    expect(priceCall(b, view('m', u(10, 10)), Date.UTC(2026, 0, 1))).toBeDefined();
  });

  it('picks the highest tier exceeded', () => {
    const [e] = parsePricingDocument({ models: { t: { input: 1, output: 1, tiers: [{ above: 100, input: 3, output: 3 }, { above: 10, input: 2, output: 2 }] } } }, 'x');
    const p = pointAt(e!, 0)!;
    expect([10, 11, 100, 101].map((n) => ratesFor(p, n).input)).toEqual([1, 2, 2, 3]);
  });

  it('never produces negative money from inconsistent counts', () => {
    expect(callCost({ input: 1, output: 1, cacheRead: 1, cacheWrite: 1, reasoning: 1 }, u(5, 5, 10, 0, 10))).toBeGreaterThanOrEqual(0);
  });
});

import { describe, expect, it } from 'vitest';
import { Aggregator, UnpricedModels } from '../../src/lib/cost/aggregate.js';
import type { AttributedCall } from '../../src/lib/cost/attribution.js';
import { compare, parseBaseline } from '../../src/lib/cost/baseline.js';
import { parseBudgetFile } from '../../src/lib/cost/budget-file.js';
import { planDimensions } from '../../src/lib/cost/dimensions.js';
import { evaluateGates, parsePercent, parseUsd } from '../../src/lib/cost/gates.js';
import { buildCostReport } from '../../src/lib/cost/report.js';
import { figureWords } from '../../src/lib/render/format.js';

function call(feature: string, model: string, cost: number | null, input = 100): AttributedCall {
  return {
    traceId: 't', spanId: 's', startMs: 0, usage: { input, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost, entry: cost === null ? undefined : model, model, provider: 'openai', operation: 'chat', service: 'svc', durationMs: 0, feature, inherited: [],
  };
}

function run(calls: AttributedCall[], by = ['feature', 'model']) {
  const main = new Aggregator(planDimensions(by).dimensions);
  const byFeature = new Aggregator(planDimensions(['feature']).dimensions);
  const byModel = new Aggregator(planDimensions(['model']).dimensions);
  const unpriced = new UnpricedModels();
  for (const c of calls) [main, byFeature, byModel, unpriced].forEach((a) => a.add(c));
  return { main, byFeature, byModel, result: buildCostReport(main, unpriced, {}) };
}

const CALLS = [call('research', 'gpt-4o', 4), call('research', 'gpt-4o', 2), call('chat', 'gpt-4o-mini', 1), call('chat', 'mystery', null, 50)];

describe('report', () => {
  it('orders rows by cost, then keys; unpriced rows (cost null) last; totals count everything', () => {
    const { result } = run(CALLS);
    expect(result.report.rows.map((r) => [r.feature, r.model, r.cost])).toEqual([
      ['research', 'gpt-4o', 6],
      ['chat', 'gpt-4o-mini', 1],
      ['chat', 'mystery', null],
    ]);
    expect(result.report.total).toMatchObject({ calls: 4, inputTokens: 350, cost: 7 });
    expect(result.report.unpriced).toEqual([{ model: 'mystery', calls: 1, inputTokens: 50, outputTokens: 10 }]);
  });

  it('marks a row that mixes priced and unpriced calls', () => {
    const { result } = run(CALLS, ['feature']);
    expect(result.report.rows.map((r) => [r.feature, r.cost])).toEqual([['research', 6], ['chat', 1]]);
    expect(result.rowUnpricedCalls).toEqual([0, 1]);
  });
});

describe('gates', () => {
  it('--budget on the total', () => {
    const r = run(CALLS);
    const input = { total: r.main.total, report: r.result.report };
    expect(evaluateGates(input, { budget: 7 }, figureWords)[0]!.ok).toBe(true);
    expect(evaluateGates(input, { budget: 6.99 }, figureWords)[0]).toMatchObject({ gate: 'budget', ok: false });
  });

  it('--budget-file per feature and model', () => {
    const r = run(CALLS);
    const file = parseBudgetFile({ total: 100, features: { research: 5, chat: 5, idle: 1 }, models: { 'gpt-4o': 10, 'gpt-4o-mini': 0.5 } }, 'b.json');
    const gates = evaluateGates({ total: r.main.total, report: r.result.report, byFeature: r.byFeature, byModel: r.byModel }, { budgetFile: file }, figureWords);
    expect(gates.filter((g) => !g.ok).map((g) => g.message)).toEqual([
      'feature research: $6.00 exceeds $5.00 (b.json)',
      'model gpt-4o-mini: $1.00 exceeds $0.500 (b.json)',
    ]);
    expect(gates).toHaveLength(6);
  });

  it('rejects malformed budget files with the key named', () => {
    expect(() => parseBudgetFile({ features: { research: 'five' } }, 'b.json')).toThrow('b.json: features["research"]: expected a non-negative number of USD, got "five"');
    expect(() => parseBudgetFile({ feature: {} }, 'b.json')).toThrow('b.json: feature: unknown field');
  });

  it('--baseline with --max-increase: the total and each row that existed', () => {
    const before = run([call('research', 'gpt-4o', 5), call('chat', 'gpt-4o-mini', 1)]).result.report;
    const baseline = parseBaseline(JSON.parse(JSON.stringify(before)), 'base.json');
    const r = run(CALLS);
    const comparison = compare(r.result.report, baseline);
    expect(comparison.total.pct).toBeCloseTo(((7 - 6) / 6) * 100, 9);
    expect(comparison.rows.map((c) => c.pct)).toEqual([20, 0, undefined]);
    const gates = evaluateGates({ total: r.main.total, report: r.result.report, comparison }, { maxIncrease: 10 }, figureWords);
    expect(gates.map((g) => [g.ok, g.message])).toEqual([
      [false, 'total cost $6.00 → $7.00 (+16.7%), limit +10%'],
      [false, 'feature=research model=gpt-4o: cost $5.00 → $6.00 (+20.0%), limit +10%'],
    ]);
    expect(evaluateGates({ total: r.main.total, report: r.result.report, comparison }, { maxIncrease: 25 }, figureWords).every((g) => g.ok)).toBe(true);
  });

  it('--max-increase passes a rise equal to the limit ($0.30 → $0.33 is +10%, not 10.000000000000009%)', () => {
    const baseline = parseBaseline(JSON.parse(JSON.stringify(run([call('research', 'gpt-4o', 0.3)]).result.report)), 'base.json');
    const r = run([call('research', 'gpt-4o', 0.33)]);
    const comparison = compare(r.result.report, baseline);
    expect(comparison.total.pct).toBe(10);
    expect(evaluateGates({ total: r.main.total, report: r.result.report, comparison }, { maxIncrease: 10 }, figureWords).map((g) => [g.ok, g.message])).toEqual([
      [true, 'total cost $0.300 → $0.330 (+10.0%), limit +10%'],
    ]);
  });

  it('refuses a baseline grouped differently', () => {
    const before = run(CALLS, ['model']).result.report;
    expect(() => compare(run(CALLS).result.report, parseBaseline(before, 'b.json'))).toThrow('b.json: the baseline groups by model, this report by feature,model');
  });

  it('--strict fails on unpriced tokens', () => {
    const r = run(CALLS);
    expect(evaluateGates({ total: r.main.total, report: r.result.report }, { strict: true }, figureWords)[0]).toMatchObject({ gate: 'strict', ok: false, message: '60 tokens of 1 call are unpriced (mystery)' });
    const priced = run(CALLS.slice(0, 3));
    expect(evaluateGates({ total: priced.main.total, report: priced.result.report }, { strict: true }, figureWords)[0]!.ok).toBe(true);
  });

  it('parses amounts and percentages strictly', () => {
    expect(parseUsd('--budget', '$2.50')).toBe(2.5);
    expect(() => parseUsd('--budget', '-3')).toThrow(/non-negative amount/);
    expect(parsePercent('--max-increase', '10%')).toBe(10);
    expect(parsePercent('--max-increase', '2.5')).toBe(2.5);
    expect(() => parsePercent('--max-increase', 'x')).toThrow(/percentage/);
  });

  it('refuses amounts and percentages too large for a number (a limit of ∞ never fails)', () => {
    const huge = '9'.repeat(400);
    expect(() => parseUsd('--budget', huge)).toThrow(/--budget .*too large/);
    expect(() => parseUsd('--budget', `$${huge}.5`)).toThrow(/--budget .*too large/);
    expect(() => parsePercent('--max-increase', `${huge}%`)).toThrow(/--max-increase .*too large/);
    expect(parseUsd('--budget', '99999999999999999999')).toBe(1e20);
  });
});

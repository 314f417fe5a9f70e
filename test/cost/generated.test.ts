/**
 * Mixed-convention dumps in shuffled batches across several files: `cost` must reproduce, per
 * row and to 1e-9 USD, the totals the generator computed from the calls it made and the price
 * table it wrote.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/read-all.js';
import { existsSync, readdirSync } from 'node:fs';
import { DATE_SWITCH, expectedRows, generateDump, writePricingFile, type DumpLayout, type ExpectedRow } from './generate.js';
import { costOf } from './helpers.js';
import type { CostReport } from '../../src/lib/cost/report.js';

function rowsOf(report: CostReport): Map<string, ExpectedRow> {
  const out = new Map<string, ExpectedRow>();
  for (const r of report.rows) {
    const { calls, inputTokens, cacheReadTokens, cacheWriteTokens, outputTokens, reasoningTokens, cost } = r;
    out.set(`${String(r.feature)}\u0000${String(r.model)}`, { calls, inputTokens, cacheReadTokens, cacheWriteTokens, outputTokens, reasoningTokens, cost });
  }
  return out;
}

function expectSameRows(actual: Map<string, ExpectedRow>, expected: Map<string, ExpectedRow>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, exp] of expected) {
    const act = actual.get(key)!;
    const { cost, ...counts } = act;
    const { cost: expCost, ...expCounts } = exp;
    expect(counts, key).toEqual(expCounts);
    if (expCost === null) expect(cost, key).toBeNull();
    else expect(Math.abs(cost! - expCost), `${key}: ${cost} vs ${expCost}`).toBeLessThan(1e-9);
  }
}

const FROM = DATE_SWITCH - 3 * 86_400_000; // calls on both sides of the dated price change

describe('cost over generated mixed-convention dumps', () => {
  it.each([1, 2, 3, 4, 5])('matches the generator per row (seed %i, shuffled over 4 files)', async (seed) => {
    const dir = tempDir();
    const dump = generateDump(dir, seed, { traces: 120, files: 4, fromMs: FROM, spanDays: 6 });
    const pricing = writePricingFile(dir);
    const { result, stats, read } = await costOf(dump.files, { pricing: { files: [pricing], builtin: false } });
    expect(read.unusable).toBe(false);
    expect(stats.spans).toBe(dump.spans);
    expect(stats.calls).toBe(dump.calls.length);
    expect(stats.outerSpans).toBeGreaterThan(0); // the traps were there and were not counted
    expectSameRows(rowsOf(result.report), expectedRows(dump.calls));
    // The unpriced model is listed, never $0.
    const unknown = dump.calls.filter((c) => c.entry === 'm-unknown' && !c.noUsage);
    expect(result.report.unpriced.reduce((s, u) => s + u.calls, 0)).toBe(unknown.length);
  });

  it('is independent of file order', async () => {
    const dir = tempDir();
    const dump = generateDump(dir, 11, { traces: 80, files: 3, fromMs: FROM, spanDays: 6 });
    const pricing = writePricingFile(dir);
    const a = await costOf(dump.files, { pricing: { files: [pricing], builtin: false } });
    const b = await costOf([...dump.files].reverse(), { pricing: { files: [pricing], builtin: false } });
    expect(b.result.report.rows.map((r) => [r.feature, r.model, r.calls, r.inputTokens])).toEqual(
      a.result.report.rows.map((r) => [r.feature, r.model, r.calls, r.inputTokens]),
    );
  });

  it('applies --since/--until to each call start', async () => {
    const dir = tempDir();
    const dump = generateDump(dir, 7, { traces: 150, files: 3, fromMs: FROM, spanDays: 6 });
    const pricing = writePricingFile(dir);
    const window = { sinceMs: FROM + 2 * 86_400_000, untilMs: FROM + 4 * 86_400_000 };
    const { result } = await costOf(dump.files, { pricing: { files: [pricing], builtin: false }, window });
    expectSameRows(rowsOf(result.report), expectedRows(dump.calls, window));
  });

  it('decides complete traces early when they arrive one after another, with the same result', async () => {
    const dir = tempDir();
    const dump = generateDump(dir, 21, { traces: 200, files: 2, fromMs: FROM, spanDays: 6, shuffle: false });
    const pricing = writePricingFile(dir);
    const { result, stats } = await costOf(dump.files, { pricing: { files: [pricing], builtin: false }, settleAfterSpans: 40 });
    expect(stats.decidedEarly).toBeGreaterThan(100);
    expect(stats.lateSpans).toBe(0);
    expectSameRows(rowsOf(result.report), expectedRows(dump.calls));
  });

  // The cases that undercounted by up to 98% when traces were decided early and late spans
  // skipped: every layout, with early decisions on, and a budget so small that traces spill.
  const LAYOUTS: DumpLayout[] = ['shuffled', 'two-services', 'replicas', 'in-order'];
  it.each(LAYOUTS.flatMap((layout) => [
    [layout, Infinity],
    [layout, 64 * 1024],
  ] as const))('is exact for %s input (memory budget %d bytes)', async (layout, memoryBytes) => {
    const dir = tempDir();
    const spill = tempDir();
    const dump = generateDump(dir, 31, { traces: 300, files: layout === 'two-services' ? 2 : 3, fromMs: FROM, spanDays: 6, layout });
    const pricing = writePricingFile(dir);
    const { result, stats } = await costOf(dump.files, { pricing: { files: [pricing], builtin: false }, settleAfterSpans: 40, memoryBytes, spillParent: spill });
    expect(stats.spans).toBe(dump.spans);
    expect(stats.calls).toBe(dump.calls.length);
    expectSameRows(rowsOf(result.report), expectedRows(dump.calls));
    if (Number.isFinite(memoryBytes)) expect(stats.spilledTraces).toBeGreaterThan(0);
    if (layout !== 'in-order') expect(stats.lateSpans + stats.spilledTraces).toBeGreaterThan(0); // the hard case happened
    // Temporary files are gone once the run is over.
    expect(existsSync(spill) ? readdirSync(spill) : []).toEqual([]);
  });
});

/**
 * `stats` over the cost generator's mixed-convention dumps, against figures computed
 * INDEPENDENTLY from the generator's own list of the calls and traces it made (durations, TTFT,
 * finish reasons, failures, tool calls): nearest-rank percentiles, error types and finish
 * reasons must match exactly, in every layout, with early decisions and with a budget so small
 * that trace state and values spill.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import { openSources } from '../../src/lib/sources/open.js';
import { computeStats, type StatsRunOptions } from '../../src/lib/stats/run.js';
import type { StatsFigures } from '../../src/lib/stats/report.js';
import { tempDir } from '../helpers/read-all.js';
import { DATE_SWITCH, generateDump, writePricingFile, type DumpLayout, type MadeCall, type MadeTrace } from '../cost/generate.js';

async function statsOf(files: string[], pricing: string, opts: Partial<StatsRunOptions> = {}) {
  const book = await loadPricing({ storeDir: '/nonexistent-store', files: [pricing], builtin: false });
  const opened = await openSources({ sources: files, diagnostic: () => {} });
  const run = await computeStats(opened, { book, groupBy: ['feature', 'model'], ...opts });
  return { ...run, read: opened.finish() };
}

// ── the oracle: straight from the generator's calls ─────────────────────────────────────────

/** Nearest rank, written from the definition: the smallest value with ≥ p% of values at or below it. */
function rank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.find((v) => sorted.filter((w) => w <= v).length * 100 >= p * sorted.length)!;
}

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of [...xs].sort()) out[x] = (out[x] ?? 0) + 1;
  return out;
}

function expectedFigures(calls: MadeCall[], traces: MadeTrace[]): StatsFigures {
  const lat = calls.map((c) => c.durationMs);
  const ttft = calls.flatMap((c) => (c.ttftMs === undefined ? [] : [c.ttftMs]));
  const tps = calls.flatMap((c) => (c.ttftMs === undefined || c.noUsage || c.durationMs - c.ttftMs <= 0 ? [] : [c.tokens.output / ((c.durationMs - c.ttftMs) / 1000)]));
  const errors = calls.filter((c) => c.errorType !== undefined);
  const reasons = calls.flatMap((c) => c.finishReasons ?? []);
  const tools = traces.map((t) => t.toolCalls);
  const repeated = traces
    .filter((t) => t.topRepeat && t.topRepeat.count > 1)
    .map((t) => ({ ...t.topRepeat!, traceId: t.traceId }))
    .sort((a, b) => b.count - a.count || (a.tool + '\u0000' + a.arguments < b.tool + '\u0000' + b.arguments ? -1 : a.tool + '\u0000' + a.arguments > b.tool + '\u0000' + b.arguments ? 1 : a.traceId < b.traceId ? -1 : 1))[0];
  return {
    calls: calls.length,
    errors: errors.length,
    errorRate: errors.length / calls.length,
    errorTypes: count(errors.map((c) => c.errorType!)),
    latencyMs: { p50: rank(lat, 50), p95: rank(lat, 95), p99: rank(lat, 99), max: Math.max(...lat) },
    ttftMs: ttft.length ? { count: ttft.length, p50: rank(ttft, 50), p95: rank(ttft, 95) } : null,
    outputTokensPerSecond: tps.length ? { p50: rank(tps, 50) } : null,
    finishReasons: count(reasons),
    lengthRate: calls.filter((c) => c.finishReasons?.includes('length')).length / calls.length,
    toolCallsPerTrace: tools.length ? { traces: tools.length, p50: rank(tools, 50), p95: rank(tools, 95), max: Math.max(...tools) } : null,
    repeatedToolCall: repeated ? { tool: repeated.tool, arguments: repeated.arguments, count: repeated.count, traceId: repeated.traceId } : null,
  };
}

function expectedRows(calls: MadeCall[], traces: MadeTrace[], window: { sinceMs?: number; untilMs?: number } = {}) {
  const inWindow = calls.filter((c) => (window.sinceMs === undefined || c.startMs >= window.sinceMs) && (window.untilMs === undefined || c.startMs < window.untilMs));
  const groups = new Map<string, MadeCall[]>();
  for (const c of inWindow) {
    const key = `${c.feature}\u0000${c.entry}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const traceById = new Map(traces.map((t) => [t.traceId, t]));
  const tracesOf = (cs: MadeCall[]) => [...new Set(cs.map((c) => c.traceId))].map((id) => traceById.get(id)!);
  const rows = new Map<string, StatsFigures>();
  for (const [key, cs] of groups) rows.set(key, expectedFigures(cs, tracesOf(cs)));
  return { rows, total: expectedFigures(inWindow, tracesOf(inWindow)) };
}

const FROM = DATE_SWITCH - 3 * 86_400_000;

async function expectExact(dump: ReturnType<typeof generateDump>, pricing: string, opts: Partial<StatsRunOptions> = {}, window?: { sinceMs?: number; untilMs?: number }) {
  const run = await statsOf(dump.files, pricing, { ...opts, window });
  expect(run.read.unusable).toBe(false);
  expect(run.stats.spans).toBe(dump.spans);
  const exp = expectedRows(dump.calls, dump.traces, window);
  const actual = new Map(run.report.rows.map((r) => {
    const { feature, model, ...figures } = r;
    return [`${feature}\u0000${model}`, figures as unknown as StatsFigures];
  }));
  expect([...actual.keys()].sort()).toEqual([...exp.rows.keys()].sort());
  for (const [key, figures] of exp.rows) expect(actual.get(key), key).toEqual(figures);
  expect(run.report.total).toEqual(exp.total);
  expect(run.report.percentiles).toBe('nearest-rank');
  return run;
}

describe('stats over generated mixed-convention dumps', () => {
  it.each([1, 2, 3])('matches the generator per row and in total (seed %i, shuffled over 4 files)', async (seed) => {
    const dir = tempDir();
    const dump = generateDump(dir, seed, { traces: 150, files: 4, fromMs: FROM, spanDays: 6 });
    const run = await expectExact(dump, writePricingFile(dir));
    // The data exercised what it should.
    const t = run.report.total;
    expect(t.errors).toBeGreaterThan(0);
    expect(Object.keys(t.errorTypes)).toEqual(expect.arrayContaining(['429', '_OTHER']));
    expect(t.ttftMs!.count).toBeGreaterThan(0);
    expect(Object.keys(t.finishReasons)).toEqual(expect.arrayContaining(['length', 'stop']));
    expect(t.lengthRate).toBeGreaterThan(0);
    expect(t.repeatedToolCall!.count).toBeGreaterThan(1);
  });

  it('applies --since/--until to each call start', async () => {
    const dir = tempDir();
    const dump = generateDump(dir, 7, { traces: 150, files: 3, fromMs: FROM, spanDays: 6 });
    await expectExact(dump, writePricingFile(dir), {}, { sinceMs: FROM + 2 * 86_400_000, untilMs: FROM + 4 * 86_400_000 });
  });

  const LAYOUTS: DumpLayout[] = ['shuffled', 'two-services', 'replicas', 'in-order'];
  it.each(LAYOUTS.flatMap((layout) => [
    [layout, Infinity],
    [layout, 16 * 1024],
  ] as const))('is exact for %s input (memory budget %d bytes)', async (layout, memoryBytes) => {
    const dir = tempDir();
    const spill = tempDir();
    const dump = generateDump(dir, 31, { traces: 300, files: layout === 'two-services' ? 2 : 3, fromMs: FROM, spanDays: 6, layout });
    const run = await expectExact(dump, writePricingFile(dir), { settleAfterSpans: 40, memoryBytes, spillParent: spill });
    if (Number.isFinite(memoryBytes)) {
      expect(run.stats.spilledTraces).toBeGreaterThan(0);
      expect(run.spilledValues).toBeGreaterThan(0);
    }
    if (layout !== 'in-order') expect(run.stats.lateSpans + run.stats.spilledTraces).toBeGreaterThan(0);
    expect(existsSync(spill) ? readdirSync(spill) : []).toEqual([]);
  });
});

/**
 * `cost` over spans made by real instrumentation libraries (fixtures/instrumented/, see its
 * README): tokens per model must equal what the mock server reported, as far as each library
 * records them (expected.json `records`), and the cost must follow from those tokens and the
 * price table written here. Vercel's outer spans repeat their children's usage: counted once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/read-all.js';
import { costOf } from './helpers.js';

const DIR = 'fixtures/instrumented';
interface Tok { calls: number; input: number; output: number; cached: number; reasoning: number }
interface Lib { fixture: string; byModel: Record<string, Tok>; records: { cached: boolean | string; reasoning: boolean | string; embeddingsUsage: boolean | string; streamUsage: string } }
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { libraries: Record<string, Lib> };

const PRICES: Record<string, { input: number; output: number; cacheRead: number }> = {
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'text-embedding-3-small': { input: 0.02, output: 0, cacheRead: 0.02 },
};
const priceOf = (model: string, input: number, cached: number, output: number) => {
  const p = PRICES[model]!;
  return ((input - cached) * p.input + cached * p.cacheRead + output * p.output) / 1e6;
};

/**
 * What the library's spans can say, from expected.json's `records`. A call whose usage the
 * library does not record is still one call (count-once), with no tokens and nothing to price.
 */
function visible(lib: Lib): Record<string, Tok | 'estimate'> {
  const out: Record<string, Tok | 'estimate'> = {};
  const noTokens: Tok = { calls: 1, input: 0, output: 0, cached: 0, reasoning: 0 };
  for (const [model, t] of Object.entries(lib.byModel)) {
    const stream = model === 'o4-mini';
    if ((model === 'text-embedding-3-small' && lib.records.embeddingsUsage === false) || (stream && lib.records.streamUsage === 'none')) {
      out[model] = noTokens;
      continue;
    }
    if (stream && lib.records.streamUsage === 'tiktoken estimate') {
      out[model] = 'estimate';
      continue;
    }
    const seen = (r: boolean | string) => r === true || (r === 'non-streaming only' && !stream);
    out[model] = { ...t, cached: seen(lib.records.cached) ? t.cached : 0, reasoning: seen(lib.records.reasoning) ? t.reasoning : 0 };
  }
  return out;
}

describe('cost over real instrumentation libraries', () => {
  const pricing = path.join(tempDir(), 'prices.json');
  writeFileSync(pricing, JSON.stringify({ models: PRICES }));

  it.each(Object.keys(expected.libraries))('%s', async (name) => {
    const lib = expected.libraries[name]!;
    const { result, read } = await costOf([path.join(DIR, lib.fixture)], { groupBy: ['feature', 'model'], pricing: { files: [pricing], builtin: false } });
    expect(read.unusable).toBe(false);
    const rows = result.report.rows;
    const want = visible(lib);
    expect(rows.map((r) => r.model).sort()).toEqual(Object.keys(want).sort());
    for (const r of rows) {
      expect(r.feature).toBe('research');
      const w = want[String(r.model)]!;
      expect(r.calls).toBe(1);
      if (w !== 'estimate') {
        expect([r.inputTokens, r.cacheReadTokens, r.outputTokens, r.reasoningTokens]).toEqual([w.input, w.cached, w.output, w.reasoning]);
      }
      expect(Math.abs(r.cost! - priceOf(String(r.model), r.inputTokens, r.cacheReadTokens, r.outputTokens))).toBeLessThan(1e-12);
    }
    expect(result.report.unpriced).toEqual([]);
  });

  it('prices the same fixtures with the built-in table', async () => {
    const { result } = await costOf([path.join(DIR, 'vercel.json')], { groupBy: ['model'] });
    expect(result.report.total.calls).toBe(4);
    expect(result.report.total.inputTokens).toBe(99);
    expect(result.report.total.cost).toBeCloseTo(priceOf('gpt-4o', 23, 11, 12) + priceOf('gpt-4o-mini', 46, 0, 7) + priceOf('o4-mini', 14, 0, 40) + priceOf('text-embedding-3-small', 16, 0, 0), 12);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeModelId } from '../../src/lib/cost/match.js';
import { builtinPriceLayer, loadPricing } from '../../src/lib/cost/pricing.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { parsePricingDocument } from '../../src/lib/cost/pricing-file.js';

const builtin = new PriceBook([builtinPriceLayer()]);
const entryOf = (id: string) => builtin.match(id)?.name;

describe('normalizeModelId', () => {
  it.each([
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['bedrock/eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude-3-7-sonnet'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['claude-sonnet-4@20250514', 'claude-sonnet-4'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet-v2'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai/gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['azure/GPT-4o', 'gpt-4o'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['amazon.nova-pro-v1:0', 'nova-pro'],
  ])('%s → %s', (id, want) => expect(normalizeModelId(id)).toBe(want));
});

describe('built-in matching', () => {
  it.each([
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4o-2024-11-20', 'gpt-4o'],
    ['gpt-4o-2024-08-06', 'gpt-4o-2024-08-06'],
    ['gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['azure/gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-35-turbo', 'gpt-3.5-turbo'],
    ['o3-2025-04-16', 'o3'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['o4-mini-2025-04-16', 'o4-mini'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['apac.anthropic.claude-3-5-sonnet-20240620-v1:0', 'claude-3-5-sonnet'],
    ['anthropic.claude-opus-4-1-20250805-v1:0', 'claude-opus-4-1'],
    ['claude-sonnet-4@20250514', 'claude-sonnet-4'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet'],
    ['claude-opus-4-1@20250805', 'claude-opus-4-1'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['mistral.mistral-large-2407-v1:0', 'mistral-large'],
    ['mistral-large-latest', 'mistral-large'],
    ['cohere.command-r-plus-v1:0', 'command-r-plus'],
    ['deepseek-chat', 'deepseek-chat'],
    ['grok-4-0709', 'grok-4'],
    ['us.amazon.nova-lite-v1:0', 'nova-lite'],
    ['text-embedding-3-small', 'text-embedding-3-small'],
  ])('%s is priced as %s', (id, entry) => expect(entryOf(id)).toBe(entry));

  it.each(['gpt-4o-mini-realtime-preview', 'gpt-4o-audio-preview', 'ft:gpt-4o-mini-2024-07-18:acme::x1', 'claude-sonnet-4-7', 'llama-3-70b', 'o3-deep-research'])(
    '%s is not priced (no fuzzy matching)',
    (id) => expect(entryOf(id)).toBeUndefined(),
  );

  it('never prices a gpt-4o-mini id as gpt-4o, whatever prefix or suffix it carries', () => {
    const prefix = fc.constantFrom('', 'openai/', 'azure/', 'AZURE/', 'models/');
    const suffix = fc.constantFrom('', '-2024-07-18', '-latest', '@20250101', '-20250101', '-v1:0', '-preview', '-x');
    fc.assert(
      fc.property(prefix, suffix, suffix, (p, s1, s2) => {
        const e = entryOf(`${p}gpt-4o-mini${s1}${s2}`);
        expect(e === undefined || e === 'gpt-4o-mini').toBe(true);
      }),
    );
  });

  it('prices the response model when it matches, else the request model', async () => {
    const { priceCall } = await import('../../src/lib/cost/pricing.js');
    const usage = { input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const view = (requestModel?: string, responseModel?: string) => ({ kind: 'llm' as const, convention: 'gen_ai' as const, requestModel, responseModel, usage });
    expect(priceCall(builtin, view('my-azure-deployment', 'gpt-4o-mini-2024-07-18'), Date.UTC(2026, 0, 1))).toEqual({ cost: 0.15, entry: 'gpt-4o-mini', model: 'gpt-4o-mini-2024-07-18' });
    expect(priceCall(builtin, view('gpt-4o', 'weird-snapshot'), Date.UTC(2026, 0, 1))).toEqual({ cost: 2.5, entry: 'gpt-4o', model: 'gpt-4o' });
    expect(priceCall(builtin, view('nope', 'neither'), Date.UTC(2026, 0, 1))).toBeUndefined();
    expect(priceCall(builtin, { ...view('gpt-4o'), usage: undefined }, 0)).toBeUndefined();
  });
});

describe('pricing file matching and layers', () => {
  const file = (models: object, label = 'f.json') => ({ label, entries: parsePricingDocument({ models }, label) });

  it('tries exact key, then aliases, then match, then the normalized id', () => {
    const book = new PriceBook([
      file({
        a: { input: 1, output: 1, aliases: ['alias-of-a'] },
        b: { input: 2, output: 2, match: '^custom-\\d+$' },
        'alias-of-a': { input: 3, output: 3 },
      }),
    ]);
    expect(book.match('alias-of-a')?.name).toBe('alias-of-a'); // exact key beats alias
    expect(book.match('custom-42')?.name).toBe('b');
    expect(book.match('custom-42x')).toBeUndefined();
    expect(book.match('openai/custom-7-2025-01-01')?.name).toBe('b'); // match on the normalized id
    expect(book.match('azure/a-latest')?.name).toBe('a');
  });

  it('later layers override earlier ones, keeping aliases they do not restate', () => {
    const book = new PriceBook([builtinPriceLayer(), file({ 'gpt-4o': { input: 1, output: 1 } }, 'mine.json')]);
    const e = book.match('gpt-4o-2024-11-20');
    expect(e?.name).toBe('gpt-4o');
    expect(e?.layer).toBe('mine.json');
    expect(e?.points[0]!.rates.input).toBe(1);
  });

  it('leaves an id unpriced when differently priced keys normalize to it', () => {
    const book = new PriceBook([file({ 'x-2024-01-01': { input: 1, output: 1 }, 'x-2024-06-01': { input: 2, output: 2 }, 'y-2024-01-01': { input: 1, output: 1 } })]);
    expect(book.match('x')).toBeUndefined();
    expect(book.match('x-2024-01-01')?.name).toBe('x-2024-01-01');
    expect(book.match('openai/y')?.name).toBe('y-2024-01-01');
  });

  it('loads the example pricing files', async () => {
    const book = await loadPricing({ files: ['fixtures/pricing/prices.json', 'fixtures/pricing/litellm-sample.json'], builtin: false });
    expect(book.match('claude-sonnet-4-20250514')?.name).toBe('claude-sonnet-4-20250514'); // an exact key beats another entry's pattern
    expect(book.match('claude-sonnet-4')?.name).toBe('claude-sonnet-4');
    expect(book.match('us.anthropic.claude-3-5-haiku-20241022-v1:0')?.layer).toBe('fixtures/pricing/litellm-sample.json');
    expect(book.match('ft:gpt-4o-mini-2024-07-18:acme::abc123')?.name).toBe('my-company/finetuned-chat');
  });
});

describe('two match patterns of one file matching a model (docs/architecture.md, "Overlapping match patterns")', () => {
  const file = (name: string, models: Record<string, unknown>) => ({ label: name, entries: parsePricingDocument({ currency: 'USD', models }, name) });

  it('uses the later entry and tells it once per model, naming both entries; never throws', () => {
    const told: string[] = [];
    const book = new PriceBook([file('a.json', { family: { input: 1, output: 1, match: '^gpt-4o' }, mini: { input: 2, output: 2, match: '^gpt-4o-mini' } })], (model, used, other) => told.push(`${model}: ${other.name} then ${used.name}`));
    for (let i = 0; i < 3; i++) expect(book.match('gpt-4o-mini')?.name).toBe('mini');
    expect(book.match('gpt-4o')?.name).toBe('family');
    expect(told).toEqual(['gpt-4o-mini: family then mini']);
  });

  it('says nothing when a later file overrides an earlier one (layering)', () => {
    const told: string[] = [];
    const book = new PriceBook([file('a.json', { family: { input: 1, output: 1, match: '^gpt' } }), file('b.json', { mine: { input: 2, output: 2, match: '^gpt-4o' } })], (m) => told.push(m));
    expect(book.match('gpt-4o')?.name).toBe('mine');
    expect(told).toEqual([]);
  });

  it('reaches the command\'s warning writer from loadPricing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'llmtrace-overlap-'));
    const f = path.join(dir, 'prices.json');
    writeFileSync(f, JSON.stringify({ currency: 'USD', models: { any: { input: 1, output: 1, match: 'gpt' }, gpt: { input: 2, output: 2, match: '^gpt' } } }));
    const warnings: string[] = [];
    const book = await loadPricing({ files: [f], builtin: false, storeDir: dir, warn: (m) => warnings.push(m) });
    book.match('gpt-x');
    book.match('gpt-x');
    expect(warnings).toEqual([`pricing file ${f}: entries "any" (match gpt) and "gpt" (match ^gpt) both match model "gpt-x"; using "gpt", the later one`]);
  });
});

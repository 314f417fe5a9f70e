/**
 * `cost` as CI reads it: gates, exit codes and the machine formats, end to end through the built
 * binary (run `npm run build` first). One fixture per scenario, written from hand-built spans.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { runCli } from '../helpers/cli.js';
import { writeTemp } from '../helpers/read-all.js';
import { hexId, llm } from '../helpers/span-factory.js';

/** One trace per call, each with its own feature: rows are `feature,model`. */
function dump(name: string, calls: Array<{ feature: string; model: string; input: number; output: number }>): string {
  const spans = calls.map((c, i) => ({ ...llm(`c${i}`, undefined, c.model, c.input, c.output, { 'app.feature': c.feature }), traceId: hexId(`t${i}`, 16) }));
  return writeTemp(name, JSON.stringify(encodeOtlpJsonTraces(spans)));
}

describe('cost gates as CI runs them', () => {
  it('--top shortens the table, never what --max-increase checks: a regression in a hidden row still fails', async () => {
    // Scenario: the "small" feature got 100× dearer; it is not among the --top 1 rows.
    const before = dump('top-before.json', [
      { feature: 'big', model: 'gpt-4o', input: 100_000, output: 1_000 },
      { feature: 'small', model: 'gpt-4o', input: 10, output: 1 },
    ]);
    const after = dump('top-after.json', [
      { feature: 'big', model: 'gpt-4o', input: 100_000, output: 1_000 },
      { feature: 'small', model: 'gpt-4o', input: 1_000, output: 100 },
    ]);
    const base = writeTemp('top-base.json', (await runCli(['cost', before, '--format', 'json'])).stdout);
    const all = await runCli(['cost', after, '--baseline', base, '--max-increase', '10%']);
    expect(all.code).toBe(1);
    const top = await runCli(['cost', after, '--baseline', base, '--max-increase', '10%', '--top', '1', '--format', 'json']);
    expect(top.code).toBe(1);
    expect(top.stderr).toContain('FAILED max-increase: feature=small model=gpt-4o: cost $0.0000350 → $0.00350 (+9900.0%), limit +10%');
    expect(JSON.parse(top.stdout).rows.map((r: { feature: string }) => r.feature)).toEqual(['big']);
    const table = await runCli(['cost', after, '--baseline', base, '--top', '1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^big\s+gpt-4o\s.*\+0\.0%$/m);
    expect(table.stdout).toContain('1 more row ($0.00350) not shown (--top)');
  });
});

/** A GitHub markdown table row's cells as GFM splits them: `|` separates unless backslash-escaped. */
function gfmCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) cell += c + line[++i]!;
    else if (c === '|') (cells.push(cell), (cell = ''));
    else cell += c;
  }
  cells.push(cell);
  return cells.slice(1, -1).map((s) => s.trim());
}

/** What a cell shows: CommonMark's backslash escapes of ASCII punctuation taken out. */
const shown = (cell: string) => cell.replace(/\\([!-/:-@[-`{-~])/g, '$1');

describe('cost --format markdown as GitHub renders it', () => {
  it('keeps every cell whole and literal: backslashes, pipes, emphasis, links, images and HTML from span data', async () => {
    const features = ['back\\|slash pipe', 'plain|pipe', '**bold** _em_ `code`', '![img](https://example.invalid/t.png)', '[link](https://example.invalid)', '<img src=x onerror=alert(1)>', 'a &amp; b ~~gone~~'];
    const file = dump('md-cells.json', features.map((feature, i) => ({ feature, model: 'gpt-4o', input: 1000 * (i + 1), output: 10 })));
    const r = await runCli(['cost', file, '--format', 'markdown']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ')).map(gfmCells);
    expect(rows.every((cells) => cells.length === 8)).toBe(true);
    expect(rows.slice(2, -1).map((cells) => shown(cells[0]!)).sort()).toEqual([...features].sort());
    // Markup characters stay escaped, so nothing of the data becomes a link, an image, HTML or emphasis.
    for (const cells of rows.slice(2, -1)) expect(cells[0]).not.toMatch(/(^|[^\\])[[<*_`&]/);
  });
});

describe('pricing files that could price a model two ways', () => {
  it('refuses (exit 2, naming the file, both entries and the id) an alias two entries of one file claim', async () => {
    // Scenario: a copy-pasted entry keeps the alias of the one above it; which price applied depended on key order.
    const file = dump('alias-twice.json', [{ feature: 'f', model: 'my-finetune', input: 1_000_000, output: 0 }]);
    const prices = writeTemp('alias-twice-prices.json', JSON.stringify({ models: { 'ft-small': { input: 1, output: 1, aliases: ['my-finetune'] }, 'ft-large': { input: 2, output: 2, aliases: ['my-finetune'] } } }));
    const r = await runCli(['cost', file, '--pricing', prices, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${prices}: models["ft-large"].aliases: "my-finetune" is already an alias of "ft-small"`);
    // Across files there is no ambiguity: the later file wins (README "Pricing").
    const later = writeTemp('alias-later-prices.json', JSON.stringify({ models: { 'ft-large': { input: 2, output: 2, aliases: ['my-finetune'] } } }));
    const first = writeTemp('alias-first-prices.json', JSON.stringify({ models: { 'ft-small': { input: 1, output: 1, aliases: ['my-finetune'] } } }));
    const layered = await runCli(['cost', file, '--pricing', first, '--pricing', later, '--by', 'model', '--format', 'json']);
    expect(layered.code).toBe(0);
    expect(JSON.parse(layered.stdout).rows).toMatchObject([{ model: 'ft-large', cost: 2 }]);
  });
});

describe('pricing files with prices no model has', () => {
  it('refuses a price above $1 a token (exit 2, naming the field) instead of costs of $∞ and a JSON cost of null', async () => {
    // Scenario: a garbage price (1e308 per 1M tokens) for a model of the dump.
    const file = dump('huge-price.json', [{ feature: 'f', model: 'my-finetune', input: 7, output: 2 }]);
    const prices = writeTemp('huge-prices.json', JSON.stringify({ models: { 'my-finetune': { input: 1e308, output: 1 } } }));
    const r = await runCli(['cost', file, '--pricing', prices, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${prices}: models["my-finetune"].input: a price of 1e+308 USD per 1M tokens is above 1,000,000: not a real price`);
    // The dearest price that is still accepted gives finite figures.
    const dear = writeTemp('dear-prices.json', JSON.stringify({ models: { 'my-finetune': { input: 1_000_000, output: 1 } } }));
    const ok = await runCli(['cost', file, '--pricing', dear, '--by', 'model', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).total.cost).toBe(7.000002);
  });
});

describe('cost --pricing-info in a machine format', () => {
  it('refuses csv and markdown (exit 2, stdout empty) instead of printing the terminal table', async () => {
    for (const format of ['csv', 'markdown']) {
      const r = await runCli(['cost', '--pricing-info', '--format', format]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`--pricing-info prints a table or JSON, not ${format}`);
    }
    const json = await runCli(['cost', '--pricing-info', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).unit).toBe('USD per 1M tokens');
  });
});

describe('cost --format csv as spreadsheets and shell tools read it', () => {
  it('writes costs as plain decimals, never in exponent notation, equal to the JSON figures', async () => {
    // Scenario: one embeddings token ($0.00000002) and one gpt-4o input token ($0.0000025).
    const file = dump('tiny-costs.json', [
      { feature: 'e', model: 'text-embedding-3-small', input: 1, output: 0 },
      { feature: 'f', model: 'gpt-4o', input: 1, output: 0 },
    ]);
    const csv = await runCli(['cost', file, '--by', 'model', '--format', 'csv']);
    const json = JSON.parse((await runCli(['cost', file, '--by', 'model', '--format', 'json'])).stdout) as { rows: Array<{ model: string; cost: number }> };
    expect(csv.code).toBe(0);
    expect(csv.stdout).not.toMatch(/\de[-+]?\d/i);
    const lines = csv.stdout.trim().split('\n');
    const costAt = lines[0]!.split(',').indexOf('cost');
    const costs = Object.fromEntries(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')[costAt]]));
    expect(costs).toEqual({ 'gpt-4o': '0.0000025', 'text-embedding-3-small': '0.00000002' });
    for (const row of json.rows) expect(Number(costs[row.model])).toBe(row.cost);
  });
});

describe('cost --by', () => {
  it('refuses a dimension given twice (exit 2) instead of two CSV columns of one name and one JSON key for both', async () => {
    const file = dump('by-twice.json', [{ feature: 'f', model: 'gpt-4o', input: 10, output: 1 }]);
    for (const args of [['--by', 'model,model'], ['--by', 'model', '--by', 'feature,model']]) {
      const r = await runCli(['cost', file, ...args, '--format', 'csv']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('--by: model is given twice');
    }
  });
});

describe('cost --max-increase when the total cannot be compared', () => {
  it('says so on stderr and in the step summary (the total always reports), and --strict fails it', async () => {
    // Scenario: the feature moved from gpt-4o to a model without a price, with 100× the tokens.
    const before = dump('nc-before.json', [{ feature: 'a', model: 'gpt-4o', input: 1_000, output: 100 }]);
    const after = dump('nc-after.json', [{ feature: 'a', model: 'gpt-9-preview', input: 100_000, output: 10_000 }]);
    const base = writeTemp('nc-base.json', (await runCli(['cost', before, '--by', 'feature', '--format', 'json'])).stdout);
    const summary = writeTemp('nc-summary.md', '');
    const r = await runCli(['cost', after, '--by', 'feature', '--baseline', base, '--max-increase', '10%', '--format', 'json'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).total.cost).toBeNull();
    expect(r.stderr).toContain('ok max-increase: total cost not comparable (unpriced), limit +10%');
    expect(readFileSync(summary, 'utf8')).toContain('- ✅ max-increase: total cost not comparable (unpriced), limit +10%');
    const strict = await runCli(['cost', after, '--by', 'feature', '--baseline', base, '--max-increase', '10%', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('FAILED strict: 110,000 tokens of 1 call are unpriced (gpt-9-preview)');
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmtraceError } from '../../src/lib/errors.js';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import { parsePricingDocument } from '../../src/lib/cost/pricing-file.js';
import { pricingCachePath } from '../../src/lib/cost/pricing-source.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';

function errorOf(fn: () => unknown): LlmtraceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LlmtraceError);
    return e as LlmtraceError;
  }
  throw new Error('no error');
}

describe('pricing files in llmtrace format', () => {
  it.each([
    [{ models: { 'gpt-4o': { input: 'abc', output: 1 } } }, 'prices.json: models["gpt-4o"].input: expected a non-negative number, got "abc"'],
    [{ models: { m: { input: 1 } } }, 'prices.json: models["m"].output: expected a non-negative number, got nothing'],
    [{ models: { m: { input: -1, output: 1 } } }, 'prices.json: models["m"].input: expected a non-negative number, got -1'],
    [{ models: { m: { input: 1, output: 1, cache_read: 0.1 } } }, 'prices.json: models["m"].cache_read: unknown field'],
    [{ models: { o3: [{ until: 'June', input: 1, output: 1 }] } }, 'prices.json: models["o3"][0].until: expected a date (YYYY-MM-DD) or an RFC 3339 time, got "June"'],
    [{ models: { m: { input: 1, output: 1, match: '(' } } }, 'prices.json: models["m"].match: invalid regular expression'],
    [{ models: { m: { input: 1, output: 1, tiers: [{ input: 1, output: 1 }] } } }, 'prices.json: models["m"].tiers[0].above: expected a non-negative number, got nothing'],
    [{ models: { m: { input: 1, output: 1, aliases: 'x' } } }, 'prices.json: models["m"].aliases: expected a list of model ids, got "x"'],
    [{ models: { m: [] } }, 'prices.json: models["m"]: a dated price list must not be empty'],
    [{ currency: 'EUR', models: {} }, 'prices.json: currency: only "USD" is supported, got "EUR"'],
    [{ models: [] }, 'prices.json: models: expected an object of model prices, got []'],
    [{ hello: 'world' }, 'prices.json: not a pricing file'],
    [{ models: { m: [{ since: '2026-01-01', until: '2025-01-01', input: 1, output: 1 }] } }, 'prices.json: models["m"][0]: "since" must be before "until"'],
  ])('%j → %s', (doc, message) => {
    const e = errorOf(() => parsePricingDocument(doc, 'prices.json'));
    expect(e.message.startsWith(message)).toBe(true);
    expect(e.exitCode).toBe(2);
  });

  it('resolves defaults and dated lists', () => {
    const [o3] = parsePricingDocument({ models: { o3: [{ until: '2025-06-10', input: 10, output: 40 }, { input: 2, output: 8, cacheRead: 0.5, aliases: ['o3-x'] }] } }, 'p');
    expect(o3!.points[0]).toEqual({ untilMs: Date.UTC(2025, 5, 10), rates: { input: 10, output: 40, cacheRead: 10, cacheWrite: 10, reasoning: 40 }, tiers: [] });
    expect(o3!.points[1]!.rates).toEqual({ input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2, reasoning: 8 });
    expect(o3!.aliases).toEqual(['o3-x']);
  });

  it('accepts the built-in table (which is written in the same format)', async () => {
    const book = await loadPricing();
    expect(book.entries.length).toBeGreaterThan(60);
    for (const e of book.entries) expect(e.source, e.name).toBeTruthy();
  });
});

describe("LiteLLM's model_prices_and_context_window.json", () => {
  const doc = JSON.parse(readFileSync('fixtures/pricing/litellm-sample.json', 'utf8')) as Record<string, unknown>;

  it('is detected by shape and converted to prices per 1M tokens', () => {
    const entries = parsePricingDocument(doc, 'litellm.json');
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.has('sample_spec')).toBe(false);
    expect(byName.has('dall-e-3')).toBe(false); // not priced per token
    expect(byName.get('gpt-4o')!.points[0]!.rates).toEqual({ input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5, reasoning: 10 });
    const sonnet = byName.get('claude-sonnet-4-20250514')!.points[0]!;
    expect(sonnet.rates).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, reasoning: 15 });
    expect(sonnet.tiers).toEqual([{ above: 200_000, rates: { input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, reasoning: 22.5 } }]);
    // No cache price above 200k in the file: scaled like the input price.
    expect(byName.get('gemini/gemini-2.5-pro')!.points[0]!.tiers[0]!.rates.cacheRead).toBe(0.625);
    expect(byName.get('gpt-4o')!.provider).toBe('openai');
  });

  it('names the key of a bad price', () => {
    const e = errorOf(() => parsePricingDocument({ ...doc, 'gpt-x': { input_cost_per_token: '1e-6', output_cost_per_token: 0, litellm_provider: 'openai' } }, 'litellm.json'));
    expect(e.message).toBe('litellm.json: models["gpt-x"].input_cost_per_token: expected a non-negative number, got "1e-6"');
  });
});

describe('pricing sources', () => {
  it('names the file when it is missing or not JSON', async () => {
    await expect(loadPricing({ files: ['/nope/prices.json'] })).rejects.toThrow('/nope/prices.json: cannot read pricing file: no such file');
    const bad = writeTemp('bad.json', '{ "models": ');
    await expect(loadPricing({ files: [bad] })).rejects.toThrow(`${bad}: invalid JSON in pricing file`);
  });

  describe('URLs', () => {
    let server: Server;
    let base = '';
    let up = true;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (!up) {
          res.writeHead(503).end();
          return;
        }
        if (req.url === '/prices.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: { 'remote-model': { input: 7, output: 9 } } }));
        else if (req.url === '/moved.json') res.writeHead(302, { location: '/prices.json' }).end();
        else if (req.url === '/loop.json') res.writeHead(302, { location: '/loop.json' }).end();
        else if (req.url === '/garbage.json') res.writeHead(200).end('{"models": {"m": {"input": "x", "output": 1}}}');
        else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('fetches, caches in the store, and uses the cache (with a warning) when offline', async () => {
      const store = path.join(tempDir(), 'store');
      const url = `${base}/prices.json`;
      const warnings: string[] = [];
      const warn = (m: string) => warnings.push(m);
      up = true;
      const online = await loadPricing({ files: [url], builtin: false, storeDir: store, warn });
      expect(online.match('remote-model')?.points[0]!.rates.input).toBe(7);
      expect(existsSync(pricingCachePath(store, url))).toBe(true);
      expect(readFileSync(path.join(store, '.gitignore'), 'utf8')).toBe('*\n');
      expect(warnings).toEqual([]);
      up = false;
      const offline = await loadPricing({ files: [url], builtin: false, storeDir: store, warn });
      expect(offline.match('remote-model')?.points[0]!.rates.output).toBe(9);
      expect(warnings[0]).toMatch(/cannot fetch .*prices\.json \(HTTP 503\); using the copy cached on /);
      up = true;
    });

    it('follows redirects, and gives up on a redirect loop', async () => {
      const store = tempDir();
      const moved = await loadPricing({ files: [`${base}/moved.json`], builtin: false, storeDir: store });
      expect(moved.match('remote-model')?.points[0]!.rates.input).toBe(7);
      await expect(loadPricing({ files: [`${base}/loop.json`], builtin: false, storeDir: store })).rejects.toThrow(/loop\.json: cannot fetch pricing \(.*redirect.*\) and there is no cached copy/i);
    });

    it('fails clearly without a cached copy, and never caches a malformed file', async () => {
      const store = tempDir();
      await expect(loadPricing({ files: [`${base}/missing.json`], storeDir: store })).rejects.toThrow(/missing\.json: cannot fetch pricing \(HTTP 404\) and there is no cached copy/);
      await expect(loadPricing({ files: [`${base}/garbage.json`], storeDir: store })).rejects.toThrow('garbage.json: models["m"].input: expected a non-negative number, got "x"');
      expect(existsSync(pricingCachePath(store, `${base}/garbage.json`))).toBe(false);
    });
  });
});

/**
 * The parallel read path (worker threads decode and map JSON Lines chunks) must give exactly
 * what the in-thread path gives: the same results in the same order, the same problems with the
 * same places, the same counts. Workers only exist in the built code, so this test imports
 * `dist/` (npm test builds first) and forces tiny chunks so that even small inputs use them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dist = (p: string) => path.resolve('dist', p);
const { readMapped } = (await import(dist('lib/sources/mapped.js'))) as typeof import('../../src/lib/sources/mapped.js');
const { resolveInputs } = (await import(dist('lib/sources/inputs.js'))) as typeof import('../../src/lib/sources/inputs.js');
const { newReadStats } = (await import(dist('lib/sources/read.js'))) as typeof import('../../src/lib/sources/read.js');
const { costMapper } = (await import(dist('lib/cost/facts.js'))) as typeof import('../../src/lib/cost/facts.js');
const { loadPricing } = (await import(dist('lib/cost/pricing.js'))) as typeof import('../../src/lib/cost/pricing.js');
const { Linter } = (await import(dist('lib/lint/engine.js'))) as typeof import('../../src/lib/lint/engine.js');
const { resolveSettings } = (await import(dist('lib/lint/config.js'))) as typeof import('../../src/lib/lint/config.js');
const { trackedKeys } = (await import(dist('lib/cost/attribution.js'))) as typeof import('../../src/lib/cost/attribution.js');

const FIXTURES = ['fixtures/instrumented/official.json', 'fixtures/instrumented/openllmetry.json', 'fixtures/instrumented/openinference.json', 'fixtures/instrumented/vercel.json', 'fixtures/lint/duplicate-span-id.json', 'fixtures/lint/orphan-span.json', 'fixtures/lint/deprecated-attribute.json', 'fixtures/lint/invalid-id.json'];

/** JSON Lines from the fixtures, repeated with fresh trace ids, with bad lines in between. */
function jsonLines(copies: number): string {
  const docs = FIXTURES.map((f) => JSON.stringify(JSON.parse(readFileSync(f, 'utf8'))));
  const lines: string[] = [];
  for (let c = 0; c < copies; c++) {
    for (const doc of docs) {
      // Rewrite every 32-hex trace id so each copy is new traces (ids stay valid hex).
      lines.push(doc.replace(/"([0-9a-f]{28})([0-9a-f]{4})"/g, (_m, a: string) => `"${a}${c.toString(16).padStart(4, '0')}"`));
    }
    if (c % 3 === 1) lines.push('{"resourceSpans": [ truncated');
    if (c % 5 === 2) lines.push('"a string, not a record"', '');
  }
  return `${lines.join('\n')}\n`;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-mapped-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function collect<C, R>(file: string, workers: number, spec: import('../../src/lib/sources/mapper.js').MapperSpec<C, R>) {
  const problems: unknown[] = [];
  const stats = newReadStats();
  const results: R[] = [];
  const inputs = await resolveInputs([file, file]);
  for await (const r of readMapped(inputs, { workers, stats, onProblem: (p) => problems.push(p), startAfterBytes: 500, chunkBytes: 3000 }, spec)) results.push(r);
  return { results, problems, stats };
}

describe('reading on worker threads', () => {
  const file = tmpFile('dump.jsonl', jsonLines(12));

  it('gives cost facts identical to the in-thread path, problems and counts included', async () => {
    const book = await loadPricing({ storeDir: '/nonexistent-store' });
    const spec = costMapper({ book, window: {}, tracked: trackedKeys(undefined, [['user.id']]) });
    const here = await collect(file, 0, spec);
    const workers = await collect(file, 2, spec);
    expect(here.results.length).toBeGreaterThan(50);
    expect(here.problems.length).toBeGreaterThan(4);
    expect(workers.results).toEqual(here.results);
    expect(workers.problems).toEqual(here.problems);
    expect(workers.stats).toEqual(here.stats);
  });

  it('gives lint facts identical to the in-thread path', async () => {
    const settings = resolveSettings(undefined, []);
    const linter = new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys } });
    const spec = linter.mapper();
    const here = await collect(file, 0, spec);
    const workers = await collect(file, 1, spec);
    expect(here.results.some((r) => r.found.facts.length > 0)).toBe(true);
    expect(workers.results).toEqual(here.results);
    expect(workers.problems).toEqual(here.problems);
  });
});

describe('LLMTRACE_WORKERS end to end', () => {
  // Over the 8 MiB at which workers start.
  const file = tmpFile('big.jsonl', jsonLines(400));

  it('cost and lint print the same with and without workers', async () => {
    expect(readFileSync(file).length).toBeGreaterThan(9 * 1024 * 1024);
    for (const args of [['cost', file, '--format', 'json', '--by', 'model,feature,user'], ['lint', file, '--format', 'json'], ['lint', file, '--format', 'sarif'], ['lint', file]]) {
      const one = await runCli(args, { env: { LLMTRACE_WORKERS: '0' } });
      const two = await runCli(args, { env: { LLMTRACE_WORKERS: '2' } });
      expect(two.code).toBe(one.code);
      expect(two.stdout).toBe(one.stdout);
      expect(two.stderr).toBe(one.stderr);
      expect(one.stdout.length).toBeGreaterThan(1000);
    }
  }, 120_000);

  it('a bad LLMTRACE_WORKERS is a usage error (exit 2)', async () => {
    const r = await runCli(['cost', 'fixtures/instrumented/official.json'], { env: { LLMTRACE_WORKERS: 'many' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('LLMTRACE_WORKERS must be a whole number from 0 to 64, got "many"');
  });
});

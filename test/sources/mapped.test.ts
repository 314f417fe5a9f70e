/**
 * The parallel read path (worker threads decode and map JSON Lines chunks) must give exactly
 * what the in-thread path gives: the same results in the same order, the same problems with the
 * same places, the same counts. The workers run the sources (test/setup/ts-hooks.mjs); tiny
 * chunks make even small inputs use them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

import { trackedKeys } from '../../src/lib/cost/tracked-keys.js';
import { costMapper } from '../../src/lib/cost/facts.js';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import { resolveSettings } from '../../src/lib/lint/config.js';
import { Linter } from '../../src/lib/lint/engine.js';
import { resolveInputs } from '../../src/lib/sources/inputs.js';
import { readMapped } from '../../src/lib/sources/mapped.js';
import type { MapperSpec } from '../../src/lib/sources/mapper.js';
import { newReadStats } from '../../src/lib/sources/read.js';
import { WorkerPool } from '../../src/lib/parallel/pool.js';
import { threadId } from 'node:worker_threads';

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

async function collect<C, R>(file: string, workers: number, spec: MapperSpec<C, R>) {
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

  it('maps batches on a worker thread (from the sources), not only on this one', async () => {
    const { createMapper } = await import('./thread-mapper.js');
    const spec = { module: new URL('./thread-mapper.ts', import.meta.url).href, config: undefined, create: createMapper };
    const here = await collect(file, 0, spec);
    const workers = await collect(file, 1, spec);
    expect(new Set(here.results.map((r) => r.threadId))).toEqual(new Set([threadId]));
    expect(workers.results.some((r) => r.threadId !== threadId)).toBe(true);
    const spans = (rs: typeof here.results) => rs.reduce((n, r) => n + r.spans, 0);
    expect(spans(workers.results)).toBe(spans(here.results));
    expect(spans(here.results)).toBeGreaterThan(100);
  });

  it('fails, never falls back to this thread, when a worker cannot start', async () => {
    const pool = new WorkerPool(new URL('./no-such-worker.js', import.meta.url), 1, undefined);
    try {
      await expect(pool.run('task')).rejects.toThrow(/no-such-worker/);
    } finally {
      await pool.close();
    }
  });

  it('gives lint facts identical to the in-thread path', async () => {
    const settings = resolveSettings(undefined, []);
    const linter = new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys } });
    const spec = linter.mapper();
    const here = await collect(file, 0, spec);
    const workers = await collect(file, 1, spec);
    expect(here.results.some((r) => r.found.facts.length > 0)).toBe(true);
    // Which SpanLinter found them, and its numbers for shared facts, differ by thread.
    const findings = (rs: typeof here.results) => rs.map((r) => ({ ...r, found: { ...r.found, linter: '', sharedIds: [] } }));
    expect(findings(workers.results)).toEqual(findings(here.results));
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

/**
 * `tree` is exact at any order and split of its input, whatever its memory budget: the same
 * spans, shuffled and dealt over files (and stdin), give byte for byte the output the in-memory
 * path gives them in order — with everything held, with every trace spilled to disk, and in
 * between; `--last N` (two passes, stdin copied) too. And it counts the calls `cost` counts.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import { computeCost } from '../../src/lib/cost/run.js';
import { openSources } from '../../src/lib/sources/open.js';
import { tempDir } from '../helpers/read-all.js';
import { makeDump, referenceTree, runTree, writeDump } from './tree-dump.js';

const ATTRS = ['app.odd', 'service.name'];

describe('tree at any order, split and memory budget', () => {
  it('prints the same text and JSON as the in-memory path (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 4 }), async (seed, order, files) => {
        const dir = tempDir();
        const dump = makeDump(seed);
        const canonical = writeDump(dir, 'canonical', dump, 0, 1);
        const split = writeDump(dir, 'split', dump, order, files);
        for (const format of ['text', 'json'] as const) {
          const expected = await referenceTree(canonical, { format, attrs: ATTRS, events: true });
          // Everything held; every trace spilled (1 byte); some spilled (a few kB).
          for (const memory of [undefined, 1, 4000, 20_000]) {
            const run = await runTree(split, { format, attrs: ATTRS, events: true, memory });
            expect(run.out, `${format}, --memory ${memory}`).toBe(expected);
            // The largest trace is never written out (it is held whole to be drawn anyway).
            if (memory === 1 && dump.traceIds.length > 1) expect(run.spilledBytes).toBeGreaterThan(0);
            if (memory === undefined) expect(run.spilledBytes).toBe(0);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it('prints the newest N the same over files and over stdin, holding only those (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 4 }), async (seed, order, last) => {
        const dir = tempDir();
        const dump = makeDump(seed);
        const canonical = writeDump(dir, 'canonical', dump, 0, 1);
        const split = writeDump(dir, 'split', dump, order, 3);
        for (const format of ['text', 'json'] as const) {
          const expected = await referenceTree(canonical, { format, last, attrs: ATTRS, events: true });
          for (const memory of [undefined, 1]) {
            const files = await runTree(split, { format, last, attrs: ATTRS, events: true, memory });
            expect(files.out, `${format} over files, --memory ${memory}`).toBe(expected);
            expect(files.matched).toBe(dump.traceIds.length);
            expect(files.shown).toBe(Math.min(last, dump.traceIds.length));
            // One of the files on stdin, between the others.
            const viaStdin = await runTree([split[0]!, '-', split[2]!], { format, last, attrs: ATTRS, events: true, memory, stdin: readFileSync(split[1]!) });
            expect(viaStdin.out, `${format} over stdin, --memory ${memory}`).toBe(expected);
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it('selects by --trace prefix the same way when spilling', async () => {
    const dir = tempDir();
    const dump = makeDump(7, 8);
    const split = writeDump(dir, 'split', dump, 3, 2);
    const prefix = dump.traceIds[0]!.slice(0, 1);
    const expected = await referenceTree(split, { format: 'json', trace: prefix });
    expect((await runTree(split, { format: 'json', trace: prefix, memory: 1 })).out).toBe(expected);
    expect((await runTree(split, { format: 'json', trace: prefix, last: 1, memory: 1 })).out).toBe(await referenceTree(split, { format: 'json', trace: prefix, last: 1 }));
  });

  it('reads stdin compressed and whole for --last', async () => {
    const { gzipSync } = await import('node:zlib');
    const dir = tempDir();
    const dump = makeDump(99, 8);
    const [file] = writeDump(dir, 'one', dump, 5, 1);
    const expected = await referenceTree([file!], { last: 2 });
    expect((await runTree(['-'], { last: 2, stdin: gzipSync(readFileSync(file!)) })).out).toBe(expected);
  });
});

describe('tree counts the calls cost counts', () => {
  it('has per trace as many countsCall nodes and `calls` as cost has calls (property)', async () => {
    const book = await loadPricing({ storeDir: '/nonexistent-store' });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 2 ** 30 }), async (seed, order) => {
        const dir = tempDir();
        const dump = makeDump(seed);
        const files = writeDump(dir, 'split', dump, order, 2);
        const cost = await computeCost(await openSources({ sources: files, diagnostic: () => {} }), { book, groupBy: ['trace'] });
        const costCalls = new Map(cost.result.report.rows.map((r) => [String(r.trace), r.calls]));
        const doc = JSON.parse((await runTree(files, { format: 'json', memory: order % 2 ? 1 : undefined })).out) as { traces: TraceJson[] };
        expect(doc.traces.length).toBe(dump.traceIds.length);
        let total = 0;
        for (const t of doc.traces) {
          expect(t.calls, t.traceId).toBe(costCalls.get(t.traceId) ?? 0);
          expect(countCalls(t.roots)).toBe(t.calls);
          total += t.calls;
        }
        expect(total).toBe(cost.stats.calls);
      }),
      { numRuns: 40 },
    );
  });

  it('shows the calls in each trace header', async () => {
    const dir = tempDir();
    const files = writeDump(dir, 'one', makeDump(3, 6), 0, 1);
    const text = (await runTree(files)).out;
    const json = JSON.parse((await runTree(files, { format: 'json' })).out) as { traces: TraceJson[] };
    const headers = text.split('\n').filter((l) => l.startsWith('trace '));
    expect(headers).toHaveLength(json.traces.length);
    json.traces.forEach((t, i) => expect(headers[i]).toContain(` · ${t.calls} call${t.calls === 1 ? '' : 's'} · `));
  });
});

interface NodeJson {
  countsCall: boolean;
  countsUsage: boolean;
  usage?: unknown;
  children: NodeJson[];
}

interface TraceJson {
  traceId: string;
  calls: number;
  roots: NodeJson[];
}

function countCalls(nodes: NodeJson[]): number {
  let n = 0;
  const stack = [...nodes];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.countsCall) n++;
    if (x.countsUsage) expect(x.countsCall && x.usage !== undefined).toBe(true);
    stack.push(...x.children);
  }
  return n;
}

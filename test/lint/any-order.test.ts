/**
 * Exact at any input order: the same spans in any order, split over any number of files, with
 * any memory budget (spilling to temporary files or not) give the same findings, counts and
 * scorecard. Random traces — trees, extra roots, orphans, repeated ids, self-parents, tool spans
 * — go through the real entry points: files written, openSources, runLint, the Linter.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/lib/lint/config.js';
import { Linter } from '../../src/lib/lint/engine.js';
import { runLint } from '../../src/lib/lint/run.js';
import { NameInterner, SourceTable, TraceState } from '../../src/lib/lint/trace-state.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import type { Finding } from '../../src/lib/lint/types.js';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { openSources } from '../../src/lib/sources/open.js';
import type { AttrValue, Span } from '../../src/lib/span.js';
import { tempDir } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';

const settings = resolveSettings(undefined, []);

const ROLES: Record<string, Record<string, AttrValue | number>> = {
  plain: {},
  llm: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 5 },
  tool: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' },
  'tool-unnamed': { 'gen_ai.operation.name': 'execute_tool' },
  'tool-failed': { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'error.type': 'timeout' },
};
const CONTEXT = { 'user.id': 'u1', 'session.id': 's1', 'tenant.id': 't1' };

const spanSpec = fc.record({
  parent: fc.oneof(fc.constant('root' as const), fc.constant('missing' as const), fc.nat(), fc.nat(), fc.nat()),
  /** Repeat the id of another span of the trace (index), when set. */
  repeat: fc.option(fc.nat(), { freq: 6 }),
  kind: fc.constantFrom(1, 2, 3),
  role: fc.constantFrom(...Object.keys(ROLES)),
  context: fc.boolean(),
});
const traceSpec = fc.array(spanSpec, { minLength: 1, maxLength: 9 });
type SpanSpec = typeof spanSpec extends fc.Arbitrary<infer T> ? T : never;

/** The spans of random traces, in a canonical order (trace by trace). */
function buildSpans(traces: SpanSpec[][]): Span[] {
  const out: Span[] = [];
  traces.forEach((specs, t) => {
    const ids = specs.map((_, i) => `t${t}s${i}`);
    specs.forEach((s, i) => {
      const id = s.repeat !== null && specs.length > 1 ? ids[s.repeat % specs.length]! : ids[i]!;
      const parent = s.parent === 'root' ? undefined : s.parent === 'missing' ? `gone${t}` : ids[s.parent % specs.length];
      const attrs = { ...ROLES[s.role], ...(s.context ? CONTEXT : {}) };
      out.push(span({ trace: `trace${t}`, id, parent, name: `${s.role} ${i}`, kind: s.kind, attrs, status: s.role === 'tool-failed' ? 2 : 0 }));
    });
  });
  return out;
}

/** What must not depend on the order: the findings as a sorted multiset, without their place. */
function comparable(findings: readonly Finding[]): string[] {
  return findings.map((f) => JSON.stringify([f.rule, f.severity, f.traceId, f.spanId, f.facts])).sort();
}

/** Writes `files` (each a list of lines, each line a list of spans) as OTLP JSON Lines. */
function writeFiles(files: Span[][][]): string[] {
  const dir = tempDir();
  return files.map((lines, i) => {
    const file = path.join(dir, `part-${i}.jsonl`);
    writeFileSync(file, lines.map((l) => `${JSON.stringify(encodeOtlpJsonTraces(l))}\n`).join(''));
    return file;
  });
}

async function lint(files: string[], opts: { memoryBudget?: number; sweepEvery?: number; spillParent?: string } = {}) {
  const opened = await openSources({ sources: files, maxProblemLines: 0, diagnostic: () => {} });
  const linter = new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys }, ...opts });
  const findings: Finding[] = [];
  await runLint(opened, linter, (f) => {
    findings.push(...f);
  });
  return { findings: comparable(findings), counts: { ...linter.counts }, scorecard: linter.scorecard(), spilled: linter.spilledBytes };
}

/** `spans` reordered by `keys` (a random permutation), cut into files and lines. */
function arrange(spans: Span[], keys: number[], fileOf: number[], fileCount: number, lineBreaks: boolean[]): Span[][][] {
  const order = spans.map((s, i) => [keys[i] ?? 0, i, s] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const files: Span[][][] = Array.from({ length: fileCount }, () => []);
  order.forEach(([, i, s], at) => {
    const lines = files[(fileOf[i] ?? 0) % fileCount]!;
    if (lines.length === 0 || lineBreaks[at]) lines.push([]);
    lines[lines.length - 1]!.push(s);
  });
  return files.filter((f) => f.length > 0);
}

describe('lint is exact at any input order', () => {
  it('gives the same findings, counts and scorecard for any order, split into files and memory budget', async () => {
    const spillParent = tempDir();
    let spilledRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(traceSpec, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        fc.constantFrom(1, 400, 3_000, 1 << 30),
        fc.integer({ min: 1, max: 6 }),
        async (traces, keys, fileOf, fileCount, lineBreaks, memoryBudget, sweepEvery) => {
          const spans = buildSpans(traces);
          const expected = await lint(writeFiles([[spans]]));
          const files = writeFiles(arrange(spans, keys, fileOf, fileCount, lineBreaks));
          const got = await lint(files, { memoryBudget, sweepEvery, spillParent });
          if (got.spilled > 0) spilledRuns++;
          expect(got.findings).toEqual(expected.findings);
          expect(got.counts).toEqual(expected.counts);
          expect(got.scorecard).toEqual(expected.scorecard);
          // The temporary files are gone once the run is over.
          expect(readdirSync(spillParent)).toEqual([]);
        },
      ),
      { numRuns: 120 },
    );
    expect(spilledRuns).toBeGreaterThan(20);
  });

  it('gives the same result for two services exported apart and for three Collector replicas', async () => {
    // Root spans in the frontend's file, their children (and the children's children) in the worker's.
    const traces = Array.from({ length: 30 }, (_, t) => [
      span({ trace: `tr${t}`, id: `r${t}`, name: 'POST /ask', attrs: CONTEXT }),
      span({ trace: `tr${t}`, id: `a${t}`, parent: `r${t}`, name: 'invoke_agent', attrs: { 'gen_ai.operation.name': 'invoke_agent' } }),
      span({ trace: `tr${t}`, id: `l${t}`, parent: `a${t}`, name: 'chat gpt-4o', kind: 3, attrs: ROLES.llm! }),
      span({ trace: `tr${t}`, id: `x${t}`, parent: t % 3 ? `a${t}` : `lost${t}`, name: 'execute_tool search', attrs: ROLES.tool! }),
    ]);
    const all = traces.flat();
    const expected = await lint(writeFiles([[all]]));
    expect(expected.findings.some((f) => f.includes('orphan-span'))).toBe(true);
    const frontend = all.filter((s) => s.parentSpanId === '');
    const worker = all.filter((s) => s.parentSpanId !== '');
    // The worker's file first: every child arrives long before its parent.
    const services = await lint(writeFiles([[worker], [frontend]]), { memoryBudget: 1, sweepEvery: 2, spillParent: tempDir() });
    expect(services.spilled).toBeGreaterThan(0);
    expect(services).toEqual({ ...expected, spilled: services.spilled });
    const replicas = writeFiles([0, 1, 2].map((r) => all.filter((_, i) => i % 3 === r).map((s) => [s])));
    const split = await lint(replicas, { sweepEvery: 3 });
    expect(split).toEqual(expected);
  });
});

describe('parent-cycle at any input order', () => {
  // A three-span cycle beside a root, a two-span cycle with no root, differing copies of ids.
  const spans = decodeOtlpJsonTraces(JSON.parse(readFileSync('fixtures/counting/copies-and-cycles.jsonl', 'utf8'))).spans;
  const cycles = (r: { findings: string[] }) => r.findings.filter((f) => f.includes('"parent-cycle"'));

  it('names each cycle once, on its lowest span id, with its members, for any order, split and memory budget', async () => {
    const expected = await lint(writeFiles([[spans]]));
    expect(cycles(expected)).toEqual([
      JSON.stringify(['parent-cycle', 'warn', '00000000000000000000000000006379', '0000000000000061', { members: ['0000000000000061', '0000000000000062', '0000000000000063'] }]),
      JSON.stringify(['parent-cycle', 'warn', '00000000000000000000000000637932', '0000000000000078', { members: ['0000000000000078', '0000000000000079'] }]),
    ]);
    const spillParent = tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: spans.length, maxLength: spans.length }),
        fc.array(fc.nat(), { minLength: spans.length, maxLength: spans.length }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.boolean(), { minLength: spans.length, maxLength: spans.length }),
        fc.constantFrom(1, 1 << 30),
        fc.integer({ min: 1, max: 4 }),
        async (keys, fileOf, fileCount, lineBreaks, memoryBudget, sweepEvery) => {
          const got = await lint(writeFiles(arrange(spans, keys, fileOf, fileCount, lineBreaks)), { memoryBudget, sweepEvery, spillParent });
          expect(got.findings).toEqual(expected.findings);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('parent links in the trace state', () => {
  it('finds the same cycles held as they came, packed, and frozen and thawed, ids that do not pack included', () => {
    const names = new NameInterner();
    const sources = new SourceTable();
    const t = new TraceState('t', 0);
    // A hex 2-cycle, a cycle through ids that do not pack, a chain into it, a root with a child, a self-parent.
    const links: Array<[string, string]> = [
      ['00000000000000b2', '00000000000000b1'],
      ['00000000000000b1', '00000000000000b2'],
      ['odd-2', '00000000000000c1'],
      ['00000000000000c1', 'odd-1'],
      ['odd-1', 'odd-2'],
      ['00000000000000d1', 'odd-1'],
      ['00000000000000e1', ''],
      ['00000000000000e2', '00000000000000e1'],
      ['00000000000000f1', '00000000000000f1'],
    ];
    const expected = [['00000000000000b1', '00000000000000b2'], ['00000000000000c1', 'odd-1', 'odd-2']];
    links.slice(0, 5).forEach(([id, parent]) => t.add(id, parent, 'x', 1, 0, undefined, undefined, 0, names));
    t.pack();
    links.slice(5).forEach(([id, parent]) => t.add(id, parent, 'x', 1, 0, undefined, undefined, 0, names));
    expect(t.parentCycles()).toEqual(expected);
    const thawed = TraceState.thaw('t', t.freeze(sources, names), sources, names, 0);
    expect(thawed.parentCycles()).toEqual(expected);
    thawed.pack();
    expect(thawed.parentCycles()).toEqual(expected);
    expect(TraceState.thaw('t', thawed.freeze(sources, names), sources, names, 0).parentCycles()).toEqual(expected);
  });
});

describe('lint temporary files', () => {
  it('removes them when the run fails half-way', async () => {
    const spillParent = tempDir();
    const spans = Array.from({ length: 50 }, (_, i) => span({ trace: `tr${i}`, id: `s${i}`, parent: 'gone', name: 'orphan', attrs: ROLES['tool-unnamed'] }));
    const [file] = writeFiles([[spans]]);
    const opened = await openSources({ sources: [file!], maxProblemLines: 0, diagnostic: () => {} });
    const linter = new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys }, memoryBudget: 1, spillParent });
    const run = runLint(opened, linter, () => {
      expect(readdirSync(spillParent)).toHaveLength(1);
      throw new Error('the output went away');
    });
    await expect(run).rejects.toThrow('the output went away');
    expect(readdirSync(spillParent)).toEqual([]);
  });

  it('are made under LLMTRACE_TMPDIR by default', async () => {
    const parent = path.join(tempDir(), 'spill');
    mkdirSync(parent);
    const before = process.env.LLMTRACE_TMPDIR;
    process.env.LLMTRACE_TMPDIR = parent;
    try {
      const spans = Array.from({ length: 20 }, (_, i) => span({ trace: `tr${i}`, id: `s${i}`, name: 'root', attrs: ROLES['tool-unnamed'] }));
      const opened = await openSources({ sources: writeFiles([[spans]]), maxProblemLines: 0, diagnostic: () => {} });
      const linter = new Linter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys }, memoryBudget: 1 });
      let during = 0;
      await runLint(opened, linter, () => {
        during = Math.max(during, readdirSync(parent).length);
      });
      expect(during).toBe(1);
      expect(linter.spilledBytes).toBeGreaterThan(0);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.LLMTRACE_TMPDIR;
      else process.env.LLMTRACE_TMPDIR = before;
    }
  });
});

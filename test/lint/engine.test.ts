import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/lib/span.js';
import type { Finding } from '../../src/lib/lint/types.js';
import { readAll } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';
import { resolveSettings } from '../../src/lib/lint/config.js';
import { keys, makeLinter } from './helpers.js';

const FIX = path.resolve('fixtures/lint');

function lintBatches(batches: Span[][]): { findings: Finding[]; linter: ReturnType<typeof makeLinter> } {
  const linter = makeLinter();
  const findings: Finding[] = [];
  for (const b of batches) findings.push(...linter.lintBatch(b, 'mem'));
  findings.push(...linter.finish());
  return { findings, linter };
}

/** Every span fixture, each moved to its own trace id so they can be mixed. */
async function allFixtureSpans(): Promise<Span[]> {
  const files = readdirSync(FIX).filter((f) => f.endsWith('.json')).sort();
  const out: Span[] = [];
  for (const [i, f] of files.entries()) {
    const { spans } = await readAll([path.join(FIX, f)]);
    const prefix = i.toString(16).padStart(4, '0');
    for (const s of spans) out.push({ ...s, traceId: prefix + s.traceId.slice(4) });
  }
  return out;
}

describe('lint engine', () => {
  it('finds the same things whatever the order of spans and however they are batched', async () => {
    const spans = await allFixtureSpans();
    const baseline = lintBatches([spans]);
    const expected = keys(baseline.findings);
    expect(expected.length).toBeGreaterThan(20);
    const score = baseline.linter.scorecard();
    await fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: spans.length, maxLength: spans.length }), fc.array(fc.nat({ max: spans.length }), { maxLength: 12 }), (order, cuts) => {
        const shuffled = spans.map((s, i) => [order[i]!, i, s] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , s]) => s);
        const bounds = [...new Set([0, ...cuts, spans.length])].sort((a, b) => a - b);
        const batches = bounds.slice(1).map((end, i) => shuffled.slice(bounds[i], end));
        const r = lintBatches(batches);
        expect(keys(r.findings)).toEqual(expected);
        expect(r.linter.scorecard()).toEqual(score);
      }),
      { numRuns: 60 },
    );
  });

  it('checks a span that arrives long after the rest of its trace like any other', () => {
    // 40,000 two-span traces (root + orphan child in half of them), then late spans of the first.
    const batches: Span[][] = [];
    for (let b = 0; b < 400; b++) {
      const batch: Span[] = [];
      for (let i = 0; i < 100; i++) {
        const t = `t${b * 100 + i}`;
        batch.push(span({ trace: t, id: `r${t}`, name: 'root' }));
        batch.push(span({ trace: t, id: `c${t}`, parent: (b * 100 + i) % 2 ? `r${t}` : `missing${t}`, name: 'child' }));
      }
      batches.push(batch);
    }
    const linter = makeLinter();
    const findings: Finding[] = [];
    for (const b of batches) findings.push(...linter.lintBatch(b, 'mem'));
    const late = [span({ trace: 't1', id: 'late', parent: 'gone', name: 'late orphan' }), span({ trace: 't1', id: 'rt1', name: 'root again' })];
    findings.push(...linter.lintBatch(late, 'mem'));
    findings.push(...linter.finish());
    const byRule = (id: string) => findings.filter((f) => f.rule === id);
    expect(byRule('orphan-span')).toHaveLength(20_001);
    expect(byRule('duplicate-span-id').map((f) => f.spanId)).toEqual([late[1]!.spanId]);
    expect(byRule('trace-without-root')).toHaveLength(0);
    expect(linter.scorecard().traces).toBe(40_000);
  });

  it('keeps only unresolved parents: children that arrive before their parents are released', () => {
    // A 5,000-deep chain delivered leaf first: every span waits for its parent until it arrives.
    const n = 5000;
    const chain = Array.from({ length: n }, (_, i) => span({ id: `s${i}`, parent: i ? `s${i - 1}` : undefined, name: `step ${i}` })).reverse();
    const linter = makeLinter();
    for (let i = 0; i < n; i += 100) linter.lintBatch(chain.slice(i, i + 100));
    const state = (linter as unknown as { traces: Map<string, { waiting?: Map<string, unknown[]> }> }).traces;
    expect([...state.values()][0]!.waiting).toBeUndefined();
    expect(keys(linter.finish())).toEqual([]);
    expect(state.size).toBe(0);
  });

  it('reports a span whose parent never arrived as an orphan, and the trace as rootless when the root is lost', async () => {
    // The manual capture with its root span dropped: what a process that exits without flushing leaves.
    const { spans } = await readAll([path.resolve('fixtures/shared/captures/manual-agent-http-json.json')]);
    const children = spans.filter((s) => s.parentSpanId !== '');
    expect(children).toHaveLength(4);
    const { findings, linter } = lintBatches([children]);
    const orphans = findings.filter((f) => f.rule === 'orphan-span');
    expect(orphans.map((f) => f.spanId).sort()).toEqual(children.map((s) => s.spanId).sort());
    expect(orphans.every((f) => f.facts.parentSpanId === '6cbc4a3f1518ac32')).toBe(true);
    expect(findings.filter((f) => f.rule === 'trace-without-root')).toHaveLength(1);
    // The tool span also lost its parent.
    expect(keys(findings.filter((f) => f.rule === 'tool-without-parent'))).toEqual(['tool-without-parent@868d72cf765ac563']);
    const items = Object.fromEntries(linter.scorecard().items.map((i) => [i.id, i]));
    expect(items.orphans).toMatchObject({ count: 4, total: 4, ok: false });
    expect(items['rootless-traces']).toMatchObject({ count: 1, total: 1 });
    expect(items['tool-child-status']).toMatchObject({ count: 0, total: 1 });
  });

  it('accepts the Zipkin shared client/server span pair but not other duplicate ids', () => {
    const client = span({ id: 'a', name: 'GET', kind: 3 });
    const server = span({ id: 'a', name: 'GET', kind: 2 });
    expect(keys(lintBatches([[client, server]]).findings)).toEqual([]);
    const third = span({ id: 'a', name: 'GET', kind: 2 });
    expect(keys(lintBatches([[client, server, third]]).findings)).toEqual([`duplicate-span-id@${third.spanId}`]);
  });

  it('judges root context only in traces that hold GenAI spans', () => {
    const plain = [span({ id: 'r', name: 'GET /health' }), span({ id: 'c', parent: 'r', name: 'db' })];
    expect(keys(lintBatches([plain]).findings)).toEqual([]);
    const genai = [
      span({ id: 'r', name: 'POST /ask' }),
      span({ id: 't', parent: 'r', name: 'execute_tool x', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x' } }),
    ];
    expect(keys(lintBatches([genai]).findings)).toEqual([`root-missing-context@${genai[0]!.spanId}`]);
  });

  it('says when nothing GenAI-related was found', () => {
    const { linter } = lintBatches([[span({ id: 'r', name: 'GET /' })]]);
    expect(linter.scorecard()).toMatchObject({ noGenAi: true, spans: 1, genAiSpans: 0 });
  });

  it('checks vendor-only spans for the information, not the gen_ai keys', () => {
    // OpenInference LLM span without any token count: usage is missing in every convention.
    const root = span({ id: 'r', name: 'agent', attrs: { 'user.id': 'u', 'session.id': 's', 'tenant.id': 't' } });
    const s = span({ id: 'v', parent: 'r', name: 'ChatCompletion', attrs: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.provider': 'openai' } });
    expect(keys(lintBatches([[root, s]]).findings)).toEqual([`llm-missing-usage@${s.spanId}`, `vendor-only-convention@${s.spanId}`]);
  });
});

describe('findings from another thread', () => {
  it('keep one object per shared facts value across batches, marked shared, with the same findings', async () => {
    const { SpanLinter } = await import('../../src/lib/lint/span-facts.js');
    const { isShared } = await import('../../src/lib/lint/facts-memo.js');
    const spans = await allFixtureSpans();
    const half = Math.floor(spans.length / 2);
    const batches = [spans.slice(0, half), spans.slice(half), spans.slice(0, half)];
    const here = makeLinter();
    const there = makeLinter();
    const local = batches.map((b) => here.lintBatch(b, 'mem'));
    // A worker's facts reach the main thread as structured clones, new objects in every message.
    const settings = resolveSettings(undefined, []);
    const sender = new SpanLinter({ severities: settings.severities, ctx: { rootContextKeys: settings.rootContextKeys } });
    const remote = batches.map((b) => there.addFacts(structuredClone(sender.facts(b, 'mem'))));
    expect(remote).toEqual(local);
    const first = remote[0]!.filter((f) => isShared(f.facts));
    expect(first.length).toBeGreaterThan(5);
    // The third batch repeats the first: its shared facts are the very objects the first one got.
    const again = remote[2]!.filter((f) => isShared(f.facts));
    expect(again.map((f) => f.facts)).toEqual(first.map((f) => f.facts));
    for (let i = 0; i < first.length; i++) expect(again[i]!.facts).toBe(first[i]!.facts);
  });
});

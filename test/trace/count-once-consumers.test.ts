/**
 * One count-once definition, every consumer: random traces (usage on outer and inner spans,
 * failed calls without usage, agent spans carrying usage, orphans), in random order, random
 * batches and random splits into files, through `cost` (with and without spilling), `tail`'s
 * live view (traces printed before their late spans, with and without printed traces on disk)
 * and `tree`'s assembly. All must give what an independent oracle — a recursive walk over the
 * generated tree, written apart from src/lib/trace/count-once.ts — says, per model, exactly.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import type { Span } from '../../src/lib/span.js';
import { assembleTrace } from '../../src/lib/trace/assemble.js';
import { costOf } from '../cost/helpers.js';
import { tempDir } from '../helpers/read-all.js';
import { llm, span } from '../helpers/span-factory.js';
import { harness, traceExport } from '../live/helpers.js';

type Kind = 'plain' | 'llm' | 'failed' | 'agent';
interface Node {
  parent: number; // -1 root, -2 a parent that never arrives
  kind: Kind;
  model: 'm-a' | 'm-b';
}
interface Totals {
  calls: number;
  input: number;
  output: number;
}
type ByModel = Record<string, Totals>;

const MODEL = '(unknown model)';

/** The oracle: recursion over explicit children, top-down for the ancestor rule. */
function expected(traces: Node[][]): ByModel {
  const out: ByModel = {};
  const add = (model: string, input: number, output: number) => {
    const t = (out[model] ??= { calls: 0, input: 0, output: 0 });
    t.calls++;
    t.input += input;
    t.output += output;
  };
  for (const nodes of traces) {
    const children = nodes.map(() => [] as number[]);
    nodes.forEach((n, i) => n.parent >= 0 && children[n.parent]!.push(i));
    const usage = (i: number) => nodes[i]!.kind === 'llm' || nodes[i]!.kind === 'agent';
    const model = (i: number) => nodes[i]!.kind === 'llm' || nodes[i]!.kind === 'failed';
    const below = (i: number, test: (j: number) => boolean): boolean => children[i]!.some((c) => test(c) || below(c, test));
    const visit = (i: number, underCounted: boolean) => {
      const countsUsage = usage(i) && !below(i, usage);
      if (countsUsage) add(nodes[i]!.kind === 'agent' ? MODEL : nodes[i]!.model, tokens(i).input, tokens(i).output);
      else if (model(i) && !usage(i) && !below(i, (j) => usage(j) || model(j)) && !underCounted) add(nodes[i]!.model, 0, 0);
      for (const c of children[i]!) visit(c, underCounted || countsUsage);
    };
    nodes.forEach((n, i) => n.parent < 0 && visit(i, false));
  }
  return out;
}

const tokens = (i: number) => ({ input: 100 + i, output: 10 + i });

function spansOf(traces: Node[][]): Span[] {
  return traces.flatMap((nodes, t) =>
    nodes.map((n, i) => {
      const trace = `t${t}`;
      const id = `t${t}s${i}`;
      const parent = n.parent === -2 ? `t${t}ghost` : n.parent >= 0 ? `t${t}s${n.parent}` : undefined;
      const { input, output } = tokens(i);
      let s: Span;
      if (n.kind === 'llm') s = llm(id, parent, n.model, input, output, {}, i);
      else if (n.kind === 'failed') s = span({ id, parent, start: i, name: `chat ${n.model}`, status: 2, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': n.model, 'error.type': '429' } });
      else if (n.kind === 'agent') s = span({ id, parent, start: i, name: 'invoke_agent a', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output } });
      else s = span({ id, parent, start: i, name: `step ${i}` });
      return { ...s, traceId: span({ id: 'x', trace }).traceId };
    }),
  );
}

const nodeArb = (i: number) =>
  fc.record({
    parent: fc.integer({ min: i === 0 ? -2 : -2, max: i - 1 }).map((p) => (p === -2 && i > 0 ? -2 : p < -1 ? -1 : p)),
    kind: fc.constantFrom<Kind>('plain', 'llm', 'llm', 'failed', 'agent'),
    model: fc.constantFrom<'m-a' | 'm-b'>('m-a', 'm-b'),
  });
const traceArb = fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => nodeArb(i))));
const caseArb = fc.array(traceArb, { minLength: 1, maxLength: 3 }).chain((traces) => {
  const total = traces.reduce((s, t) => s + t.length, 0);
  return fc.record({
    traces: fc.constant(traces),
    order: fc.shuffledSubarray([...Array(total).keys()], { minLength: total, maxLength: total }),
    batch: fc.integer({ min: 1, max: 4 }),
    files: fc.integer({ min: 1, max: 3 }),
    fileOf: fc.array(fc.nat(), { minLength: total, maxLength: total }),
    pauses: fc.array(fc.boolean(), { minLength: total, maxLength: total }),
    tight: fc.boolean(),
  });
});

function byModelOfRows(rows: Array<Record<string, unknown>>): ByModel {
  const out: ByModel = {};
  for (const r of rows) out[String(r['model.raw'])] = { calls: Number(r.calls), input: Number(r.inputTokens), output: Number(r.outputTokens) };
  return out;
}

describe('count-once: every consumer equals an independent oracle, at any order and split', () => {
  it('cost, tail and tree', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ traces, order, batch, files, fileOf, pauses, tight }) => {
        const want = expected(traces);
        const all = spansOf(traces);
        const ordered = order.map((k) => all[k]!);
        const batches: Span[][] = [];
        for (let i = 0; i < ordered.length; i += batch) batches.push(ordered.slice(i, i + batch));

        // cost: batches dealt over files, read in file order; tight = early decisions and spilling.
        const dir = tempDir();
        const lines: string[][] = Array.from({ length: files }, () => []);
        batches.forEach((b, i) => lines[fileOf[i]! % files]!.push(JSON.stringify(encodeOtlpJsonTraces(b))));
        const paths = lines.map((l, i) => {
          const f = path.join(dir, `part-${i}.jsonl`);
          writeFileSync(f, l.join('\n') + '\n');
          return f;
        });
        const cost = await costOf(paths, { groupBy: ['model.raw'], pricing: { builtin: false }, ...(tight ? { settleAfterSpans: 1, memoryBytes: 512, spillParent: dir } : {}) });
        expect(byModelOfRows(cost.result.report.rows)).toEqual(want);

        // tail: traces are printed during quiet pauses, so later spans arrive as late spans.
        const h = harness({ printedMemoryBytes: tight ? 1 : undefined, spillParent: dir });
        batches.forEach((b, i) => {
          h.view.onExport(traceExport(b.map((s) => ({ ...s }))));
          if (pauses[i]) h.advance(1_500);
        });
        h.view.flush();
        const live: ByModel = {};
        for (const [model, t] of h.view.totals.byModel) live[model] = { calls: t.calls, input: t.usage.input, output: t.usage.output };
        h.view.close();
        expect(live).toEqual(want);

        // tree: each trace assembled from its spans in the order they came.
        const tree: ByModel = {};
        for (const id of new Set(ordered.map((s) => s.traceId))) {
          for (const n of assembleTrace(id, ordered.filter((s) => s.traceId === id)).nodes) {
            if (!n.countsCall) continue;
            const model = n.view.responseModel ?? n.view.requestModel ?? MODEL;
            const t = (tree[model] ??= { calls: 0, input: 0, output: 0 });
            t.calls++;
            t.input += n.countsUsage ? n.view.usage!.input : 0;
            t.output += n.countsUsage ? n.view.usage!.output : 0;
          }
        }
        expect(tree).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});

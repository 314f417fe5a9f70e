/**
 * Calls without a start time (OTLP's zero value, 0: docs/architecture.md "Unset span times"),
 * counted by one rule in `cost`, `stats` and `tree`: without a window they are counted (their
 * tokens are real) and priced unless their price depends on the date; under --since/--until no
 * window can place them, so they are in no row and counted as `untimedCalls` (--strict fails);
 * stats leaves calls of unknown duration (no start, an end before it or 0) out of latency and
 * counts them. The same through files in any order and split, a spilling run, worker threads
 * and ClickHouse (real chdb).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { writePricingFile } from './generate.js';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { tempDir } from '../helpers/read-all.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { emptyResource, newAttributes, type Span } from '../../src/lib/span.js';
import { PriceBook, priceView } from '../../src/lib/cost/pricebook.js';
import { parsePricingDocument } from '../../src/lib/cost/pricing-file.js';
import type { GenAiView } from '../../src/lib/genai/types.js';

const NOW = '2026-11-23T00:00:00Z';
/** 2026-11-20 12:00 UTC, after m-dated's price switch (2026-01-01). */
const AT = BigInt(Date.UTC(2026, 10, 20, 12)) * 1_000_000n;
const MS = 1_000_000n;
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };

function spanOf(trace: string, id: string, parent: string, name: string, start: bigint, end: bigint, attrs: Record<string, string | bigint> = {}): Span {
  return spanWith({ traceId: hexId(trace, 16), spanId: hexId(id), parentSpanId: parent === '' ? '' : hexId(parent), name, startTimeUnixNano: start, endTimeUnixNano: end, attributes: Object.assign(newAttributes(), attrs), resource });
}

function chat(trace: string, id: string, parent: string, model: string, start: bigint, end: bigint, input: number, output: number): Span {
  return spanOf(trace, id, parent, `chat ${model}`, start, end, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
    'gen_ai.usage.input_tokens': BigInt(input),
    'gen_ai.usage.output_tokens': BigInt(output),
  });
}

/** One trace per scenario; m-plain's price does not depend on the date, m-dated's does. */
const SPANS: Span[] = [
  // An untimed call alone.
  chat('alone', 'a1', '', 'm-plain', 0n, AT + 900n * MS, 100, 10),
  // An untimed call in a timed trace, beside a timed one.
  spanOf('mixed', 'm0', '', 'agent.mixed', AT, AT + 1000n * MS),
  chat('mixed', 'm1', 'm0', 'm-dated', 0n, AT + 400n * MS, 200, 20),
  chat('mixed', 'm2', 'm0', 'm-plain', AT + 500n * MS, AT + 900n * MS, 50, 5),
  // A whole trace untimed.
  spanOf('whole', 'w0', '', 'agent.whole', 0n, AT + 1000n * MS),
  chat('whole', 'w1', 'w0', 'm-dated', 0n, AT + 300n * MS, 300, 30),
  chat('whole', 'w2', 'w0', 'm-plain', 0n, AT + 600n * MS, 40, 4),
  // Timed calls whose end is before their start, or unset.
  spanOf('backwards', 'b0', '', 'agent.backwards', AT, AT + 1000n * MS),
  chat('backwards', 'b1', 'b0', 'm-plain', AT + 500n * MS, AT + 100n * MS, 10, 1),
  chat('backwards', 'b2', 'b0', 'm-plain', AT + 500n * MS, 0n, 20, 2),
  // A timed call with a duration, for the latency figures.
  chat('timed', 't1', '', 'm-plain', AT, AT + 250n * MS, 1, 1),
];

let dir: string;
let pricing: string;
const files: Record<string, string[]> = {};

function write(name: string, spans: Span[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat(spans.map((s) => otlpJsonTracesLine([s]))));
  return file;
}

beforeAll(() => {
  dir = tempDir();
  pricing = writePricingFile(dir);
  files.one = [write('one.jsonl', SPANS)];
  files.reversed = [write('reversed.jsonl', [...SPANS].reverse())];
  files.split = [write('odd.jsonl', SPANS.filter((_, i) => i % 2 === 1)), write('even.jsonl', SPANS.filter((_, i) => i % 2 === 0))];
  // Over the 8 MiB at which worker threads decode: filler traces without calls.
  const filler: Span[] = [];
  for (let i = 0; i < 9000; i++) filler.push(spanOf(`fill${i}`, `f${i}`, '', 'work', AT, AT + MS, { note: 'x'.repeat(1000) }));
  files.workers = [write('workers.jsonl', [...filler.slice(0, 4500), ...SPANS, ...filler.slice(4500)])];
});

const base = () => ['--format', 'json', '--pricing', pricing, '--no-builtin-pricing'];

async function cost(inputs: string[], args: string[], env: Record<string, string> = {}) {
  const r = await runCli(['cost', ...inputs, ...base(), ...args], { env: { LLMTRACE_NOW: NOW, ...env } });
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as Record<string, any> };
}

async function stats(inputs: string[], args: string[], env: Record<string, string> = {}) {
  const r = await runCli(['stats', ...inputs, ...base(), ...args], { env: { LLMTRACE_NOW: NOW, ...env } });
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as Record<string, any> };
}

const row = (report: Record<string, any>, key: string, value: string) => report.rows.find((r: Record<string, unknown>) => r[key] === value);

describe('the capture with its gpt-4o call\'s start unset (fixtures/unset-start-call.json)', () => {
  const capture = path.resolve('fixtures/unset-start-call.json');
  const run = async (args: string[]) => {
    const r = await runCli([...args, capture, '--format', 'json'], { env: { LLMTRACE_NOW: NOW } });
    return { code: r.code, json: JSON.parse(r.stdout) as Record<string, any> };
  };

  it('cost: gpt-4o is unpriced, not 1970\'s price; under --since it is untimed and --strict fails; stats has no 55-year latency', async () => {
    const all = (await run(['cost', '--by', 'model'])).json;
    expect(all.total.calls).toBe(3);
    expect(row(all, 'model', 'gpt-4o').cost).toBeNull();
    expect(all.unpriced).toEqual([{ model: 'gpt-4o', calls: 1, inputTokens: 23, outputTokens: 12, reason: 'no start time, and its price depends on the date' }]);
    const windowed = await run(['cost', '--since', '30d', '--strict']);
    expect(windowed.code).toBe(1);
    expect(windowed.json.untimedCalls).toBe(1);
    expect(windowed.json.total.calls).toBe(2);
    const stats = (await run(['stats'])).json;
    expect(stats.total.latencyMs.max).toBeLessThan(10);
    expect(stats.unknownDurations).toBe(1);
  }, 60_000);
});

describe('pricing a call without a start time', () => {
  const book = new PriceBook([
    {
      label: 'test',
      entries: parsePricingDocument(
        {
          currency: 'USD',
          models: {
            plain: { input: 1, output: 2 },
            dated: [{ until: '2026-01-01', input: 10, output: 40 }, { input: 2, output: 8 }],
            same: [{ until: '2026-01-01', input: 1, output: 2 }, { input: 1, output: 2 }],
            ended: { until: '2026-01-01', input: 1, output: 2 },
          },
        },
        'test',
      ),
    },
  ]);
  const view = (model: string) => ({ requestModel: model, usage: { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0, reasoning: 0 } }) as GenAiView;

  it('prices a model whose price does not depend on the date, and no other', () => {
    expect(priceView(book, view('plain'), 0)?.cost).toBe(3);
    expect(priceView(book, view('same'), 0)?.cost).toBe(3);
    // Dated: unpriced, the entry still known (the reason in the unpriced list).
    expect(priceView(book, view('dated'), 0)).toMatchObject({ cost: null, entry: { name: 'dated' } });
    expect(priceView(book, view('ended'), 0)?.cost).toBeNull();
    expect(priceView(book, view('unknown'), 0)).toBeUndefined();
    // With a start, the dated price of that date.
    expect(priceView(book, view('dated'), Date.UTC(2025, 5, 1))?.cost).toBe(50);
  });
});

describe('cost: calls without a start time', () => {
  it('without a window: counted, priced when the price does not depend on the date, (none) for day', async () => {
    const { code, report } = await cost(files.one!, ['--by', 'model', '--strict']);
    expect(code).toBe(1); // m-dated's untimed calls are unpriced
    expect(report.untimedCalls).toBeUndefined();
    expect(report.total.calls).toBe(8);
    expect(report.total.inputTokens).toBe(100 + 200 + 50 + 300 + 40 + 10 + 20 + 1);
    const plain = row(report, 'model', 'm-plain');
    expect(plain.calls).toBe(6);
    // m-plain is $1 in, $2 out per 1M tokens at every date.
    expect(plain.cost).toBeCloseTo(((100 + 50 + 40 + 10 + 20 + 1) * 1 + (10 + 5 + 4 + 1 + 2 + 1) * 2) / 1e6, 12);
    const dated = row(report, 'model', 'm-dated');
    expect(dated.calls).toBe(2);
    expect(dated.cost).toBeNull();
    expect(report.unpriced).toEqual([{ model: 'm-dated', calls: 2, inputTokens: 500, outputTokens: 50, reason: 'no start time, and its price depends on the date' }]);
    const byDay = (await cost(files.one!, ['--by', 'day'])).report;
    expect(row(byDay, 'day', '(none)').calls).toBe(4);
    expect(row(byDay, 'day', '2026-11-20').calls).toBe(4);
    expect(byDay.rows.some((r: Record<string, unknown>) => r.day === '1970-01-01')).toBe(false);
  }, 60_000);

  it('with --since: in no row, counted as untimedCalls in every format, and --strict fails', async () => {
    const { code, report, stderr } = await cost(files.one!, ['--by', 'model', '--since', '30d', '--strict']);
    expect(code).toBe(1);
    // a1, m1, w1 and w2, with their tokens.
    expect(report).toMatchObject({ untimedCalls: 4, untimedInputTokens: 100 + 200 + 300 + 40, untimedOutputTokens: 10 + 20 + 30 + 4 });
    expect(report.total.calls).toBe(4);
    expect(report.rows.map((r: Record<string, unknown>) => r.model)).toEqual(['m-plain']);
    expect(report.unpriced).toEqual([]);
    expect(stderr).toContain('FAILED strict: 4 model calls have no start time (640 → 64 tokens)');
    for (const format of ['table', 'markdown']) {
      const r = await runCli(['cost', ...files.one!, '--pricing', pricing, '--no-builtin-pricing', '--since', '30d', '--format', format], { env: { LLMTRACE_NOW: NOW } });
      expect(r.stdout).toContain('4 model calls have no start time (640 → 64 tokens)');
    }
    const csv = await runCli(['cost', ...files.one!, '--pricing', pricing, '--no-builtin-pricing', '--since', '30d', '--format', 'csv'], { env: { LLMTRACE_NOW: NOW } });
    expect(csv.stderr).toContain('4 model calls have no start time (640 → 64 tokens)');
    // A window that holds no timed call still counts them.
    expect((await cost(files.one!, ['--since', '2001-01-01', '--until', '2001-01-02'])).report.untimedCalls).toBe(4);
  }, 60_000);

  it('the same in any order and split, spilling at a tiny --memory, and with worker threads', async () => {
    for (const args of [['--by', 'model,day'], ['--by', 'feature,model', '--since', '30d']]) {
      const expected = (await cost(files.one!, args)).report;
      if (args.includes('--since')) expect(expected).toMatchObject({ untimedCalls: 4, untimedInputTokens: 640, untimedOutputTokens: 64 });
      for (const inputs of [files.reversed!, files.split!]) expect((await cost(inputs, args)).report).toEqual(expected);
      expect((await cost(files.split!, [...args, '--memory', '1KiB'])).report).toEqual(expected);
      const workers = (await cost(files.workers!, args, { LLMTRACE_WORKERS: '2' })).report;
      expect(workers).toEqual(expected);
    }
  }, 120_000);
});

describe('stats: calls of unknown duration', () => {
  it('leaves them out of latency and tok/s, counts them, and --strict fails', async () => {
    const { code, report, stderr } = await stats(files.one!, ['--strict']);
    expect(code).toBe(1);
    expect(report.total.calls).toBe(8);
    // Untimed (4) and end before start or unset (2).
    expect(report.unknownDurations).toBe(6);
    expect(report.total.latencyMs.max).toBeLessThan(1000);
    expect(report.total.latencyMs.min ?? report.total.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(stderr).toContain('6 calls have no known duration');
    const windowed = (await stats(files.one!, ['--since', '30d'])).report;
    expect(windowed).toMatchObject({ untimedCalls: 4, untimedInputTokens: 640, untimedOutputTokens: 64 });
    expect(windowed.unknownDurations).toBe(2);
    expect(windowed.total.calls).toBe(4);
    for (const inputs of [files.reversed!, files.split!]) expect((await stats(inputs, ['--since', '30d'])).report).toEqual(windowed);
    expect((await stats(files.split!, ['--since', '30d', '--memory', '1KiB'])).report).toEqual(windowed);
  }, 120_000);
});

describe('tree: an untimed call of a dated model is unpriced', () => {
  it('prices the undated model and leaves the dated one without a cost', async () => {
    const r = await runCli(['tree', ...files.one!, '--format', 'json', '--pricing', pricing, '--trace', hexId('whole', 16)]);
    expect(r.code).toBe(0);
    const text = r.stdout;
    const costs = [...text.matchAll(/"cost":\s*(null|[0-9.e-]+)/g)].map((m) => m[1]);
    expect(costs.length).toBeGreaterThan(0);
    expect(costs).toContain('null');
  }, 60_000);
});

describe('lint: model-unpriced on a span without a start time', () => {
  it('flags the dated model only, and says why', async () => {
    const r = await runCli(['lint', ...files.one!, '--pricing', pricing, '--format', 'json']);
    const found = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; spanId: string; facts: Record<string, unknown>; message: string }> }).findings.filter((f) => f.rule === 'model-unpriced');
    expect(found.map((f) => [f.spanId, f.facts])).toEqual([
      [hexId('m1'), { role: 'llm', model: 'm-dated', noStart: true }],
      [hexId('w1'), { role: 'llm', model: 'm-dated', noStart: true }],
    ]);
    expect(found[0]!.message).toContain('without a start time');
  }, 60_000);
});

describe('ClickHouse equals the files', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
    await createTables(engine, 'ut');
    await loadSpans(engine, 'ut', SPANS);
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('cost with and without a window, in SQL and as spans; stats', async () => {
    for (const small of ['0', '']) {
      for (const args of [['--by', 'model,day'], ['--by', 'feature,model', '--since', '30d'], ['--since', '2001-01-01', '--until', '2001-01-02']]) {
        const env = { LLMTRACE_CLICKHOUSE_SMALL_SPANS: small };
        const f = await cost(files.one!, args, env);
        const c = await cost([engine.url('ut')], args, env);
        if (args.includes('--since')) expect(f.report).toMatchObject({ untimedCalls: 4, untimedInputTokens: 640, untimedOutputTokens: 64 });
        expect(c.report).toEqual(f.report);
        expect(c.code).toBe(f.code);
      }
    }
    for (const args of [[], ['--since', '30d']]) expect((await stats([engine.url('ut')], args)).report).toEqual((await stats(files.one!, args)).report);
  }, 240_000);
});

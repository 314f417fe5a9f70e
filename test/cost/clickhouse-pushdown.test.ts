/**
 * `cost` with count-once, inheritance, the window and grouping computed in ClickHouse
 * (cost/pushdown-sql.ts) equals `cost` over the same spans in a file, on traces built to hit
 * every rule the SQL decides (agent totals over chat spans, failed calls above and below counted
 * usage, calls nested in calls, orphans, features from the root, the resource or a middle span,
 * cache and reasoning readings, totals that decide them, tiers, dated prices, window bounds
 * inside traces) mixed in one table with traces it must leave to Node (a Vercel span, junk
 * counts, a reported cost, Langfuse's JSON usage, a repeated span id, a parent cycle, a chain
 * deeper than the SQL walks), and vendor-family traces (OpenInference, Vercel, OpenLLMetry) it decides. The engine is real ClickHouse (chdb behind the HTTP interface).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_SWITCH, writePricingFile, GEN_PRICES } from './generate.js';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { newAttributes, type Resource, type Span } from '../../src/lib/span.js';
import { openSources } from '../../src/lib/sources/open.js';
import { runProjection } from '../../src/lib/cost/projection.js';
import { pushedCalls, smallWindowSpans, SMALL_WINDOW_SPANS, SPILL_BYTES } from '../../src/lib/cost/pushdown-groups.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { parsePricingDocument } from '../../src/lib/cost/pricing-file.js';
import { MAX_PUSHED_DEPTH, MAX_PUSHED_TRACKED_KEYS } from '../../src/lib/cost/pushdown-sql.js';

const DAY = 86_400_000;
const FROM = DATE_SWITCH - 4 * DAY;

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resource(attrs: Record<string, string>): Resource {
  return { attributes: Object.assign(newAttributes(), attrs), droppedAttributesCount: 0, schemaUrl: '' };
}

const RESOURCES = [resource({ 'service.name': 'bot' }), resource({ 'service.name': 'batch', 'app.feature': 'from-resource' }), resource({ 'service.name': 'api', 'user.id': 'res-user' })];

interface Make {
  trace: string;
  id: string;
  parent?: string;
  name?: string;
  startMs: number;
  attrs?: Record<string, string | number>;
  res?: Resource;
  scope?: string;
}

function make(m: Make): Span {
  const attributes = newAttributes();
  for (const [k, v] of Object.entries(m.attrs ?? {})) attributes[k] = typeof v === 'number' ? BigInt(v) : v;
  const start = BigInt(Math.round(m.startMs)) * 1_000_000n + 123_456n;
  return spanWith({
    traceId: hexId(m.trace, 16),
    spanId: hexId(m.id),
    parentSpanId: m.parent === undefined ? '' : hexId(m.parent),
    name: m.name ?? m.id,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 5_000_000n,
    attributes,
    resource: m.res ?? RESOURCES[0]!,
    scope: { name: m.scope ?? 'app', version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' },
  });
}

const MODELS = ['m-plain', 'm-cache', 'm-reason', 'm-tier', 'm-dated', 'm-mini', 'm-unknown'];

/** Usage attributes for one chat call, in one of the spellings and readings the SQL handles. */
function usage(r: () => number): Record<string, number> {
  const input = Math.floor(r() * 4000);
  const output = Math.floor(r() * 900);
  const u: Record<string, number> = {};
  const deprecated = r() < 0.2;
  u[deprecated ? 'gen_ai.usage.prompt_tokens' : 'gen_ai.usage.input_tokens'] = input;
  u[deprecated ? 'gen_ai.usage.completion_tokens' : 'gen_ai.usage.output_tokens'] = output;
  const shape = r();
  if (shape < 0.25) u['gen_ai.usage.cache_read.input_tokens'] = Math.floor(input * r());
  else if (shape < 0.35) u['gen_ai.usage.cache_read.input_tokens'] = input + 50; // cache larger than input: exclusive
  else if (shape < 0.45) u['gen_ai.usage.cache_creation.input_tokens'] = Math.floor(r() * 300);
  if (r() < 0.3) u['gen_ai.usage.reasoning.output_tokens'] = Math.floor(output * (r() < 0.7 ? r() : 2));
  const cache = (u['gen_ai.usage.cache_read.input_tokens'] ?? 0) + (u['gen_ai.usage.cache_creation.input_tokens'] ?? 0);
  const rs = u['gen_ai.usage.reasoning.output_tokens'] ?? 0;
  // A total that decides the reading, or not.
  const t = r();
  if (t < 0.15) u['llm.usage.total_tokens'] = input + cache + output;
  else if (t < 0.3) u['llm.usage.total_tokens'] = input + output + rs;
  else if (t < 0.35) u['llm.usage.total_tokens'] = input + output;
  return u;
}

function chat(r: () => number, trace: string, id: string, parent: string | undefined, startMs: number, res: Resource, extra: Record<string, string | number> = {}): Span {
  const model = MODELS[Math.floor(r() * MODELS.length)]!;
  const provider: Record<string, string> = r() < 0.3 ? { 'gen_ai.system': 'anthropic' } : { 'gen_ai.provider.name': 'openai' };
  return make({ trace, id, parent, name: `chat ${model}`, startMs, res, scope: r() < 0.2 ? 'opentelemetry.instrumentation.anthropic' : 'app', attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, ...provider, ...usage(r), ...extra } });
}

/** Traces the SQL decides, every rule of count-once and inheritance in play. */
function pushable(r: () => number, n: number): Span[] {
  const out: Span[] = [];
  for (let t = 0; t < n; t++) {
    const trace = `pd${t}`;
    const res = RESOURCES[t % RESOURCES.length]!;
    let at = FROM + r() * 8 * DAY;
    const rootAttrs: Record<string, string | number> = { 'gen_ai.operation.name': 'invoke_agent' };
    if (r() < 0.5) rootAttrs['app.feature'] = `feat-${t % 4}`;
    if (r() < 0.5) rootAttrs['user.id'] = `user-${t % 3}`;
    const spans: Span[] = [];
    const mid = r() < 0.5;
    if (mid) spans.push(make({ trace, id: 'mid', parent: 'root', startMs: at, res, attrs: { 'gen_ai.operation.name': 'invoke_workflow', ...(r() < 0.5 ? { 'gen_ai.agent.name': `agent-${t % 2}` } : {}) } }));
    const calls = 1 + Math.floor(r() * 4);
    for (let c = 0; c < calls; c++) {
      at += r() * 3_600_000;
      const kid = chat(r, trace, `c${c}`, mid && r() < 0.7 ? 'mid' : 'root', at, res);
      spans.push(kid);
      // A call wrapped by an outer span repeating its usage (Vercel-style, in gen_ai keys).
      if (r() < 0.15) spans.push(chat(r, trace, `c${c}in`, `c${c}`, at + 1, res));
    }
    // Failed calls: under the agent (counted only if the agent's usage is not counted), or alone.
    if (r() < 0.3) spans.push(make({ trace, id: 'fail', parent: r() < 0.5 ? 'root' : 'c0', startMs: at + 2, res, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm-plain', 'error.type': 'timeout' } }));
    // Agent totals over its calls: the agent is an outer span.
    if (r() < 0.4) rootAttrs['gen_ai.usage.input_tokens'] = 99_999;
    if (r() < 0.1) rootAttrs['gen_ai.request.model'] = 'm-plain';
    spans.unshift(make({ trace, id: 'root', name: `invoke_agent a${t % 3}`, startMs: at - 5 * 3_600_000, res, attrs: rootAttrs }));
    // An orphan: its parent never arrived.
    if (r() < 0.1) spans.push(chat(r, trace, 'orphan', 'gone', at + 3, res));
    out.push(...spans);
  }
  return out;
}

/**
 * Traces of the vendor families the SQL classifies (OpenInference, the Vercel AI SDK, OpenLLMetry):
 * outer spans repeating usage, gated keys (OpenInference keys on a plain span are not usage),
 * Vercel v6's input without its cache, kinds from span names, lower-case kinds, request types.
 */
function vendors(r: () => number, n: number): Span[] {
  const out: Span[] = [];
  for (let t = 0; t < n; t++) {
    const trace = `vd${t}`;
    const at = FROM + r() * 8 * DAY;
    const res = RESOURCES[t % RESOURCES.length]!;
    const model = MODELS[Math.floor(r() * MODELS.length)]!;
    const input = Math.floor(r() * 3000);
    const output = Math.floor(r() * 500);
    const cache = Math.floor(r() * input);
    switch (t % 4) {
      case 0: {
        const usage = { 'ai.usage.inputTokens': input, 'ai.usage.outputTokens': output, 'ai.usage.cachedInputTokens': cache };
        const v6: Record<string, number> = r() < 0.5 ? { 'ai.usage.inputTokenDetails.noCacheTokens': input - cache, 'ai.usage.inputTokenDetails.cacheReadTokens': cache } : {};
        out.push(make({ trace, id: 'v1', name: 'ai.generateText', startMs: at, res, attrs: { 'ai.operationId': 'ai.generateText', 'ai.model.id': model, 'ai.model.provider': 'openai.chat', 'ai.telemetry.functionId': `fn${t % 3}`, ...usage, ...v6 } }));
        out.push(make({ trace, id: 'v2', parent: 'v1', name: 'ai.generateText.doGenerate', startMs: at + 1, res, attrs: { 'ai.model.id': model, 'ai.model.provider': 'openai.chat', 'ai.response.model': `${model}`, ...usage, ...v6 } }));
        if (r() < 0.5) out.push(make({ trace, id: 'v3', parent: 'v1', name: 'ai.embed', startMs: at + 2, res, attrs: { 'ai.model.id': 'm-mini', 'ai.usage.tokens': Math.floor(r() * 90) } }));
        break;
      }
      case 1: {
        const kind = r() < 0.5 ? 'LLM' : 'llm';
        out.push(make({ trace, id: 'o0', name: 'chain', startMs: at, res, attrs: { 'openinference.span.kind': 'CHAIN', 'app.feature': `oi${t % 2}` } }));
        out.push(make({ trace, id: 'o1', parent: 'o0', name: 'ChatCompletion', startMs: at + 1, res, attrs: { 'openinference.span.kind': kind, 'llm.model_name': model, 'llm.provider': 'anthropic', 'llm.token_count.prompt': input, 'llm.token_count.completion': output, 'llm.token_count.prompt_details.cache_read': r() < 0.5 ? cache : input + 7, 'llm.token_count.total': input + output } }));
        // OpenInference keys on a span of no family are not read.
        out.push(make({ trace, id: 'o2', parent: 'o0', name: 'plain', startMs: at + 2, res, attrs: { 'llm.token_count.prompt': 55, 'llm.model_name': model } }));
        break;
      }
      case 2: {
        out.push(make({ trace, id: 't0', name: 'wf.workflow', startMs: at, res, attrs: { 'traceloop.span.kind': r() < 0.5 ? 'workflow' : 'Workflow', 'traceloop.workflow.name': `wf${t % 3}` } }));
        out.push(make({ trace, id: 't1', parent: 't0', name: 'openai.chat', startMs: at + 1, res, scope: 'opentelemetry.instrumentation.openai.v1', attrs: { 'llm.request.type': r() < 0.5 ? 'chat' : 'completion', 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': model, 'gen_ai.usage.prompt_tokens': input, 'gen_ai.usage.completion_tokens': output, 'llm.usage.total_tokens': input + output } }));
        break;
      }
      default:
        // A failed OpenLLMetry call without usage under a workflow total.
        out.push(make({ trace, id: 'w0', name: 'wf.workflow', startMs: at, res, attrs: { 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': 'wf-fail', 'gen_ai.usage.prompt_tokens': input, 'gen_ai.request.model': model } }));
        out.push(make({ trace, id: 'w1', parent: 'w0', name: 'openai.chat', startMs: at + 1, res, attrs: { 'llm.request.type': 'embedding', 'gen_ai.request.model': 'm-mini' } }));
    }
  }
  return out;
}

/** Traces the SQL leaves to Node, one per reason. */
function forNode(r: () => number): Span[] {
  const at = DATE_SWITCH + DAY;
  const res = RESOURCES[0]!;
  const deep: Span[] = [make({ trace: 'deep', id: 'd0', startMs: at, attrs: { 'app.feature': 'deep' } })];
  for (let i = 1; i <= MAX_PUSHED_DEPTH + 3; i++) deep.push(make({ trace: 'deep', id: `d${i}`, parent: `d${i - 1}`, startMs: at + i }));
  deep.push(chat(r, 'deep', 'dcall', `d${MAX_PUSHED_DEPTH + 3}`, at + 100, res));
  const dup = chat(r, 'dup', 'x1', undefined, at, res);
  // Two differing copies of one span id (docs/architecture.md "Differing copies"), and a parent
  // cycle of two calls beside a root, with a failed call hanging off it ("Parent cycles").
  const call = (trace: string, id: string, parent: string, input: number | undefined) =>
    make({ trace, id, parent, name: 'chat m-plain', startMs: at + 1, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm-plain', 'gen_ai.provider.name': 'openai', ...(input === undefined ? { 'error.type': 'timeout' } : { 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 5 }) } });
  const differing = [make({ trace: 'differ', id: 'z0', startMs: at, attrs: { 'app.feature': 'differ' } }), call('differ', 'z1', 'z0', 50), call('differ', 'z1', 'z0', 60)];
  const cycle = [make({ trace: 'cycle2', id: 'w0', startMs: at, attrs: { 'app.feature': 'cyc' } }), call('cycle2', 'w1', 'w2', 70), call('cycle2', 'w2', 'w1', 80), call('cycle2', 'w3', 'w2', undefined)];
  return [
    ...differing,
    ...cycle,
    chat(r, 'junk', 'j1', undefined, at, res, { 'gen_ai.usage.input_tokens': '12.5' }),
    chat(r, 'junk2', 'j1', undefined, at, res, { 'gen_ai.usage.output_tokens': ' 7' }),
    chat(r, 'reported', 'r1', undefined, at, res, { 'gen_ai.usage.cost': '0.5' }),
    // Langfuse's usage is JSON; an OpenInference LLM span's provider from its LangChain metadata
    // JSON; a kind JavaScript upper-cases to a known one ('ı' → 'I').
    make({ trace: 'langfuse', id: 'l1', startMs: at, attrs: { 'langfuse.observation.type': 'generation', 'langfuse.observation.model.name': 'm-plain', 'langfuse.observation.usage_details': '{"input":10,"output":3}' } }),
    make({ trace: 'oimeta', id: 'm1', startMs: at, attrs: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'm-plain', 'llm.token_count.prompt': 40, 'llm.token_count.completion': 4, metadata: '{"ls_provider":"openai"}' } }),
    make({ trace: 'nonascii', id: 'n1', startMs: at, attrs: { 'openinference.span.kind': 'emBEDDıng', 'embedding.model_name': 'm-mini', 'llm.token_count.prompt': 40 } }),
    dup,
    dup,
    make({ trace: 'cycle', id: 'y1', parent: 'y2', startMs: at }),
    chat(r, 'cycle', 'y2', 'y1', at, res),
    ...deep,
  ];
}

let engine: Engine;
let file: string;
let pricing: string;
let spanCount: number;

beforeAll(async () => {
  engine = await startEngine();
  const r = rng(7);
  const spans = [...pushable(r, 120), ...vendors(r, 40), ...forNode(r)];
  spanCount = spans.length;
  const dir = tempDir();
  file = writeTemp('pushdown.json', otlpJsonTracesLine(spans));
  pricing = writePricingFile(dir);
  await createTables(engine, 'pd');
  await loadSpans(engine, 'pd', spans);
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

/** The same command over the file and over ClickHouse; the table is small, so SQL is forced to decide it unless `env` says otherwise. */
async function both(args: string[], env: Record<string, string> = {}, sameWarnings = true) {
  const base = ['cost', '--format', 'json', '--pricing', pricing, '--no-builtin-pricing', ...args];
  env = { LLMTRACE_CLICKHOUSE_SMALL_SPANS: '0', ...env };
  const [f, c] = await Promise.all([runCli([...base, file], { env }), runCli([...base, engine.url('pd')], { env })]);
  if (sameWarnings) expect(c.stderr).toBe(f.stderr);
  expect(c.code, c.stderr).toBe(f.code);
  return { f: JSON.parse(f.stdout) as unknown, c: JSON.parse(c.stdout) as unknown };
}

describe('cost pushed down into ClickHouse', () => {
  it('decides most traces in SQL and leaves each trace it cannot decide exactly to Node', async () => {
    const opened = await openSources({ sources: [engine.url('pd')], diagnostic: () => {}, pushdown: { slim: true, attributes: runProjection({ groupBy: ['feature', 'model'], toolCalls: false }) } });
    const book = new PriceBook([{ label: 'test', entries: parsePricingDocument({ currency: 'USD', models: GEN_PRICES }, 'test') }]);
    let calls = 0;
    const res = await pushedCalls(opened.callGroups!, { book, window: {}, inherited: [], groupBy: ['feature', 'model'], smallWindowSpans: 0 }, (_, copies) => (calls += copies));
    expect(res.allToNode).toBe(false);
    expect(res.traces).toBe(160);
    // junk, junk2, reported, langfuse, oimeta, nonascii, dup, cycle, deep, differ, cycle2.
    expect(res.nodeTraces).toBe(11);
    expect(calls).toBe(res.calls);
    expect(res.groups).toBeLessThan(res.calls);
  });

  it('reads a window of at most LLMTRACE_CLICKHOUSE_SMALL_SPANS spans as spans (the default on this table), with the same report', async () => {
    const opened = await openSources({ sources: [engine.url('pd')], diagnostic: () => {}, pushdown: { slim: true, attributes: runProjection({ groupBy: ['feature', 'model'], toolCalls: false }) } });
    const book = new PriceBook([{ label: 'test', entries: parsePricingDocument({ currency: 'USD', models: GEN_PRICES }, 'test') }]);
    const opts = { book, window: {}, inherited: [], groupBy: ['feature', 'model'] };
    const total = spanCount;
    // The bound is exact: the window holds `total` spans.
    const at = await pushedCalls(opened.callGroups!, { ...opts, smallWindowSpans: total }, () => {});
    expect(at.allToNode).toBe(true);
    expect(at.calls + at.groups).toBe(0);
    const above = await pushedCalls(opened.callGroups!, { ...opts, smallWindowSpans: total - 1 }, () => {});
    expect(above.allToNode).toBe(false);
    expect(smallWindowSpans({})).toBe(SMALL_WINDOW_SPANS);
    expect(total).toBeLessThan(SMALL_WINDOW_SPANS);
    const byDefault = await both(['--by', 'feature,model'], { LLMTRACE_CLICKHOUSE_SMALL_SPANS: '' });
    const inSql = await both(['--by', 'feature,model']);
    expect(byDefault.c).toEqual(byDefault.f);
    expect(byDefault.c).toEqual(inSql.c);
  }, 120_000);

  it('reads every trace as spans (as a small window) when more keys are tracked than the SQL\'s 64-bit mask holds', async () => {
    const opened = await openSources({ sources: [engine.url('pd')], diagnostic: () => {}, pushdown: { slim: true, attributes: runProjection({ groupBy: ['feature', 'model'], toolCalls: false }) } });
    const book = new PriceBook([{ label: 'test', entries: parsePricingDocument({ currency: 'USD', models: GEN_PRICES }, 'test') }]);
    const opts = { book, window: {}, inherited: [], groupBy: ['feature', 'model'], smallWindowSpans: 0 };
    const keys = (n: number) => [...Array.from({ length: n - 1 }, (_, i) => `x${i}`), 'app.feature'];
    expect((await pushedCalls(opened.callGroups!, { ...opts, featureKeys: keys(MAX_PUSHED_TRACKED_KEYS) }, () => {})).allToNode).toBe(false);
    expect((await pushedCalls(opened.callGroups!, { ...opts, featureKeys: keys(MAX_PUSHED_TRACKED_KEYS + 1) }, () => {})).allToNode).toBe(true);
  }, 120_000);

  it('with more tracked keys than the mask holds, the CLI reads the spans and equals the file (a long key list in the request)', async () => {
    const keys = [...Array.from({ length: MAX_PUSHED_TRACKED_KEYS }, (_, i) => `app.tracked.${'k'.repeat(300)}.${i}`), 'app.feature'];
    const r = await both(['--by', 'feature,model', ...keys.flatMap((k) => ['--feature-key', k])]);
    expect(r.c).toEqual(r.f);
  }, 120_000);

  it('bounds the engine\'s memory with an external GROUP BY, and the groups are the same when it spills', async () => {
    const opened = await openSources({ sources: [engine.url('pd')], diagnostic: () => {}, pushdown: { slim: true, attributes: runProjection({ groupBy: ['feature', 'model', 'user'], toolCalls: false }) } });
    const book = new PriceBook([{ label: 'test', entries: parsePricingDocument({ currency: 'USD', models: GEN_PRICES }, 'test') }]);
    const opts = { book, window: {}, inherited: [['user.id']], groupBy: ['feature', 'model', 'user'], smallWindowSpans: 0 };
    const run = async (spillBytes: number | undefined) => {
      const queries: string[] = [];
      const src = {
        ...opened.callGroups!,
        rows: (query: string, params: Record<string, unknown>, what: string) => {
          if (what === 'computing costs') queries.push(query);
          return opened.callGroups!.rows(query, params, what);
        },
      };
      const calls: string[] = [];
      // A group's start is any member's (its hour is part of the group's key): not compared.
      const res = await pushedCalls(src, { ...opts, spillBytes }, ({ startMs: _, ...c }, copies) => calls.push(`${copies} ${JSON.stringify(c)}`));
      return { res, calls: calls.sort(), queries };
    };
    const inMemory = await run(undefined);
    // One byte: the engine writes its per-trace state to disk after every block it reads.
    const spilled = await run(1);
    expect(inMemory.queries).toHaveLength(1);
    expect(inMemory.queries[0]).toMatch(new RegExp(`SETTINGS max_bytes_before_external_group_by = ${SPILL_BYTES}$`));
    expect(spilled.queries[0]).toMatch(/SETTINGS max_bytes_before_external_group_by = 1$/);
    expect(spilled.res).toEqual(inMemory.res);
    expect(spilled.calls).toEqual(inMemory.calls);
    expect(inMemory.res.groups).toBeGreaterThan(10);
  }, 120_000);

  it.each([
    ['junk', '12x'],
    ['negative', '-1'],
    ['fraction', '1.5'],
    ['too large', '1e10'],
    ['NaN', 'NaN'],
    ['5,000 digits', '9'.repeat(5000)],
  ])('refuses LLMTRACE_CLICKHOUSE_SMALL_SPANS (%s) with exit 2 and a short message naming it', async (_, value) => {
    const c = await runCli(['cost', engine.url('pd')], { env: { LLMTRACE_CLICKHOUSE_SMALL_SPANS: value } });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/LLMTRACE_CLICKHOUSE_SMALL_SPANS must be a whole number/);
    expect(c.stderr.length).toBeLessThan(400);
    expect(c.stdout).toBe('');
  }, 60_000);

  it.each([
    ['feature,model'],
    ['model.raw,provider,operation,service'],
    ['user,day'],
    ['hour,agent'],
    ['trace,model'],
    ['attr:gen_ai.agent.name,conversation,session'],
  ])('equals the file for --by %s', async (by) => {
    const { f, c } = await both(['--by', by]);
    expect(c).toEqual(f);
  }, 120_000);

  it('equals the file for --by day,hour in a time zone whose hours start at :45 (UTC+05:45)', async () => {
    const { f, c } = await both(['--by', 'day,hour'], { TZ: 'Asia/Kathmandu' });
    expect(c).toEqual(f);
  }, 120_000);

  it('applies a window exactly, bounds inside traces and at the price date', async () => {
    const env = { LLMTRACE_NOW: new Date(FROM + 9 * DAY).toISOString() };
    const since = new Date(FROM + 2 * DAY + 7_777).toISOString();
    const until = new Date(DATE_SWITCH + 2 * DAY + 12_345).toISOString();
    const { f, c } = await both(['--since', since, '--until', until, '--by', 'feature,model,day'], env);
    expect(c).toEqual(f);
    // A file's repeated span is still read (and warned about) outside the window; ClickHouse
    // selects no trace there (as before the pushdown).
    const empty = await both(['--since', '2001-01-01', '--until', '2001-01-02'], {}, false);
    expect(empty.c).toEqual(empty.f);
  }, 120_000);
});

/**
 * A fleet user's ClickHouse: nasty data (spans at the window edges to the nanosecond, traces
 * straddling the window, non-ASCII and control characters, empty vs missing keys, huge values,
 * duplicate span ids, a trace across services, resource vs span attributes, values the exporter
 * wrote from ints, bools and arrays) gives over `clickhouse://` what it gives over a file, and a
 * table of a fleet is not printed whole by a bare `tree`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { asString, createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { writeTemp } from '../helpers/read-all.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { newAttributes, type Attributes, type Span } from '../../src/lib/span.js';
import { hexId, spanWith, T0 } from '../helpers/span-factory.js';

let engine: Engine;

const MS = 1_000_000n;
const SVC = resource({ 'service.name': 'svc' });

function resource(attrs: Record<string, unknown>) {
  return { attributes: Object.assign(newAttributes(), attrs), droppedAttributesCount: 0, schemaUrl: '' };
}

function spanAt(trace: string, id: string, startNs: bigint, attrs: Record<string, unknown> = {}, more: { parent?: string; res?: ReturnType<typeof resource>; name?: string } = {}): Span {
  return spanWith({
    traceId: hexId(trace, 16),
    spanId: hexId(id),
    parentSpanId: more.parent ? hexId(more.parent) : '',
    name: more.name ?? id,
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs + 5n * MS,
    attributes: Object.assign(newAttributes(), attrs),
    resource: more.res ?? SVC,
  });
}

function fleetSpans(): Span[] {
  return Array.from({ length: 25 }, (_, i) => spanAt(`f${i}`, `r${i}`, T0 + BigInt(i) * 1000n * MS));
}

beforeAll(async () => {
  engine = await startEngine();
  await createTables(engine, 'fleet');
  await loadSpans(engine, 'fleet', fleetSpans());
  // Spans from before the materialized view existed: trace_id_ts knows nothing of them.
  await createTables(engine, 'fleetlate');
  await loadSpans(engine, 'fleetlate', fleetSpans());
  await engine.client.command({ query: 'TRUNCATE TABLE fleetlate.otel_traces_trace_id_ts' });
  const spans = [...edges(), ...names(), ...structure()];
  await createTables(engine, 'nasty');
  await loadSpans(engine, 'nasty', spans);
  asText = writeTemp('nasty.json', otlpJsonTracesLine(asExported(spans)));
  typed = writeTemp('nasty-typed.json', otlpJsonTracesLine(spans));
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

describe('a bare tree over a fleet table', () => {
  it('shows the newest 20 traces, as for the store, not the whole table', async () => {
    const r = await runCli(['tree', '--format', 'json', engine.url('fleet')]);
    expect(r.code, r.stderr).toBe(0);
    const ids = (JSON.parse(r.stdout) as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId);
    expect(ids).toHaveLength(20);
    expect(ids).toContain(hexId('f24', 16));
    expect(ids).not.toContain(hexId('f4', 16));
    const all = await runCli(['tree', '--format', 'json', '--last', '100', engine.url('fleet')]);
    expect((JSON.parse(all.stdout) as { traces: unknown[] }).traces).toHaveLength(25);
  });

  it('says how many traces there are in all, as over a file, from trace_id_ts or the table', async () => {
    const file = writeTemp('fleet.json', otlpJsonTracesLine(fleetSpans()));
    // The ids of f10…f19 only (labels are hex, zero-padded on the left): 10 of the 25.
    const prefix = hexId('f10', 16).slice(0, 30);
    for (const args of [['--last', '20'], ['--last', '5'], ['--trace', prefix, '--last', '3'], ['--last', '25'], ['--last', '100']]) {
      const [f, c, late] = await Promise.all([runCli(['tree', ...args, file]), runCli(['tree', ...args, engine.url('fleet')]), runCli(['tree', ...args, engine.url('fleetlate')])]);
      expect(c.code, c.stderr).toBe(0);
      expect(c.stderr, args.join(' ')).toBe(f.stderr);
      expect(late.stderr, args.join(' ')).toBe(f.stderr);
      expect(c.stdout.replaceAll(engine.url('fleet'), file)).toBe(f.stdout);
    }
    expect((await runCli(['tree', engine.url('fleet')])).stderr).toBe('llmtrace: showing the newest 20 of 25 traces (--last N, or --trace ID)\n');
  });
});

/** The spans as the exporter stores them: every attribute value text (`pcommon.Value.AsString`). */
function textAttrs(a: Attributes): Attributes {
  const out = newAttributes();
  for (const k of Object.keys(a)) out[k] = asString(a[k]!);
  return out;
}

function asExported(spans: Span[]): Span[] {
  return spans.map((s) => ({ ...s, attributes: textAttrs(s.attributes), resource: { ...s.resource, attributes: textAttrs(s.resource.attributes) } }));
}

interface S { trace: string; id: string; parent?: string; startNs: bigint; name?: string; attrs?: Record<string, unknown>; resource?: ReturnType<typeof resource>; durNs?: bigint }

function mk(s: S): Span {
  return spanWith({
    traceId: hexId(s.trace, 16),
    spanId: hexId(s.id),
    parentSpanId: s.parent ? hexId(s.parent) : '',
    name: s.name ?? s.id,
    startTimeUnixNano: s.startNs,
    endTimeUnixNano: s.startNs + (s.durNs ?? 5_000_000n),
    attributes: Object.assign(newAttributes(), s.attrs ?? {}),
    resource: s.resource ?? SVC,
  });
}

const res = resource;
function call(model: string, inp: number, out: number, extra: Record<string, unknown> = {}) {
  return { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': BigInt(inp), 'gen_ai.usage.output_tokens': BigInt(out), ...extra };
}

const SINCE = T0 + 1000n * MS; // exact ms
const UNTIL = T0 + 5000n * MS;
const iso = (ns: bigint) => new Date(Number(ns / MS)).toISOString();

function edges(): Span[] {
  const out: Span[] = [];
  const offs: Array<[string, bigint]> = [
    ['sm1', SINCE - 1n], ['s0', SINCE], ['sp1', SINCE + 1n], ['sm500k', SINCE - 500_000n], ['sm999k', SINCE - 999_999n], ['sm1ms', SINCE - MS],
    ['um1', UNTIL - 1n], ['u0', UNTIL], ['up1', UNTIL + 1n], ['um500k', UNTIL - 500_000n], ['up999k', UNTIL + 999_999n], ['um1ms', UNTIL - MS],
  ];
  let i = 0;
  for (const [label, ns] of offs) {
    i++;
    out.push(mk({ trace: `e${label}`, id: `r${i}`, startNs: ns, attrs: { ...call('gpt-4o', 100 + i, i), 'app.feature': label } }));
  }
  // straddling: root before the window, call inside; root inside, call after until
  out.push(mk({ trace: 'st1', id: 'root1', startNs: SINCE - 10_000n * MS, durNs: 20_000n * MS, attrs: { 'app.feature': 'straddle-a' } }));
  out.push(mk({ trace: 'st1', id: 'c1', parent: 'root1', startNs: SINCE + 10n, attrs: call('gpt-4o', 7, 3) }));
  out.push(mk({ trace: 'st1', id: 'c2', parent: 'root1', startNs: SINCE - 10n, attrs: call('gpt-4o', 70, 30) }));
  out.push(mk({ trace: 'st2', id: 'root2', startNs: UNTIL - 1000n, durNs: 20_000n * MS, attrs: { 'app.feature': 'straddle-b' } }));
  out.push(mk({ trace: 'st2', id: 'c3', parent: 'root2', startNs: UNTIL + 10n, attrs: call('gpt-4o', 9, 1) }));
  out.push(mk({ trace: 'st2', id: 'c4', parent: 'root2', startNs: UNTIL - 10n, attrs: call('gpt-4o', 90, 10) }));
  return out;
}

function names(): Span[] {
  const out: Span[] = [];
  const services: Array<unknown> = ['café ☕', 'サービス', 'svc\u0007\n\ttab', '', 'x'.repeat(5000), '\u202eevil', 'a"b\\c'];
  let i = 0;
  for (const svc of services) {
    i++;
    out.push(mk({ trace: `n${i}`, id: `n${i}`, startNs: SINCE + BigInt(i) * MS, resource: res({ 'service.name': svc }), attrs: { ...call('gpt-4o', 10 * i, i), 'app.feature': svc, 'user.id': svc } }));
  }
  // no service.name at all
  out.push(mk({ trace: 'nosvc', id: 'nosvc', startNs: SINCE + 100n * MS, resource: res({}), attrs: call('gpt-4o', 11, 1) }));
  // empty vs missing feature, with a parent providing one
  out.push(mk({ trace: 'ef', id: 'efroot', startNs: SINCE + 200n * MS, attrs: { 'app.feature': 'parent-feature' } }));
  out.push(mk({ trace: 'ef', id: 'efc1', parent: 'efroot', startNs: SINCE + 201n * MS, attrs: { ...call('gpt-4o', 13, 1), 'app.feature': '' } }));
  out.push(mk({ trace: 'ef', id: 'efc2', parent: 'efroot', startNs: SINCE + 202n * MS, attrs: { ...call('gpt-4o', 17, 1) } }));
  // empty model, empty provider
  out.push(mk({ trace: 'em', id: 'em1', startNs: SINCE + 300n * MS, attrs: { ...call('', 19, 1) } }));
  out.push(mk({ trace: 'em', id: 'em2', startNs: SINCE + 301n * MS, attrs: { ...call('gpt-4o', 23, 1), 'gen_ai.provider.name': '' } }));
  // empty feature on the resource, value on the span's parent
  out.push(mk({ trace: 'er', id: 'erroot', startNs: SINCE + 400n * MS, resource: res({ 'service.name': 'svc', 'app.feature': '' }), attrs: {} }));
  out.push(mk({ trace: 'er', id: 'erc', parent: 'erroot', startNs: SINCE + 401n * MS, resource: res({ 'service.name': 'svc', 'app.feature': '' }), attrs: call('gpt-4o', 29, 1) }));
  // huge feature value
  out.push(mk({ trace: 'hg', id: 'hg', startNs: SINCE + 500n * MS, attrs: { ...call('gpt-4o', 31, 1), 'app.feature': 'h'.repeat(200_000) } }));
  return out;
}

function structure(): Span[] {
  const out: Span[] = [];
  // duplicate span (exported twice)
  const d = mk({ trace: 'dup', id: 'dup', startNs: SINCE + 1n * MS, attrs: call('gpt-4o', 37, 1) });
  out.push(d, d);
  // same id, different content
  out.push(mk({ trace: 'dup2', id: 'dd', startNs: SINCE + 2n * MS, attrs: call('gpt-4o', 41, 1) }));
  out.push(mk({ trace: 'dup2', id: 'dd', startNs: SINCE + 3n * MS, attrs: call('gpt-4o-mini', 43, 1) }));
  // a trace across services
  out.push(mk({ trace: 'split', id: 'sa', startNs: SINCE + 10n * MS, resource: res({ 'service.name': 'frontend', 'app.feature': 'res-feature' }), attrs: {} }));
  out.push(mk({ trace: 'split', id: 'sb', parent: 'sa', startNs: SINCE + 11n * MS, resource: res({ 'service.name': 'backend' }), attrs: call('gpt-4o', 47, 1) }));
  out.push(mk({ trace: 'split', id: 'sc', parent: 'sb', startNs: SINCE + 12n * MS, resource: res({ 'service.name': 'worker', 'app.feature': 'worker-res' }), attrs: call('gpt-4o', 53, 1, {}) }));
  // span attribute vs resource attribute for the same key
  out.push(mk({ trace: 'prec', id: 'p1', startNs: SINCE + 20n * MS, resource: res({ 'service.name': 'res-svc', 'app.feature': 'res-f', 'user.id': 'res-user' }), attrs: { ...call('gpt-4o', 59, 1), 'service.name': 'span-svc', 'app.feature': 'span-f', 'user.id': 'span-user' } }));
  // orphan that starts before the root
  out.push(mk({ trace: 'orph', id: 'oroot', startNs: SINCE + 31n * MS, name: 'the root' }));
  out.push(mk({ trace: 'orph', id: 'oorphan', parent: 'missing', startNs: SINCE + 30n * MS, name: 'orphan', attrs: call('gpt-4o', 61, 1) }));
  // two roots at the same start
  out.push(mk({ trace: 'tie', id: 'tieb', startNs: SINCE + 40n * MS, name: 'root-b' }));
  out.push(mk({ trace: 'tie', id: 'tiea', startNs: SINCE + 40n * MS, name: 'root-a', attrs: call('gpt-4o', 67, 1) }));
  // typed values: ints, bools, arrays for dimension keys
  out.push(mk({ trace: 'typ', id: 'ty1', startNs: SINCE + 50n * MS, attrs: { ...call('gpt-4o', 71, 1), 'app.feature': 42n, 'user.id': true, 'gen_ai.conversation.id': 1.5, 'gen_ai.response.finish_reasons': ['stop'] } }));
  // Arrays: a file's readers take no dimension from them; the exporter wrote their JSON text.
  out.push(mk({ trace: 'tyarr', id: 'ty2', startNs: SINCE + 51n * MS, attrs: { ...call('gpt-4o', 73, 1), 'app.feature': ['x', 'y'], 'session.id': ['a', 'b'] } }));
  return out;
}


let asText: string;
let typed: string;

const NOW = { LLMTRACE_NOW: iso(T0 + 86_400_000n * MS) };

/** The same command over the file and over ClickHouse (SMALL: 0 decides cost in SQL, else as spans). */
async function both(args: string[], small: '0' | '20000', file = asText) {
  const env = { ...NOW, LLMTRACE_CLICKHOUSE_SMALL_SPANS: small };
  const [f, c] = await Promise.all([runCli([...args, file], { env }), runCli([...args, engine.url('nasty')], { env })]);
  expect(c.code, `${args.join(' ')}: ${c.stderr}`).toBe(f.code);
  return { f, c };
}

describe('nasty data: the same reports over ClickHouse as over the file', () => {
  const window = () => ['--since', iso(SINCE), '--until', iso(UNTIL)];

  it.each([
    ['0', ['--by', 'feature,model,service,trace']],
    ['0', ['--by', 'model.raw,provider,operation,agent,day,hour']],
    ['0', ['--by', 'user,conversation,session,attr:app.feature']],
    ['0', ['--by', 'feature,trace', '--since', 'SINCE', '--until', 'UNTIL']],
    ['0', ['--feature-key', 'user.id', '--feature-key', 'service.name', '--top', '3']],
    ['20000', ['--by', 'feature,model,service,trace']],
    ['20000', ['--by', 'feature,trace', '--since', 'SINCE', '--until', 'UNTIL']],
  ] as const)('cost (small spans %s) %j', async (small, args) => {
    const a = args.flatMap((x) => (x === 'SINCE' ? [iso(SINCE)] : x === 'UNTIL' ? [iso(UNTIL)] : [x]));
    const { f, c } = await both(['cost', '--format', 'json', ...a], small);
    expect((JSON.parse(c.stdout) as { rows: unknown[] }).rows.length).toBeGreaterThanOrEqual(3);
    expect(c.stdout).toBe(f.stdout);
  }, 120_000);

  it('cost over values the exporter wrote from ints and bools equals cost over the typed file; arrays are their JSON text', async () => {
    const { f, c } = await both(['cost', '--format', 'csv', '--by', 'trace,attr:app.feature,user,session,conversation'], '0', typed);
    const arrays = hexId('tyarr', 16);
    const rows = (out: string) => out.split('\n').filter((l) => !l.startsWith(arrays));
    expect(rows(c.stdout)).toEqual(rows(f.stdout));
    expect(c.stdout).toContain(`${arrays},"[""x"",""y""]",(none),"[""a"",""b""]","[""a"",""b""]",1,73,`);
    expect(f.stdout).toContain(`${arrays},(none),(none),(none),(none),1,73,`);
  }, 120_000);

  it('stats, tree and lint', async () => {
    const stats = await both(['stats', '--format', 'json', '--by', 'feature,service,user,session', ...window()], '20000');
    expect(stats.c.stdout).toBe(stats.f.stdout);
    const tree = await both(['tree', '--format', 'json', '--last', '100'], '20000');
    expect(tree.c.stdout).toBe(tree.f.stdout);
    // lint reports traces in the order they arrive: by trace id from ClickHouse, in file order from a file.
    const lint = await both(['lint'], '20000');
    const lines = (out: string) => out.split(asText).join('SRC').split(engine.url('nasty')).join('SRC').split('\n').sort();
    expect(lines(lint.c.stdout)).toEqual(lines(lint.f.stdout));
  }, 120_000);
});

describe('a user with readonly = 1 (the README says not to)', () => {
  it('is told so, exit 2, with the way out', async () => {
    const readonly = await startEngine();
    try {
      await createTables(readonly, 'otel');
      await readonly.client.command({ query: 'SET readonly = 1' });
      for (const cmd of ['cost', 'tree']) {
        const r = await runCli([cmd, readonly.url('otel')]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`llmtrace: ClickHouse ${readonly.url('otel')}: the user cannot change settings (readonly = 1) while reading the table layout`);
        expect(r.stderr).toContain('hint: llmtrace sends settings with each query (max_execution_time, gzip); give the user SELECT grants without readonly = 1 (README, "ClickHouse")');
      }
    } finally {
      await readonly.close();
    }
  }, 120_000);
});

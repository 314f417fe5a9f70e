/**
 * `cost`, `tree` and `lint` over `clickhouse://127.0.0.1:PORT/db` equal the same commands over
 * the same spans in files. The engine is real ClickHouse (chdb behind the HTTP interface), the
 * tables the Collector exporter's, loaded with its value mapping. The cost rows are also held
 * to the generator's independently computed truth.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_SWITCH, expectedRows, generateDump, writePricingFile, type Dump } from '../cost/generate.js';
import { runCli } from '../helpers/cli.js';
import { asString, createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { readAll, tempDir, writeTemp } from '../helpers/read-all.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { newAttributes, type Attributes, type Span } from '../../src/lib/span.js';
import { runProjection } from '../../src/lib/cost/projection.js';
import { spansQuery, type Projection } from '../../src/lib/sources/clickhouse/query.js';

const FROM = DATE_SWITCH - 3 * 86_400_000;
const CAPTURES = path.resolve('fixtures/instrumented');
const captureFiles = readdirSync(CAPTURES).filter((f) => f.endsWith('.json') && f !== 'expected.json').map((f) => path.join(CAPTURES, f));
const LINT = path.resolve('fixtures/lint');
const lintFiles = readdirSync(LINT).filter((f) => f.endsWith('.json') && !['decode-problem.json', 'invalid-id.json'].includes(f)).map((f) => path.join(LINT, f));

let engine: Engine;
/** The lint fixtures as ClickHouse holds them: every attribute value text (the exporter's mapping). */
let lintAsText: string;

function textAttrs(a: Attributes): Attributes {
  const out = newAttributes();
  for (const k of Object.keys(a)) out[k] = asString(a[k]!);
  return out;
}

function asExported(spans: Span[]): Span[] {
  return spans.map((s) => ({
    ...s,
    attributes: textAttrs(s.attributes),
    resource: { ...s.resource, attributes: textAttrs(s.resource.attributes) },
    events: s.events.map((e) => ({ ...e, attributes: textAttrs(e.attributes) })),
    links: s.links.map((l) => ({ ...l, attributes: textAttrs(l.attributes) })),
  }));
}
let dump: Dump;
let pricing: string;

async function load(db: string, files: string[], layout: 'current' | 'old' = 'current') {
  await createTables(engine, db, 'otel_traces', layout);
  const { spans, problems } = await readAll(files);
  expect(problems.filter((p) => /skipped/.test(p.message))).toEqual([]);
  await loadSpans(engine, db, spans, layout);
  return spans.length;
}

beforeAll(async () => {
  engine = await startEngine();
  const dir = tempDir();
  dump = generateDump(dir, 3, { traces: 150, files: 4, fromMs: FROM, spanDays: 6 });
  pricing = writePricingFile(dir);
  await load('gen', dump.files);
  await load('genold', dump.files, 'old');
  await load('captures', captureFiles);
  // Spans from before the materialized view existed: trace_id_ts knows nothing of them.
  await load('late', captureFiles);
  await engine.client.command({ query: 'TRUNCATE TABLE late.otel_traces_trace_id_ts' });
  await load('lintfx', lintFiles);
  lintAsText = writeTemp('lint-as-text.json', otlpJsonTracesLine(asExported((await readAll(lintFiles)).spans)));
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

function json(stdout: string): unknown {
  return JSON.parse(stdout);
}

/** The same command over the files and over ClickHouse; the tables are small, so `cost` is forced to decide them in SQL. */
async function both(args: string[], files: string[], db: string, env: Record<string, string> = {}) {
  env = { LLMTRACE_CLICKHOUSE_SMALL_SPANS: '0', ...env };
  const [f, c] = await Promise.all([runCli([...args, ...files], { env }), runCli([...args, engine.url(db)], { env })]);
  return { f, c };
}

/** Rows of a cost JSON report keyed by feature and model, figures rounded to 1e-9 USD. */
function costRows(out: unknown) {
  const r = out as { rows: Array<Record<string, unknown>>; total: Record<string, unknown> };
  return r.rows;
}

describe('cost over ClickHouse equals cost over the files', () => {
  it.each(['gen', 'genold'])('generated mixed-convention data, every call once (%s layout, calls decided in SQL)', async (db) => {
    const { f, c } = await both(['cost', '--format', 'json', '--pricing', pricing, '--no-builtin-pricing'], dump.files, db);
    expect(c.stderr).toBe(f.stderr);
    expect(c.code).toBe(f.code);
    expect(c.code).toBe(0);
    const fileOut = json(f.stdout) as Record<string, unknown>;
    const chOut = json(c.stdout) as Record<string, unknown>;
    expect(chOut).toEqual(fileOut);
    // And both equal the generator's own totals (independent of any span reader).
    const want = expectedRows(dump.calls);
    const got = costRows(chOut);
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const exp = want.get(`${String(row.feature)}\u0000${String(row.model)}`)!;
      expect(row.calls).toBe(exp.calls);
      expect(row.inputTokens).toBe(exp.inputTokens);
      expect(row.outputTokens).toBe(exp.outputTokens);
      if (exp.cost === null) expect(row.cost).toBeNull();
      else expect(Math.abs((row.cost as number) - exp.cost)).toBeLessThan(1e-9);
    }
  }, 120_000);

  it('applies --since/--until exactly (calls of a trace on both sides of the bound)', async () => {
    const env = { LLMTRACE_NOW: new Date(FROM + 6 * 86_400_000).toISOString() };
    const since = new Date(FROM + 2 * 86_400_000 + 12_345).toISOString();
    const until = new Date(FROM + 4 * 86_400_000 + 777).toISOString();
    const { f, c } = await both(['cost', '--format', 'json', '--pricing', pricing, '--no-builtin-pricing', '--since', since, '--until', until, '--by', 'feature,model,day'], dump.files, 'gen', env);
    expect(c.code).toBe(0);
    expect(json(c.stdout)).toEqual(json(f.stdout));
    const rel = await both(['cost', '--format', 'json', '--pricing', pricing, '--no-builtin-pricing', '--since', '3d', '--by', 'service,provider,operation'], dump.files, 'gen', env);
    expect(json(rel.c.stdout)).toEqual(json(rel.f.stdout));
    const more = await both(['cost', '--format', 'json', '--pricing', pricing, '--no-builtin-pricing', '--by', 'user,conversation,attr:app.feature,attr:service.version'], dump.files, 'gen', env);
    expect(more.c.code, more.c.stderr).toBe(0);
    expect(json(more.c.stdout)).toEqual(json(more.f.stdout));
  }, 120_000);

  it('a window with no calls is an empty report, as for files', async () => {
    const { f, c } = await both(['cost', '--format', 'json', '--since', '2001-01-01', '--until', '2001-01-02'], dump.files, 'gen');
    expect(c.code).toBe(f.code);
    expect(json(c.stdout)).toEqual(json(f.stdout));
  }, 120_000);

  it('real-library captures (Vercel outer spans, agent totals) in every grouping', async () => {
    for (const by of ['feature,model', 'model.raw,provider,operation,service', 'trace,hour']) {
      const { f, c } = await both(['cost', '--format', 'json', '--by', by], captureFiles, 'captures');
      expect(c.code, c.stderr).toBe(0);
      expect(json(c.stdout)).toEqual(json(f.stdout));
    }
  }, 120_000);

  it('gates and --strict are unchanged', async () => {
    const { f, c } = await both(['cost', '--budget', '0.0000001', '--strict'], dump.files, 'gen');
    expect(c.code).toBe(1);
    expect(c.code).toBe(f.code);
    expect(c.stdout).toBe(f.stdout);
  }, 120_000);
});

describe('traces without a model call stay in ClickHouse', () => {
  it('the span query leaves them out, and cost and stats are the same as over the file', async () => {
    const layout = { scopeColumns: true, traceIdTs: true };
    const projection = runProjection({ groupBy: ['feature', 'model'], toolCalls: true });
    const count = async (attributes?: Projection) => {
      const q = spansQuery(layout, { slim: true, attributes });
      const rs = await engine.client.query({ query: `SELECT count() AS n, uniqExact(TraceId) AS t FROM (${q.query})`, query_params: { db: 'lintfx', table: 'otel_traces', ...q.params }, format: 'JSONEachRow' });
      const [row] = await rs.json<{ n: string; t: string }>();
      return { spans: Number(row!.n), traces: Number(row!.t) };
    };
    const all = await count();
    const marked = await count(projection);
    const unmarked = await count({ ...projection, callMarkers: undefined });
    expect(unmarked).toEqual(all);
    // The lint fixtures hold traces of plain spans (HTTP, DB): they are not sent.
    expect(marked.traces).toBeGreaterThan(0);
    expect(marked.traces).toBeLessThan(all.traces);
    for (const args of [['cost', '--format', 'json', '--by', 'feature,model,service'], ['stats', '--format', 'json']]) {
      const { f, c } = await both(args, [lintAsText], 'lintfx');
      expect(c.code, c.stderr).toBe(f.code);
      expect(json(c.stdout)).toEqual(json(f.stdout));
    }
  }, 120_000);
});

describe('stats over ClickHouse equals stats over the files', () => {
  it('generated data and the captures, with a window', async () => {
    const env = { LLMTRACE_NOW: new Date(FROM + 6 * 86_400_000).toISOString() };
    for (const [files, db] of [[dump.files, 'gen'], [captureFiles, 'captures']] as const) {
      const { f, c } = await both(['stats', '--format', 'json', '--by', 'provider,model'], [...files], db, env);
      expect(c.code, c.stderr).toBe(f.code);
      expect((json(c.stdout) as { rows: unknown[] }).rows.length).toBeGreaterThan(2);
      expect(json(c.stdout)).toEqual(json(f.stdout));
    }
    const w = await both(['stats', '--format', 'json', '--since', '4d'], dump.files, 'gen', env);
    expect(json(w.c.stdout)).toEqual(json(w.f.stdout));
  });
});

describe('tree over ClickHouse equals tree over the files', () => {
  it('every trace of the captures', async () => {
    const { f, c } = await both(['tree', '--format', 'json'], captureFiles, 'captures');
    expect(c.code, c.stderr).toBe(0);
    expect((json(c.stdout) as { traces: unknown[] }).traces.length).toBe(4);
    expect(json(c.stdout)).toEqual(json(f.stdout));
  });

  it('--trace by id and by prefix, --last N', async () => {
    const { spans } = await readAll(captureFiles);
    const id = spans[0]!.traceId;
    for (const args of [['--trace', id], ['--trace', id.slice(0, 6)], ['--last', '2'], ['--last', '1', '--trace', id.slice(0, 3)]]) {
      const { f, c } = await both(['tree', '--format', 'json', ...args], captureFiles, 'captures');
      expect(c.code, `${args.join(' ')}: ${c.stderr}`).toBe(f.code);
      expect(json(c.stdout), args.join(' ')).toEqual(json(f.stdout));
    }
    const text = await both(['tree', '--trace', id], captureFiles, 'captures');
    expect(text.c.stdout).toBe(text.f.stdout);
  });

  it('--last over the generated data (old layout: trace_id_ts of DateTime64)', async () => {
    for (const db of ['gen', 'genold']) {
      const { f, c } = await both(['tree', '--format', 'json', '--last', '5'], dump.files, db);
      expect(c.code, c.stderr).toBe(0);
      expect(json(c.stdout)).toEqual(json(f.stdout));
    }
  });

  it('finds traces that trace_id_ts does not know (inserted before its view existed)', async () => {
    const { spans } = await readAll(captureFiles);
    for (const args of [['--trace', spans[0]!.traceId], ['--trace', spans[0]!.traceId.slice(0, 4)], ['--last', '2']]) {
      const { f, c } = await both(['tree', '--format', 'json', ...args], captureFiles, 'late');
      expect(c.code, c.stderr).toBe(0);
      expect(json(c.stdout), args.join(' ')).toEqual(json(f.stdout));
    }
  });

  it('a trace id that is not there', async () => {
    const c = await runCli(['tree', '--trace', 'abcdef0123', engine.url('captures')]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('no trace matches');
  });
});

describe('lint over ClickHouse equals lint over the files', () => {
  // The lint fixtures hold wrongly typed values (a double token count): compared with the same
  // spans as ClickHouse holds them, every value text; the captures compare with their files.
  it.each([['captures', () => captureFiles], ['lintfx', () => [lintAsText]]] as const)('%s: the same findings', async (db, files) => {
    const { f, c } = await both(['lint', '--format', 'json'], files(), db);
    expect(c.code).toBe(f.code);
    type Finding = { rule: string; severity: string; traceId?: string; spanId?: string; message: string };
    const findings = (out: string) => (json(out) as { findings: Finding[] }).findings.map(({ rule, severity, traceId, spanId, message }) => ({ rule, severity, traceId, spanId, message }));
    const key = (x: Finding) => `${x.rule} ${x.traceId} ${x.spanId} ${x.message}`;
    expect(findings(c.stdout).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(findings(f.stdout).sort((a, b) => key(a).localeCompare(key(b))));
  });

  // Not the lint fixtures: they are one trace with the same ids and times many times over, so
  // their spans tie on every key the order has, and ClickHouse may send tied copies in any order
  // (their findings are the same set: above).
  it.each([['captures', () => captureFiles]] as const)('%s: the same text and JSON, byte for byte, as the spans in a file in start order', async (db, files) => {
    // A file as an exporter writes it holds spans about in start order; ClickHouse sends them in
    // start order (ties by trace id, span id, parent id, name), so the listing is the same.
    const key = (s: Span) => [s.startTimeUnixNano, s.traceId, s.spanId, s.parentSpanId, s.name] as const;
    const byStart = (await readAll(files())).spans.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < x.length; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
      return 0;
    });
    const file = writeTemp(`${db}-by-start.jsonl`, Buffer.concat(byStart.map((s) => otlpJsonTracesLine([s]))));
    for (const format of ['json', 'stylish']) {
      const [f, c] = await Promise.all([runCli(['lint', '--format', format, file]), runCli(['lint', '--format', format, engine.url(db)])]);
      expect(c.code, c.stderr).toBe(f.code);
      expect(c.stderr.replaceAll(engine.url(db), file)).toBe(f.stderr);
      // The place of a finding is the source: the file and its line, the table (no line).
      const fromFile = f.stdout.replace(/,"line":\d+/g, '');
      expect(c.stdout.replaceAll(engine.url(db), file), format).toBe(fromFile);
      expect(c.stdout.length).toBeGreaterThan(1000);
    }
  });
});

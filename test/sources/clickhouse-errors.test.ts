/**
 * A `clickhouse://` source that cannot be used fails with one clear line naming it, exit 2:
 * connection refused, a wrong password, an unknown database or table, a table that is not the
 * exporter's, a failing query. Garbage rows are reported and skipped like bad records in files.
 * And the endpoint the other tests trust behaves as a ClickHouse server does.
 */
import { createServer } from 'node:net';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTables, exporterRow, insertRows, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { span } from '../helpers/span-factory.js';

const PASSWORD = 'pa ss:wörd';
let engine: Engine;

function ok(id: number) {
  return span({ trace: `t${id}`, id: `s${id}`, name: 'chat gpt-4o', attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } });
}

beforeAll(async () => {
  engine = await startEngine(PASSWORD);
  await createTables(engine, 'otel');
  await loadSpans(engine, 'otel', [ok(1), ok(2)]);
  // Garbage: rows no Collector writes, but a table can hold (hand inserts, other writers).
  await createTables(engine, 'junk');
  const bad = exporterRow(ok(3));
  const huge = exporterRow(ok(4));
  (huge.SpanAttributes as Record<string, string>)['big'] = 'x'.repeat(2_000_000);
  huge.SpanName = 'chat \u001b[31mred\u001b]0;title\u0007 \u202e';
  await insertRows(engine, 'junk', [exporterRow(ok(5)), { ...bad, TraceId: '' }, { ...bad, SpanId: 'nothex!!nothex!!', TraceId: 'c'.repeat(32) }, { ...bad, TraceId: 'D'.repeat(32) }, huge, { ...exporterRow(ok(6)), SpanKind: 'WEIRD', StatusCode: '???' }]);
  // Not the exporter's layout: a column missing, attributes as text.
  await engine.client.command({ query: 'CREATE TABLE otel.nokind (Timestamp DateTime64(9), TraceId String) ENGINE = MergeTree ORDER BY TraceId' });
  await createTables(engine, 'otel', 'textattrs', 'old');
  await engine.client.command({ query: 'ALTER TABLE otel.textattrs MODIFY COLUMN SpanAttributes String' });
  // A table whose reading fails inside ClickHouse.
  await engine.client.command({ query: "CREATE VIEW otel.boom AS SELECT * FROM otel.otel_traces WHERE throwIf(SpanName != '', 'boom at read') = 0" });
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

const env = { LLMTRACE_CLICKHOUSE_PASSWORD: PASSWORD };

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('a clickhouse:// source that cannot be read', () => {
  it('reads with the password from LLMTRACE_CLICKHOUSE_PASSWORD', async () => {
    const r = await runCli(['cost', '--format', 'json', `clickhouse://default@127.0.0.1:${engine.port}/otel`], { env });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { total: { calls: number; inputTokens: number } }).total).toMatchObject({ calls: 2, inputTokens: 20 });
  });

  it.each([
    ['connection refused', async () => `clickhouse://127.0.0.1:${await closedPort()}/otel`, /ClickHouse clickhouse:\/\/127\.0\.0\.1:\d+\/otel: connection refused at http:\/\/127\.0\.0\.1:\d+/],
    ['a wrong password', async () => `clickhouse://default:nope@127.0.0.1:${engine.port}/otel`, /ClickHouse clickhouse:\/\/default:\*\*\*@127\.0\.0\.1:\d+\/otel: authentication failed for user "default"/],
    ['an unknown database', async () => `clickhouse://127.0.0.1:${engine.port}/nodb`, /database "nodb" does not exist/],
    ['an unknown table', async () => `clickhouse://127.0.0.1:${engine.port}/otel?table=spans`, /table "otel\.spans" does not exist/],
    ['a missing column', async () => `clickhouse://127.0.0.1:${engine.port}/otel?table=nokind`, /table otel\.nokind has no column SpanId/],
    ['attributes not a Map', async () => `clickhouse://127.0.0.1:${engine.port}/otel?table=textattrs`, /column SpanAttributes of otel\.textattrs is String, not the exporter's type/],
    ['a query that fails in ClickHouse', async () => `clickhouse://127.0.0.1:${engine.port}/otel?table=boom`, /query failed while (reading spans|computing costs|counting the spans in the window|finding the newest traces): .*boom at read/],
    ['HTTPS against a plain HTTP server', async () => `clickhouse://127.0.0.1:${engine.port}/otel?secure=1`, /ClickHouse clickhouse:\/\/127\.0\.0\.1:\d+\/otel\?secure=1: (TLS failed|failed while)/],
  ])('%s: one clear line, exit 2, for cost, tree and lint', async (_what, url, message) => {
    const source = await url();
    for (const cmd of [['cost'], ['tree'], ['lint']]) {
      const r = await runCli([...cmd, source], { env });
      expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, cmd[0]).toMatch(message);
      expect(r.stderr).not.toContain(PASSWORD);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('refuses to mix with file sources', async () => {
    const r = await runCli(['cost', `clickhouse://127.0.0.1:${engine.port}/otel`, 'dump.jsonl'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a clickhouse:// source cannot be combined with other sources in one run');
  });
});

describe('garbage rows', () => {
  it('are reported with the source, row and column, skipped, and the rest is read', async () => {
    const r = await runCli(['cost', '--format', 'json', `clickhouse://127.0.0.1:${engine.port}/junk`], { env });
    expect(r.code, r.stderr).toBe(0);
    // ok(4) (huge), ok(5) and ok(6) count; the three bad ids are skipped.
    expect((JSON.parse(r.stdout) as { total: { calls: number } }).total.calls).toBe(3);
    expect(r.stderr).toMatch(/clickhouse:\/\/127\.0\.0\.1:\d+\/junk: TraceId: row \d+: span skipped: trace id "" is not 32 lowercase hex digits/);
    expect(r.stderr).toMatch(/SpanId: row \d+: span skipped: span id "nothex!!nothex!!"/);
    expect(r.stderr).toMatch(/TraceId: row \d+: span skipped: trace id "D{32}"/);
    expect(r.stderr).toMatch(/3 invalid spans skipped/);
  });

  it('lint makes the skipped ids invalid-id findings; tree prints control characters escaped', async () => {
    const lint = await runCli(['lint', '--format', 'json', `clickhouse://127.0.0.1:${engine.port}/junk`], { env });
    const findings = (JSON.parse(lint.stdout) as { findings: Array<{ rule: string }> }).findings;
    expect(findings.filter((f) => f.rule === 'invalid-id')).toHaveLength(3);
    const tree = await runCli(['tree', `clickhouse://127.0.0.1:${engine.port}/junk`], { env });
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain('chat ');
    expect(tree.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
  });
});

describe('the chdb endpoint speaks the ClickHouse HTTP interface', () => {
  const auth = () => ({ Authorization: `Basic ${Buffer.from(`default:${PASSWORD}`).toString('base64')}` });

  it('query in the URL or the body, param_*, database, default_format, X-ClickHouse headers', async () => {
    const base = `http://127.0.0.1:${engine.port}`;
    const a = await fetch(`${base}/?query=${encodeURIComponent('SELECT {x:String} AS v, currentDatabase() AS d')}&param_x=${encodeURIComponent("a\\tb'c")}&database=otel&default_format=JSONEachRow`, { headers: auth() });
    expect(a.status).toBe(200);
    expect(a.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(a.headers.get('x-clickhouse-query-id')).toBeTruthy();
    expect(await a.json()).toEqual({ v: "a\tb'c", d: 'otel' });
    const b = await fetch(`${base}/?database=otel`, { method: 'POST', body: 'SELECT count() FROM otel_traces FORMAT TabSeparated', headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': PASSWORD } });
    expect(await b.text()).toBe('2\n');
  });

  it('errors as Code: N. DB::Exception with X-ClickHouse-Exception-Code; wrong passwords 403', async () => {
    const base = `http://127.0.0.1:${engine.port}`;
    const e = await fetch(`${base}/`, { method: 'POST', body: 'SELECT * FROM otel.nope', headers: auth() });
    expect(e.status).toBe(404);
    expect(e.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await e.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);
    const denied = await fetch(`${base}/`, { method: 'POST', body: 'SELECT 1' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-clickhouse-exception-code')).toBe('516');
  });

  it('gzip both ways', async () => {
    const r = await fetch(`http://127.0.0.1:${engine.port}/?enable_http_compression=1`, { method: 'POST', body: gzipSync('SELECT 40 + 2'), headers: { ...auth(), 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip' } });
    expect(r.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself: the text is the result.
    expect(await r.text()).toBe('42\n');
    expect(gunzipSync(gzipSync('x')).toString()).toBe('x');
  });
});

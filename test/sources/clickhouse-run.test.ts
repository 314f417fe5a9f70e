/**
 * How a run talks to ClickHouse: one client and one connection for all its queries (the layout
 * probe, the selection, the reads), the probe's shorter timeout on its own queries only; and
 * every database or table name ClickHouse takes (`my-db`, dots, backticks, any script) read as
 * the same table under a plain name.
 */
import { createServer as createHttpServer, request } from 'node:http';
import { createServer as createNetServer, connect as netConnect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../../src/lib/sources/clickhouse/source.js';
import type { Span } from '../../src/lib/span.js';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { span } from '../helpers/span-factory.js';

let engine: Engine;

function call(trace: number, id: number, feature: string) {
  return span({
    trace: `t${trace}`,
    id: `s${id}`,
    parent: id % 3 === 0 ? undefined : `s${id - (id % 3)}`,
    name: 'chat gpt-4o',
    start: 1_000 * trace + id,
    attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 + id, 'gen_ai.usage.output_tokens': 5, 'app.feature': feature },
  });
}

const SPANS: Span[] = Array.from({ length: 30 }, (_, i) => call(Math.floor(i / 3), i, `f${i % 4}`));

/** Back-quoted as ClickHouse reads a name in SQL (the tests' own DDL; llmtrace binds names as parameters). */
const q = (name: string) => `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;

/** Database and table names llmtrace refused before (only [A-Za-z_][A-Za-z0-9_]* was taken). */
const NAMES: Array<[string, string]> = [
  ['my-db', 'otel_traces'],
  ['a.b', 'spans.v2'],
  ['we`ird', "it's"],
  ['ünï cödé', 'täble-1'],
  ['plain', 'back\\slash'],
];

beforeAll(async () => {
  engine = await startEngine();
  await createTables(engine, 'plain');
  await loadSpans(engine, 'plain', SPANS);
  // The same rows under each name: the tables copied with their trace_id_ts.
  for (const [db, table] of NAMES) {
    await engine.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${q(db)}` });
    for (const [name, from] of [[table, 'otel_traces'], [`${table}_trace_id_ts`, 'otel_traces_trace_id_ts']]) {
      await engine.client.command({ query: `CREATE TABLE IF NOT EXISTS ${q(db)}.${q(name!)} AS plain.${from}` });
      await engine.client.command({ query: `INSERT INTO ${q(db)}.${q(name!)} SELECT * FROM plain.${from}` });
    }
  }
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

function url(port: number, db: string, table?: string): string {
  return `clickhouse://default@127.0.0.1:${port}/${encodeURIComponent(db)}${table === undefined ? '' : `?table=${encodeURIComponent(table)}`}`;
}

async function listen(srv: Server): Promise<number> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as { port: number }).port;
}

/** A TCP proxy in front of the engine that counts the connections made to it (each would be a TLS handshake). */
async function countingProxy(): Promise<{ port: number; connections: () => number; close: () => void }> {
  let connections = 0;
  const sockets = new Set<import('node:net').Socket>();
  const srv = createNetServer((client) => {
    connections++;
    const upstream = netConnect(engine.port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => (s === client ? upstream : client).destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listen(srv);
  return {
    port,
    connections: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

describe('one client per run', () => {
  it.each([
    ['tree (probe, newest 20, count, spans)', ['tree']],
    ['tree --trace', ['tree', '--trace', '0000']],
    ['tree --last 2', ['tree', '--last', '2']],
    ['cost, decided in SQL', ['cost', '--format', 'json']],
    ['cost, a small window read as spans', ['cost', '--format', 'json']],
    ['stats', ['stats', '--format', 'json']],
    ['lint', ['lint', '--format', 'json']],
  ])('%s: every query over one connection', async (what, args) => {
    const proxy = await countingProxy();
    try {
      const env = what.includes('small window') ? { LLMTRACE_CLICKHOUSE_SMALL_SPANS: '20000' } : { LLMTRACE_CLICKHOUSE_SMALL_SPANS: '0' };
      const r = await runCli([...args, url(proxy.port, 'plain')], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(proxy.connections()).toBe(1);
    } finally {
      proxy.close();
    }
  });

  it('a consumer that stops early: a short answer keeps the connection, a long one is cut off and the server is free', async () => {
    const proxy = await countingProxy();
    try {
      const reader = await openClickHouse(url(proxy.port, 'plain'), {});
      const first = async (query: string) => {
        for await (const row of reader.pushdown!.rows(query, {}, 'testing')) return row.map(Number);
      };
      expect(await first('SELECT 1')).toEqual([1]);
      expect(proxy.connections()).toBe(1);
      expect(await first('SELECT number FROM numbers(100000000)')).toEqual([0]);
      expect(await first('SELECT count() FROM {db:Identifier}.{table:Identifier}')).toEqual([SPANS.length]);
      expect(proxy.connections()).toBe(2);
      await reader.close();
    } finally {
      proxy.close();
    }
  });

  it('the probe\'s short timeout is its own: later queries of the same client may take longer', async () => {
    // Scenario: an HTTP proxy that answers the probe (DESCRIBE, EXISTS) at once and every other
    // query after twice the probe's timeout, as a server busy with a large read does.
    const PROBE_MS = 300;
    const srv = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const probe = /^\s*(DESCRIBE|EXISTS)\b/.test(body.toString());
        setTimeout(() => {
          const up = request({ host: '127.0.0.1', port: engine.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          });
          up.end(body);
        }, probe ? 0 : 2 * PROBE_MS);
      });
    });
    const port = await listen(srv);
    try {
      const reader = await openClickHouse(url(port, 'plain'), {}, PROBE_MS);
      let spans = 0;
      for await (const b of reader.read({ inputs: 0, records: 0, badRecords: 0, spans: 0, skippedSpans: 0 }, () => {})) spans += b.spans.length;
      await reader.close();
      expect(spans).toBe(SPANS.length);
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });
});

describe('database and table names', () => {
  it.each(NAMES)('database %j, table %j: read as the same rows under plain names', async (db, table) => {
    const plain = url(engine.port, 'plain');
    const named = url(engine.port, db, table);
    for (const args of [['cost', '--format', 'json', '--by', 'feature,model'], ['tree', '--format', 'json', '--last', '3'], ['lint', '--format', 'json'], ['stats', '--format', 'json']]) {
      const [a, b] = await Promise.all([runCli([...args, plain]), runCli([...args, named])]);
      expect(b.code, `${args[0]}: ${b.stderr}`).toBe(0);
      expect(b.stdout.replaceAll(JSON.stringify(named).slice(1, -1), 'SOURCE'), args[0]).toBe(a.stdout.replaceAll(plain, 'SOURCE'));
      expect(b.stderr.replaceAll(named, 'SOURCE')).toBe(a.stderr.replaceAll(plain, 'SOURCE'));
    }
  });

  it('a name that is not there is told as such, back-quoted where ClickHouse would quote it', async () => {
    const noDb = await runCli(['tree', url(engine.port, 'no-such-db')]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('database "no-such-db" does not exist');
    const noTable = await runCli(['tree', url(engine.port, 'my-db', 'no.such')]);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toContain('table "`my-db`.`no.such`" does not exist');
  });

  it('refuses only what cannot be a name, before connecting', async () => {
    for (const [source, why] of [
      [`clickhouse://127.0.0.1:1/a%00b`, 'database "a\\u0000b" holds a NUL character, which no ClickHouse name can'],
      [`clickhouse://127.0.0.1:1/db?table=`, 'table "" is empty'],
    ]) {
      const r = await runCli(['cost', source!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(why);
      expect(r.stderr).not.toContain('connection refused');
    }
  });
});

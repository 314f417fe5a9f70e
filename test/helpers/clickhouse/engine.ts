/**
 * A real ClickHouse engine for tests: chdb behind endpoint.mjs (the HTTP interface), in a child
 * process. Tables are the OpenTelemetry Collector ClickHouse exporter's, loaded with its value
 * mapping (exporterRow), so a source reads what a Collector would have written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { writeFileSync } from 'node:fs';
import type { Span } from '../../../src/lib/span.js';
import { otlpJsonTracesLine } from '../../../src/lib/otlp/json-write.js';
import { writePricingFile } from '../../cost/generate.js';
import { exporterRow, tracesDdl, type Layout } from './exporter.mjs';

export { asString, exporterRow, tracesDdl, type Layout } from './exporter.mjs';
import { tempDir } from '../read-all.js';

const ENDPOINT = path.resolve('test/helpers/clickhouse/endpoint.mjs');

export interface Engine {
  port: number;
  client: ClickHouseClient;
  url(db: string, query?: string): string;
  close(): Promise<void>;
}

export async function startEngine(password = ''): Promise<Engine> {
  const dir = tempDir();
  const child: ChildProcess = spawn(process.execPath, [ENDPOINT, path.join(dir, 'chdb'), password], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the chdb endpoint exited (${code}) before listening: ${stderr}`)));
  });
  const client = createClient({ url: `http://127.0.0.1:${port}`, password, log: { level: ClickHouseLogLevel.OFF }, request_timeout: 120_000 });
  return {
    port,
    client,
    url: (db, query) => `clickhouse://default${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${port}/${db}${query ? `?${query}` : ''}`,
    async close() {
      await client.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

export async function createTables(engine: Engine, db: string, table = 'otel_traces', layout: Layout = 'current'): Promise<void> {
  for (const sql of tracesDdl(db, table, layout)) await engine.client.command({ query: sql });
}

export async function insertRows(engine: Engine, db: string, rows: Array<Record<string, unknown>>, table = 'otel_traces'): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    await engine.client.insert({ table: `${db}.${table}`, values: rows.slice(i, i + 5000), format: 'JSONEachRow' });
  }
}

export async function loadSpans(engine: Engine, db: string, spans: Span[], layout: Layout = 'current', table = 'otel_traces'): Promise<void> {
  await insertRows(engine, db, spans.map((s) => exporterRow(s, layout)), table);
}

/**
 * What a files-equal-ClickHouse test compares: the spans as a JSON Lines file and as the
 * exporter's table in database `db` of a new engine, with the generated pricing file beside.
 */
export async function spansInFileAndTable(spans: Span[], db: string): Promise<{ file: string; pricing: string; engine: Engine }> {
  const dir = tempDir();
  const pricing = writePricingFile(dir);
  const file = path.join(dir, 'spans.jsonl');
  writeFileSync(file, Buffer.concat(spans.map((s) => otlpJsonTracesLine([s]))));
  const engine = await startEngine();
  await createTables(engine, db);
  await loadSpans(engine, db, spans);
  return { file, pricing, engine };
}

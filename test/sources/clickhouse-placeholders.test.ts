/**
 * Logfire's placeholder spans (`logfire.span_type=pending_span`: docs/architecture.md
 * "Placeholder spans") written by a Collector into ClickHouse like any span are dropped there
 * too, by the span reader and by the cost pushdown (LLMTRACE_CLICKHOUSE_SMALL_SPANS=0), so every command counts what it counts over
 * the file (fixtures/counting/logfire-placeholders.json). By hand: a failed chat, a chat of
 * 100 → 10, and a chat without usage around a chat of 30 → 3, each with its placeholder:
 * 3 calls, 130 → 13 tokens, $0.000455 (gpt-4o), 1 error, 7 spans of which 3 placeholders.
 * Before, over ClickHouse the failed call's placeholder was counted instead of it (errors 0),
 * the outer chat's placeholder was a fourth call, and `tree` drew the placeholders.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';

const FILE = path.resolve('fixtures/counting/logfire-placeholders.json');
const DB = 'placeholders';

async function json(args: string[], env?: Record<string, string>): Promise<Record<string, any>> {
  const r = await runCli(args, { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

describe('Logfire placeholder spans over ClickHouse', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
    await engine.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${DB}` });
    await createTables(engine, DB);
    // The decoder alone keeps the placeholders, as the Collector's exporter writes them.
    const spans = decodeOtlpJsonTraces(JSON.parse(readFileSync(FILE, 'utf8'))).spans;
    expect(spans).toHaveLength(7);
    await loadSpans(engine, DB, spans);
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('cost (pushed down and by trace), stats and tree count the hand totals, as over the file', async () => {
    const url = engine.url(DB);
    for (const source of [FILE, url]) {
      const cost = await json(['cost', '--format', 'json', source]);
      expect([cost.total.calls, cost.total.inputTokens, cost.total.outputTokens, cost.total.cost]).toEqual([3, 130, 13, 0.000455]);
      const stats = await json(['stats', '--format', 'json', source]);
      expect(stats.rows.map((r: { calls: number; errors: number }) => [r.calls, r.errors])).toEqual([[3, 1]]);
      const tree = await json(['tree', '--format', 'json', '--last', '10', source]);
      expect(tree.traces.map((t: { spanCount: number; calls: number }) => [t.spanCount, t.calls])).toEqual([[1, 1], [1, 1], [2, 1]]);
    }
    for (const cmd of [['cost', '--by', 'trace'], ['cost', '--by', 'model'], ['stats']]) {
      const file = await json([...cmd, '--format', 'json', FILE]);
      expect(await json([...cmd, '--format', 'json', url])).toEqual(file);
      // Every trace decided in SQL (cost pushdown), not only the small windows read whole by Node.
      expect(await json([...cmd, '--format', 'json', url], { LLMTRACE_CLICKHOUSE_SMALL_SPANS: '0' })).toEqual(file);
    }
  }, 120_000);
});

/**
 * `tree --last N` over ClickHouse counts and picks the traces files do when a trace is made only
 * of spans the reader skips (real chdb): all-zero span ids, or an invalid link id. Files skip
 * every span of it with a problem, so it is no trace: never one of the newest, and not in the
 * "newest N of M" total. trace_id_ts has no span ids (query.ts `traceCountQuery`, `newestQuery`).
 * With trace_id_ts, without it (the traces table asked), and in the old layout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { tempDir } from '../helpers/read-all.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { emptyResource, newAttributes, type Span, type SpanLink } from '../../src/lib/span.js';

const AT = BigInt(Date.UTC(2026, 10, 20, 12)) * 1_000_000n;
const S = 1_000_000_000n;
const ZERO = '0'.repeat(16);
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };
const badLink: SpanLink = { traceId: '0'.repeat(32), spanId: hexId('l'), traceState: '', attributes: newAttributes(), droppedAttributesCount: 0, flags: 0 };

const spanOf = (trace: string, spanId: string, parent: string, start: bigint, links: SpanLink[] = []): Span =>
  spanWith({ traceId: hexId(trace, 16), spanId, parentSpanId: parent, name: `op ${trace}`, startTimeUnixNano: start, endTimeUnixNano: start + S, resource, links });

const SPANS: Span[] = [
  spanOf('a', hexId('a0'), '', AT),
  spanOf('b', hexId('b0'), '', AT + 60n * S),
  // A trace with one skipped span among kept ones: a trace, placed by its kept span.
  spanOf('mixed', ZERO, '', AT + 9000n * S),
  spanOf('mixed', hexId('m1'), '', AT + 120n * S),
  spanOf('c', hexId('c0'), '', AT + 180n * S),
  // The newest spans of all, in traces of skipped spans only: no trace for files.
  spanOf('zeros', ZERO, '', AT + 7200n * S),
  spanOf('zeros', ZERO, ZERO, AT + 7201n * S),
  spanOf('links', hexId('k0'), '', AT + 7300n * S, [badLink]),
];

let engine: Engine;
let file: string;

beforeAll(async () => {
  const dir = tempDir();
  file = path.join(dir, 'all.jsonl');
  writeFileSync(file, Buffer.concat(SPANS.map((s) => otlpJsonTracesLine([s]))));
  engine = await startEngine();
  for (const [db, layout] of [['cur', 'current'], ['old', 'old']] as const) {
    await createTables(engine, db, 'otel_traces', layout);
    await loadSpans(engine, db, SPANS, layout);
  }
  await createTables(engine, 'nots');
  await loadSpans(engine, 'nots', SPANS);
  await engine.client.command({ query: 'TRUNCATE TABLE nots.otel_traces_trace_id_ts' });
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

const traceIds = (stdout: string) => (JSON.parse(stdout) as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId);
const total = (stderr: string) => /showing the newest \d+ of \d+ traces/.exec(stderr)?.[0];

describe('tree --last over ClickHouse: a trace of skipped spans only is no trace', () => {
  it('is neither picked nor counted, as for files', async () => {
    const files = await runCli(['tree', file, '--format', 'json', '--last', '2']);
    expect(traceIds(files.stdout)).toEqual([hexId('mixed', 16), hexId('c', 16)]);
    expect(total((await runCli(['tree', file, '--last', '2'])).stderr)).toBe('showing the newest 2 of 4 traces');
    for (const n of ['1', '2', '3', '4']) {
      const f = await runCli(['tree', file, '--format', 'json', '--last', n]);
      const fText = await runCli(['tree', file, '--last', n]);
      for (const db of ['cur', 'old', 'nots']) {
        const c = await runCli(['tree', engine.url(db), '--format', 'json', '--last', n]);
        expect(JSON.parse(c.stdout), `${db} --last ${n}`).toEqual(JSON.parse(f.stdout));
        const cText = await runCli(['tree', engine.url(db), '--last', n]);
        expect(total(cText.stderr), `${db} --last ${n}`).toBe(total(fText.stderr));
      }
    }
  }, 240_000);
});

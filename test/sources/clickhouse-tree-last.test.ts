/**
 * `tree --last N` over ClickHouse picks the traces `tree` over files picks (real chdb): a trace
 * is placed by its earliest *known* start (trace/trace-starts.ts `earliestKnownStart`; a span at
 * 1970, OTLP's unset start, does not place it), a trace with no known start sorts first (start
 * 0, as for files), and a span with an invalid trace id is in no trace (files skip it with a
 * problem), so it is never one of the newest. With trace_id_ts, without it (the traces table
 * asked), and in the old layout (trace_id_ts of DateTime64).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { tempDir } from '../helpers/read-all.js';
import { hexId, spanWith } from '../helpers/span-factory.js';
import { otlpJsonTracesLine } from '../../src/lib/otlp/json-write.js';
import { emptyResource, newAttributes, type Span } from '../../src/lib/span.js';

const AT = BigInt(Date.UTC(2026, 10, 20, 12)) * 1_000_000n;
const S = 1_000_000_000n;
const resource = { ...emptyResource(), attributes: Object.assign(newAttributes(), { 'service.name': 'svc' }) };

const spanOf = (traceId: string, id: string, parent: string, start: bigint): Span =>
  spanWith({ traceId, spanId: hexId(id), parentSpanId: parent === '' ? '' : hexId(parent), name: `op ${id}`, startTimeUnixNano: start, endTimeUnixNano: start === 0n ? AT + 3600n * S : start + S, resource });

/** Oldest to newest by known start: plain, then `mixed` (a child at 1970 under a root an hour later), then plain2. */
const VALID: Span[] = [
  spanOf(hexId('plain', 16), 'p0', '', AT),
  // Known start AT + 1 h; its child's start is unset (1970).
  spanOf(hexId('mixed', 16), 'm0', '', AT + 3600n * S),
  spanOf(hexId('mixed', 16), 'm1', 'm0', 0n),
  spanOf(hexId('plain2', 16), 'q0', '', AT + 7200n * S),
  // No known start at all: first in order, last for --last.
  spanOf(hexId('whole', 16), 'w0', '', 0n),
  spanOf(hexId('whole', 16), 'w1', 'w0', 0n),
];

/** The newest spans of all, with trace ids files refuse: all zeros, and not hex. */
const INVALID: Span[] = [spanOf('0'.repeat(32), 'z0', '', AT + 9000n * S), spanOf('not-a-trace-id-at-all-0123456789', 'x0', '', AT + 9500n * S)];

let engine: Engine;
let file: string;
let fileValid: string;

beforeAll(async () => {
  const dir = tempDir();
  file = path.join(dir, 'all.jsonl');
  writeFileSync(file, Buffer.concat([...VALID, ...INVALID].map((s) => otlpJsonTracesLine([s]))));
  fileValid = path.join(dir, 'valid.jsonl');
  writeFileSync(fileValid, Buffer.concat(VALID.map((s) => otlpJsonTracesLine([s]))));
  engine = await startEngine();
  for (const [db, layout] of [['cur', 'current'], ['old', 'old']] as const) {
    await createTables(engine, db, 'otel_traces', layout);
    await loadSpans(engine, db, [...VALID, ...INVALID], layout);
  }
  // Spans inserted before trace_id_ts's view existed: the traces table is asked.
  await createTables(engine, 'nots');
  await loadSpans(engine, 'nots', [...VALID, ...INVALID]);
  await engine.client.command({ query: 'TRUNCATE TABLE nots.otel_traces_trace_id_ts' });
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

const traceIds = (stdout: string) => (JSON.parse(stdout) as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId);

describe('tree --last over ClickHouse equals tree over files', () => {
  it('places a trace by its earliest known start, and skips invalid trace ids', async () => {
    const files = await runCli(['tree', file, '--format', 'json', '--last', '2']);
    expect(traceIds(files.stdout)).toEqual([hexId('mixed', 16), hexId('plain2', 16)]);
    for (const n of ['1', '2', '3', '4', '5']) {
      const f = await runCli(['tree', fileValid, '--format', 'json', '--last', n]);
      for (const db of ['cur', 'old', 'nots']) {
        const c = await runCli(['tree', engine.url(db), '--format', 'json', '--last', n]);
        expect(c.stderr, `${db} --last ${n}`).not.toContain('span skipped');
        expect(traceIds(c.stdout), `${db} --last ${n}`).toEqual(traceIds(f.stdout));
        expect(JSON.parse(c.stdout), `${db} --last ${n}`).toEqual(JSON.parse(f.stdout));
      }
    }
  }, 240_000);
});

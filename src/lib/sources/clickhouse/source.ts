/**
 * A `clickhouse://` source: the Collector exporter's `otel_traces` rows streamed into `Span`
 * batches, so `cost`, `stats`, `lint` and `tree` read it through the same pipeline as files
 * (docs/architecture.md, "ClickHouse source"). Opening it checks the connection, the login and
 * the table's layout, so those fail before any output with a message naming the source.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DecodeError, LlmtraceError } from '../../errors.js';
import type { Span } from '../../span.js';
import { clickHouseError, connect, MAX_EXECUTION_SECONDS } from './client.js';
import { DESCRIBE_SQL, EXISTS_TS_SQL, newestQuery, prefixLookupQuery, REQUIRED_COLUMNS, spansQuery, traceWhere, type Layout, type Params, type Projection, type Selection } from './query.js';
import { rowDecoder } from './rows.js';
import { parseClickHouseUrl, type ClickHouseTarget } from './url.js';

/** What the command wants, so ClickHouse reads no more than that. */
export interface ClickHousePushdown {
  sinceMs?: number;
  untilMs?: number;
  /** `tree --trace`: a trace id or a prefix (lowercase hex). */
  tracePrefix?: string;
  /** `tree --last N`. */
  newest?: number;
  /** `cost`/`stats`: event attributes and links are not read. */
  slim?: boolean;
  /** `cost`/`stats`: only these attribute keys are read (cost/projection.ts). */
  attributes?: Projection;
}

/** The counts a read keeps (the fields of sources/read.ts ReadStats this source touches). */
export interface ClickHouseStats {
  inputs: number;
  records: number;
  badRecords: number;
  spans: number;
  skippedSpans: number;
}

export interface ClickHouseProblem {
  source: string;
  field?: string;
  message: string;
}

export interface ClickHouseBatch {
  spans: Span[];
  source: string;
}

export interface ClickHouseReader {
  target: ClickHouseTarget;
  read(stats: ClickHouseStats, onProblem: (p: ClickHouseProblem) => void): AsyncGenerator<ClickHouseBatch>;
  /** For `cost` (cost/pushdown-sql.ts): what the SQL it generates needs of this source. */
  pushdown?: ClickHouseCallGroups;
}

/**
 * What the cost pushdown asks of the source: the traces the run selects (as a condition), a
 * query's rows, and the spans of some of the selected traces through the usual reader.
 */
export interface ClickHouseCallGroups {
  scopeColumns: boolean;
  /** The selected traces as SQL conditions ('1' when all), with their parameters. */
  selected(): { sql: string; params: Params };
  rows(query: string, params: Params, what: string): AsyncGenerator<unknown[]>;
  /** The spans of the selected traces that `condition` also selects. */
  readWhere(condition: { sql: string; params: Params }, stats: ClickHouseStats, onProblem: (p: ClickHouseProblem) => void): AsyncGenerator<ClickHouseBatch>;
}

const BATCH_SPANS = 1000;
/** More trace ids than this for a prefix: the span query filters by the prefix instead of a list. */
const MAX_LISTED_TRACES = 10_000;

/**
 * How long the first requests (DESCRIBE, EXISTS) may wait: a live server answers them at once, so
 * a silent one (a load balancer before a stopped server) is told within a minute, not after
 * REQUEST_TIMEOUT_MS; a minute leaves room for a cloud service waking from idle.
 */
export const PROBE_TIMEOUT_MS = 60_000;

export async function openClickHouse(source: string, push: ClickHousePushdown, probeTimeoutMs = PROBE_TIMEOUT_MS): Promise<ClickHouseReader> {
  const target = parseClickHouseUrl(source);
  let layout: Layout;
  const probe = connect(target, probeTimeoutMs);
  try {
    layout = await probeLayout(probe, target, probeTimeoutMs);
  } finally {
    await probe.close();
  }
  let selection: Selection | undefined;
  const client = connect(target);
  try {
    selection = await select(client, target, layout, push);
  } finally {
    await client.close();
  }
  return {
    target,
    read: (stats, onProblem) => readSpans(target, layout, selection, stats, onProblem),
    pushdown: {
      scopeColumns: layout.scopeColumns,
      selected: () => {
        const params: Params = {};
        // No selection: no trace matches (a lookup found none).
        const where = selection === undefined ? ['0'] : traceWhere(selection, params);
        return { sql: where.length ? where.join(' AND ') : '1', params };
      },
      rows: (query, params, what) => streamRows(target, query, params, what),
      readWhere: (condition, stats, onProblem) => readSpans(target, layout, selection && { ...selection, traceCondition: condition }, stats, onProblem),
    },
  };
}

/** The rows of one query, streamed (JSONCompactEachRow), its failures in words naming the source. */
async function* streamRows(target: ClickHouseTarget, query: string, params: Params, what: string, limited = true): AsyncGenerator<unknown[]> {
  const client = connect(target);
  try {
    let stream;
    try {
      // The span stream runs as long as the reader takes (no server limit, as before); a query
      // that computes (the cost pushdown) has one.
      const settings = limited ? { max_execution_time: MAX_EXECUTION_SECONDS } : undefined;
      const rs = await client.query({ query, query_params: { ...baseParams(target), ...params }, format: 'JSONCompactEachRow', clickhouse_settings: settings });
      stream = rs.stream<unknown[]>();
    } catch (e) {
      throw clickHouseError(e, target, what);
    }
    const it = stream[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Array<{ json<T>(): T }>>;
      try {
        next = await it.next();
      } catch (e) {
        throw clickHouseError(e, target, what);
      }
      if (next.done) break;
      for (const row of next.value) yield row.json<unknown[]>();
    }
  } finally {
    await client.close();
  }
}

function baseParams(target: ClickHouseTarget): Params {
  return { db: target.database, table: target.table, ts: `${target.table}_trace_id_ts` };
}

async function rows<T>(client: ClickHouseClient, target: ClickHouseTarget, what: string, query: string, params: Params, timeoutMs?: number): Promise<T[]> {
  try {
    const rs = await client.query({ query, query_params: { ...baseParams(target), ...params }, format: 'JSONEachRow', clickhouse_settings: { max_execution_time: MAX_EXECUTION_SECONDS } });
    return await rs.json<T>();
  } catch (e) {
    throw clickHouseError(e, target, what, timeoutMs);
  }
}

/** Connects, logs in and checks the table has what llmtrace reads; which layout it is. */
async function probeLayout(client: ClickHouseClient, target: ClickHouseTarget, timeoutMs: number): Promise<Layout> {
  const columns = await rows<{ name: string; type: string }>(client, target, 'reading the table layout', DESCRIBE_SQL, {}, timeoutMs);
  const types = new Map(columns.map((c) => [c.name, c.type]));
  for (const [name, type] of REQUIRED_COLUMNS) {
    const t = types.get(name);
    if (t === undefined) {
      throw new LlmtraceError(`ClickHouse ${target.label}: table ${target.database}.${target.table} has no column ${name}`, 'llmtrace reads the table the OpenTelemetry Collector ClickHouse exporter creates (otel_traces)');
    }
    if (!type.test(t)) {
      throw new LlmtraceError(`ClickHouse ${target.label}: column ${name} of ${target.database}.${target.table} is ${t.slice(0, 80)}, not the exporter's type`, name.endsWith('Attributes') ? 'the exporter\'s JSON-typed layout is not read; the Map layout is' : undefined);
    }
  }
  const exists = await rows<{ result: number }>(client, target, 'looking for the trace_id_ts table', EXISTS_TS_SQL, {}, timeoutMs);
  return { scopeColumns: types.has('ScopeName') && types.has('ScopeVersion'), traceIdTs: Number(exists[0]?.result) === 1 };
}

async function select(client: ClickHouseClient, target: ClickHouseTarget, layout: Layout, push: ClickHousePushdown): Promise<Selection | undefined> {
  const sel: Selection = { sinceMs: push.sinceMs, untilMs: push.untilMs, slim: push.slim, attributes: push.attributes };
  type Found = { TraceId: string; lo: string; hi: string };
  let found: Found[] | undefined;
  // trace_id_ts is filled by a materialized view: spans inserted before it existed are not in
  // it. When it knows of nothing, the traces table itself is asked (slower, never wrong).
  if (push.newest !== undefined) {
    const q = newestQuery(layout, push.newest, push.tracePrefix);
    found = await rows<Found>(client, target, 'finding the newest traces', q.query, q.params);
    if (found.length === 0 && layout.traceIdTs) {
      const again = newestQuery({ ...layout, traceIdTs: false }, push.newest, push.tracePrefix);
      found = await rows<Found>(client, target, 'finding the newest traces', again.query, again.params);
    }
  } else if (push.tracePrefix !== undefined) {
    if (!layout.traceIdTs) return { ...sel, prefix: push.tracePrefix };
    const q = prefixLookupQuery(push.tracePrefix, MAX_LISTED_TRACES + 1);
    found = await rows<Found>(client, target, 'looking up the trace id', q.query, q.params);
    if (found.length > MAX_LISTED_TRACES || found.length === 0) return { ...sel, prefix: push.tracePrefix };
  }
  if (found === undefined) return sel;
  // No trace found: nothing to read (the command says no trace matches).
  if (found.length === 0) return undefined;
  let lo = BigInt(found[0]!.lo);
  let hi = BigInt(found[0]!.hi);
  for (const f of found) {
    const l = BigInt(f.lo);
    const h = BigInt(f.hi);
    if (l < lo) lo = l;
    if (h > hi) hi = h;
  }
  return { ...sel, traces: { ids: found.map((f) => f.TraceId), loNs: lo, hiNs: hi } };
}

async function* readSpans(target: ClickHouseTarget, layout: Layout, sel: Selection | undefined, stats: ClickHouseStats, onProblem: (p: ClickHouseProblem) => void): AsyncGenerator<ClickHouseBatch> {
  stats.inputs++;
  if (sel === undefined) return;
  const { query, params } = spansQuery(layout, sel);
  const decoder = rowDecoder(!layout.scopeColumns);
  let batch: Span[] = [];
  let rowNo = 0;
  for await (const row of streamRows(target, query, params, 'reading spans', false)) {
    rowNo++;
    stats.records++;
    let span: Span;
    try {
      span = decoder.decode(row);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      if (e.message.startsWith('span skipped')) stats.skippedSpans++;
      else stats.badRecords++;
      onProblem({ source: target.label, field: e.field, message: `row ${rowNo}: ${e.message}` });
      continue;
    }
    stats.spans++;
    batch.push(span);
    if (batch.length >= BATCH_SPANS) {
      yield { spans: batch, source: target.label };
      batch = [];
    }
  }
  if (batch.length) yield { spans: batch, source: target.label };
}

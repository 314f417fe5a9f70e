/**
 * A `clickhouse://` source: the Collector exporter's `otel_traces` rows streamed into `Span`
 * batches, so `cost`, `stats`, `lint` and `tree` read it through the same pipeline as files
 * (docs/architecture.md, "ClickHouse source"). Opening it checks the connection, the login and
 * the table's layout, so those fail before any output with a message naming the source.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DecodeError, LlmtraceError } from '../../errors.js';
import { isPlaceholderSpan } from '../../otlp/placeholder-spans.js';
import type { Span } from '../../span.js';
import { clickHouseError, connect, MAX_EXECUTION_SECONDS } from './client.js';
import { DESCRIBE_SQL, EXISTS_TS_SQL, newestQuery, prefixLookupQuery, REQUIRED_COLUMNS, skippedSpanQuery, spansQuery, traceCountQuery, traceWhere, type Layout, type Params, type Projection, type Selection } from './query.js';
import { rowDecoder } from './rows.js';
import { backQuote, parseClickHouseUrl, qualifiedName, type ClickHouseTarget } from './url.js';

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
  /** `lint`: spans in start order, as a file holds them, not trace by trace (query.ts spansQuery). */
  byStart?: boolean;
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
  /**
   * `tree --last N` (pushdown `newest`) found N traces: how many traces the table holds in all
   * (matching the `--trace` prefix), for "the newest N of M". Undefined otherwise.
   */
  traceCount?: number;
  /** Closes the run's connection (after the last read). */
  close(): Promise<void>;
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
  // One client for the whole run: its requests go one after another over one kept-alive
  // connection, one TLS handshake to a remote server (docs/architecture.md, "ClickHouse source").
  const client = connect(target);
  let layout: Layout;
  let selection: Selection | undefined;
  let traceCount: number | undefined;
  try {
    layout = await probeLayout(client, target, probeTimeoutMs);
    ({ selection, traceCount } = await select(client, target, layout, push));
  } catch (e) {
    await client.close();
    throw e;
  }
  return {
    target,
    traceCount,
    read: (stats, onProblem) => readSpans(client, target, layout, selection, stats, onProblem),
    close: () => client.close(),
    pushdown: {
      scopeColumns: layout.scopeColumns,
      selected: () => {
        const params: Params = {};
        // No selection: no trace matches (a lookup found none).
        const where = selection === undefined ? ['0'] : traceWhere(selection, params);
        return { sql: where.length ? where.join(' AND ') : '1', params };
      },
      rows: (query, params, what) => streamRows(client, target, query, params, what),
      readWhere: (condition, stats, onProblem) => readSpans(client, target, layout, selection && { ...selection, traceCondition: condition }, stats, onProblem),
    },
  };
}

/** The rows of one query, streamed (JSONCompactEachRow), its failures in words naming the source. */
async function* streamRows(client: ClickHouseClient, target: ClickHouseTarget, query: string, params: Params, what: string, limited = true): AsyncGenerator<unknown[]> {
  // The span stream runs as long as the reader takes (no server limit, as before); a query
  // that computes (the cost pushdown) has one.
  const settings = limited ? { max_execution_time: MAX_EXECUTION_SECONDS } : undefined;
  const rs = await client.query({ ...bindNames(target, query, params), format: 'JSONCompactEachRow', clickhouse_settings: settings }).catch((e: unknown) => {
    throw clickHouseError(e, target, what);
  });
  const it = rs.stream<unknown[]>()[Symbol.asyncIterator]();
  let done = false;
  try {
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
    done = true;
  } finally {
    // A consumer that stopped early (one row was enough, or the output closed): the connection
    // is free for the next query once the answer is read to its end, which a short answer
    // reaches with one more read; a long one is cut off (its connection closed) instead.
    if (!done) {
      try {
        done = (await it.next()).done === true;
      } catch {
        // Already failing or stopping: the stream is closed below.
      }
      if (!done) rs.close();
    }
  }
}

/**
 * Characters @clickhouse/client escapes in every parameter value (the escaped format typed values
 * are read in), while ClickHouse takes an Identifier parameter's value verbatim: a name holding
 * one would arrive changed (`it's` as `it\'s`).
 */
const CLIENT_ESCAPED = /['\\\t\n\r]/;

/**
 * `query` with the source's names bound: {db:Identifier}, {table:Identifier} and {ts:Identifier}
 * (the trace_id_ts table) as parameters, or, for a name the client cannot pass intact
 * (CLIENT_ESCAPED), written into the text back-quoted as ClickHouse quotes names. One pass, so
 * a name is never read again as a placeholder.
 */
function bindNames(target: ClickHouseTarget, query: string, params: Params): { query: string; query_params: Params } {
  const names: Record<string, string> = { db: target.database, table: target.table, ts: `${target.table}_trace_id_ts` };
  const query_params: Params = { ...params };
  const text = query.replace(/\{(db|table|ts):Identifier\}/g, (placeholder, key: string) => {
    const name = names[key]!;
    if (CLIENT_ESCAPED.test(name)) return backQuote(name);
    query_params[key] = name;
    return placeholder;
  });
  return { query: text, query_params };
}

/** A whole short result; `timeoutMs`: this query's own limit (the probe's), the client's otherwise. */
async function rows<T>(client: ClickHouseClient, target: ClickHouseTarget, what: string, query: string, params: Params, timeoutMs?: number): Promise<T[]> {
  try {
    const abort_signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const rs = await client.query({ ...bindNames(target, query, params), format: 'JSONEachRow', clickhouse_settings: { max_execution_time: MAX_EXECUTION_SECONDS }, abort_signal });
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
      throw new LlmtraceError(`ClickHouse ${target.label}: table ${qualifiedName(target)} has no column ${name}`, 'llmtrace reads the table the OpenTelemetry Collector ClickHouse exporter creates (otel_traces)');
    }
    if (!type.test(t)) {
      throw new LlmtraceError(`ClickHouse ${target.label}: column ${name} of ${qualifiedName(target)} is ${t.slice(0, 80)}, not the exporter's type`, name.endsWith('Attributes') ? 'the exporter\'s JSON-typed layout is not read; the Map layout is' : undefined);
    }
  }
  const exists = await rows<{ result: number }>(client, target, 'looking for the trace_id_ts table', EXISTS_TS_SQL, {}, timeoutMs);
  return { scopeColumns: types.has('ScopeName') && types.has('ScopeVersion'), traceIdTs: Number(exists[0]?.result) === 1 };
}

async function select(client: ClickHouseClient, target: ClickHouseTarget, layout: Layout, push: ClickHousePushdown): Promise<{ selection: Selection | undefined; traceCount?: number }> {
  const sel: Selection = { sinceMs: push.sinceMs, untilMs: push.untilMs, slim: push.slim, attributes: push.attributes, byStart: push.byStart };
  type Found = { TraceId: string; lo: string; hi: string };
  let found: Found[] | undefined;
  let traceCount: number | undefined;
  // trace_id_ts is filled by a materialized view: spans inserted before it existed are not in
  // it. When it knows of nothing, the traces table itself is asked (slower, never wrong); so it
  // is when the reader would skip a span, which trace_id_ts cannot tell (query.ts newestQuery).
  if (push.newest !== undefined) {
    let from = layout;
    if (layout.traceIdTs) {
      const s = skippedSpanQuery(push.tracePrefix);
      if ((await rows<{ skipped: number }>(client, target, 'looking for spans the reader skips', s.query, s.params)).length) from = { ...layout, traceIdTs: false };
    }
    const q = newestQuery(from, push.newest, push.tracePrefix);
    found = await rows<Found>(client, target, 'finding the newest traces', q.query, q.params);
    if (found.length === 0 && from.traceIdTs) {
      from = { ...layout, traceIdTs: false };
      const again = newestQuery(from, push.newest, push.tracePrefix);
      found = await rows<Found>(client, target, 'finding the newest traces', again.query, again.params);
    }
    // Only the newest N were looked up: when there may be more, they are counted from where the
    // lookup found them (trace_id_ts: a row per trace and insert, a few times cheaper than the
    // spans; docs/architecture.md, "ClickHouse source").
    if (found.length >= push.newest) {
      const c = traceCountQuery(from, push.tracePrefix);
      const [counted] = await rows<{ n: string }>(client, target, 'counting the traces', c.query, c.params);
      traceCount = Math.max(Number(counted?.n ?? 0), found.length);
    }
  } else if (push.tracePrefix !== undefined) {
    if (!layout.traceIdTs) return { selection: { ...sel, prefix: push.tracePrefix } };
    const q = prefixLookupQuery(push.tracePrefix, MAX_LISTED_TRACES + 1);
    found = await rows<Found>(client, target, 'looking up the trace id', q.query, q.params);
    if (found.length > MAX_LISTED_TRACES || found.length === 0) return { selection: { ...sel, prefix: push.tracePrefix } };
  }
  if (found === undefined) return { selection: sel };
  // No trace found: nothing to read (the command says no trace matches).
  if (found.length === 0) return { selection: undefined };
  let lo = BigInt(found[0]!.lo);
  let hi = BigInt(found[0]!.hi);
  for (const f of found) {
    const l = BigInt(f.lo);
    const h = BigInt(f.hi);
    if (l < lo) lo = l;
    if (h > hi) hi = h;
  }
  return { selection: { ...sel, traces: { ids: found.map((f) => f.TraceId), loNs: lo, hiNs: hi } }, traceCount };
}

async function* readSpans(client: ClickHouseClient, target: ClickHouseTarget, layout: Layout, sel: Selection | undefined, stats: ClickHouseStats, onProblem: (p: ClickHouseProblem) => void): AsyncGenerator<ClickHouseBatch> {
  stats.inputs++;
  if (sel === undefined) return;
  const { query, params } = spansQuery(layout, sel);
  const decoder = rowDecoder(!layout.scopeColumns);
  let batch: Span[] = [];
  let rowNo = 0;
  for await (const row of streamRows(client, target, query, params, 'reading spans', false)) {
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
    // A Collector writes Logfire's placeholders as rows like any span: dropped where decoding
    // ends, as for files (docs/architecture.md "Placeholder spans").
    if (isPlaceholderSpan(span)) continue;
    stats.spans++;
    batch.push(span);
    if (batch.length >= BATCH_SPANS) {
      yield { spans: batch, source: target.label };
      batch = [];
    }
  }
  if (batch.length) yield { spans: batch, source: target.label };
}

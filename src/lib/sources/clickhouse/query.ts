/**
 * The SQL a `clickhouse://` source runs. Values are always bound parameters ({name:Type}),
 * identifiers too ({db:Identifier}); nothing from the command line is spliced into the text.
 * What is pushed down (docs/architecture.md, "ClickHouse source"): the choice of traces (a
 * window on Timestamp, a trace id or prefix, the newest N through the trace_id_ts table, for
 * cost and stats only traces with a possible model call), the columns and attribute keys a
 * command reads, and the order (whole traces one after another). Deciding calls and prices
 * stays in Node, in the one pipeline files go through (docs/architecture.md, "ClickHouse pushdown").
 */
import { SPAN_COLUMNS } from './rows.js';

export interface Layout {
  /** ScopeName/ScopeVersion columns (newer exporters); else the scope is in SpanAttributes. */
  scopeColumns: boolean;
  /** The `<table>_trace_id_ts` lookup table exists. */
  traceIdTs: boolean;
}

export interface Selection {
  /** [sinceMs, untilMs): traces with a span starting in it (the exact window is applied in Node). */
  sinceMs?: number;
  untilMs?: number;
  /** Only these traces, with the bounds of their span starts (from trace_id_ts). */
  traces?: { ids: string[]; loNs: bigint; hiNs: bigint };
  /** Only traces whose id starts with this (lowercase hex), when no id list was looked up. */
  prefix?: string;
  /** Leave out what `cost` and `stats` never read: event attributes and links. */
  slim?: boolean;
  /** Only these attribute keys are sent (the command's projection); absent: every key. */
  attributes?: Projection;
  /** Only traces this SQL condition on TraceId selects, with its parameters (cost pushdown: the traces decided in Node). */
  traceCondition?: { sql: string; params: Params };
  /** Spans in start order (lint), not whole traces one after another. */
  byStart?: boolean;
}

/** Attribute keys a command reads, exactly (cost/projection.ts derives them). */
export interface Projection {
  span: readonly string[];
  resource: readonly string[];
  /** Only traces with a span carrying one of these keys or names are read (cost/projection.ts). */
  callMarkers?: { keys: readonly string[]; names: readonly string[] };
}

/** Where the exporter's older layouts put the instrumentation scope (rows.ts reads them). */
const SCOPE_KEYS = ['otel.scope.name', 'otel.scope.version'];

export type Params = Record<string, unknown>;

/** Columns the source needs, with the type family each must have. */
export const REQUIRED_COLUMNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Timestamp', /^DateTime64/],
  ['TraceId', /String/],
  ['SpanId', /String/],
  ['ParentSpanId', /String/],
  ['TraceState', /String/],
  ['SpanName', /String/],
  ['SpanKind', /String/],
  ['ResourceAttributes', /^Map\(/],
  ['SpanAttributes', /^Map\(/],
  ['Duration', /Int64/],
  ['StatusCode', /String/],
  ['StatusMessage', /String/],
  ['Events.Timestamp', /^Array\(DateTime64/],
  ['Events.Name', /String/],
  ['Events.Attributes', /^Array\(Map\(/],
  ['Links.TraceId', /String/],
  ['Links.SpanId', /String/],
  ['Links.TraceState', /String/],
  ['Links.Attributes', /^Array\(Map\(/],
];

export const DESCRIBE_SQL = 'DESCRIBE TABLE {db:Identifier}.{table:Identifier}';
export const EXISTS_TS_SQL = 'EXISTS TABLE {db:Identifier}.{ts:Identifier}';

const NS_PER_MS = 1_000_000n;
/** Widening of a window pre-filter: Node applies the exact bounds; this only must not cut. */
const MARGIN_NS = NS_PER_MS;
/** trace_id_ts keeps DateTime (seconds) in the current layout: bounds are widened by a second. */
const SECOND_NS = 1_000_000_000n;

function msToNs(ms: number, round: 'floor' | 'ceil'): bigint {
  const whole = round === 'floor' ? Math.floor(ms) : Math.ceil(ms);
  return BigInt(whole) * NS_PER_MS;
}

function expr(name: (typeof SPAN_COLUMNS)[number], layout: Layout, slim: boolean, keep: Projection | undefined): string {
  switch (name) {
    // mapFilter in ClickHouse: keys nothing reads never leave the server (docs/architecture.md,
    // "ClickHouse pushdown").
    case 'SpanAttributes':
      return keep ? 'mapFilter((k, v) -> has({spanKeys:Array(String)}, k), SpanAttributes)' : name;
    case 'ResourceAttributes':
      return keep ? 'mapFilter((k, v) -> has({resourceKeys:Array(String)}, k), ResourceAttributes)' : name;
    case 'start':
      return 'toString(toUnixTimestamp64Nano(Timestamp))';
    case 'dur':
      return 'toString(Duration)';
    case 'ScopeName':
    case 'ScopeVersion':
      return layout.scopeColumns ? name : "''";
    case 'evTimes':
      return 'arrayMap(x -> toString(toUnixTimestamp64Nano(x)), `Events.Timestamp`)';
    case 'evNames':
      return '`Events.Name`';
    case 'evAttrs':
      return slim ? 'arrayMap(x -> map(), `Events.Name`)' : '`Events.Attributes`';
    // Slim reads links only of a span with an invalid link id, for the reader to skip it with a
    // problem as files do (rows.ts `linkId`): cost and stats read no link, but count no such span.
    case 'lnTraceIds':
      return slim ? `if(${INVALID_LINK_SQL}, \`Links.TraceId\`, emptyArrayString())` : '`Links.TraceId`';
    case 'lnSpanIds':
      return slim ? `if(${INVALID_LINK_SQL}, \`Links.SpanId\`, emptyArrayString())` : '`Links.SpanId`';
    case 'lnStates':
      return slim ? `if(${INVALID_LINK_SQL}, arrayMap(x -> '', \`Links.TraceId\`), emptyArrayString())` : '`Links.TraceState`';
    case 'lnAttrs':
      return slim ? `if(${INVALID_LINK_SQL}, arrayMap(x -> map(), \`Links.TraceId\`), [])` : '`Links.Attributes`';
    default:
      return name;
  }
}

/**
 * The condition choosing the traces of a selection (trace ids, a prefix, a window, call
 * markers), with its parameters added to `params`: the span query's, and the cost pushdown's
 * (cost/pushdown-sql.ts) so that both read the same traces.
 */
export function traceWhere(sel: Selection, params: Params): string[] {
  const where: string[] = [];
  if (sel.traces) {
    where.push('TraceId IN {ids:Array(String)}', 'Timestamp >= fromUnixTimestamp64Nano({lo:Int64})', 'Timestamp <= fromUnixTimestamp64Nano({hi:Int64})');
    params.ids = sel.traces.ids;
    params.lo = sel.traces.loNs - SECOND_NS;
    params.hi = sel.traces.hiNs + SECOND_NS;
  } else if (sel.prefix !== undefined) {
    where.push('startsWith(TraceId, {prefix:String})');
    params.prefix = sel.prefix;
  }
  const inner: string[] = [];
  const window: string[] = [];
  if (sel.sinceMs !== undefined) {
    window.push('Timestamp >= fromUnixTimestamp64Nano({since:Int64})');
    params.since = msToNs(sel.sinceMs, 'floor') - MARGIN_NS;
  }
  if (sel.untilMs !== undefined) {
    window.push('Timestamp < fromUnixTimestamp64Nano({until:Int64})');
    params.until = msToNs(sel.untilMs, 'ceil') + MARGIN_NS;
  }
  // A span without a start time (span.ts `timeKnown`; 1970-01-01 00:00:00 here) is in no window
  // and outside none: its trace is read so that `cost` and `stats` count its call as untimed. It
  // lives in the 1970-01-01 partition: the OR keeps pruning to the window's partitions and that
  // one (docs/architecture.md "Unset span times").
  if (window.length) inner.push(`(${window.join(' AND ')} OR ${UNSET_START_SQL})`);
  const markers = sel.attributes?.callMarkers;
  if (markers) {
    // Only traces with a span that can be a model call (in the window, where there is one: a
    // call outside it is not counted): the others add nothing to cost or stats.
    // The keys subcolumn alone: mapKeys() read the values too (docs/architecture.md, "ClickHouse cost pushdown").
    inner.push('(arrayExists(k -> k IN {markerKeys:Array(String)}, SpanAttributes.keys) OR has({markerNames:Array(String)}, SpanName))');
    params.markerKeys = [...markers.keys];
    params.markerNames = [...markers.names];
  }
  // A call in the window needs its whole trace (count-once looks at descendants, features
  // are inherited from ancestors), whose other spans may start outside it.
  if (inner.length) where.push(`TraceId IN (SELECT TraceId FROM {db:Identifier}.{table:Identifier} WHERE ${inner.join(' AND ')})`);
  if (sel.traceCondition) {
    where.push(sel.traceCondition.sql);
    Object.assign(params, sel.traceCondition.params);
  }
  return where;
}

/** A span row whose start is unknown: span.ts `timeKnown` in SQL (`Timestamp` is DateTime64(9); unset arrives as 1970-01-01 00:00:00). */
export const UNSET_START_SQL = 'Timestamp <= fromUnixTimestamp64Nano(0)';

/**
 * The span rows of the selected traces: whole traces one after another (the attributor decides
 * them early), or with `byStart` in start order, as a file holds them: `lint` writes its findings
 * in the order spans come, and lists the same spans in a file the same way (ties by ids, so the
 * order is one; docs/architecture.md, "ClickHouse source").
 */
export function spansQuery(layout: Layout, sel: Selection): { query: string; params: Params } {
  const params: Params = {};
  const where = traceWhere(sel, params);
  if (sel.attributes) {
    params.spanKeys = layout.scopeColumns ? [...sel.attributes.span] : [...sel.attributes.span, ...SCOPE_KEYS];
    params.resourceKeys = [...sel.attributes.resource];
  }
  const columns = SPAN_COLUMNS.map((c) => `${expr(c, layout, sel.slim === true, sel.attributes)} AS ${c}`).join(', ');
  const query = `SELECT ${columns} FROM {db:Identifier}.{table:Identifier}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${sel.byStart ? 'Timestamp, TraceId, SpanId, ParentSpanId, SpanName' : 'TraceId, Timestamp'}`;
  return { query, params };
}

/** Trace ids starting with `prefix`, with the bounds of their span starts, from trace_id_ts. */
export function prefixLookupQuery(prefix: string, limit: number): { query: string; params: Params } {
  return {
    query:
      'SELECT TraceId, toString(toUnixTimestamp64Nano(toDateTime64(min(Start), 9))) AS lo, toString(toUnixTimestamp64Nano(toDateTime64(max(End), 9))) AS hi ' +
      'FROM {db:Identifier}.{ts:Identifier} WHERE startsWith(TraceId, {prefix:String}) GROUP BY TraceId ORDER BY TraceId LIMIT {limit:UInt32}',
    params: { prefix, limit },
  };
}

/**
 * A trace id as the readers accept it (rows.ts `TRACE_ID`; files refuse an all-zero id too): what
 * `tree` counts as a trace. A span with another id is skipped with a problem where it is read.
 */
export const VALID_TRACE_ID_SQL = `match(TraceId, '^[0-9a-f]{32}$') AND TraceId != '${'0'.repeat(32)}'`;

/** A span with a link whose trace or span id is not lowercase hex of its length, or is all zeros: files skip it (rows.ts `linkId`). */
export const INVALID_LINK_SQL = `(arrayExists(x -> NOT match(x, '^[0-9a-f]{32}$') OR x = '${'0'.repeat(32)}', \`Links.TraceId\`) OR arrayExists(x -> NOT match(x, '^[0-9a-f]{16}$') OR x = '${'0'.repeat(16)}', \`Links.SpanId\`))`;

/**
 * A span the reader keeps once its trace id is valid (rows.ts): a span id of 16 lowercase hex
 * digits, not all zero, a parent id empty or of 16 (all zeros is none), and valid link ids.
 * Files skip the others with a problem, so a trace made only of them is no trace.
 */
export const VALID_SPAN_SQL = `match(SpanId, '^[0-9a-f]{16}$') AND SpanId != '${'0'.repeat(16)}' AND (ParentSpanId = '' OR match(ParentSpanId, '^[0-9a-f]{16}$')) AND NOT ${INVALID_LINK_SQL}`;

/** The valid trace ids (with ids starting with `prefix`), as a condition with its parameters. */
function traceIdWhere(prefix: string | undefined, params: Params): string {
  if (prefix === undefined) return VALID_TRACE_ID_SQL;
  params.prefix = prefix;
  return `${VALID_TRACE_ID_SQL} AND startsWith(TraceId, {prefix:String})`;
}

/**
 * Whether the reader would skip a span of a valid trace id (with ids starting with `prefix`):
 * trace_id_ts has no span ids, so only without such a span does it place and count traces as
 * the reader finds them (a trace of skipped spans only is no trace for files; one with a
 * skipped span is placed by its kept spans). Stops at the first; none means a scan of the id
 * and link columns.
 */
export function skippedSpanQuery(prefix: string | undefined): { query: string; params: Params } {
  const params: Params = {};
  return { query: `SELECT 1 AS skipped FROM {db:Identifier}.{table:Identifier} WHERE NOT (${VALID_SPAN_SQL}) AND ${traceIdWhere(prefix, params)} LIMIT 1`, params };
}

/**
 * How many traces there are (with ids starting with `prefix`), counted where newestQuery looked
 * them up: trace_id_ts holds a row per trace and insert, a few times fewer than the spans; in the
 * table, traces with a span the reader keeps.
 */
export function traceCountQuery(layout: Layout, prefix: string | undefined): { query: string; params: Params } {
  const params: Params = {};
  const where = traceIdWhere(prefix, params);
  const query = layout.traceIdTs
    ? `SELECT uniqExact(TraceId) AS n FROM {db:Identifier}.{ts:Identifier} WHERE ${where}`
    : `SELECT uniqExact(TraceId) AS n FROM {db:Identifier}.{table:Identifier} WHERE ${where} AND ${VALID_SPAN_SQL}`;
  return { query, params };
}

/**
 * The newest N traces by their earliest known span start, as `tree --last` picks them
 * (trace-starts.ts `earliestKnownStart`: a span at 1970, OTLP's unset start, does not place its
 * trace; a trace with no known start is at 0, the oldest), among valid trace ids only (files skip
 * the others). Ties go to the larger id, as TraceStarts.ordered() keeps them for files.
 *
 * trace_id_ts narrows the candidates: its Start is whole seconds in the current layout, so the
 * Nth second is taken WITH TIES. Its Start is a minimum per insert, which a span at 1970 makes
 * 1970 whatever the known starts: the traces with such a row are all candidates too (few: they
 * are those the exporter sent without a start), so the candidates hold the true newest N.
 * Their exact known starts come from the table. There a trace is placed by the spans the reader
 * keeps (`VALID_SPAN_SQL`), and one with none is no trace, as for files; trace_id_ts cannot tell
 * them, so it is used only when no span is skipped (`skippedSpanQuery`).
 */
export function newestQuery(layout: Layout, n: number, prefix: string | undefined): { query: string; params: Params } {
  const params: Params = { n };
  const where = traceIdWhere(prefix, params);
  const ts = `SELECT TraceId FROM {db:Identifier}.{ts:Identifier} WHERE ${where} GROUP BY TraceId`;
  const candidates = layout.traceIdTs
    ? `(TraceId IN (${ts} HAVING min(Start) > toDateTime(0) ORDER BY min(Start) DESC LIMIT {n:UInt32} WITH TIES) OR TraceId IN (${ts} HAVING min(Start) <= toDateTime(0)))`
    : '1';
  return {
    query:
      'SELECT TraceId, toString(min(toUnixTimestamp64Nano(Timestamp))) AS lo, toString(max(toUnixTimestamp64Nano(Timestamp))) AS hi ' +
      `FROM {db:Identifier}.{table:Identifier} WHERE ${where} AND ${candidates} GROUP BY TraceId HAVING countIf(${VALID_SPAN_SQL}) > 0 ` +
      // minIf over no row is 0: a trace without a known start sorts as the oldest, as for files.
      `ORDER BY minIf(toUnixTimestamp64Nano(Timestamp), NOT (${UNSET_START_SQL}) AND ${VALID_SPAN_SQL}) DESC, TraceId DESC LIMIT {n:UInt32}`,
    params,
  };
}

/**
 * `cost` pushed into ClickHouse (docs/architecture.md, "ClickHouse cost pushdown"): SQL that
 * decides count-once, feature inheritance and the window per trace and returns a few hundred
 * groups of calls with raw token sums. Generated from the tables the file path reads (the GenAI
 * view's kind and usage tables through pushdown-classify-sql.ts, DIMENSION_KEY_SCOPES, the
 * dimensions' key lists), never a list of its own. What it does not model — Langfuse's and
 * LangSmith's JSON usage, reported costs, the inherited model, junk numbers, duplicate or
 * all-zero ids, cycles, deep or huge traces — marks the trace for the Node path (`fb`), which
 * reads those traces' spans whole.
 *
 * Exactness of grouped sums: a call's normalized usage is a linear function of its raw counts
 * once the comparisons normalizeUsage makes are fixed, and its price once its tier and dated
 * price are fixed; each group holds calls with equal outcomes of all of them (the `flags` and
 * `buckets` columns), and one member's raw values (the witness) tell Node which outcome it is.
 */
import { REPORTED_COST_KEYS } from '../genai/agents.js';
import { DIMENSION_KEY_SCOPES } from '../genai/producers.js';
import { INHERITED_MODEL_KEYS } from './inherited-model.js';
import { LOGFIRE_PENDING_SPAN, LOGFIRE_SPAN_TYPE } from '../otlp/placeholder-spans.js';
import { INVALID_LINK_SQL, UNSET_START_SQL, VALID_TRACE_ID_SQL } from '../sources/clickhouse/query.js';
import { attr, classifySql, hasKeyIn, sqlString } from './pushdown-classify-sql.js';

/** Traces larger or deeper than this are decided in Node (the SQL walk is per span × depth). */
export const MAX_PUSHED_SPANS = 400;
export const MAX_PUSHED_DEPTH = 16;
/** A span's tracked keys are one UInt64 bit mask in the SQL (dimensionColumns()): more keys are decided in Node. */
export const MAX_PUSHED_TRACKED_KEYS = 64;

export interface PushdownPlan {
  /** Tracked keys, in order (feature keys first), as the Attributor tracks them. */
  tracked: readonly string[];
  /** Per output dimension (the feature first), its tracked key indexes in order. */
  dims: ReadonlyArray<readonly number[]>;
  /** Group by the hour of the call's start (day/hour dimensions). */
  byHour: boolean;
  /** Group by trace id (the trace dimension). */
  byTrace: boolean;
  /** Every tier threshold of the book and every dated price boundary (ms). */
  tierThresholds: readonly number[];
  priceBoundaries: readonly number[];
  sinceMs?: number;
  untilMs?: number;
  /** The command's attribute projection (the witness's attributes). */
  spanKeys: readonly string[];
  resourceKeys: readonly string[];
  /** The selected traces: the same condition as the span query's (query.ts). */
  traceCondition: string;
  scopeColumns: boolean;
  /** The engine writes the per-trace state to disk beyond this many bytes (max_bytes_before_external_group_by). */
  spillBytes: number;
}

type Params = Record<string, unknown>;

/** Resource lookups go to the read keys only (`ra`). */
const r = (k: string): string => `ra[${sqlString(k)}]`;

/** A tracked key's value on a span or resource ('' when absent or when its scope says it is not one). */
function trackedValue(key: string, at: (k: string) => string): string {
  const scope = DIMENSION_KEY_SCOPES[key];
  return scope === undefined ? at(key) : `if(${at(scope[0])} = ${sqlString(scope[1])}, ${at(key)}, '')`;
}

/** The per-span columns: what count-once, the dimensions and the groups read of each span. */
export function spansSubquery(plan: PushdownPlan, params: Params): string {
  const view = classifySql(params);
  params.pd_spanKeys = [...plan.spanKeys];
  params.pd_placeholderKey = LOGFIRE_SPAN_TYPE;
  params.pd_placeholderValue = LOGFIRE_PENDING_SPAN;
  params.pd_resourceKeys = [...plan.resourceKeys];
  params.pd_resourceFamilyKeys = [...INHERITED_MODEL_KEYS];
  params.pd_spanFamilyKeys = [...REPORTED_COST_KEYS, ...INHERITED_MODEL_KEYS];
  const scope = plan.scopeColumns ? 'ScopeName' : attr('otel.scope.name');
  const startMs = 'toFloat64(intDiv(toUnixTimestamp64Nano(Timestamp), 1000000)) + toFloat64(toUnixTimestamp64Nano(Timestamp) % 1000000) / 1e6';
  const zeros = '0'.repeat(16);
  const bad = [
    'badClassify',
    'rowBad',
    // An invalid trace id (all zeros too): Node's reader skips the span with a problem, as files do.
    `NOT (${VALID_TRACE_ID_SQL})`,
    `NOT match(SpanId, '^[0-9a-f]{16}$')`,
    `(ParentSpanId != '' AND NOT match(ParentSpanId, '^[0-9a-f]{16}$'))`,
    // The walk maps ids to numbers, 0 standing for "no parent": an all-zero id is left to Node,
    // whose reader skips a span with one and reads such a parent as none, as files do (rows.ts).
    `SpanId = '${zeros}' OR ParentSpanId = '${zeros}'`,
    // A link with an invalid id (the row's `linkBad`): Node's reader skips the span, as files do.
    'linkBad',
    // No start time: the window, the hour and a dated price are decided by Node's rule (span.ts
    // `timeKnown`), which reads the trace whole (docs/architecture.md "Unset span times").
    UNSET_START_SQL,
  ].join(' OR ');
  const vals = plan.tracked.length ? `[${plan.tracked.map((k) => trackedValue(k, attr)).join(', ')}]` : 'emptyArrayString()';
  const rvals = plan.tracked.length ? `[${plan.tracked.map((k) => trackedValue(k, r)).join(', ')}]` : 'emptyArrayString()';
  const readKeys = new Set<string>(view.readKeys);
  if (!plan.scopeColumns) readKeys.add('otel.scope.name');
  const resourceRead = new Set<string>(['service.name']);
  for (const k of plan.tracked) {
    readKeys.add(k);
    resourceRead.add(k);
    const sc = DIMENSION_KEY_SCOPES[k];
    if (sc) {
      readKeys.add(sc[0]);
      resourceRead.add(sc[0]);
    }
  }
  params.pd_readKeys = [...readKeys];
  params.pd_resourceRead = [...resourceRead];
  params.pd_maxSpans = MAX_PUSHED_SPANS;
  // What reads the table's row: the projected maps, and the checks on the whole maps. A column
  // of this inner query is a name to the outer one; an alias in the same query is its expression
  // copied into every use, which made the query tree hundreds of times the query's size and
  // ClickHouse's analysis passes take seconds (docs/architecture.md, "ClickHouse cost pushdown").
  const rowColumns =
    `TraceId, SpanId, ParentSpanId, SpanName, Timestamp,${plan.scopeColumns ? ' ScopeName,' : ''}` +
    ` mapFilter((k, v) -> k IN {pd_readKeys:Array(String)}, SpanAttributes) AS sa, mapFilter((k, v) -> k IN {pd_resourceRead:Array(String)}, ResourceAttributes) AS ra, ${view.rowColumns},` +
    // Read by the calls stage beyond the view (reported costs, the inherited model, also on the resource).
    ` ${hasKeyIn('SpanAttributes', 'pd_spanFamilyKeys')} OR ${hasKeyIn('ResourceAttributes', 'pd_resourceFamilyKeys')} AS rowBad, ${INVALID_LINK_SQL} AS linkBad`;
  const spanColumns =
    `TraceId, SpanId, reinterpretAsUInt64(unhex(SpanId)) AS sid, if(ParentSpanId = SpanId OR ParentSpanId = '', toUInt64(0), reinterpretAsUInt64(unhex(ParentSpanId))) AS pid,` +
    ` ${startMs} AS ms, SpanName,` +
    ` u, kind, m, badClassify, identKeys, present, counts, (${bad}) AS bad, ${vals} AS vals, ${rvals} AS rvals, if(u OR m, toString(tuple(identKeys, ${scope}, ${r('service.name')})), '') AS ident,` +
    // Only model and usage spans can be calls: their columns are kept for them alone. `ident` is
    // only a group key (Node classifies the witness span): its tuple as text (quoted and escaped,
    // one text a tuple) is one string column instead of two dozen through the per-trace arrays,
    // the ARRAY JOIN and the GROUP BY (docs/architecture.md, "ClickHouse cost pushdown").
    ' u OR m AS cand';
  // Logfire's placeholders are no spans (docs/architecture.md "Placeholder spans"): left out here
  // as the reader drops them for the traces Node decides.
  const rows = `SELECT ${rowColumns} FROM {db:Identifier}.{table:Identifier} WHERE (${plan.traceCondition}) AND SpanAttributes[{pd_placeholderKey:String}] != {pd_placeholderValue:String}`;
  // The tracked values as a bit mask of the keys set and the values set (most are empty): what
  // the per-trace arrays carry (see dimensionColumns()).
  const sparse = `${maskOf('vals', plan.tracked)} AS hm, arrayFilter(x -> x != '', vals) AS nzv, ${maskOf('rvals', plan.tracked)} AS rm, arrayFilter(x -> x != '', rvals) AS rnz`;
  return layered(`SELECT ${spanColumns} FROM (${layered(rows, view.layers)})`, [sparse]);
}

/**
 * Per trace, the numeric walk: span ids as UInt64 (an id is 16 hex digits: exact), each span's
 * ancestors level by level as indexes into the trace's arrays (L1 = the parent's index, 0 for a
 * root or a parent that never arrived; Lk = L1 of L(k−1)), and `fb`: a trace the SQL does not
 * decide (a marked span, a repeated id, too many spans, or an ancestor at level D: a cycle or a
 * deeper chain). Lambdas capture only these small numeric arrays: a captured array is copied
 * once per element it is mapped over (docs/architecture.md, "ClickHouse cost pushdown").
 */
function walk(extra: string): string {
  const D = MAX_PUSHED_DEPTH;
  // One level a layer (see layered()).
  const levels = ['arrayMap(p -> indexOf(ids, p), ps) AS L1'];
  for (let k = 2; k <= D; k++) levels.push(`arrayMap(x -> if(x = 0, 0, L1[x]), L${k - 1}) AS L${k}`);
  return layered(`SELECT TraceId, groupArray(sid) AS ids, groupArray(pid) AS ps, max(bad) AS bad, count() AS n, uniqExact(sid) AS uniq${extra} FROM (SPANS) GROUP BY TraceId`, [
    ...levels,
    `(bad OR n != uniq OR n > {pd_maxSpans:UInt32} OR arrayExists(x -> x > 0, L${D})) AS fb`,
  ]);
}

const LEVELS = Array.from({ length: MAX_PUSHED_DEPTH }, (_, k) => `L${k + 1}`);
const levelArgs = LEVELS.map((l) => l.toLowerCase()).join(', ');

/*
 * Index 0 (no ancestor at that level) reads false: ClickHouse's arr[0] with an index that is not
 * a constant is the type's default. Guarding it (`l > 0 AND flag[l]`) made ClickHouse's logical
 * expression pass spend 0.4 s on each OR of such pairs.
 */

/** Per span, whether one of its ancestors (at any level) has `flag` set (`flag`: a UInt8 array). */
function anyAncestor(flag: string): string {
  return `arrayMap((${levelArgs}) -> ${LEVELS.map((_, k) => `${flag}[l${k + 1}]`).join(' OR ')}, ${LEVELS.join(', ')})`;
}

/**
 * The per-trace decisions over the walk: count-once (trace/count-once.ts: a usage span with no
 * usage span below; a model span without usage with no model or usage span below and no counted
 * usage span above). `uBelow`/`umBelow` flag the ancestors of usage (usage or model) spans: every
 * level's index of such spans.
 */
export function traceSubquery(plan: PushdownPlan, params: Params): string {
  const spans = spansSubquery(plan, params);
  const extra =
    ', groupArray(u) AS us, groupArray(m) AS mss, groupArray(hm) AS hms, arrayFlatten(groupArray(nzv)) AS nz, groupArrayIf(rm, cand) AS rmC, groupArrayIf(rnz, cand) AS rnzC, groupArrayIf(ident, cand) AS idents, groupArrayIf(present, cand) AS presents,' +
    ' groupArrayIf(counts, cand) AS countsArr, groupArrayIf(SpanId, cand) AS candIds, groupArrayIf(ms, cand) AS msArr,' +
    " argMinIf(SpanName, (ms, SpanId), pid = 0) AS rootName, countIf(pid = 0) > 0 AS hasRoot";
  const marked = (cond: string) => `arrayConcat(${LEVELS.map((l) => `arrayFilter((x, u, m) -> x > 0 AND (${cond}), ${l}, us, mss)`).join(', ')})`;
  const flagOf = (set: string) => `arrayMap(i -> has(${set}, i), arrayEnumerate(ids))`;
  return layered(walk(extra).replace('SPANS', () => spans), [
    `${flagOf(marked('u'))} AS uBelow, ${flagOf(marked('u OR m'))} AS umBelow`,
    'arrayMap((u, a) -> u AND NOT a, us, uBelow) AS counted',
    `arrayMap((k, u, m, b, c) -> k OR (m AND NOT u AND NOT b AND NOT c), counted, us, mss, umBelow, ${anyAncestor('counted')}) AS isCall`,
    // isCall over the candidates only (the arrays kept for them: a call is always one).
    'arrayFilter((k, u, m) -> u OR m, isCall, us, mss) AS callOfCand',
  ]);
}

/**
 * `inner` with each list of columns added by a query of its own over the previous one. Within
 * one query ClickHouse copies an alias's expression into every use of it before analysing; a
 * column of a subquery is a name. The copies made the query tree hundreds of times the query's
 * size and the analysis passes over it took seconds (docs/architecture.md, "ClickHouse cost
 * pushdown"), so a column read more than once by later expressions is defined a layer below them.
 */
function layered(inner: string, layers: readonly string[]): string {
  return layers.reduce((q, cols) => `SELECT *, ${cols} FROM (${q})`, inner);
}

/** Nested bitOr of the terms (bitOr takes two arguments). */
function bitOrAll(terms: readonly string[]): string {
  return terms.reduce((acc, t) => `bitOr(${acc}, ${t})`);
}

/** A value array's tracked keys as a bit mask (bit k: key k is set). */
function maskOf(v: string, tracked: readonly string[]): string {
  return tracked.length ? tracked.map((_, k) => `if(${v}[${k + 1}] != '', toUInt64(${2 ** k}), toUInt64(0))`).join(' + ') : 'toUInt64(0)';
}

/**
 * The bit of tracked key `k` (1-based; 0: none). multiIf evaluates every branch inside a lambda,
 * so the none branch must not fail either: its bit position is 0, not -1.
 */
const BIT = 'greatest(k, 1) - 1';

/** The value of tracked key `k` (1-based) in the set values `nz` of a mask `m`, from offset `pre`. */
function setValue(nz: string, pre: string, m: string): string {
  return `${nz}[${pre} + bitCount(bitAnd(${m}, bitShiftLeft(toUInt64(1), ${BIT}) - 1)) + 1]`;
}

/**
 * Per call, the dimensions' values, found as numbers and gathered once (docs/architecture.md,
 * "ClickHouse cost pushdown"). Each span's tracked keys are a bit mask (`hms`); a call's chain
 * mask ORs its own and its ancestors'; a dimension's winning key is the first of its keys in
 * the chain or on the call's resource (`wK<j>`: tracked index + 1, 0: none), its holder the
 * nearest span of the chain holding it (`wS<j>`, 0: the resource). The value is then read from
 * `nz`, the trace's non-empty tracked values in span and key order, at the holder's offset
 * (`pre`: non-empty values on earlier spans), or from the call's resource values (`rcs`). A
 * lambda copies what it captures once per element: these capture numeric arrays and `nz`,
 * which holds only the values that are set.
 */
function dimensionColumns(dims: ReadonlyArray<readonly number[]>): string[] {
  const callLevels = LEVELS.map((l) => `arrayFilter((x, c) -> c, ${l}, isCall) AS c${l}`).join(', ');
  const cLevels = LEVELS.map((l) => `c${l}`).join(', ');
  const levelIdx = ['i', ...LEVELS.map((l) => l.toLowerCase())];
  const used = dims.filter((keys) => keys.length);
  if (!used.length) return [];
  return [
    `arrayFilter((x, c) -> c, rmC, callOfCand) AS rms, arrayFilter((x, c) -> c, rnzC, callOfCand) AS rcs, arrayFilter((x, c) -> c, arrayEnumerate(ids), isCall) AS cI, ${callLevels}`,
    `arrayMap((c, h) -> c - h, arrayCumSum(arrayMap(m -> bitCount(m), hms)), arrayMap(m -> bitCount(m), hms)) AS pre,` +
      ` arrayMap((${levelIdx.join(', ')}) -> ${bitOrAll(levelIdx.map((l) => `hms[${l}]`))}, cI, ${cLevels}) AS chain`,
    dims
      .map((keys, j) => `arrayMap((m, r) -> multiIf(${keys.map((k) => `bitTest(bitOr(m, r), ${k}), ${k + 1}`).join(', ')}, 0), chain, rms) AS wK${j}`)
      .filter((_, j) => dims[j]!.length)
      .join(', '),
    dims
      .map((_, j) => `arrayMap((k, ${levelIdx.join(', ')}) -> multiIf(k = 0, 0, ${levelIdx.map((l) => `bitTest(hms[${l}], ${BIT}), ${l}`).join(', ')}, 0), wK${j}, cI, ${cLevels}) AS wS${j}`)
      .filter((_, j) => dims[j]!.length)
      .join(', '),
  ];
}

/** A dimension's value for each call (an array in the order of the calls), from dimensionColumns(). */
function dimension(keys: readonly number[], j: number): string {
  if (!keys.length) return "arrayMap(x -> '', arrayFilter(c -> c, isCall))";
  return `arrayMap((s, k, r, rm) -> multiIf(k = 0, '', s = 0, ${setValue('r', '0', 'rm')}, ${setValue('nz', 'pre[s]', 'hms[s]')}), wS${j}, wK${j}, rcs, rms)`;
}

/**
 * The groups query. Rows: [key, calls, sums (5), witness, a member's start (ms)], the key a tuple
 * ['call' | 'traces', node, dims…, hasRoot, rootName, trace, hour, ident, present, flags, buckets]. A 'traces' row per `node` value counts the
 * selected traces (calls column) and their spans (first sum) decided here (node false) or in Node.
 */
export function groupsQuery(plan: PushdownPlan): { query: string; params: Params; dimCount: number } {
  const params: Params = {};
  const base = traceSubquery(plan, params);
  // Conditions that drop a call (branches of one multiIf, see below).
  const outside: string[] = [];
  if (plan.sinceMs !== undefined) {
    outside.push('ms < {pd_since:Float64}');
    params.pd_since = plan.sinceMs;
  }
  if (plan.untilMs !== undefined) {
    outside.push('ms >= {pd_until:Float64}');
    params.pd_until = plan.untilMs;
  }
  params.pd_tiers = [...plan.tierThresholds];
  params.pd_dates = [...plan.priceBoundaries];
  const c = 'cnt';
  const cache = `(${c}.3 + ${c}.4)`;
  // The comparisons normalizeUsage makes (read-usage.ts), so that members of a group share them.
  const flags =
    `tuple(${cache} > 0, ${c}.5 > 0, ${cache} > ${c}.1, ${c}.5 > ${c}.2, ${c}.6 = ${c}.1 + ${c}.2, ${c}.6 = ${c}.1 + ${cache} + ${c}.2,` +
    ` ${c}.6 = ${c}.1 + ${c}.2 + ${c}.5, ${c}.6 = ${c}.1 + ${cache} + ${c}.2 + ${c}.5)`;
  // The price tier (by either reading of the input) and the dated price in force.
  const buckets = `tuple(arrayCount(x -> ${c}.1 > x, {pd_tiers:Array(Float64)}), arrayCount(x -> ${c}.1 + ${cache} > x, {pd_tiers:Array(Float64)}), arrayCount(x -> ms >= x, {pd_dates:Array(Float64)}))`;
  const dims = plan.dims.map((keys, j) => dimension(keys, j));
  // Per trace, its calls' columns side by side (ARRAY JOIN then copies only these), behind one
  // element standing for the trace itself (t = 1): the trace counts.
  const joined = (name: string, arr: string) => `arrayConcat(arrayResize(arraySlice(${arr}, 1, 0), 1), arrayFilter((x, k) -> k, ${arr}, callOfCand)) AS ${name}`;
  const perTrace =
    `SELECT TraceId, fb, n, hasRoot, rootName,` +
    ` arrayPushFront(arrayMap(x -> 0, arrayFilter(k -> k, isCall)), 1) AS jt, ${joined('jIdent', 'idents')}, ${joined('jPres', 'presents')}, ${joined('jCnt', 'countsArr')},` +
    ` ${joined('jMs', 'msArr')}, ${joined('jWit', 'candIds')}` +
    dims.map((d, j) => `, arrayPushFront(${d}, '') AS jD${j}`).join('') +
    ` FROM (${layered(base, dimensionColumns(plan.dims))})`;
  const key = [
    "if(t = 1, 'traces', 'call')",
    'if(t = 1, fb, false)',
    ...dims.map((_, j) => `d${j}`),
    'if(t = 1, false, hasRoot)',
    "if(t = 1, '', rootName)",
    plan.byTrace ? "if(t = 1, '', TraceId)" : "''",
    // Quarter hours: every time zone's hours and days are unions of them (offsets like +05:45).
    plan.byHour ? 'if(t = 1, toInt64(0), intDiv(toInt64(floor(ms)), 900000))' : 'toInt64(0)',
    'ident',
    'pres',
    flags,
    buckets,
  ];
  // The calls one row each, then grouped by one column, the tuple of the key's parts: grouping on
  // the expressions themselves made ClickHouse's analyzer spend seconds on this query even on an
  // empty table, and each GROUP BY key still cost three of its passes ~0.1 CPU s
  // (docs/architecture.md, "ClickHouse cost pushdown").
  const calls =
    `SELECT tuple(${key.join(', ')}) AS key, ${c}, wit, n, t, ms, TraceId AS tid` +
    ` FROM (${perTrace}) ARRAY JOIN jt AS t, jIdent AS ident, jPres AS pres, jCnt AS cnt, jMs AS ms, jWit AS wit${dims.map((_, j) => `, jD${j} AS d${j}`).join('')}` +
    // A trace's row, then its calls unless the trace goes to Node or the call is outside the
    // window. As branches of a multiIf: as `t = 1 OR (NOT fb AND ms >= …)` it cost ClickHouse's
    // logical expression pass 0.3 CPU s of analysis (docs/architecture.md, "ClickHouse cost pushdown").
    ` WHERE multiIf(t = 1, true, fb, false, ${outside.map((o) => `${o}, false, `).join('')}true)`;
  const query =
    `SELECT key, count() AS ncalls, sum(if(t = 1, n, ${c}.1)) AS s1, sum(${c}.2) AS s2, sum(${c}.3) AS s3, sum(${c}.4) AS s4, sum(${c}.5) AS s5,` +
    ` any(tuple(${c}, tid, wit)) AS witness1, any(ms) AS start1 FROM (${calls}) GROUP BY key` +
    // GROUP BY TraceId holds every selected trace's arrays at once: beyond this the engine
    // spills them to disk and merges them part by part (docs/architecture.md, "ClickHouse cost pushdown").
    ` SETTINGS max_bytes_before_external_group_by = ${Math.floor(plan.spillBytes)}`;
  return { query, params, dimCount: dims.length };
}

/**
 * Whether at most `limit` spans start in the window (any span, as a bound: a table this small is
 * read as spans, see pushdown-groups.ts). Stops reading after `limit` + 1 rows, so it costs the
 * same on any table larger than that.
 */
export function smallWindowQuery(plan: PushdownPlan, limit: number): { query: string; params: Params } {
  const params: Params = { pd_max: limit, pd_limit: limit + 1 };
  const where: string[] = [];
  if (plan.sinceMs !== undefined) {
    where.push('Timestamp >= fromUnixTimestamp64Milli({pd_sinceMs:Int64})');
    params.pd_sinceMs = Math.floor(plan.sinceMs);
  }
  if (plan.untilMs !== undefined) {
    where.push('Timestamp < fromUnixTimestamp64Milli({pd_untilMs:Int64})');
    params.pd_untilMs = Math.ceil(plan.untilMs);
  }
  const query = `SELECT count() <= {pd_max:UInt64} FROM (SELECT 1 FROM {db:Identifier}.{table:Identifier}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} LIMIT {pd_limit:UInt64})`;
  return { query, params };
}

/** The traces the Node path decides: the selected traces the SQL marks `fb` (the walk only). */
export function fallbackCondition(plan: PushdownPlan, params: Params): string {
  return `TraceId IN (SELECT TraceId FROM (${walk('').replace('SPANS', () => spansSubquery(plan, params))}) WHERE fb)`;
}

/**
 * The spans Node classifies for the groups (one a kind of group, cost/pushdown-groups.ts), by
 * trace and span id: what classify reads of them (the command's attribute projection).
 */
export function witnessQuery(plan: PushdownPlan, traceIds: readonly string[], spanIds: readonly string[]): { query: string; params: Params } {
  const scope = plan.scopeColumns ? 'ScopeName' : "SpanAttributes['otel.scope.name']";
  return {
    query:
      `SELECT TraceId, SpanId, toString(toUnixTimestamp64Nano(Timestamp)), SpanName, ${scope}, mapFilter((k, v) -> k IN {pd_spanKeys:Array(String)}, SpanAttributes),` +
      ' mapFilter((k, v) -> k IN {pd_resourceKeys:Array(String)}, ResourceAttributes)' +
      ' FROM {db:Identifier}.{table:Identifier} WHERE TraceId IN {pd_wt:Array(String)} AND SpanId IN {pd_ws:Array(String)}',
    params: { pd_spanKeys: [...plan.spanKeys], pd_resourceKeys: [...plan.resourceKeys], pd_wt: [...traceIds], pd_ws: [...spanIds] },
  };
}

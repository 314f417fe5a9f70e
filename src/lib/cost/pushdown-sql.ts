/**
 * `cost` pushed into ClickHouse (docs/architecture.md, "ClickHouse cost pushdown"): SQL that
 * decides count-once, feature inheritance and the window per trace and returns a few hundred
 * groups of calls with raw token sums. Generated from the tables the file path reads (the usage
 * key chains, OPERATION_KINDS, DIMENSION_KEY_SCOPES, the dimensions' key lists), never a list of
 * its own. What it does not model — vendor families whose keys change the GenAI view (their
 * marker keys), reported costs, the inherited model, junk numbers, duplicate ids, cycles, deep or
 * huge traces — marks the trace for the Node path (`fb`), which reads those traces' spans whole.
 *
 * Exactness of grouped sums: a call's normalized usage is a linear function of its raw counts
 * once the comparisons normalizeUsage makes are fixed, and its price once its tier and dated
 * price are fixed; each group holds calls with equal outcomes of all of them (the `flags` and
 * `buckets` columns), and one member's raw values (the witness) tell Node which outcome it is.
 */
import { REPORTED_COST_KEYS } from '../genai/agents.js';
import { LANGSMITH } from '../genai/conventions-langsmith-spanora.js';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  GEN_AI,
  GEN_AI_DEPRECATED,
  INPUT_KEYS,
  LANGFUSE,
  OPENINFERENCE,
  OPERATION_KINDS,
  OUTPUT_KEYS,
  REASONING_KEYS,
  TOTAL_KEYS,
  TRACELOOP,
  VERCEL,
  VERCEL_OPERATIONS,
  type TaggedKeys,
} from '../genai/conventions.js';
import { DIMENSION_KEY_SCOPES } from '../genai/producers.js';
import type { Convention } from '../genai/types.js';

/**
 * Families whose spans the SQL does not classify: each of these keys (or a Vercel operation's
 * span name) switches classify to rules beyond the current gen_ai keys (their kinds, model and
 * usage keys, JSON usage), so a trace with one is decided in Node.
 */
export const NODE_FAMILY_KEYS: readonly string[] = [
  OPENINFERENCE.SPAN_KIND,
  VERCEL.OPERATION_ID,
  TRACELOOP.SPAN_KIND,
  TRACELOOP.REQUEST_TYPE,
  LANGFUSE.OBSERVATION_TYPE,
  LANGFUSE.USAGE_DETAILS,
  LANGFUSE.MODEL_NAME,
  LANGSMITH.INPUT_TOKEN_DETAILS,
  LANGSMITH.OUTPUT_TOKEN_DETAILS,
  LANGSMITH.USAGE_METADATA,
];

/** Conventions whose usage keys classify reads only on their own family's spans (Node-only here). */
const GATED: ReadonlySet<Convention> = new Set(['openinference', 'vercel']);

/** A token count the SQL reads exactly: plain decimal digits (junk or other spellings go to Node). */
const PLAIN_COUNT = '^[0-9]{1,12}$';
/** Traces larger or deeper than this are decided in Node (the SQL walk is per span × depth). */
export const MAX_PUSHED_SPANS = 400;
export const MAX_PUSHED_DEPTH = 16;

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
}

type Params = Record<string, unknown>;

const s = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** Lookups go to the span's read keys only (`sa`, `ra`): a Map lookup scans its keys. */
const a = (k: string): string => `sa[${s(k)}]`;
const r = (k: string): string => `ra[${s(k)}]`;

function ungated(keys: TaggedKeys): string[] {
  return keys.filter(([, c]) => !GATED.has(c)).map(([k]) => k);
}

/** The first non-empty value of `keys` as a count (values are checked plain by `bad`). */
function pick(keys: readonly string[]): { value: string; present: string } {
  const value = `multiIf(${keys.map((k) => `${a(k)} != '', toUInt64OrZero(${a(k)})`).join(', ')}, toUInt64(0))`;
  const present = `(${keys.map((k) => `${a(k)} != ''`).join(' OR ')})`;
  return { value, present };
}

/** A tracked key's value on a span or resource ('' when absent or when its scope says it is not one). */
function trackedValue(key: string, at: (k: string) => string): string {
  const scope = DIMENSION_KEY_SCOPES[key];
  return scope === undefined ? at(key) : `if(${at(scope[0])} = ${s(scope[1])}, ${at(key)}, '')`;
}

/** The per-span columns, and the per-trace arrays and decisions. */
function traceSubquery(plan: PushdownPlan, params: Params): string {
  const input = pick(ungated(INPUT_KEYS));
  const output = pick(ungated(OUTPUT_KEYS));
  const cr = pick(ungated(CACHE_READ_KEYS));
  const cw = pick(ungated(CACHE_WRITE_KEYS));
  const rs = pick(ungated(REASONING_KEYS));
  const total = pick([...TOTAL_KEYS]);
  const countKeys = [...new Set([...ungated(INPUT_KEYS), ...ungated(OUTPUT_KEYS), ...ungated(CACHE_READ_KEYS), ...ungated(CACHE_WRITE_KEYS), ...ungated(REASONING_KEYS), ...TOTAL_KEYS])];
  params.pd_countKeys = countKeys;
  params.pd_familyKeys = [...NODE_FAMILY_KEYS, ...REPORTED_COST_KEYS, 'model'];
  params.pd_vercelNames = Object.keys(VERCEL_OPERATIONS);
  params.pd_opNames = Object.keys(OPERATION_KINDS);
  params.pd_opKinds = Object.values(OPERATION_KINDS);
  params.pd_spanKeys = [...plan.spanKeys];
  params.pd_resourceKeys = [...plan.resourceKeys];
  const scope = plan.scopeColumns ? 'ScopeName' : a('otel.scope.name');
  const model = `(${a(GEN_AI.REQUEST_MODEL)} != '' OR ${a(GEN_AI.RESPONSE_MODEL)} != '')`;
  const usage = `(${input.present} OR ${output.present} OR ${cr.present} OR ${cw.present} OR ${rs.present})`;
  const opKind = `transform(${a(GEN_AI.OPERATION)}, {pd_opNames:Array(String)}, {pd_opKinds:Array(String)}, '')`;
  // classify: the operation's kind; without one, usage with a model is an LLM call.
  const kind = `if(${opKind} != '', ${opKind}, if(${usage} AND ${model}, 'llm', 'other'))`;
  const startMs = 'toFloat64(intDiv(toUnixTimestamp64Nano(Timestamp), 1000000)) + toFloat64(toUnixTimestamp64Nano(Timestamp) % 1000000) / 1e6';
  const bad = [
    `arrayExists(k -> k IN {pd_familyKeys:Array(String)}, mapKeys(SpanAttributes))`,
    `SpanName IN {pd_vercelNames:Array(String)}`,
    `arrayExists((k, v) -> k IN {pd_countKeys:Array(String)} AND v != '' AND NOT match(v, '${PLAIN_COUNT}'), mapKeys(sa), mapValues(sa))`,
    `NOT match(TraceId, '^[0-9a-f]{32}$')`,
    `NOT match(SpanId, '^[0-9a-f]{16}$')`,
    `(ParentSpanId != '' AND NOT match(ParentSpanId, '^[0-9a-f]{16}$'))`,
  ].join(' OR ');
  const vals = plan.tracked.length ? `[${plan.tracked.map((k) => trackedValue(k, a)).join(', ')}]` : 'emptyArrayString()';
  const rvals = plan.tracked.length ? `[${plan.tracked.map((k) => trackedValue(k, r)).join(', ')}]` : 'emptyArrayString()';
  const readKeys = new Set<string>([...countKeys, GEN_AI.OPERATION, GEN_AI.REQUEST_MODEL, GEN_AI.RESPONSE_MODEL, GEN_AI.PROVIDER, GEN_AI_DEPRECATED.SYSTEM]);
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
  const spans =
    `SELECT TraceId, SpanId, mapFilter((k, v) -> k IN {pd_readKeys:Array(String)}, SpanAttributes) AS sa, mapFilter((k, v) -> k IN {pd_resourceRead:Array(String)}, ResourceAttributes) AS ra, if(ParentSpanId = SpanId, '', ParentSpanId) AS par, ${startMs} AS ms, SpanName,` +
    ` ${usage} AS u, ${kind} AS kind, kind IN ('llm', 'embeddings') AS m, (${bad}) AS bad, ${vals} AS vals, ${rvals} AS rvals,` +
    ` tuple(${a(GEN_AI.OPERATION)}, ${a(GEN_AI.REQUEST_MODEL)}, ${a(GEN_AI.RESPONSE_MODEL)}, if(${a(GEN_AI.PROVIDER)} != '', ${a(GEN_AI.PROVIDER)}, ${a(GEN_AI_DEPRECATED.SYSTEM)}), ${scope}, ${r('service.name')}) AS ident,` +
    ` tuple(${input.present}, ${output.present}, ${cr.present}, ${cw.present}, ${rs.present}, ${total.present}) AS present,` +
    ` tuple(${input.value}, ${output.value}, ${cr.value}, ${cw.value}, ${rs.value}, ${total.value}) AS counts,` +
    ` tuple(toString(toUnixTimestamp64Nano(Timestamp)), SpanName, ${scope}, mapFilter((k, v) -> k IN {pd_spanKeys:Array(String)}, SpanAttributes), mapFilter((k, v) -> k IN {pd_resourceKeys:Array(String)}, ResourceAttributes)) AS witness` +
    ` FROM {db:Identifier}.{table:Identifier} WHERE ${plan.traceCondition}`;
  const D = MAX_PUSHED_DEPTH;
  // The ancestors of each span as count-once walks them (trace/count-once.ts), by index, level by
  // level: L1 the parent (0: a root, or a parent that never arrived), Lk the parent of L(k−1). A
  // span still having an ancestor at level D (a cycle, or deeper) sends its trace to Node.
  const levels = [`arrayMap(p -> indexOf(ids, p), ps) AS L1`];
  for (let k = 2; k <= D; k++) levels.push(`arrayMap(x -> if(x = 0, 0, L1[x]), L${k - 1}) AS L${k}`);
  const all = Array.from({ length: D }, (_, k) => `L${k + 1}`);
  const marked = (cond: string) => `arrayDistinct(arrayConcat(${all.map((l) => `arrayFilter((x, u, m) -> x > 0 AND (${cond}), ${l}, us, mss)`).join(', ')}))`;
  return (
    `SELECT TraceId, ids, us, mss, vs, rvs, idents, presents, countsArr, witnesses, msArr, rootName, hasRoot, n, ${levels.join(', ')},` +
    ` arrayMap((i, ${all.map((l) => l.toLowerCase()).join(', ')}) -> [i, ${all.map((l) => l.toLowerCase()).join(', ')}], arrayEnumerate(ids), ${all.join(', ')}) AS anc,` +
    ` (bad OR n != uniq OR n > ${MAX_PUSHED_SPANS} OR arrayExists(x -> x > 0, L${D})) AS fb,` +
    ` ${marked('u')} AS uanc, ${marked('u OR m')} AS manc,` +
    ` arrayFilter(i -> us[i] AND NOT has(uanc, i), arrayEnumerate(ids)) AS countedIdx,` +
    // count-once: usage with no usage below; a model span without usage with no model or usage
    // span below and no counted usage span above (trace/count-once.ts).
    ` arrayFilter((i, u, m, c) -> has(countedIdx, i) OR (m AND NOT u AND NOT has(manc, i) AND NOT hasAny(countedIdx, arrayPopFront(c))), arrayEnumerate(ids), us, mss, anc) AS calls` +
    ` FROM (SELECT TraceId, groupArray(SpanId) AS ids, groupArray(par) AS ps, groupArray(u) AS us, groupArray(m) AS mss, groupArray(vals) AS vs, groupArray(rvals) AS rvs,` +
    ` groupArray(ident) AS idents, groupArray(present) AS presents, groupArray(counts) AS countsArr, groupArray(witness) AS witnesses, groupArray(ms) AS msArr,` +
    ` argMinIf(SpanName, (ms, SpanId), par = '') AS rootName, countIf(par = '') > 0 AS hasRoot, max(bad) AS bad, count() AS n, uniqExact(SpanId) AS uniq` +
    ` FROM (${spans}) GROUP BY TraceId)`
  );
}

/** The nearest value of tracked key `k` (1-based) for span `i`: the span's, else its ancestors' nearest first. */
function nearest(k: number): string {
  return `arrayFirst(x -> x != '', arrayMap(j -> vs[j][${k}], anc[i]))`;
}

/** A dimension's value for span `i`: for each key in order, its nearest value on the span chain, then the resource's. */
function dimension(keys: readonly number[]): string {
  if (!keys.length) return "''";
  return `multiIf(${keys.map((k) => `${nearest(k + 1)} != '', ${nearest(k + 1)}, rvs[i][${k + 1}] != '', rvs[i][${k + 1}]`).join(', ')}, '')`;
}

/**
 * The groups query. Rows: ['call' | 'traces', node, dims…, hasRoot, rootName, trace, hour, ident,
 * present, flags, buckets, calls, sums (5), witness]. A 'traces' row per `node` value counts the
 * selected traces (calls column) and their spans (first sum) decided here (node false) or in Node.
 */
export function groupsQuery(plan: PushdownPlan): { query: string; params: Params; dimCount: number } {
  const params: Params = {};
  const base = traceSubquery(plan, params);
  const window: string[] = [];
  if (plan.sinceMs !== undefined) {
    window.push('ms >= {pd_since:Float64}');
    params.pd_since = plan.sinceMs;
  }
  if (plan.untilMs !== undefined) {
    window.push('ms < {pd_until:Float64}');
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
  const dims = plan.dims.map((keys) => dimension(keys));
  // Per trace, its calls' columns side by side (ARRAY JOIN then copies only these), behind one
  // element standing for the trace itself (t = 1): the trace counts.
  const joined = (name: string, arr: string) => `arrayConcat(arrayResize(arraySlice(${arr}, 1, 0), 1), arrayFilter((x, k) -> k, ${arr}, mask)) AS ${name}`;
  const perTrace =
    `SELECT TraceId, fb, n, hasRoot, rootName, arrayMap(i -> has(calls, i), arrayEnumerate(ids)) AS mask,` +
    ` arrayPushFront(arrayMap(i -> 0, calls), 1) AS jt, ${joined('jIdent', 'idents')}, ${joined('jPres', 'presents')}, ${joined('jCnt', 'countsArr')},` +
    ` ${joined('jMs', 'msArr')}, ${joined('jWit', 'witnesses')}` +
    dims.map((d, j) => `, arrayPushFront(arrayMap(i -> ${d}, calls), '') AS jD${j}`).join('') +
    ` FROM (${base})`;
  const cols = [
    "if(t = 1, 'traces', 'call') AS row",
    'if(t = 1, fb, false) AS node',
    ...dims.map((_, j) => `d${j}`),
    'if(t = 1, false, hasRoot) AS root1',
    "if(t = 1, '', rootName) AS rootName1",
    plan.byTrace ? "if(t = 1, '', TraceId) AS tr" : "'' AS tr",
    plan.byHour ? 'if(t = 1, toInt64(0), intDiv(toInt64(floor(ms)), 3600000)) AS hr' : 'toInt64(0) AS hr',
    'ident',
    'pres',
    `${flags} AS fl`,
    `${buckets} AS bk`,
  ];
  const query =
    `SELECT ${cols.join(', ')}, count() AS ncalls, sum(if(t = 1, n, ${c}.1)) AS s1, sum(${c}.2) AS s2, sum(${c}.3) AS s3, sum(${c}.4) AS s4, sum(${c}.5) AS s5,` +
    ` any(tuple(${c}, wit)) AS witness1` +
    ` FROM (${perTrace}) ARRAY JOIN jt AS t, jIdent AS ident, jPres AS pres, jCnt AS cnt, jMs AS ms, jWit AS wit${dims.map((_, j) => `, jD${j} AS d${j}`).join('')}` +
    ` WHERE t = 1 OR (NOT fb${window.length ? ` AND ${window.join(' AND ')}` : ''})` +
    ` GROUP BY ${Array.from({ length: cols.length }, (_, j) => j + 1).join(', ')}`;
  return { query, params, dimCount: dims.length };
}

/** The traces the Node path decides: the selected traces the SQL marks `fb`. */
export function fallbackCondition(plan: PushdownPlan, params: Params): string {
  return `TraceId IN (SELECT TraceId FROM (${traceSubquery(plan, params)}) WHERE fb)`;
}

/**
 * `cost` over ClickHouse with the work done there (docs/architecture.md, "ClickHouse cost
 * pushdown"): pushdown-sql.ts's groups come back as calls, priced and normalized by the very code
 * files go through — FactsBuilder classifies and prices one member of each group (its witness),
 * and the group's raw sums are turned into tokens by the linear reading that member got — and the
 * traces the SQL leaves to Node are read as spans through the usual calls stage.
 */
import { LlmtraceError } from '../errors.js';
import { finishSpan, newAttributes, SERVICE_NAME, SpanKind, StatusCode, type Attributes, type Span } from '../span.js';
import type { CallGroupsSource } from '../sources/open.js';
import { CLASSIFY_KEYS, classify } from '../genai/classify.js';
import { CORE } from '../genai/conventions.js';
import type { Usage } from '../genai/types.js';
import { NONE, type AttributedCall } from './attribution.js';
import { DEFAULT_FEATURE_KEYS, keyPositions, trackedKeys } from './tracked-keys.js';
import type { CallSign } from './aggregate.js';
import { CALL_IN_WINDOW, CALL_USAGE, readCall } from './fact-columns.js';
import { FactsBuilder } from './facts.js';
import { priceBoundaries, priceViewSum, type PriceBook } from './pricebook.js';
import { fallbackCondition, groupsQuery, MAX_PUSHED_TRACKED_KEYS, smallWindowQuery, witnessQuery, type PushdownPlan } from './pushdown-sql.js';
import type { TimeWindow } from './window.js';

export interface PushdownOptions {
  book: PriceBook;
  window: TimeWindow;
  featureKeys?: string[];
  /** The `--by` dimensions' key lists (dimensions.ts planDimensions().inherited). */
  inherited: string[][];
  groupBy: readonly string[];
  /** Windows with at most this many spans are read as spans (default: smallWindowSpans()). */
  smallWindowSpans?: number;
  /** The groups query's memory before the engine spills to disk (default: SPILL_BYTES). */
  spillBytes?: number;
}

export interface PushdownResult {
  /** Calls, traces and spans decided in ClickHouse. */
  calls: number;
  traces: number;
  spans: number;
  groups: number;
  /** Traces left to the Node path, and their spans (as the SQL counted them). */
  nodeTraces: number;
  nodeSpans: number;
  /** A small window (smallWindowSpans()): every selected trace is read as spans, none decided in SQL. */
  allToNode: boolean;
  /** The condition selecting those traces (for `mappedWhere`). */
  fallback: { sql: string; params: Record<string, unknown> };
}

/**
 * A window with at most this many spans (of any trace) is read as spans: the groups query's
 * fixed cost (ClickHouse analysing and planning it, about 1 CPU second) is more than reading
 * that many spans into Node takes (measured: docs/architecture.md, "ClickHouse cost pushdown").
 */
export const SMALL_WINDOW_SPANS = 20_000;

/** `LLMTRACE_CLICKHOUSE_SMALL_SPANS` when set (0: always decide in SQL), else SMALL_WINDOW_SPANS. */
export function smallWindowSpans(env: NodeJS.ProcessEnv = process.env): number {
  const set = env.LLMTRACE_CLICKHOUSE_SMALL_SPANS;
  if (set === undefined || set.trim() === '') return SMALL_WINDOW_SPANS;
  const n = Number(set);
  if (Number.isInteger(n) && n >= 0 && n <= 1e9) return n;
  throw new LlmtraceError(`LLMTRACE_CLICKHOUSE_SMALL_SPANS must be a whole number from 0 to 1000000000, got ${JSON.stringify(set.slice(0, 40))}`, 'use 0 to decide every window in ClickHouse');
}

/**
 * The engine's per-trace state (GROUP BY TraceId) beyond which it writes to disk: bounded
 * memory at any window size, cheaper than splitting the window into queries (measured:
 * docs/architecture.md, "ClickHouse cost pushdown").
 */
export const SPILL_BYTES = 1_000_000_000;

const FAKE_TRACE = '0'.repeat(31) + '1';
const FAKE_SPAN = '0'.repeat(15) + '1';

/** Builds the plan for this run: tracked keys and dimensions as the Attributor resolves them. */
export function pushdownPlan(src: CallGroupsSource, opts: PushdownOptions, params: Record<string, unknown>): PushdownPlan {
  const tracked = trackedKeys(opts.featureKeys, opts.inherited);
  const lists = [opts.featureKeys ?? DEFAULT_FEATURE_KEYS, ...opts.inherited];
  const prices = priceBoundaries(opts.book);
  const selected = src.selected();
  Object.assign(params, selected.params);
  return {
    tracked,
    dims: keyPositions(tracked, lists),
    byHour: opts.groupBy.includes('day') || opts.groupBy.includes('hour'),
    byTrace: opts.groupBy.includes('trace'),
    tierThresholds: prices.tiers,
    priceBoundaries: prices.dates,
    sinceMs: opts.window.sinceMs,
    untilMs: opts.window.untilMs,
    // The witness carries what classify reads (the dimensions come from the SQL).
    spanKeys: [...CLASSIFY_KEYS],
    resourceKeys: [SERVICE_NAME, CORE.TELEMETRY_SDK_NAME],
    traceCondition: selected.sql,
    scopeColumns: src.scopeColumns,
    spillBytes: opts.spillBytes ?? SPILL_BYTES,
  };
}

/**
 * Witnesses are looked up this many at a time: their ids travel as query parameters in the URL
 * (about 6 KB for 100, with the attribute keys 9 KB; Node's HTTP servers take 16 KB of headers,
 * ClickHouse's URL limit is 1 MiB).
 */
const WITNESS_BATCH = 100;

type WitnessSpan = [startNs: string, name: string, scope: string, attrs: Record<string, string>, res: Record<string, string>];

/** Every selected trace to the Node path ('1': the selection itself), counted there. */
const allToNode = (): PushdownResult => ({ calls: 0, traces: 0, spans: 0, groups: 0, nodeTraces: 0, nodeSpans: 0, allToNode: true, fallback: { sql: '1', params: {} } });

/**
 * Runs the groups query and hands every call it stands for to `onCall`. Groups sharing what
 * classify reads (ident, present keys, the comparisons, tier and date buckets) share one
 * witness span, fetched by id after the groups.
 */
export async function pushedCalls(src: CallGroupsSource, opts: PushdownOptions, onCall: (call: AttributedCall, copies: CallSign) => void): Promise<PushdownResult> {
  const selectedParams: Record<string, unknown> = {};
  const plan = pushdownPlan(src, opts, selectedParams);
  const limit = opts.smallWindowSpans ?? smallWindowSpans();
  // The SQL holds a span's tracked keys as one 64-bit mask: more keys (a configuration, never the
  // defaults) are decided in Node, every selected trace read as spans.
  if (plan.tracked.length > MAX_PUSHED_TRACKED_KEYS) return allToNode();
  if (limit > 0) {
    const small = smallWindowQuery(plan, limit);
    for await (const [isSmall] of src.rows(small.query, { ...selectedParams, ...small.params }, 'counting the spans in the window')) {
      if (isSmall === true || isSmall === 1) return allToNode();
    }
  }
  const { query, params, dimCount } = groupsQuery(plan);
  const fbParams: Record<string, unknown> = { ...selectedParams };
  const fallback = { sql: fallbackCondition(plan, fbParams), params: fbParams };
  const builder = new FactsBuilder({ book: opts.book, window: {}, tracked: [] });
  const result: PushdownResult = { calls: 0, traces: 0, spans: 0, groups: 0, nodeTraces: 0, nodeSpans: 0, allToNode: false, fallback };
  const groups: unknown[][] = [];
  // Per kind of group: its witness's raw counts, trace and span id.
  const kinds = new Map<string, [number[], string, string]>();
  for await (const [groupKey, ...figures] of src.rows(query, { ...selectedParams, ...params }, 'computing costs')) {
    const row = [...(groupKey as unknown[]), ...figures];
    const node = row[1] === true || row[1] === 1;
    const rest = row.slice(2 + dimCount);
    if (row[0] === 'traces') {
      if (node) {
        result.nodeTraces += Number(rest[8]);
        result.nodeSpans += Number(rest[9]);
      } else {
        result.traces += Number(rest[8]);
        result.spans += Number(rest[9]);
      }
      continue;
    }
    groups.push(row);
    const key = JSON.stringify(rest.slice(4, 8));
    if (!kinds.has(key)) {
      const [cnt, trace, span] = rest[14] as [string[], string, string];
      kinds.set(key, [cnt.map(Number), trace, span]);
    }
  }
  const witnesses = await fetchWitnesses(src, plan, [...kinds.values()]);
  for (const row of groups) {
    const rest = row.slice(2 + dimCount);
    const [root, rootName, trace, , , present, , , ncalls, s1, s2, s3, s4, s5, , start] = rest as [boolean, string, string, unknown, unknown, boolean[], unknown, unknown, string, string, string, string, string, string, unknown, number];
    const [raw, wTrace, wSpan] = kinds.get(JSON.stringify(rest.slice(4, 8)))!;
    const found = witnesses.get(`${wTrace}\u0000${wSpan}`);
    if (found === undefined) throw new Error(`internal: the ClickHouse cost pushdown's witness span ${wTrace}/${wSpan} was not found`);
    result.groups++;
    const dims = (row.slice(2, 2 + dimCount) as string[]).map((d) => (d === '' ? undefined : d));
    const calls = Number(ncalls);
    const span = witnessSpan(found);
    const facts = builder.facts([span]);
    const flags = facts.calls.flags[0];
    const hasUsage = present.slice(0, 5).some(Boolean);
    if (flags === undefined || Boolean(flags & CALL_USAGE) !== hasUsage || !(flags & CALL_IN_WINDOW)) {
      throw new Error(`internal: the ClickHouse cost pushdown and the GenAI view disagree on a span (${JSON.stringify(span.attributes).slice(0, 200)})`);
    }
    // The witness's resource is not the group's: a group's calls carry none.
    const { resource: _, ...record } = readCall(facts.calls, 0, flags, facts.strings);
    const sum = hasUsage ? groupUsage(raw, record.usage, [s1, s2, s3, s4, s5].map(Number)) : undefined;
    const cost = record.cost === null ? null : sum === undefined ? 0 : priceViewSum(opts.book, classify(span), span.startMs, sum)!;
    const base: AttributedCall = {
      ...record,
      traceId: trace,
      spanId: '',
      // The group's own start (its hour and day), not the witness's: one witness serves every
      // group of its kind, and groups differ in hour (same tier and dated price).
      startMs: start,
      feature: dims[0] ?? (root === true || (root as unknown) === 1 ? rootName : NONE),
      inherited: dims.slice(1),
    };
    // One call carries the group's tokens and cost; the others count as calls with nothing to
    // add, handed over at once (one by one, the aggregators took 0.35 s at 1M bench spans).
    onCall({ ...base, usage: sum ?? record.usage, cost }, 1);
    const none: AttributedCall = { ...base, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, cost: cost === null ? null : 0 };
    if (calls > 1) onCall(none, calls - 1);
    result.calls += calls;
  }
  return result;
}

/** The witness spans by `trace\0span`, read in batches. */
async function fetchWitnesses(src: CallGroupsSource, plan: PushdownPlan, wanted: ReadonlyArray<[number[], string, string]>): Promise<Map<string, WitnessSpan>> {
  const out = new Map<string, WitnessSpan>();
  for (let i = 0; i < wanted.length; i += WITNESS_BATCH) {
    const batch = wanted.slice(i, i + WITNESS_BATCH);
    const { query, params } = witnessQuery(plan, [...new Set(batch.map((w) => w[1]))], [...new Set(batch.map((w) => w[2]))]);
    for await (const row of src.rows(query, params, 'reading the spans that stand for the cost groups')) {
      const [trace, span, ...w] = row as [string, string, ...WitnessSpan];
      out.set(`${trace}\u0000${span}`, w);
    }
  }
  return out;
}

/**
 * The group's tokens: the witness's normalized usage tells which reading normalizeUsage took
 * (input with or without its cache, output with or without its reasoning); every member took
 * the same one (pushdown-sql.ts groups by the comparisons that decide it).
 */
function groupUsage(raw: number[], read: Usage, sums: number[]): Usage {
  const [input, output, cacheRead, cacheWrite, reasoning] = raw as [number, number, number, number, number];
  const [sIn, sOut, sCr, sCw, sRs] = sums as [number, number, number, number, number];
  const cache = cacheRead + cacheWrite;
  const withCache = cache > 0 && read.input === input + cache;
  const withReasoning = reasoning > 0 && read.output === output + reasoning;
  if ((cache > 0 && !withCache && read.input !== input) || (reasoning > 0 && !withReasoning && read.output !== output) || (cache === 0 && read.input !== input) || (reasoning === 0 && read.output !== output)) {
    throw new Error('internal: the ClickHouse cost pushdown cannot read this usage linearly');
  }
  return {
    input: sIn + (withCache ? sCr + sCw : 0),
    output: sOut + (withReasoning ? sRs : 0),
    cacheRead: sCr,
    cacheWrite: sCw,
    reasoning: sRs,
  };
}

function witnessSpan([startNs, name, scope, attrs, res]: WitnessSpan): Span {
  const attributes: Attributes = newAttributes();
  for (const [k, v] of Object.entries(attrs)) attributes[k] = v;
  const resource = newAttributes();
  for (const [k, v] of Object.entries(res)) resource[k] = v;
  const start = BigInt(startNs);
  return finishSpan({
    traceId: FAKE_TRACE,
    spanId: FAKE_SPAN,
    parentSpanId: '',
    traceState: '',
    name,
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: start,
    endTimeUnixNano: start,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.UNSET, message: '' },
    flags: 0,
    resource: { attributes: resource, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: scope, version: '', attributes: newAttributes(), droppedAttributesCount: 0, schemaUrl: '' },
  });
}

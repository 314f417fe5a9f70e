/**
 * The GenAI view's cost half in SQL (docs/architecture.md, "ClickHouse cost pushdown"): for each
 * span, what classify() decides that count-once and the groups need — its kind (is it a model
 * span), whether it carries usage, its raw counts in the order readUsage picks them — generated
 * from the convention tables classify reads (OPERATION_KINDS, OPENINFERENCE_KINDS,
 * VERCEL_OPERATIONS, TRACELOOP_KINDS, TRACELOOP_REQUEST_TYPES, the tagged usage key chains), so
 * adding a convention changes both. The rest of the view (model, provider, operation, the
 * reading of the counts, the price) Node takes from one member of each group, classified by
 * classify() itself: `ident` holds the raw value of every key those depend on, so all members of
 * a group classify alike.
 *
 * What it does not model goes to Node (`bad`, per span): Langfuse and LangSmith (JSON usage),
 * counts not written as plain digits, a non-ASCII kind value (JavaScript's case mapping), an
 * OpenInference model span whose provider would come from its LangChain metadata JSON.
 */
import { LANGSMITH } from '../genai/conventions-langsmith-spanora.js';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  GEN_AI,
  GEN_AI_DEPRECATED,
  INPUT_KEYS,
  LANGFUSE,
  OPENINFERENCE,
  OPENINFERENCE_KINDS,
  OPERATION_KINDS,
  OUTPUT_KEYS,
  REASONING_KEYS,
  TOTAL_KEYS,
  TRACELOOP,
  TRACELOOP_KINDS,
  TRACELOOP_REQUEST_TYPES,
  VERCEL,
  VERCEL_OPERATIONS,
  type TaggedKeys,
} from '../genai/conventions.js';

/**
 * Families whose spans the SQL does not classify: each of these keys switches classify to
 * reading JSON (Langfuse's usage and types, LangSmith's token details), so a trace with one is
 * decided in Node.
 */
export const NODE_FAMILY_KEYS: readonly string[] = [
  LANGFUSE.OBSERVATION_TYPE,
  LANGFUSE.USAGE_DETAILS,
  LANGFUSE.MODEL_NAME,
  LANGSMITH.INPUT_TOKEN_DETAILS,
  LANGSMITH.OUTPUT_TOKEN_DETAILS,
  LANGSMITH.USAGE_METADATA,
];

/** A token count the SQL reads exactly: plain decimal digits (junk or other spellings go to Node). */
const PLAIN_COUNT = '^[0-9]{1,12}$';

/** The span's model keys, by family, in classify's order (request, response). */
const REQUEST_MODEL = { genAi: [GEN_AI.REQUEST_MODEL], oi: [OPENINFERENCE.REQUEST_MODEL_NAME, OPENINFERENCE.MODEL_NAME, OPENINFERENCE.EMBEDDING_MODEL_NAME], vercel: [VERCEL.MODEL_ID] };
const RESPONSE_MODEL = { genAi: [GEN_AI.RESPONSE_MODEL], oi: [OPENINFERENCE.RESPONSE_MODEL_NAME, OPENINFERENCE.MODEL_NAME], vercel: [VERCEL.RESPONSE_MODEL] };
/** Provider keys classify reads, in its order (OpenInference's LangChain metadata comes after the first four: Node). */
const PROVIDER_KEYS = [GEN_AI.PROVIDER, GEN_AI_DEPRECATED.SYSTEM, OPENINFERENCE.PROVIDER, OPENINFERENCE.SYSTEM, VERCEL.PROVIDER];
/** Kind keys, in classify's order. */
const KIND_KEYS = [GEN_AI.OPERATION, OPENINFERENCE.SPAN_KIND, VERCEL.OPERATION_ID, TRACELOOP.SPAN_KIND, TRACELOOP.REQUEST_TYPE];

/** The token count keys the SQL reads (sums per group; the comparisons normalizeUsage makes are group keys). */
export const COUNT_KEYS: readonly string[] = [
  ...new Set([...INPUT_KEYS, ...OUTPUT_KEYS, ...CACHE_READ_KEYS, ...CACHE_WRITE_KEYS, ...REASONING_KEYS].map(([k]) => k).concat(TOTAL_KEYS, [VERCEL.NO_CACHE_TOKENS])),
];

/**
 * The span attributes whose raw values are part of a group's key (`identKeys`): members of a
 * group share them, so one member (the witness) classifies for all. Everything classify reads
 * of a witness must be one of these, a count key, or a key that sends its trace to Node
 * (test/cost/pushdown-group-keys.test.ts).
 */
export const IDENT_KEYS: readonly string[] = [
  ...new Set([...KIND_KEYS, ...REQUEST_MODEL.genAi, ...REQUEST_MODEL.oi, ...REQUEST_MODEL.vercel, ...RESPONSE_MODEL.genAi, ...RESPONSE_MODEL.oi, ...RESPONSE_MODEL.vercel, ...PROVIDER_KEYS]),
];

type Params = Record<string, unknown>;

export const sqlString = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** Lookups go to the span's read keys only (`sa`): a Map lookup scans its keys. */
export const attr = (k: string): string => `sa[${sqlString(k)}]`;

/**
 * Whether a map column holds one of the keys bound as parameter `param`, read from its `.keys`
 * subcolumn alone: `hasAny(mapKeys(m), …)` read the whole map, values too, and compared each
 * LowCardinality key the slow way (1.8 CPU s against 0.37 on the 1M bench table;
 * docs/architecture.md, "ClickHouse cost pushdown").
 */
export const hasKeyIn = (map: string, param: string): string => `arrayExists(k -> k IN {${param}:Array(String)}, ${map}.keys)`;

export interface ClassifySql {
  /** Span attribute keys these expressions read (the `sa` projection must keep them). */
  readKeys: string[];
  /**
   * Column definitions over the table's row, `expr AS name` (familyBad): what reads the whole
   * attribute map rather than the projected `sa`.
   */
  rowColumns: string;
  /**
   * Per-span column definitions over `sa`, `expr AS name`, in layers: each layer's columns read
   * the earlier layers' as columns (one subquery a layer), so no expression is copied into every
   * use of its alias. The last layer holds u, kind, m, present, counts, identKeys, badClassify.
   */
  layers: string[];
}

/** A table lookup (missing: ''), its keys and values bound as parameters named `name`. */
function lookup(value: string, table: Readonly<Record<string, string>>, name: string, params: Params): string {
  params[`${name}K`] = Object.keys(table);
  params[`${name}V`] = Object.values(table);
  return `transform(${value}, {${name}K:Array(String)}, {${name}V:Array(String)}, '')`;
}

/** Whether the span is an OpenInference or a Vercel AI SDK span: columns of the first layer (`oi`, `vspan`). */
const OI = 'oi';
const VERCEL_SPAN = 'vspan';

/** Whether a tagged key is read on this span: OpenInference and Vercel keys only on their family's spans (read-usage.ts). */
function gate(conv: string): string {
  return conv === 'openinference' ? `${OI} AND ` : conv === 'vercel' ? `${VERCEL_SPAN} AND ` : '';
}

/** The first non-empty value among the keys classify reads, as a count, and whether there is one. */
function pick(keys: TaggedKeys): { value: string; present: string } {
  const conds = keys.map(([k, c]) => `(${gate(c)}${attr(k)} != '')`);
  const value = `multiIf(${keys.map(([k], i) => `${conds[i]}, toUInt64OrZero(${attr(k)})`).join(', ')}, toUInt64(0))`;
  return { value, present: `(${conds.join(' OR ')})` };
}

function anyOf(keys: readonly string[]): string {
  return keys.map((k) => `${attr(k)} != ''`).join(' OR ');
}

export function classifySql(params: Params): ClassifySql {
  params.pd_vercelNames = Object.keys(VERCEL_OPERATIONS);
  const input = pick(INPUT_KEYS);
  const output = pick(OUTPUT_KEYS);
  const cr = pick(CACHE_READ_KEYS);
  const cw = pick(CACHE_WRITE_KEYS);
  const rs = pick(REASONING_KEYS);
  const total = pick(TOTAL_KEYS.map((k) => [k, 'gen_ai'] as const));
  // Vercel v6's input without its cache: the input, read as exclusive (read-usage.ts).
  const noCache = pick([[VERCEL.NO_CACHE_TOKENS, 'vercel']]);
  const countKeys = [...COUNT_KEYS];
  params.pd_countKeys = countKeys;
  params.pd_familyKeys = [...NODE_FAMILY_KEYS];
  const oiKind = attr(OPENINFERENCE.SPAN_KIND);
  const tlKind = attr(TRACELOOP.SPAN_KIND);
  const first = [`${oiKind} != '' AS oi`, `(${attr(VERCEL.OPERATION_ID)} != '' OR SpanName IN {pd_vercelNames:Array(String)}) AS vspan`];
  const requestModel = `(${anyOf(REQUEST_MODEL.genAi)} OR (${OI} AND (${anyOf(REQUEST_MODEL.oi)})) OR (${VERCEL_SPAN} AND (${anyOf(REQUEST_MODEL.vercel)})))`;
  const responseModel = `(${anyOf(RESPONSE_MODEL.genAi)} OR (${OI} AND (${anyOf(RESPONSE_MODEL.oi)})) OR (${VERCEL_SPAN} AND (${anyOf(RESPONSE_MODEL.vercel)})))`;
  const vercelOp = `if(${attr(VERCEL.OPERATION_ID)} != '', ${attr(VERCEL.OPERATION_ID)}, SpanName)`;
  const opK = lookup(attr(GEN_AI.OPERATION), OPERATION_KINDS, 'pd_op', params);
  const oiK = `if(${lookup(oiKind, OPENINFERENCE_KINDS, 'pd_oi', params)} != '', ${lookup(oiKind, OPENINFERENCE_KINDS, 'pd_oi', params)}, ${lookup(`upper(${oiKind})`, OPENINFERENCE_KINDS, 'pd_oi', params)})`;
  const vK = `if(${VERCEL_SPAN}, ${lookup(vercelOp, VERCEL_OPERATIONS, 'pd_v', params)}, '')`;
  const tlK = `if(${lookup(tlKind, TRACELOOP_KINDS, 'pd_tl', params)} != '', ${lookup(tlKind, TRACELOOP_KINDS, 'pd_tl', params)}, ${lookup(`lower(${tlKind})`, TRACELOOP_KINDS, 'pd_tl', params)})`;
  const rtK = lookup(attr(TRACELOOP.REQUEST_TYPE), TRACELOOP_REQUEST_TYPES, 'pd_rt', params);
  // The second layer: each usage field's presence and count, each family's kind, whether a model is named.
  const picks = { pIn: input, pOut: output, pCr: cr, pCw: cw, pRs: rs, pTot: total, pNc: noCache };
  const second = [
    ...Object.entries(picks).flatMap(([name, p]) => [`${p.present} AS ${name}`, `${p.value} AS c${name.slice(1)}`]),
    `${opK} AS opK`,
    `${oiK} AS oiK`,
    `${vK} AS vK`,
    `${tlK} AS tlK`,
    `${rtK} AS rtK`,
    `(${requestModel} OR ${responseModel}) AS named`,
  ];
  const usage = '(pIn OR pOut OR pCr OR pCw OR pRs)';
  // classify's order: the GenAI operation, OpenInference, Vercel, OpenLLMetry's kind, then its
  // request type; without one, usage with a model is an LLM call.
  const kind = `multiIf(opK != '', opK, oiK != '', oiK, vK != '', vK, tlK != '', tlK, rtK != '', rtK, ${usage} AND named, 'llm', 'other')`;
  const identKeys = IDENT_KEYS;
  const third = [
    `${usage} AS u`,
    `${kind} AS kind`,
    // The raw values every other part of the view depends on (a group's members share them).
    `tuple(${identKeys.map(attr).join(', ')}, if(SpanName IN {pd_vercelNames:Array(String)}, SpanName, '')) AS identKeys`,
    `tuple(pIn, pOut, pCr, pCw, pRs, pTot, ${usage} AND pNc) AS present`,
    `tuple(if(${usage} AND pNc, cNc, cIn), cOut, cCr, cCw, cRs, cTot) AS counts`,
  ];
  const bad = [
    'familyBad',
    `arrayExists((k, v) -> k IN {pd_countKeys:Array(String)} AND v != '' AND NOT match(v, '${PLAIN_COUNT}'), mapKeys(sa), mapValues(sa))`,
    // JavaScript's toUpperCase/toLowerCase map some non-ASCII letters to ASCII ones.
    `match(${oiKind}, '[^ -~]') OR match(${tlKind}, '[^ -~]')`,
    `(${OI} AND kind IN ('llm', 'embeddings') AND NOT (${anyOf(PROVIDER_KEYS.slice(0, 4))}) AND ${attr(OPENINFERENCE.METADATA)} != '')`,
  ].join(' OR ');
  const fourth = ["kind IN ('llm', 'embeddings') AS m", `(${bad}) AS badClassify`];
  const layers = [first, second, third, fourth].map((cols) => cols.join(', '));
  const rowColumns = `${hasKeyIn('SpanAttributes', 'pd_familyKeys')} AS familyBad`;
  return { readKeys: [...new Set([...countKeys, ...identKeys, OPENINFERENCE.METADATA])], rowColumns, layers };
}

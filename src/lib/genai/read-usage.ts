/**
 * Token counts of a model span, whatever convention wrote them, normalized to the OTel rule
 * (input includes cache, output includes reasoning): the usage half of classify.ts, which
 * decides what the span is. Straight property lookups; JSON parsed only for the keys that hold
 * it (Langfuse's usage, LangSmith's token details), when present.
 */
import { KvList, type AttrValue, type Attributes } from '../span.js';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  INPUT_KEYS,
  LANGFUSE,
  LANGFUSE_USAGE_KEYS,
  OUTPUT_KEYS,
  REASONING_KEYS,
  TOTAL_KEYS,
  VERCEL,
  type TaggedKeys,
} from './conventions.js';
import { LANGSMITH, LANGSMITH_DETAIL_KEYS } from './conventions-langsmith-spanora.js';
import { reportsInputWithoutCache } from './producers.js';
import type { Convention, GenAiView, Usage } from './types.js';

/**
 * Token counts above 2^53 − 1 are not counts but junk (and would let sums lose exactness or
 * overflow): they are ignored like negative, NaN and non-numeric values.
 */
const MAX_TOKENS = Number.MAX_SAFE_INTEGER;
const MAX_TOKENS_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** A token count from any value: a finite number in [0, 2^53−1]; fractions kept as read. */
export function toTokenCount(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') return v >= 0n && v <= MAX_TOKENS_BIG ? Number(v) : undefined;
  else if (typeof v === 'string') {
    if (v.length === 0 || v.length > 64 || v.trim() === '') return undefined;
    n = Number(v);
  } else return undefined;
  // NaN fails both comparisons; `+ 0` turns -0 into 0.
  return n >= 0 && n <= MAX_TOKENS ? n + 0 : undefined;
}

/** Index in the key list of the last `pickTokens` hit (a scratch register, single-threaded). */
let picked = -1;

/**
 * The first valid token count among `keys`; junk values are skipped, not fatal. OpenInference
 * and Vercel keys are read only on spans of those families.
 */
function pickTokens(a: Attributes, keys: TaggedKeys, isOI: boolean, isVercel: boolean): number | undefined {
  for (let i = 0; i < keys.length; i++) {
    const entry = keys[i]!;
    const conv = entry[1];
    if ((conv === 'openinference' && !isOI) || (conv === 'vercel' && !isVercel)) continue;
    const v = a[entry[0]];
    if (v === undefined) continue;
    const n = toTokenCount(v);
    if (n !== undefined) {
      picked = i;
      return n;
    }
  }
  return undefined;
}

/** The first valid token count among plain `keys`. */
function pickTokensPlain(a: Attributes, keys: readonly string[]): number | undefined {
  for (let i = 0; i < keys.length; i++) {
    const v = a[keys[i]!];
    if (v === undefined) continue;
    const n = toTokenCount(v);
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * Read token usage into `view.usage` (left undefined when the span has no token count at all)
 * and return the convention that supplied it.
 */
export function readUsage(a: Attributes, view: GenAiView, isOI: boolean, isVercel: boolean, scopeName: string): Convention | undefined {
  let conv: Convention | undefined;
  const input = pickTokens(a, INPUT_KEYS, isOI, isVercel);
  if (input !== undefined) conv = INPUT_KEYS[picked]![1];
  const output = pickTokens(a, OUTPUT_KEYS, isOI, isVercel);
  if (output !== undefined) conv ??= OUTPUT_KEYS[picked]![1];

  if (input === undefined && output === undefined) {
    // Langfuse keeps its counts in one JSON attribute: parse it only when it is there and no
    // direct count was found.
    const details = a[LANGFUSE.USAGE_DETAILS];
    if (details !== undefined) {
      const lf = readLangfuseUsage(details);
      if (lf !== undefined) {
        view.usage = lf;
        return 'langfuse';
      }
    }
  }
  let cacheRead = pickTokens(a, CACHE_READ_KEYS, isOI, isVercel);
  if (cacheRead !== undefined) conv ??= CACHE_READ_KEYS[picked]![1];
  let cacheWrite = pickTokens(a, CACHE_WRITE_KEYS, isOI, isVercel);
  if (cacheWrite !== undefined) conv ??= CACHE_WRITE_KEYS[picked]![1];
  let reasoning = pickTokens(a, REASONING_KEYS, isOI, isVercel);
  if (reasoning !== undefined) conv ??= REASONING_KEYS[picked]![1];
  if (conv === undefined) return undefined; // no token count at all

  // LangSmith keeps the parts only in JSON strings, parsed only when they are there.
  let total: number | undefined;
  const inDetails = a[LANGSMITH.INPUT_TOKEN_DETAILS];
  const outDetails = a[LANGSMITH.OUTPUT_TOKEN_DETAILS];
  if (inDetails !== undefined || outDetails !== undefined) {
    const inGet = inDetails === undefined ? undefined : detailsLookup(inDetails);
    const outGet = outDetails === undefined ? undefined : detailsLookup(outDetails);
    cacheRead ??= inGet && toTokenCount(inGet(LANGSMITH_DETAIL_KEYS.CACHE_READ));
    cacheWrite ??= inGet && toTokenCount(inGet(LANGSMITH_DETAIL_KEYS.CACHE_WRITE));
    reasoning ??= outGet && toTokenCount(outGet(LANGSMITH_DETAIL_KEYS.REASONING));
    // Its `gen_ai.usage.total_tokens` is input + output as written, which cannot tell Gemini's
    // output (reasoning excluded) from OpenAI's (included); the run's usage has the real total.
    const meta = a[LANGSMITH.USAGE_METADATA];
    const metaGet = meta === undefined ? undefined : detailsLookup(meta);
    total = metaGet && toTokenCount(metaGet(LANGSMITH_DETAIL_KEYS.TOTAL));
  }

  const cr = cacheRead ?? 0;
  const cw = cacheWrite ?? 0;
  const rs = reasoning ?? 0;

  // Vercel AI SDK v6 splits input as `inputTokenDetails.{noCacheTokens,cacheReadTokens,
  // cacheWriteTokens}`: input = noCache + cacheRead + cacheWrite exactly (conventions.md,
  // Vercel "cache" column). It is the same usage object its `gen_ai.usage.input_tokens` copies.
  // The total is only needed to tell inclusive from exclusive counts when there are parts.
  if (cr + cw > 0 || rs > 0) total ??= pickTokensPlain(a, TOTAL_KEYS);
  else total = undefined;
  const noCache = isVercel ? toTokenCount(a[VERCEL.NO_CACHE_TOKENS]) : undefined;
  if (noCache !== undefined) {
    view.usage = normalizeUsage(noCache, output ?? 0, cr, cw, rs, total, true, false);
    return conv;
  }

  // Every other convention is read as the OTel rule says (input includes cache, output includes
  // reasoning), except producers known to copy Anthropic's split; normalizeUsage corrects
  // producers that report them separately.
  view.usage = normalizeUsage(input ?? 0, output ?? 0, cr, cw, rs, total, reportsInputWithoutCache(scopeName, view.provider), false);
  return conv;
}

/**
 * Build a Usage with input INCLUDING cache and output INCLUDING reasoning (the OTel rule,
 * conventions.md "usage").
 *
 * - `inputExcl` / `outputExcl`: the producer reports input without its cache tokens / output
 *   without its reasoning tokens (Langfuse's disjoint buckets; Vercel's noCache count).
 * - A count smaller than its own part cannot include it, so the part is added: conventions.md
 *   notes Anthropic reports input without cache ("Anthropic: input = input + cache_read +
 *   cache_creation") and the OpenInference JS Anthropic instrumentation copies that into
 *   `llm.token_count.prompt` while Python includes it; Vercel v5 `ai.usage.inputTokens` does the
 *   same for Anthropic. When cache ≤ input the producer's split cannot be told from the counts
 *   alone and the OTel (inclusive) reading is kept...
 * - ...unless the producer also reported a total and exactly one reading (inclusive or not, for
 *   input and output) adds up to it: then that reading is used.
 */
function normalizeUsage(
  input: number,
  output: number,
  cacheRead: number,
  cacheWrite: number,
  reasoning: number,
  total: number | undefined,
  inputExcl: boolean,
  outputExcl: boolean,
): Usage {
  const cache = cacheRead + cacheWrite;
  let inp = inputExcl || cache > input ? input + cache : input;
  let out = outputExcl || reasoning > output ? output + reasoning : output;
  if (total !== undefined && (cache > 0 || reasoning > 0) && inp + out !== total) {
    // Readings allowed by the counts and the producer: an input smaller than its cache, or one
    // its producer reports without the cache, is exclusive.
    const ins = inputExcl || cache > input ? [input + cache] : cache > 0 ? [input, input + cache] : [input];
    const outs = outputExcl || reasoning > output ? [output + reasoning] : reasoning > 0 ? [output, output + reasoning] : [output];
    let fits = 0;
    let fi = inp;
    let fo = out;
    for (const i of ins) {
      for (const o of outs) {
        if (i + o === total) {
          fits++;
          fi = i;
          fo = o;
        }
      }
    }
    if (fits === 1) {
      inp = fi;
      out = fo;
    }
  }
  return { input: inp, output: out, cacheRead, cacheWrite, reasoning };
}


/** A JSON object or OTLP kvlist → a key lookup; anything else → undefined. */
export function detailsLookup(v: AttrValue): ((k: string) => unknown) | undefined {
  if (typeof v === 'string') {
    // Cheap shape check before paying for JSON.parse.
    if (v.length < 2 || v.charCodeAt(0) !== 123 /* { */) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const obj = parsed as Record<string, unknown>;
    return (k) => (Object.prototype.hasOwnProperty.call(obj, k) ? obj[k] : undefined);
  }
  if (v instanceof KvList) return (k) => v.get(k);
  return undefined;
}

/**
 * `langfuse.observation.usage_details`, e.g. {"input":10,"output":5,"total":15}. Langfuse's
 * usage types are disjoint buckets summing to `total`: `input` excludes the `input_*`/cache
 * buckets and `output` excludes `output_reasoning_tokens`, so they are added back (conventions.md,
 * Langfuse column; OTel rule). OpenAI-shaped `prompt_tokens`/`completion_tokens` are inclusive;
 * Anthropic-shaped `input_tokens` excludes `cache_*_input_tokens`.
 */
function readLangfuseUsage(v: AttrValue): Usage | undefined {
  const get = detailsLookup(v);
  if (get === undefined) return undefined;
  const [input, inputExcl] = firstFlagged(get, LANGFUSE_USAGE_KEYS.INPUT);
  const [output, outputExcl] = firstFlagged(get, LANGFUSE_USAGE_KEYS.OUTPUT);
  const first = (keys: readonly string[]): number | undefined => {
    for (const k of keys) {
      const n = toTokenCount(get(k));
      if (n !== undefined) return n;
    }
    return undefined;
  };
  const cacheRead = first(LANGFUSE_USAGE_KEYS.CACHE_READ);
  const cacheWrite = first(LANGFUSE_USAGE_KEYS.CACHE_WRITE);
  const reasoning = first(LANGFUSE_USAGE_KEYS.REASONING);
  if (
    input === undefined &&
    output === undefined &&
    cacheRead === undefined &&
    cacheWrite === undefined &&
    reasoning === undefined
  ) {
    return undefined;
  }
  return normalizeUsage(
    input ?? 0,
    output ?? 0,
    cacheRead ?? 0,
    cacheWrite ?? 0,
    reasoning ?? 0,
    first(LANGFUSE_USAGE_KEYS.TOTAL),
    inputExcl,
    outputExcl,
  );
}

/** The first valid count among flagged keys, with its flag (whether that key excludes its parts). */
function firstFlagged(get: (k: string) => unknown, keys: ReadonlyArray<readonly [string, boolean]>): [number | undefined, boolean] {
  for (const [k, excl] of keys) {
    const n = toTokenCount(get(k));
    if (n !== undefined) return [n, excl];
  }
  return [undefined, false];
}

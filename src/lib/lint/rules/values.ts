/**
 * Invalid values: token counts, timestamps, ids. Ids that were malformed or all zero never
 * became spans (decoders skip them and report a problem with file, line and field), so
 * `invalid-id` also turns those decode problems into findings.
 */
import { GEN_AI } from '../../genai/conventions.js';
import { reportsInputWithoutCache } from '../../genai/producers.js';
import type { AttrValue, Attributes } from '../../span.js';
import { FactsMemo } from '../facts-memo.js';
import { KEY_GENAI, KEY_TOKENS, TOKEN_KEYS } from '../keys.js';
import { WELL_KNOWN_VALUES } from '../semconv-requirements.js';
import type { RuleDef, RuleFacts, TokenProblem } from '../types.js';

type TokenFacts = RuleFacts['invalid-token-count'];

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

function show(value: AttrValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return '[array]';
  if (value instanceof Uint8Array) return '[bytes]';
  if (value === null) return 'null';
  if (typeof value === 'object') return '[kvlist]';
  return String(value);
}

/** What is wrong with one token count, if anything. Numeric strings are accepted (Zipkin tags are strings). */
export function tokenProblem(value: AttrValue): TokenProblem | undefined {
  if (typeof value === 'bigint') return value < 0n ? 'negative' : value > MAX ? 'too-large' : undefined;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value);
  else return 'not-a-number';
  if (!Number.isFinite(n)) return 'not-a-number';
  if (n < 0) return 'negative';
  if (!Number.isInteger(n)) return 'fractional';
  if (n > Number.MAX_SAFE_INTEGER) return 'too-large';
  return undefined;
}

function count(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  if (value === undefined || tokenProblem(value) !== undefined) return undefined;
  return Number(value);
}

/**
 * The GenAI convention defines input as INCLUDING cached tokens and output as INCLUDING
 * reasoning tokens; a part larger than its whole means the producer reported them separately
 * (the Anthropic trap), and every consumer that follows the convention miscounts. Each part is
 * the first of its keys present: `cache_write` is the newer draft's name for `cache_creation`
 * (conventions.md: accept both), the same tokens, read once as usage reads them
 * (CACHE_WRITE_KEYS).
 */
const PART_WHOLE: ReadonlyArray<readonly [parts: ReadonlyArray<readonly string[]>, whole: string]> = [
  [[[GEN_AI.CACHE_READ], [GEN_AI.CACHE_CREATION, GEN_AI.CACHE_WRITE]], GEN_AI.INPUT_TOKENS],
  [[[GEN_AI.REASONING]], GEN_AI.OUTPUT_TOKENS],
];

export const invalidTokenCount: RuleDef<'invalid-token-count'> = {
  id: 'invalid-token-count',
  defaultSeverity: 'error',
  description: 'token counts are non-negative integers, with cached and reasoning tokens inside their totals',
  docs: {
    checks: 'A token-count attribute of any convention (`gen_ai.usage.*`, `llm.token_count.*`, `ai.usage.*`, …) is negative, fractional, not a number or above 2^53−1; or `gen_ai.usage.cache_read.input_tokens` + `cache_creation` exceed `gen_ai.usage.input_tokens` (or reasoning exceeds output tokens). Spans of instrumentations known to report Anthropic\'s input without the cache (`@traceloop/instrumentation-anthropic`) are read that way, as `cost` reads them, and not reported for it.',
    why: 'Counts feed cost and budgets: a negative or fractional count is a bug in the instrumentation. llmtrace ignores a count that is negative, not a number or above 2^53−1 — so the call looks free — and sums a fractional one as written. The convention says input INCLUDES cached tokens and output INCLUDES reasoning; reporting them separately (Anthropic\'s API does) makes every backend under-count input.',
    fix: 'Record the provider\'s integer counts; for Anthropic set `input_tokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens`.',
  },
  span({ span, view, keys, infos, keyFlags }) {
    if (!(keyFlags & KEY_TOKENS)) return undefined;
    const a = span.attributes;
    let out: TokenFacts[] | undefined;
    // Usually every count is fine: check the span's own count keys first, and go through all
    // TOKEN_KEYS (the order findings are reported in) only when one is not.
    let bad = false;
    for (let i = 0; i < keys.length && !bad; i++) if (infos[i]!.flags & KEY_TOKENS && tokenProblem(a[keys[i]!]!) !== undefined) bad = true;
    if (bad) for (const key of TOKEN_KEYS) {
      const value = a[key];
      if (value === undefined) continue;
      const problem = tokenProblem(value);
      if (problem) (out ??= []).push({ key, value: show(value), problem });
    }
    // A producer known to report input without the cache (Anthropic's split) is read that way by
    // the usage normalization: its cache is not part of that input, so it cannot exceed it.
    const inputExcl = reportsInputWithoutCache(span.scope.name, view.provider);
    for (const [parts, whole] of PART_WHOLE) {
      if (inputExcl && whole === GEN_AI.INPUT_TOKENS) continue;
      const total = count(a, whole);
      if (total === undefined) continue;
      let sum = 0;
      const found: string[] = [];
      for (const names of parts) {
        for (const part of names) {
          const n = count(a, part);
          if (n === undefined) continue;
          if (n > 0) {
            sum += n;
            found.push(part);
          }
          break;
        }
      }
      if (sum > total) (out ??= []).push({ key: found.join(' + '), value: String(sum), problem: 'part-exceeds-whole', whole, wholeValue: String(total) });
    }
    return out;
  },
};

export const endBeforeStart: RuleDef<'end-before-start'> = {
  id: 'end-before-start',
  defaultSeverity: 'error',
  description: 'spans have a start and an end time, the end not before the start',
  docs: {
    checks: 'A span\'s end time is before its start time, or its start or end time is missing (zero).',
    why: 'Durations become negative or absurd (the epoch), which breaks latency percentiles, timelines and time-window filters. Usually a hand-set timestamp in the wrong unit (ms vs ns) or a span ended with a time from another clock.',
    fix: 'Let the SDK take the timestamps, or pass `startTime`/`endTime` in the same unit and clock.',
  },
  span({ span }) {
    const start = span.startTimeUnixNano;
    const end = span.endTimeUnixNano;
    // The usual case first: the facts (two bigints as text) are made only for a finding.
    if (start !== 0n && end !== 0n && end >= start) return undefined;
    const problem = start === 0n ? 'missing-start' : end === 0n ? 'missing-end' : 'end-before-start';
    return { startTimeUnixNano: String(start), endTimeUnixNano: String(end), problem };
  },
};

const KNOWN_OPERATIONS: readonly string[] = WELL_KNOWN_VALUES[GEN_AI.OPERATION] ?? [];
const KNOWN_OPERATION_SET: ReadonlySet<string> = new Set(KNOWN_OPERATIONS);
const operationValueFacts = new FactsMemo<RuleFacts['unknown-operation']>();

export const unknownOperation: RuleDef<'unknown-operation'> = {
  id: 'unknown-operation',
  defaultSeverity: 'warn',
  description: 'gen_ai.operation.name holds one of the convention\'s operations',
  docs: {
    checks: `A span's \`gen_ai.operation.name\` is not one of the GenAI convention's values (${KNOWN_OPERATIONS.map((v) => `\`${v}\``).join(', ')}), e.g. Gemini CLI's \`llm_call\` and \`tool_call\`.`,
    why: 'Backends, dashboards and llmtrace itself recognize model calls, tools and agents by these values: a span with another operation is shown as a plain span, so its tools are not counted as tools and its call is named from its attributes alone. The convention allows a system-specific name only where the system\'s own convention documents it, and otherwise asks for the applicable predefined value.',
    fix: 'Use the predefined value that applies (`chat` or `generate_content` for a model call, `execute_tool` for a tool call, `invoke_agent` for an agent run), and keep a product-specific name in an attribute of your own.',
  },
  span({ span, keyFlags }) {
    if (!(keyFlags & KEY_GENAI)) return undefined;
    const value = span.attributes[GEN_AI.OPERATION];
    if (typeof value !== 'string' || KNOWN_OPERATION_SET.has(value)) return undefined;
    return operationValueFacts.get(value) ?? operationValueFacts.put(value, { value, known: KNOWN_OPERATIONS });
  },
};

/** A decode problem about an id field (OTLP JSON/protobuf, Jaeger, Zipkin field names). */
export function isIdProblem(problem: { field?: string; message: string }): boolean {
  return problem.field !== undefined && /(?:^|\.)(?:trace_?id|span_?id|parent_?span_?id|parent_?id|id)$/i.test(problem.field) && /skipped/.test(problem.message);
}

export const invalidId: RuleDef<'invalid-id'> = {
  id: 'invalid-id',
  defaultSeverity: 'error',
  description: 'trace and span ids are well-formed, non-zero, and no span is its own parent',
  docs: {
    checks: 'A span was dropped while reading because its trace id, span id or parent id (or a link\'s) was malformed (wrong length, not hex) or all zero — reported with file, line and field; or a span names itself as its parent.',
    why: 'OpenTelemetry defines all-zero ids as invalid: backends drop such spans, so their calls, tokens and costs vanish. A self-parent is a cycle that breaks tree views.',
    fix: 'Use the SDK\'s id generator; when converting from another format, keep ids as 32/16 lowercase hex digits (OTLP/JSON) or 16/8 raw bytes (protobuf).',
  },
  span({ span }) {
    return span.parentSpanId !== '' && span.parentSpanId === span.spanId
      ? { field: 'parentSpanId', message: 'the span is its own parent', problem: 'self-parent' }
      : undefined;
  },
  problem(decodeProblem) {
    return isIdProblem(decodeProblem) ? { field: decodeProblem.field, message: decodeProblem.message, problem: 'decode' } : undefined;
  },
};

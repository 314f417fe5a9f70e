/**
 * The data model of `lint`: rules return facts (data), the engine turns them into findings with
 * a severity (the policy is applied once, in the engine), and one formatter (messages.ts) turns
 * findings into words. Renderers and the exit code only ever see findings.
 */
import type { GenAiView } from '../genai/types.js';
import type { Span } from '../span.js';
import type { KeyInfo } from './keys.js';
import type { SpanDefinition } from './semconv-requirements.js';

export type Severity = 'error' | 'warn' | 'info';
export type SeveritySetting = Severity | 'off';
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', 'info', 'warn', 'error'];

/** Which GenAI span a rule looked at, for the words: "LLM span", "embeddings span", … */
export type SpanRole = 'llm' | 'embeddings' | 'tool' | 'agent' | 'workflow' | 'retrieval';

/** A token-count problem: `part-exceeds-whole` is a cache/reasoning count above its total. */
export type TokenProblem = 'negative' | 'fractional' | 'not-a-number' | 'too-large' | 'part-exceeds-whole';

/** Why a failure is not (fully) recorded on a span. */
export type FailureGap = 'error-without-type' | 'type-without-error-status' | 'exception-without-error-status';

/**
 * The facts each rule reports. Keys are the stable rule ids; values are plain JSON (the `json`
 * and `sarif` formats print them as they are).
 */
export interface RuleFacts {
  'llm-missing-operation': { role: SpanRole; expected: string };
  'llm-missing-provider': { role: SpanRole; expected: string; level: string };
  /** `pricedByResponse`: the response model names it, so `cost` still prices the call. */
  'llm-missing-model': { role: SpanRole; expected: string; level: string; pricedByResponse: boolean };
  'llm-missing-usage': { role: SpanRole; expected: string[] };
  'llm-recommended-attributes': { role: SpanRole; missing: string[] };
  'llm-span-name': { role: SpanRole; expected: string; actual: string; template: string };
  'llm-span-kind': { role: SpanRole; expected: string; actual: string };
  'llm-failure-unrecorded': { role: SpanRole; gap: FailureGap; errorType?: string; statusCode: number };
  'tool-missing-name': { expected: string };
  'tool-without-parent': { reason: 'root' | 'parent-missing'; parentSpanId?: string };
  'tool-failure-unrecorded': { gap: FailureGap; errorType?: string; statusCode: number };
  'root-missing-context': { missing: string[]; keys: Record<string, string[]>; present: Record<string, string> };
  'deprecated-attribute':
    | { what: 'attribute'; key: string; replacement: string | null; replacementPresent: boolean }
    | { what: 'value'; key: string; value: string; replacement: string }
    | { what: 'event'; event: string; replacement: string };
  'vendor-only-convention': { role: SpanRole; convention: string; vendorKeys: string[]; expected: string[] };
  'genai-required-attributes': { role: SpanRole; definition: string; missing: string[] };
  'orphan-span': { parentSpanId: string };
  'trace-without-root': { spans: number; orphans: number };
  'duplicate-span-id': { kinds: number[] };
  /** The span ids in the cycle, sorted: the first is the one every command cuts above (count-once `cycleCut`). */
  'parent-cycle': { members: string[] };
  /** `known`: the convention's operations (the generated WELL_KNOWN_VALUES). */
  'unknown-operation': { value: string; known: readonly string[] };
  'invalid-token-count': { key: string; value: string; problem: TokenProblem; whole?: string; wholeValue?: string };
  'end-before-start': { startTimeUnixNano: string; endTimeUnixNano: string; problem: 'end-before-start' | 'missing-start' | 'missing-end' };
  'invalid-id': { field?: string; message: string; problem: 'decode' | 'self-parent' };
  'content-captured': { keys: string[]; eventKeys: string[] };
  /** `noStart`: the span has no start time (span.ts `timeKnown`), so a price that depends on the date cannot apply. */
  'model-unpriced': { role: SpanRole; model: string; noStart?: true };
  'decode-problem': { field?: string; message: string };
}

export type RuleId = keyof RuleFacts;

interface FindingBase {
  severity: Severity;
  /** '' for findings about input that never became a span (decode problems). */
  traceId: string;
  spanId: string;
  spanName: string;
  /** The input the span came from (file path, `-` for stdin, or the store file). */
  source?: string;
  /** 1-based line (JSON Lines, JSON array element) of the record, when known. */
  line?: number;
}

/** A finding: rule id + severity + where + the rule's facts. */
export type Finding = { [R in RuleId]: FindingBase & { rule: R; facts: RuleFacts[R] } }[RuleId];

/** Root context groups → the attribute keys that satisfy each (any one key is enough). */
export type RootContextKeys = Record<string, string[]>;

/** What the lint run is configured with, besides severities. */
export interface LintContext {
  rootContextKeys: RootContextKeys;
  /**
   * Pricing lookup, injected by the command layer (src/lib/cost owns pricing); when absent the
   * `model-unpriced` rule is skipped. `startMs` (the call's start) is for dated prices.
   */
  isPriced?: (view: GenAiView, startMs: number) => boolean;
}

/** Everything a per-span rule may look at: the span, its GenAI view, its trace context. */
export interface SpanInput {
  span: Span;
  view: GenAiView;
  /** The span's attribute keys, listed once for all rules. */
  keys: readonly string[];
  /** keyInfo (keys.ts) of each of `keys`, in the same order: looked up once for all rules. */
  infos: readonly KeyInfo[];
  /** The KEY_* bits of all its keys: a rule skips spans without a key of its kind. */
  keyFlags: number;
  /** A GenAI span whose attributes hold no `gen_ai.*` key at all (vendor convention only). */
  vendorOnly: boolean;
  /** The GenAI span definition the span is checked against (undefined for non-GenAI spans). */
  def: SpanDefinition | undefined;
  ctx: LintContext;
}

/** A span remembered by the trace state: its parent had not arrived when it did. */
export interface PendingSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  source?: string;
  line?: number;
  isTool: boolean;
}

/** A root span of a trace, with its context compactly encoded (rules/root.ts rootContextCode). */
export interface RootRecord {
  spanId: string;
  name: string;
  source?: string;
  line?: number;
  /** Which key of each context group the root carries, packed in one number. */
  context: number;
}

/** A span that repeats the span id of another span of its trace. */
export interface DuplicateSpan {
  spanId: string;
  name: string;
  source?: string;
  line?: number;
  /** The kinds of every span of the trace with this id, ascending. */
  kinds: number[];
}

/**
 * What the engine keeps per trace (ids, unresolved parents, roots), handed to trace rules once
 * every span of the trace is in. Nothing here depends on the order the spans arrived in.
 */
export interface TraceSummary {
  traceId: string;
  spanCount: number;
  /** The trace holds at least one GenAI span (LLM, embeddings, tool, agent, workflow, retrieval). */
  genAi: boolean;
  hasRoot: boolean;
  /** Spans whose parent id is not the id of any span of the trace, by span id. */
  orphans: readonly PendingSpan[];
  /** Every span without a parent id (each copy of a repeated id counts). */
  roots: readonly RootRecord[];
  /** Every copy of a repeated span id but one (the B3 client/server pair is not a repeat). */
  duplicates: readonly DuplicateSpan[];
  /** The span with the lowest span id: anchors a trace-level finding when there is no orphan. */
  lowest: { spanId: string; name: string; source?: string; line?: number };
  /** The parent cycles, each its members sorted (asked only by the rule that reports them). */
  parentCycles: () => string[][];
  ctx: LintContext;
}

/** A trace rule's output: where, and the facts. */
export interface TraceHit<R extends RuleId> {
  spanId: string;
  spanName: string;
  source?: string;
  line?: number;
  facts: RuleFacts[R];
}

export interface RuleDocs {
  /** What the rule checks. */
  checks: string;
  /** Why it matters. */
  why: string;
  /** How to fix it. */
  fix: string;
}

export interface RuleDef<R extends RuleId> {
  id: R;
  defaultSeverity: Severity;
  /** One line, for `--help`-like listings and SARIF shortDescription. */
  description: string;
  docs: RuleDocs;
  /** Per-span check: runs as batches arrive. */
  span?: (input: SpanInput) => RuleFacts[R] | RuleFacts[R][] | undefined;
  /** Per-trace check: runs once the input is read, on the trace's compact state. */
  trace?: (t: TraceSummary) => Array<TraceHit<R>>;
  /** Decode problems (spans that never made it): return facts to report one. */
  problem?: (p: { field?: string; message: string }) => RuleFacts[R] | undefined;
}

export type AnyRuleDef = { [R in RuleId]: RuleDef<R> }[RuleId];

/**
 * Coding agents' usage as they export it over OTLP logs and metrics (Claude Code, Codex, Gemini
 * CLI, Copilot CLI, and the GenAI semantic-convention metrics), as data: which log record is one
 * API request, which metric point counts which tokens, and how each agent's counts map onto
 * llmtrace's convention (docs/architecture.md, "Usage from log events and metrics").
 *
 * Every agent counts differently. `inputIncludesCache` says whether its input count already holds
 * the cache reads and writes (OpenAI, Gemini, the GenAI conventions) or not (Anthropic);
 * `outputIncludesReasoning` whether its output count holds the reasoning tokens (OpenAI) or not
 * (Gemini's thought tokens are billed as output but counted apart). `normalizeParts` turns the
 * raw parts into a Usage where input includes cache and output includes reasoning.
 */
import type { Attributes, AttrValue } from '../span.js';
import { toTokenCount } from './read-usage.js';
import type { Usage } from './types.js';

/** A token count as an agent reports it, before normalization. */
export type RawPart = 'input' | 'cacheRead' | 'cacheWrite' | 'output' | 'reasoning' | 'extraInput';

export type RawParts = Partial<Record<RawPart, number>>;

export interface CountingRule {
  /** The agent's input count already includes cache reads and writes. */
  inputIncludesCache: boolean;
  /** The agent's output count already includes reasoning tokens. */
  outputIncludesReasoning: boolean;
}

/** One kind of log record that describes one model API request. */
export interface EventSpec extends CountingRule {
  agent: string;
  /** Full event names; matched against the `event.name` attribute, the body and the record's event name. */
  names: readonly string[];
  /** Further conditions on the attributes (Codex: only `response.completed`). */
  where?: Readonly<Record<string, string>>;
  /** Attribute keys per raw part, the first present wins. */
  parts: Readonly<Partial<Record<RawPart, readonly string[]>>>;
  /** The agent's own cost of the request, USD. */
  cost?: string;
  durationMs?: string;
  ttftMs?: string;
}

/** A metric whose points count tokens (or report cost). */
export interface MetricSpec extends CountingRule {
  agent: string;
  name: string;
  /** The attribute naming the token type, with each value's raw part (ignored values: totals and the like). */
  typeKey?: string;
  types?: Readonly<Record<string, RawPart>>;
  /** The metric counts one part whatever its attributes (Copilot's metric per part). */
  part?: RawPart;
  /** The metric is the agent's own cost in USD. */
  cost?: boolean;
  /** More specific than the GenAI metric: when both come from one process and session, this one is used. */
  specific: boolean;
  /** A histogram of it records once per request: its input part's count is the number of requests. */
  perRequest?: boolean;
}

const ANTHROPIC: CountingRule = { inputIncludesCache: false, outputIncludesReasoning: true };
const OPENAI: CountingRule = { inputIncludesCache: true, outputIncludesReasoning: true };
const GEMINI: CountingRule = { inputIncludesCache: true, outputIncludesReasoning: false };

export const AGENT_EVENTS: readonly EventSpec[] = [
  {
    agent: 'claude-code',
    ...ANTHROPIC,
    // The name is in the body; the `event.name` attribute is `api_request`, without the prefix.
    names: ['claude_code.api_request'],
    parts: {
      input: ['input_tokens'],
      output: ['output_tokens'],
      cacheRead: ['cache_read_tokens'],
      cacheWrite: ['cache_creation_tokens'],
    },
    cost: 'cost_usd',
    durationMs: 'duration_ms',
    ttftMs: 'ttft_ms',
  },
  {
    agent: 'codex',
    ...OPENAI,
    // Each response.completed is logged twice: once as a plain SSE event without tokens (not a
    // request: no token attribute), once with them. Counts may be strings. Its
    // `tool_token_count` is the total (input + output), not tool tokens: not read.
    names: ['codex.sse_event'],
    where: { 'event.kind': 'response.completed' },
    parts: {
      input: ['input_token_count'],
      output: ['output_token_count'],
      cacheRead: ['cached_token_count'],
      cacheWrite: ['cache_write_token_count'],
      reasoning: ['reasoning_token_count'],
    },
    // Its duration_ms is the wait for that one SSE event, not the request's latency: not read.
    ttftMs: 'ttft_ms',
  },
  {
    agent: 'gemini-cli',
    ...GEMINI,
    names: ['gemini_cli.api_response'],
    parts: {
      input: ['input_token_count'],
      output: ['output_token_count'],
      cacheRead: ['cached_content_token_count'],
      reasoning: ['thoughts_token_count'],
      // Tool-use prompt tokens are billed as input and are not in the prompt count.
      extraInput: ['tool_token_count'],
    },
    durationMs: 'duration_ms',
  },
];

const GEN_AI_TOKEN_TYPES = { input: 'input', output: 'output' } as const;

export const AGENT_METRICS: readonly MetricSpec[] = [
  {
    agent: 'claude-code',
    ...ANTHROPIC,
    name: 'claude_code.token.usage',
    typeKey: 'type',
    types: { input: 'input', output: 'output', cacheRead: 'cacheRead', cacheCreation: 'cacheWrite' },
    specific: true,
  },
  { agent: 'claude-code', ...ANTHROPIC, name: 'claude_code.cost.usage', cost: true, specific: true },
  {
    agent: 'codex',
    ...OPENAI,
    name: 'codex.turn.token_usage',
    typeKey: 'token_type',
    types: { input: 'input', cached_input: 'cacheRead', cache_write_input: 'cacheWrite', output: 'output', reasoning_output: 'reasoning' },
    specific: true,
  },
  {
    agent: 'gemini-cli',
    ...GEMINI,
    name: 'gemini_cli.token.usage',
    typeKey: 'type',
    types: { input: 'input', output: 'output', cache: 'cacheRead', thought: 'reasoning', tool: 'extraInput' },
    specific: true,
  },
  ...(
    [
      ['gen_ai.client.inference.usage.input_tokens', 'input'],
      ['gen_ai.client.inference.usage.output_tokens', 'output'],
      ['gen_ai.client.inference.usage.cache_read.input_tokens', 'cacheRead'],
      ['gen_ai.client.inference.usage.cache_write.input_tokens', 'cacheWrite'],
      ['gen_ai.client.inference.usage.reasoning.output_tokens', 'reasoning'],
    ] as const
  ).map(([name, part]): MetricSpec => ({ agent: 'copilot-cli', ...OPENAI, name, part, specific: true, perRequest: true })),
  // The GenAI conventions' histogram (input includes cache; output includes reasoning).
  { agent: 'gen_ai', ...OPENAI, name: 'gen_ai.client.token.usage', typeKey: 'gen_ai.token.type', types: GEN_AI_TOKEN_TYPES, specific: false, perRequest: true },
];

const METRICS_BY_NAME: ReadonlyMap<string, MetricSpec> = new Map(AGENT_METRICS.map((m) => [m.name, m]));

export function metricSpec(name: string | undefined): MetricSpec | undefined {
  return name === undefined ? undefined : METRICS_BY_NAME.get(name);
}

/** Keys naming the session, in the order tried (event or point attributes, then the resource). */
export const SESSION_KEYS: readonly string[] = ['session.id', 'conversation.id', 'gen_ai.conversation.id'];
/** Keys naming the model, in the order tried. */
export const MODEL_KEYS = { response: ['gen_ai.response.model', 'model'], request: ['gen_ai.request.model'] } as const;

/** An amount of USD as written (number or decimal string). */
export function amountOf(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

/** Raw parts into llmtrace's convention: input includes cache reads and writes, output includes reasoning. */
export function normalizeParts(p: RawParts, rule: CountingRule): Usage {
  const cacheRead = p.cacheRead ?? 0;
  const cacheWrite = p.cacheWrite ?? 0;
  const reasoning = p.reasoning ?? 0;
  const input = (p.input ?? 0) + (p.extraInput ?? 0) + (rule.inputIncludesCache ? 0 : cacheRead + cacheWrite);
  const output = (p.output ?? 0) + (rule.outputIncludesReasoning ? 0 : reasoning);
  return { input, output, cacheRead, cacheWrite, reasoning };
}

/** The names a log record may carry its event name in: the attribute, a string body, the record's field. */
function eventNames(attributes: Attributes, body: AttrValue, recordName: string): string[] {
  const out: string[] = [];
  const attr = attributes['event.name'];
  if (typeof attr === 'string') out.push(attr);
  if (typeof body === 'string') out.push(body);
  if (recordName) out.push(recordName);
  return out;
}

/** The event spec a log record matches, when it is a request of a known agent. */
export function eventSpecOf(attributes: Attributes, body: AttrValue, recordName: string): EventSpec | undefined {
  const names = eventNames(attributes, body, recordName);
  for (const spec of AGENT_EVENTS) {
    if (!names.some((n) => spec.names.includes(n))) continue;
    if (spec.where && Object.entries(spec.where).some(([k, v]) => attributes[k] !== v)) continue;
    return spec;
  }
  return undefined;
}

export interface EventUsage {
  usage: Usage;
  /** The raw parts that were present, for problems: a part of the wrong type is named. */
  badParts: string[];
}

/**
 * The usage of one request event, or undefined when it carries no token count at all (Codex's
 * second, token-less copy of each response). A part present with a value that is no count is
 * named in `badParts` and counted as 0.
 */
export function eventUsage(spec: EventSpec, attributes: Attributes): EventUsage | undefined {
  const parts: RawParts = {};
  const badParts: string[] = [];
  let any = false;
  for (const [part, keys] of Object.entries(spec.parts) as Array<[RawPart, readonly string[]]>) {
    for (const k of keys) {
      const v = attributes[k];
      if (v === undefined || v === null) continue;
      any = true;
      // The rule spans are read by: one definition of a token count (read-usage.ts).
      const n = toTokenCount(v);
      if (n === undefined) badParts.push(k);
      else parts[part] = n;
      break;
    }
  }
  return any ? { usage: normalizeParts(parts, spec), badParts } : undefined;
}

/** The first string value among the keys, in the attributes, then the resource. */
export function firstString(keys: readonly string[], a: Attributes, resource?: Attributes): string | undefined {
  for (const src of resource ? [a, resource] : [a]) {
    for (const k of keys) {
      const v = src[k];
      if (typeof v === 'string' && v !== '') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    }
  }
  return undefined;
}

/** Where instrumentation libraries report a model span's cost, USD (conventions.md). */
const REPORTED_COST = {
  OPENINFERENCE_TOTAL: 'llm.cost.total',
  OPENINFERENCE_PROMPT: 'llm.cost.prompt',
  OPENINFERENCE_COMPLETION: 'llm.cost.completion',
  /** OpenLIT, Spanora, Logfire: one amount each. */
  AMOUNTS: ['gen_ai.usage.cost', 'spanora.llm.cost.usd', 'operation.cost'],
  LANGFUSE_DETAILS: 'langfuse.observation.cost_details',
} as const;

/** Every span attribute spanReportedCost reads (a source that selects attributes keeps these). */
export const REPORTED_COST_KEYS: readonly string[] = [
  REPORTED_COST.OPENINFERENCE_TOTAL,
  REPORTED_COST.OPENINFERENCE_PROMPT,
  REPORTED_COST.OPENINFERENCE_COMPLETION,
  ...REPORTED_COST.AMOUNTS,
  REPORTED_COST.LANGFUSE_DETAILS,
];

/**
 * Cost that instrumentation libraries report on a model span, USD, in the order tried
 * (conventions.md): OpenInference's total (else prompt + completion), OpenLIT, Spanora, Logfire,
 * then Langfuse's cost details (a JSON object, its `total` or the sum of its parts).
 */
export function spanReportedCost(a: Attributes): number | undefined {
  const total = amountOf(a[REPORTED_COST.OPENINFERENCE_TOTAL]);
  if (total !== undefined) return total;
  const prompt = amountOf(a[REPORTED_COST.OPENINFERENCE_PROMPT]);
  const completion = amountOf(a[REPORTED_COST.OPENINFERENCE_COMPLETION]);
  if (prompt !== undefined || completion !== undefined) return (prompt ?? 0) + (completion ?? 0);
  for (const k of REPORTED_COST.AMOUNTS) {
    const v = amountOf(a[k]);
    if (v !== undefined) return v;
  }
  return langfuseCost(a[REPORTED_COST.LANGFUSE_DETAILS]);
}

function langfuseCost(v: AttrValue | undefined): number | undefined {
  let details: unknown = v;
  if (typeof v === 'string') {
    if (v.length > 10_000) return undefined;
    try {
      details = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  const d = details as Record<string, unknown>;
  if (typeof d.total === 'number' && Number.isFinite(d.total)) return d.total;
  let sum: number | undefined;
  for (const x of Object.values(d)) if (typeof x === 'number' && Number.isFinite(x)) sum = (sum ?? 0) + x;
  return sum;
}

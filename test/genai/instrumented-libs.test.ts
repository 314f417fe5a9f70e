/**
 * More real instrumentation libraries, run now against the peers mock server (test/peers/run-libs.mjs):
 * the Traceloop node SDK, `@anthropic-ai/sdk` under the OpenInference and Traceloop Anthropic
 * instrumentations, LangChain under its OpenInference and Traceloop instrumentations, and
 * `@elastic/opentelemetry-instrumentation-openai` (on openai 4, the only major it instruments). What
 * llmtrace reads (calls, tokens, roles, failures, feature, lint findings) is compared with what
 * the mock returned: its token tables, never the spans. Where a library does not record something
 * the server sent (README, "Conventions"), the test says so and checks that llmtrace shows it as
 * missing rather than as a wrong number.
 */
import { describe, expect, it } from 'vitest';
import { decodeOtlpJsonTraces } from '../../src/lib/otlp/json-decode.js';
import type { Finding } from '../../src/lib/lint/types.js';
import { assembleTrace, type Trace } from '../../src/lib/trace/assemble.js';
import { TraceCollector } from '../../src/lib/trace/collect.js';
import { costOf } from '../cost/helpers.js';
import { writeTemp } from '../helpers/read-all.js';
import { lintFiles } from '../lint/helpers.js';
import { dumpPeer } from '../peers/dump.mjs';
import { FAIL_429_MODEL, FEATURE, TOKEN_TABLE, TOOL_NAME } from '../peers/index.js';
import { AGENT, ANTHROPIC_TOKENS, WORKFLOW } from '../peers/run-libs.mjs';

type Lib = 'traceloop-sdk' | 'anthropic-openinference' | 'anthropic-traceloop' | 'langchain-openinference' | 'langchain-traceloop' | 'elastic';
interface Tok { calls: number; input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number }

/** What the server sent for one OpenAI model (input includes cached, output includes reasoning). */
function openai(model: keyof typeof TOKEN_TABLE, lost: { cached?: boolean; reasoning?: boolean } = {}): Tok {
  const t = TOKEN_TABLE[model];
  return { calls: 1, input: t.prompt, cacheRead: lost.cached ? 0 : t.cached, cacheWrite: 0, output: t.completion, reasoning: lost.reasoning ? 0 : t.reasoning };
}

/** What the server sent for one Anthropic model: its input excludes the cache, so the total input adds it. */
function anthropic(model: keyof typeof ANTHROPIC_TOKENS): Tok {
  const t = ANTHROPIC_TOKENS[model];
  return { calls: 1, input: t.input + t.cacheRead + t.cacheWrite, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite, output: t.output, reasoning: 0 };
}

async function run(lib: Lib, scenario: 'agent' | 'error') {
  const dump = await dumpPeer(lib, { scenario });
  const file = writeTemp(`${lib}-${scenario}.json`, dump.json);
  const decoded = decodeOtlpJsonTraces(JSON.parse(dump.json.toString('utf8')));
  expect(decoded.problems).toEqual([]);
  const c = new TraceCollector();
  c.add(decoded.spans);
  const traces = c.idsByStart().map((id) => assembleTrace(id, c.spans(id)));
  expect(traces).toHaveLength(1);
  const trace = traces[0]!;
  expect(trace.orphanCount).toBe(0);
  const { result } = await costOf([file], { groupBy: ['feature', 'model'] });
  const lint = await lintFiles([file]);
  expect(byRule(lint.findings)).toEqual(LINT[lib][scenario]);
  return { trace, rows: result.report.rows, lint, requests: dump.requests };
}

type Run = Awaited<ReturnType<typeof run>>;

/** Tokens per model as `cost` counts them (count-once), with the feature of every row. */
function costByModel(r: Run): Record<string, Tok> {
  const out: Record<string, Tok> = {};
  for (const row of r.rows) {
    expect(row.feature).toBe(FEATURE);
    out[String(row.model)] = {
      calls: row.calls,
      input: row.inputTokens,
      cacheRead: row.cacheReadTokens,
      cacheWrite: row.cacheWriteTokens,
      output: row.outputTokens,
      reasoning: row.reasoningTokens,
    };
  }
  return out;
}

const roles = (t: Trace) => t.nodes.map((n) => `${n.view.kind}:${n.span.name}`).sort();
const findingsOf = (fs: readonly Finding[], rule: string) => fs.filter((f) => f.rule === rule).map((f) => f.spanName).sort();
/**
 * Every lint finding, by rule, per library and scenario. Each one is true of the library's
 * output: content capture is on by default in all of them; the app's root has no user, session
 * or tenant; the Anthropic SDK names its spans `anthropic.messages.create` (not `chat {model}`);
 * OpenInference and the Traceloop SDK's workflow span write no gen_ai key; the Traceloop SDK's
 * agent span has gen_ai.agent.name but neither operation nor provider, and its tool span (gen_ai.* keys
 * beside traceloop.span.kind) no operation; Traceloop's failed spans
 * have no error.type; Traceloop's LangChain tool span names no tool. No token count is invalid,
 * no tool that names itself in a vendor key is unnamed, no model span lacks its provider.
 */
const LINT: Record<Lib, Record<'agent' | 'error', Record<string, number>>> = {
  'traceloop-sdk': {
    agent: { 'content-captured': 6, 'genai-required-attributes': 2, 'llm-recommended-attributes': 3, 'root-missing-context': 1, 'vendor-only-convention': 1 },
    error: { 'content-captured': 2, 'genai-required-attributes': 1, 'root-missing-context': 1, 'vendor-only-convention': 1 },
  },
  'anthropic-openinference': {
    agent: { 'content-captured': 3, 'llm-recommended-attributes': 3, 'llm-span-name': 3, 'root-missing-context': 1, 'vendor-only-convention': 3 },
    error: { 'content-captured': 1, 'llm-span-name': 1, 'root-missing-context': 1, 'vendor-only-convention': 1 },
  },
  'anthropic-traceloop': {
    agent: { 'content-captured': 3, 'llm-recommended-attributes': 6, 'llm-span-name': 3, 'root-missing-context': 1 },
    error: { 'content-captured': 1, 'llm-failure-unrecorded': 1, 'llm-span-name': 1, 'root-missing-context': 1 },
  },
  'langchain-openinference': {
    agent: { 'content-captured': 4, 'root-missing-context': 1, 'vendor-only-convention': 4 },
    error: { 'content-captured': 1, 'root-missing-context': 1, 'vendor-only-convention': 1 },
  },
  'langchain-traceloop': {
    agent: { 'content-captured': 4, 'llm-recommended-attributes': 3, 'root-missing-context': 1, 'tool-missing-name': 1 },
    error: { 'content-captured': 1, 'llm-failure-unrecorded': 1, 'root-missing-context': 1 },
  },
  // Elastic writes the deprecated gen_ai.system (once per model span) and captures no content.
  elastic: {
    agent: { 'deprecated-attribute': 4, 'root-missing-context': 1 },
    error: { 'deprecated-attribute': 1, 'root-missing-context': 1 },
  },
};

function byRule(fs: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fs) out[f.rule] = (out[f.rule] ?? 0) + 1;
  return out;
}

/** The models the mock server was asked for, in order. */
const asked = (r: Run) => r.requests.map((q) => `${q.path} ${q.body.model}`);

describe('Traceloop node SDK (withWorkflow → withAgent → OpenAI calls and withTool)', () => {
  it('feature from the workflow span, tool named by traceloop.entity.name, the OpenAI calls once each', async () => {
    const r = await run('traceloop-sdk', 'agent');
    expect(asked(r)).toEqual(['/v1/chat/completions gpt-4o', '/v1/chat/completions gpt-4o-mini', '/v1/embeddings text-embedding-3-small', '/v1/chat/completions o4-mini']);
    expect(findingsOf(r.lint.findings, 'tool-missing-name')).toEqual([]);
    expect(findingsOf(r.lint.findings, 'invalid-token-count')).toEqual([]);
    const by = costByModel(r); // every row's feature is the workflow's name, not withAgent's
    expect(WORKFLOW).toBe(FEATURE);
    // OpenLLMetry's OpenAI instrumentation records no cached tokens and does not trace
    // embeddings; its streamed usage is its own tiktoken estimate.
    expect(by['gpt-4o']).toEqual(openai('gpt-4o', { cached: true }));
    expect(by['gpt-4o-mini']).toEqual(openai('gpt-4o-mini'));
    expect(by['o4-mini']!.calls).toBe(1);
    expect(by['o4-mini']!.input).not.toBe(TOKEN_TABLE['o4-mini'].prompt);
    expect(by['text-embedding-3-small']).toBeUndefined();
    expect(roles(r.trace)).toEqual([
      'agent:planner.agent',
      'llm:chat gpt-4o',
      'llm:chat gpt-4o-mini',
      'llm:chat o4-mini',
      'tool:search_docs.tool',
      'workflow:research.workflow',
    ]);
    const tool = r.trace.nodes.find((n) => n.view.kind === 'tool')!;
    expect(tool.view.toolName).toBe(TOOL_NAME);
    expect(r.trace.nodes.find((n) => n.view.kind === 'agent')!.view.agentName).toBe(AGENT);
  }, 90_000);

  it('a failed call: the instrumentation never ends its span, so the failure is not in the trace', async () => {
    const r = await run('traceloop-sdk', 'error');
    expect(asked(r)).toEqual([`/v1/chat/completions ${FAIL_429_MODEL}`]);
    expect(roles(r.trace)).toEqual(['agent:planner.agent', 'workflow:research.workflow']);
    expect(r.rows).toEqual([]);
    expect(r.trace.nodes.every((n) => n.view.error === undefined)).toBe(true);
  }, 90_000);
});

describe.each(['anthropic-openinference', 'anthropic-traceloop'] as const)('@anthropic-ai/sdk under %s', (lib) => {
  it('tokens with cache reads and writes as the server sent them, streamed too; the SDK span and the instrumentation span count once', async () => {
    const r = await run(lib, 'agent');
    expect(asked(r)).toEqual(['/v1/messages claude-sonnet-4-5', '/v1/messages claude-haiku-4-5', '/v1/messages claude-opus-4-1']);
    expect(findingsOf(r.lint.findings, 'invalid-token-count')).toEqual([]);
    expect(findingsOf(r.lint.findings, 'llm-missing-usage')).toEqual([]);
    const want = { 'claude-sonnet-4-5': anthropic('claude-sonnet-4-5'), 'claude-haiku-4-5': anthropic('claude-haiku-4-5'), 'claude-opus-4-1': anthropic('claude-opus-4-1') };
    expect(costByModel(r)).toEqual(want);
    // The SDK (0.137) traces its own calls (scope com.anthropic.sdk.typescript), under the
    // instrumentation's span: two LLM spans per call, the inner one counted.
    const llm = r.trace.nodes.filter((n) => n.view.kind === 'llm');
    const inst = llm.filter((n) => n.span.scope.name !== 'com.anthropic.sdk.typescript');
    expect(inst).toHaveLength(3);
    expect(inst.every((n) => !n.countsUsage && n.view.provider === 'anthropic')).toBe(true);
    // The instrumentation's own spans read right too (an app on an SDK without its own tracing
    // counts these), also where the cache is smaller than Anthropic's raw input (opus).
    for (const n of inst) {
      const model = n.view.requestModel as keyof typeof want;
      const { calls: _calls, ...tokens } = want[model];
      expect(n.view.usage).toEqual(tokens);
    }
    expect(roles(r.trace).filter((x) => x.startsWith('tool:'))).toEqual([`tool:execute_tool ${TOOL_NAME}`]);
  }, 90_000);

  it('a failed call (HTTP 429) is one failed call, with no usage expected', async () => {
    const r = await run(lib, 'error');
    expect(asked(r)).toEqual([`/v1/messages ${FAIL_429_MODEL}`]);
    const failed = r.trace.nodes.filter((n) => n.view.kind === 'llm');
    expect(failed).toHaveLength(2); // the instrumentation's and the SDK's
    expect(failed.every((n) => n.view.error !== undefined)).toBe(true);
    expect(r.rows.map((x) => [x.model, x.calls, x.inputTokens])).toEqual([[FAIL_429_MODEL, 1, 0]]);
    expect(findingsOf(r.lint.findings, 'llm-missing-usage')).toEqual([]);
  }, 90_000);
});

describe.each(['langchain-openinference', 'langchain-traceloop'] as const)('LangChain (@langchain/openai) under %s', (lib) => {
  it('chat calls once each with the server tokens; the tool; embeddings untraced', async () => {
    const r = await run(lib, 'agent');
    expect(asked(r)).toEqual(['/v1/chat/completions gpt-4o', '/v1/chat/completions gpt-4o-mini', '/v1/embeddings text-embedding-3-small', '/v1/chat/completions o4-mini']);
    const by = costByModel(r);
    // Neither traces OpenAIEmbeddings; Traceloop's LangChain instrumentation records neither
    // cached nor reasoning tokens.
    const lost = lib === 'langchain-traceloop' ? { cached: true, reasoning: true } : {};
    expect(by).toEqual({ 'gpt-4o': openai('gpt-4o', lost), 'gpt-4o-mini': openai('gpt-4o-mini', lost), 'o4-mini': openai('o4-mini', lost) });
    // OpenInference writes no llm.provider here: it is read from LangChain's metadata JSON.
    expect(r.trace.nodes.filter((n) => n.view.kind === 'llm').map((n) => n.view.provider)).toEqual(['openai', 'openai', 'openai']);
    const tools = r.trace.nodes.filter((n) => n.view.kind === 'tool');
    expect(tools).toHaveLength(1);
    if (lib === 'langchain-openinference') {
      expect(tools[0]!.view.toolName).toBe(TOOL_NAME);
      expect(findingsOf(r.lint.findings, 'tool-missing-name')).toEqual([]);
    } else {
      // Traceloop names the tool span after the tool's class, never its name: a true finding.
      expect(tools[0]!.span.name).toBe('execute_tool DynamicStructuredTool');
      expect(findingsOf(r.lint.findings, 'tool-missing-name')).toEqual(['execute_tool DynamicStructuredTool']);
    }
    expect(findingsOf(r.lint.findings, 'invalid-token-count')).toEqual([]);
  }, 90_000);

  it('a failed call (HTTP 429) is one failed call', async () => {
    const r = await run(lib, 'error');
    const llm = r.trace.nodes.filter((n) => n.view.kind === 'llm');
    expect(llm).toHaveLength(1);
    expect(llm[0]!.view.error).toBeDefined();
    expect(r.rows.map((x) => [x.model, x.calls, x.inputTokens])).toEqual([[FAIL_429_MODEL, 1, 0]]);
    expect(findingsOf(r.lint.findings, 'llm-missing-usage')).toEqual([]);
  }, 90_000);
});

describe('@elastic/opentelemetry-instrumentation-openai (openai 4)', () => {
  it('every call once, embeddings too, with the server\'s input and output; no cached or reasoning counts', async () => {
    const r = await run('elastic', 'agent');
    expect(asked(r)).toEqual(['/v1/chat/completions gpt-4o', '/v1/chat/completions gpt-4o-mini', '/v1/embeddings text-embedding-3-small', '/v1/chat/completions o4-mini']);
    const lost = { cached: true, reasoning: true };
    expect(costByModel(r)).toEqual({
      'gpt-4o': openai('gpt-4o', lost),
      'gpt-4o-mini': openai('gpt-4o-mini', lost),
      'text-embedding-3-small': openai('text-embedding-3-small', lost),
      'o4-mini': openai('o4-mini', lost),
    });
    expect(roles(r.trace)).toEqual([
      'embeddings:embeddings text-embedding-3-small',
      'llm:chat gpt-4o',
      'llm:chat gpt-4o-mini',
      'llm:chat o4-mini',
      'other:agent.research',
      `tool:execute_tool ${TOOL_NAME}`,
    ]);
    expect(r.trace.nodes.filter((n) => n.view.kind === 'llm').every((n) => n.view.provider === 'openai')).toBe(true);
  }, 90_000);

  it('a failed call (HTTP 429) is one failed call, with its error.type', async () => {
    const r = await run('elastic', 'error');
    const llm = r.trace.nodes.filter((n) => n.view.kind === 'llm');
    expect(llm.map((n) => [n.view.error, n.view.errorType])).toEqual([['RateLimitError', 'RateLimitError']]);
    expect(r.rows.map((x) => [x.model, x.calls, x.inputTokens])).toEqual([[FAIL_429_MODEL, 1, 0]]);
  }, 90_000);
});

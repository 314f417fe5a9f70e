/**
 * More instrumentation libraries, run now against the mock OpenAI / Anthropic / Gemini server
 * (test/peers/libs/: one driver per library, each exporting through the library's own OTLP
 * exporter to a capture receiver). What llmtrace reads — calls and tokens per model through
 * `cost`, span roles and failures through the GenAI view, the feature, lint findings — is
 * compared with what the mocks returned, as far as each library records it (`lost` says what
 * it does not; the README's conventions table says the same to users).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../src/lib/span.js';
import { assembleTrace, type Trace } from '../../src/lib/trace/assemble.js';
import { TraceCollector } from '../../src/lib/trace/collect.js';
import { costOf } from '../cost/helpers.js';
import { lintFiles } from '../lint/helpers.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { TOKEN_TABLE } from '../peers/openai-server.mjs';
import { ANTHROPIC_TOKENS } from '../peers/anthropic-mock.mjs';
import { GEMINI_TOKENS } from '../peers/gemini-mock.mjs';
import { runLib } from '../peers/libs/run-lib.mjs';

interface Tok { calls: number; input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number }
const call = (input = 0, cacheRead = 0, output = 0, reasoning = 0, cacheWrite = 0): Tok => ({ calls: 1, input, cacheRead, cacheWrite, output, reasoning });
/** A call the library shows without usage: counted once, nothing to price. */
const bare = call();

/** OpenAI mock counts: input includes cached, output includes reasoning (OpenAI's semantics). */
const openai = (model: keyof typeof TOKEN_TABLE, keep: { cached?: boolean; reasoning?: boolean } = {}): Tok => {
  const t = TOKEN_TABLE[model];
  return call(t.prompt, keep.cached === false ? 0 : t.cached, t.completion, keep.reasoning === false ? 0 : t.reasoning);
};
/** Gemini mock counts: prompt includes cached; candidates EXCLUDE thoughts, so output = both. */
const gemini = (model: keyof typeof GEMINI_TOKENS): Tok => {
  const t = GEMINI_TOKENS[model];
  return call(t.prompt, t.cached, t.candidates + t.thoughts, t.thoughts);
};
/** Anthropic mock counts: `input_tokens` EXCLUDES the cache, so input = all three. */
const anthropic = (model: keyof typeof ANTHROPIC_TOKENS): Tok => {
  const t = ANTHROPIC_TOKENS[model];
  return call(t.input + t.cacheRead + t.cacheWrite, t.cacheRead, t.output, 0, t.cacheWrite);
};

/** OpenAI and Anthropic calls as openlit and Sentry record them: no reasoning count for OpenAI. */
const openaiAndAnthropic = (): Record<string, Tok> => ({
  'gpt-4o': openai('gpt-4o'),
  'gpt-4o-mini': openai('gpt-4o-mini'),
  'o4-mini': openai('o4-mini', { reasoning: false }),
  'text-embedding-3-small': openai('text-embedding-3-small'),
  'claude-sonnet-4-5': anthropic('claude-sonnet-4-5'),
  'claude-haiku-4-5': anthropic('claude-haiku-4-5'),
});

interface Case {
  /** Calls and tokens per model, from the mock tables and what the library records. */
  byModel: Record<string, Tok>;
  /** Span count by GenAI kind. */
  kinds: Record<string, number>;
  /** Models of the calls that failed (HTTP 429 from the mock), and what their error says. */
  failed: string[];
  failText: RegExp;
  feature: string;
  /** Lint findings: rule id → count. */
  lint: Record<string, number>;
  spans: number;
}

const CASES: Record<string, Case> = {
  // observeOpenAI: usage_details buckets; embeddings written as generations without usage.
  langfuse: {
    byModel: { 'gpt-4o': openai('gpt-4o'), 'gpt-4o-mini': openai('gpt-4o-mini'), 'o4-mini': openai('o4-mini'), 'text-embedding-3-small': bare, 'fail-429': bare },
    kinds: { agent: 1, tool: 1, llm: 4, embeddings: 1 },
    failed: ['fail-429'],
    failText: /429/,
    feature: 'research', // langfuse.trace.name
    lint: { 'llm-missing-provider': 5, 'llm-missing-usage': 1, 'vendor-only-convention': 7, 'content-captured': 6, 'root-missing-context': 1 },
    spans: 7,
  },
  // The official OpenAI instrumentation under Logfire's SDK: no cache or reasoning keys; the
  // pending_span copies are gone, the undici HTTP spans stay (leaves).
  logfire: {
    byModel: {
      'gpt-4o': openai('gpt-4o', { cached: false }),
      'gpt-4o-mini': openai('gpt-4o-mini'),
      'o4-mini': openai('o4-mini', { reasoning: false }),
      'text-embedding-3-small': openai('text-embedding-3-small'),
      'fail-429': bare,
    },
    kinds: { other: 6, tool: 1, llm: 4, embeddings: 1 },
    failed: ['fail-429'],
    failText: /RateLimitError/,
    feature: 'research', // app.feature on the root
    lint: { 'deprecated-attribute': 5, 'root-missing-context': 1 },
    spans: 12,
  },
  // wrapOpenAI + wrapGemini in OTel mode. Streamed calls write their model and usage onto the
  // parent run's span (the root here, then a sum over children): they are lost, as are
  // embeddings, which neither wrapper traces. Failures: status OK plus an exception event.
  langsmith: {
    byModel: {
      'gpt-4o': openai('gpt-4o'),
      'gpt-4o-mini': openai('gpt-4o-mini'),
      'gemini-2.5-flash': gemini('gemini-2.5-flash'),
      'fail-429': { ...bare, calls: 2 },
    },
    kinds: { llm: 6, tool: 1 },
    failed: ['fail-429', 'fail-429'],
    failText: /429|Too Many Requests/,
    feature: 'research-agent', // no feature key: the root's name
    lint: { 'deprecated-attribute': 20, 'llm-span-name': 6, 'llm-failure-unrecorded': 2, 'root-missing-context': 1, 'content-captured': 7, 'vendor-only-convention': 0 },
    spans: 7,
  },
  // openlit patches openai and @anthropic-ai/sdk; the Anthropic SDK's own OpenTelemetry span
  // (`anthropic.messages.create`, input with cache) sits under openlit's (input without cache):
  // the inner one is counted, and both read the same. No reasoning key for OpenAI.
  openlit: {
    byModel: {
      ...openaiAndAnthropic(),
      'fail-429': { ...bare, calls: 2 },
    },
    kinds: { other: 9, llm: 10, tool: 1, embeddings: 1 },
    failed: ['fail-429', 'fail-429', 'fail-429'],
    failText: /429|RateLimitError|rate_limit_error/,
    feature: 'research',
    lint: { 'content-captured': 6, 'llm-recommended-attributes': 3, 'llm-span-name': 3, 'root-missing-context': 1 },
    // openlit's own Anthropic spans write Anthropic's input (cache excluded) next to the cache
    // counts: read as such (genai/producers.ts INPUT_EXCLUDES_CACHE), and lint agrees.
    spans: 21,
  },
  // Sentry 10's OpenAI, Anthropic and Google GenAI integrations through an OTLP span processor.
  // No reasoning key for OpenAI; the Gemini API reports no usage for embeddings.
  sentry: {
    byModel: {
      ...openaiAndAnthropic(),
      'gemini-2.5-flash': gemini('gemini-2.5-flash'),
      'gemini-2.5-pro': gemini('gemini-2.5-pro'),
      'gemini-embedding-001': bare,
      'fail-429': { ...bare, calls: 3 },
    },
    kinds: { agent: 1, llm: 13, other: 12, embeddings: 2, tool: 1 },
    // Its own spans record a failure only as status ERROR (no message, no error.type).
    failed: ['fail-429', 'fail-429', 'fail-429', 'fail-429'],
    failText: /error|rate_limit_error/,
    feature: 'research',
    lint: {
      'deprecated-attribute': 12,
      'llm-recommended-attributes': 11,
      'llm-failure-unrecorded': 3,
      'llm-span-name': 3,
      'llm-missing-usage': 1, // the Gemini embeddings call: the API reports no usage
      'genai-required-attributes': 1,
      'root-missing-context': 1,
    },
    spans: 29,
  },
};

function tracesOf(spans: Span[]): Trace[] {
  const c = new TraceCollector();
  c.add(spans);
  return c.idsByStart().map((id) => assembleTrace(id, c.spans(id)));
}

const countBy = <T,>(xs: readonly T[], key: (x: T) => string) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

describe.each(Object.keys(CASES))('%s against the mock servers', (lib) => {
  const want = CASES[lib]!;
  let files: string[] = [];
  beforeAll(async () => {
    files = (await runLib(lib, tempDir())).files;
  }, 120_000);

  it('calls and tokens per model, and the feature, through cost', async () => {
    const { result, read } = await costOf(files, { groupBy: ['feature', 'model'], pricing: { files: [], builtin: false } });
    expect(read.unusable).toBe(false);
    const got: Record<string, Tok> = {};
    for (const r of result.report.rows) {
      expect(r.feature).toBe(want.feature);
      got[String(r.model)] = { calls: r.calls, input: r.inputTokens, cacheRead: r.cacheReadTokens, cacheWrite: r.cacheWriteTokens, output: r.outputTokens, reasoning: r.reasoningTokens };
    }
    expect(got).toEqual(want.byModel);
  });

  it('span roles, failures and one trace', async () => {
    const { spans, problems } = await readAll(files);
    expect(problems).toEqual([]);
    const [t, ...rest] = tracesOf(spans);
    expect(rest).toEqual([]);
    expect(t!.orphanCount).toBe(0);
    expect(t!.nodes).toHaveLength(want.spans);
    expect(countBy(t!.nodes, (n) => n.view.kind)).toEqual(want.kinds);
    const failed = t!.nodes.filter((n) => (n.view.kind === 'llm' || n.view.kind === 'embeddings') && n.view.error !== undefined);
    expect(failed.map((n) => n.view.requestModel).sort()).toEqual(want.failed);
    for (const n of failed) expect(`${n.view.error} ${n.view.errorType}`).toMatch(want.failText);
    const tool = t!.nodes.find((n) => n.view.kind === 'tool')!;
    expect(tool.view.toolName).toBe('search_docs');
  });

  it('lint findings', async () => {
    const { findings } = await lintFiles(files);
    const byRule = countBy(findings, (f) => f.rule);
    for (const [rule, n] of Object.entries(want.lint)) expect([rule, byRule[rule] ?? 0]).toEqual([rule, n]);
    // No finding the mocks' truth contradicts: the failed calls have no usage by right, tools are named.
    const never = ['tool-missing-name', 'invalid-token-count'];
    expect(findings.filter((f) => never.includes(f.rule)).map((f) => `${f.rule}@${f.spanId}`)).toEqual([]);
    const failedIds = new Set(findings.filter((f) => f.rule === 'llm-missing-usage').map((f) => f.spanId));
    const { spans } = await readAll(files);
    for (const s of spans.filter((x) => x.name.includes('fail-429') || String(x.attributes['gen_ai.request.model'] ?? x.attributes['langfuse.observation.model.name']) === 'fail-429')) {
      expect(failedIds.has(s.spanId)).toBe(false);
    }
  });
});

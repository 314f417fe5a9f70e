/**
 * Each rule against its sources (the v1.41 GenAI YAML in fixtures/shared/semconv, conventions.md,
 * seed 004's checklist) and real libraries' output: one fixture per scenario where they
 * disagreed (fixtures/lint/audit/make.mjs), findings asserted as data. `it.fails` marks a
 * defect found and not fixed yet; it turns red when the defect is fixed, to be made an `it`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/lib/lint/types.js';
import { lintFiles } from './helpers.js';

const DIR = path.resolve('fixtures/lint/audit');
const SPAN = '1000000000000001';
const SECOND = '1000000000000002';

async function lint(name: string): Promise<Finding[]> {
  return (await lintFiles([path.join(DIR, `${name}.json`)])).findings;
}

const data = (findings: readonly Finding[], rule?: string) => findings.filter((f) => rule === undefined || f.rule === rule).map((f) => ({ rule: f.rule, spanId: f.spanId, facts: f.facts }));

describe('lint rules against their sources', () => {
  it('fixtures are what fixtures/lint/audit/make.mjs writes', () => {
    const script = `import {FIXTURES} from ${JSON.stringify(path.join(DIR, 'make.mjs'))}; process.stdout.write(JSON.stringify(FIXTURES))`;
    const generated = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    for (const [name, doc] of Object.entries(generated)) expect(JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')), name).toEqual(doc);
  });

  it('deprecated-attribute and content-captured leave the current gen_ai.prompt.name alone (gemini-cli writes it)', async () => {
    expect(data(await lint('prompt-name'))).toEqual([]);
  });

  it('deprecated-attribute and content-captured still report the indexed gen_ai.prompt.0.content family', async () => {
    expect(data(await lint('prompt-indexed'))).toEqual([
      { rule: 'deprecated-attribute', spanId: SPAN, facts: { what: 'attribute', key: 'gen_ai.prompt.*', replacement: null, replacementPresent: false } },
      { rule: 'content-captured', spanId: SPAN, facts: { keys: ['gen_ai.prompt.0.content'], eventKeys: [] } },
    ]);
  });

  it('invalid-token-count counts cache_creation and its newer name cache_write once, as usage does', async () => {
    expect(data(await lint('cache-write-both-names'), 'invalid-token-count')).toEqual([]);
  });

  it('content-captured reports the retrieval query text and documents (sensitive per the registry)', async () => {
    expect(data(await lint('retrieval-content'), 'content-captured')).toEqual([
      { rule: 'content-captured', spanId: SPAN, facts: { keys: ['gen_ai.retrieval.query.text', 'gen_ai.retrieval.documents'], eventKeys: [] } },
    ]);
  });

  it('vendor-only-convention lists only gen_ai.* keys to add, also for a Bedrock call', async () => {
    const [f] = data(await lint('bedrock-vendor-only'), 'vendor-only-convention');
    expect(f?.facts).toMatchObject({ role: 'llm', expected: ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens'] });
  });

  it('judges the Vercel AI SDK\'s steps, not the outer spans that repeat them (real capture: 4 calls)', async () => {
    const r = await lintFiles([path.resolve('fixtures/instrumented/vercel.json')]);
    // Not ai.generateText/streamText/embed: their doGenerate/doStream step carries the call.
    expect(r.findings.filter((f) => f.rule === 'vendor-only-convention').map((f) => f.spanName).sort()).toEqual(['ai.embed.doEmbed', 'ai.toolCall']);
    expect(r.scorecard).toMatchObject({ llmSpans: 4, genAiSpans: 5, toolSpans: 1 });
  });

  // The registry's predefined operations (WELL_KNOWN_VALUES): Gemini CLI's llm_call and tool_call are not among them.
  it('reports operation names outside the gen_ai.operation.name enum (gemini-cli llm_call, tool_call)', async () => {
    const found = await lint('unknown-operation');
    expect(found.some((f) => f.spanId === SPAN)).toBe(true);
    expect(found.some((f) => f.spanId === SECOND)).toBe(true);
    expect(found.map((f) => (f.facts as { value: string }).value).sort()).toEqual(['llm_call', 'tool_call']);
  });

  // classify makes a span naming a tool (gen_ai.tool.name) and no operation a tool: the rules see it.
  it('reports a tool span without gen_ai.operation.name (seed 004 example; execute_tool requires it)', async () => {
    const r = await lintFiles([path.join(DIR, 'tool-without-operation.json')]);
    expect(r.scorecard.toolSpans).toBe(1);
    expect(data(r.findings)).toEqual([{ rule: 'genai-required-attributes', spanId: SPAN, facts: { role: 'tool', definition: 'span.gen_ai.execute_tool.internal', missing: ['gen_ai.operation.name'] } }]);
  });
});

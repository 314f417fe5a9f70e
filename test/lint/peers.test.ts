/**
 * lint on spans from real LLM instrumentation libraries (driving the `openai` client and the
 * Vercel AI SDK against the local mock server): which rules they trip, by rule id.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/lib/lint/types.js';
import { writeTemp } from '../helpers/read-all.js';
import { emitDump } from '../peers/index.js';
import { lintFiles } from './helpers.js';

async function lintLib(lib: 'official' | 'openinference' | 'openllmetry' | 'vercel') {
  const file = writeTemp(`${lib}.json`, await emitDump(lib, 'json'));
  return lintFiles([file]);
}

const byRule = (fs: Finding[]) => {
  const m: Record<string, number> = {};
  for (const f of fs) m[f.rule] = (m[f.rule] ?? 0) + 1;
  return m;
};

describe('lint on real instrumentation', () => {
  it('@opentelemetry/instrumentation-openai: only the deprecated gen_ai.system (and the app\'s root context)', async () => {
    const r = await lintLib('official');
    expect(byRule(r.findings)).toEqual({ 'deprecated-attribute': 4, 'root-missing-context': 1 });
    expect(r.findings.filter((f) => f.rule === 'deprecated-attribute').every((f) => (f.facts as { key: string }).key === 'gen_ai.system')).toBe(true);
  }, 60_000);

  it('OpenInference: one vendor-only finding per GenAI span it writes, no false "missing" errors for model or provider', async () => {
    const r = await lintLib('openinference');
    const rules = byRule(r.findings);
    expect(rules['vendor-only-convention']).toBe(4);
    expect(rules['llm-missing-model']).toBeUndefined();
    expect(rules['llm-missing-provider']).toBeUndefined();
    expect(rules['llm-missing-operation']).toBeUndefined();
    // It records no usage for embeddings nor for the streamed chat: true positives.
    expect(r.findings.filter((f) => f.rule === 'llm-missing-usage').map((f) => f.spanName).sort()).toEqual(['OpenAI Chat Completions', 'OpenAI Embeddings']);
  }, 60_000);

  it('OpenLLMetry: current keys; content capture and server address reported', async () => {
    const r = await lintLib('openllmetry');
    expect(r.counts.error).toBe(0);
    expect(byRule(r.findings)).toMatchObject({ 'content-captured': 3, 'root-missing-context': 1 });
  }, 60_000);

  it('Vercel AI SDK: doGenerate/doStream spans lack gen_ai.operation.name and use gen_ai.system', async () => {
    const r = await lintLib('vercel');
    const missingOp = r.findings.filter((f) => f.rule === 'llm-missing-operation').map((f) => f.spanName).sort();
    expect(missingOp).toEqual(['ai.generateText.doGenerate', 'ai.generateText.doGenerate', 'ai.streamText.doStream']);
    expect(r.findings.filter((f) => f.rule === 'deprecated-attribute')).toHaveLength(3);
    expect(r.scorecard.items.find((i) => i.id === 'llm-usage')).toMatchObject({ ok: true });
  }, 60_000);
});

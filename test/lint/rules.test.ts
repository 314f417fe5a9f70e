import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, RULE_IDS } from '../../src/lib/lint/registry.js';
import { keys, lintFiles } from './helpers.js';

const FIX = path.resolve('fixtures/lint');
const ROOT = '1000000000000001';
const CHAT = '2000000000000002';
const TOOL = '3000000000000003';
const EMBED = '4000000000000004';

/** Fixture → exactly the findings (rule@span) it must produce. Each changes one thing of clean.json. */
const EXPECTED: Record<string, string[]> = {
  'llm-missing-operation': [`llm-missing-operation@${CHAT}`],
  'llm-missing-provider': [`llm-missing-provider@${CHAT}`],
  'llm-missing-model': [`llm-missing-model@${CHAT}`],
  'llm-missing-usage': [`llm-missing-usage@${CHAT}`],
  'llm-recommended-attributes': [`llm-recommended-attributes@${CHAT}`],
  'llm-span-name': [`llm-span-name@${CHAT}`],
  'llm-span-kind': [`llm-span-kind@${CHAT}`],
  'llm-failure-unrecorded': [`llm-failure-unrecorded@${CHAT}`],
  'tool-missing-name': [`tool-missing-name@${TOOL}`],
  'tool-without-parent': [`tool-without-parent@${TOOL}`],
  'tool-failure-unrecorded': [`tool-failure-unrecorded@${TOOL}`],
  'root-missing-context': [`root-missing-context@${ROOT}`],
  'genai-required-attributes': ['genai-required-attributes@6000000000000006'],
  'deprecated-attribute': [`deprecated-attribute@${CHAT}`, `deprecated-attribute@${EMBED}`],
  'vendor-only-convention': [`vendor-only-convention@${CHAT}`],
  'orphan-span': ['orphan-span@5000000000000005'],
  // A rootless trace's spans are orphans too.
  'trace-without-root': ['orphan-span@7000000000000007', 'trace-without-root@7000000000000007'],
  'duplicate-span-id': [`duplicate-span-id@${TOOL}`],
  // On the cycle's lowest span id.
  'parent-cycle': ['parent-cycle@c1c1000000000001'],
  // The zero-id span never decodes: the finding comes from the decode problem, without a span id.
  'invalid-id': ['invalid-id@'],
  'invalid-token-count': [`invalid-token-count@${CHAT}`, `invalid-token-count@${CHAT}`],
  'end-before-start': [`end-before-start@${TOOL}`],
  'unknown-operation': [`unknown-operation@${TOOL}`],
  'content-captured': [`content-captured@${CHAT}`],
  'model-unpriced': [`model-unpriced@${CHAT}`],
  'decode-problem': ['decode-problem@'],
};

/** model-unpriced needs a price table: a stand-in that knows the usual models. */
const isPriced = (v: { requestModel?: string; responseModel?: string }) => !(v.responseModel ?? v.requestModel ?? '').startsWith('mystery');

describe('lint rules on their fixtures', () => {
  it('has a fixture and an expectation for every registered rule', () => {
    for (const id of RULE_IDS) {
      expect(existsSync(path.join(FIX, `${id}.json`)), id).toBe(true);
      expect(EXPECTED[id], id).toBeDefined();
    }
  });

  it('fixtures are what fixtures/lint/make-fixtures.mjs writes', () => {
    const script = `import {FIXTURES} from ${JSON.stringify(path.join(FIX, 'make-fixtures.mjs'))}; process.stdout.write(JSON.stringify(FIXTURES))`;
    const generated = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(Object.keys(generated).sort()).toEqual([...RULE_IDS, 'clean'].sort());
    for (const [name, doc] of Object.entries(generated)) expect(JSON.parse(readFileSync(path.join(FIX, `${name}.json`), 'utf8')), name).toEqual(doc);
  });

  it('finds nothing in the clean fixture, with every rule at its default and pricing on', async () => {
    const r = await lintFiles([path.join(FIX, 'clean.json')], { isPriced });
    expect(keys(r.findings)).toEqual([]);
    expect(r.scorecard.items.every((i) => i.ok)).toBe(true);
  });

  it.each(Object.entries(EXPECTED))('%s.json triggers exactly its rule', async (name, expected) => {
    const r = await lintFiles([path.join(FIX, `${name}.json`)], { isPriced });
    expect(keys(r.findings)).toEqual(expected);
  });

  it('turns a rule off without touching the others', async () => {
    const r = await lintFiles([path.join(FIX, 'trace-without-root.json')], { rules: [{ id: 'orphan-span', severity: 'off' }] });
    expect(keys(r.findings)).toEqual(['trace-without-root@7000000000000007']);
  });

  it('skips model-unpriced when no price table is injected', async () => {
    const r = await lintFiles([path.join(FIX, 'model-unpriced.json')]);
    expect(keys(r.findings)).toEqual([]);
  });

  it('reports facts a machine can use', async () => {
    const dep = await lintFiles([path.join(FIX, 'deprecated-attribute.json')]);
    expect(dep.findings.map((f) => f.facts)).toEqual([
      { what: 'attribute', key: 'gen_ai.system', replacement: 'gen_ai.provider.name', replacementPresent: false },
      { what: 'attribute', key: 'gen_ai.usage.prompt_tokens', replacement: 'gen_ai.usage.input_tokens', replacementPresent: false },
    ]);
    const tok = await lintFiles([path.join(FIX, 'invalid-token-count.json')]);
    expect(tok.findings.map((f) => f.facts)).toEqual([
      { key: 'gen_ai.usage.output_tokens', value: '12.5', problem: 'fractional' },
      {
        key: 'gen_ai.usage.cache_read.input_tokens',
        value: '30',
        problem: 'part-exceeds-whole',
        whole: 'gen_ai.usage.input_tokens',
        wholeValue: '23',
      },
    ]);
    const root = await lintFiles([path.join(FIX, 'root-missing-context.json')]);
    expect(root.findings[0]?.facts).toMatchObject({ missing: ['tenant'], present: { user: 'user.id', session: 'session.id' } });
    const id = await lintFiles([path.join(FIX, 'invalid-id.json')]);
    expect(id.findings[0]).toMatchObject({ rule: 'invalid-id', source: path.join(FIX, 'invalid-id.json'), facts: { problem: 'decode' } });
    expect((id.findings[0]!.facts as { field: string }).field).toMatch(/spans\[4\]\.spanId$/);
  });

  it('gives every rule docs: what it checks, why it matters, how to fix it', () => {
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(r.description.length, r.id).toBeGreaterThan(10);
      for (const part of [r.docs.checks, r.docs.why, r.docs.fix]) expect(part.length, r.id).toBeGreaterThan(20);
      expect(r.span ?? r.trace ?? r.problem, r.id).toBeDefined();
    }
  });
});

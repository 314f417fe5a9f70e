import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPRECATED_KEYS, DEPRECATED_PROVIDER_VALUES, KNOWN_PROVIDERS, OPERATION_KINDS } from '../../src/lib/genai/conventions.js';
import { renderRulesMarkdown, renderRulesReadmeSection } from '../../src/lib/lint/docs.js';
import { RULES } from '../../src/lib/lint/registry.js';
import { DEPRECATED_ATTRIBUTES, DEPRECATED_VALUES, SPAN_DEFINITIONS, WELL_KNOWN_VALUES } from '../../src/lib/lint/semconv-requirements.js';
import { tempDir } from '../helpers/read-all.js';

const SEMCONV = path.resolve('fixtures/shared/semconv/gen-ai-v1.41.0');

describe('generated semconv requirement table', () => {
  it('is what scripts/gen-semconv.mjs generates from the YAML today', () => {
    const out = path.join(tempDir(), 'semconv-requirements.ts');
    execFileSync(process.execPath, ['scripts/gen-semconv.mjs', SEMCONV, out]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync('src/lib/lint/semconv-requirements.ts', 'utf8'));
  });

  it('holds the levels the rules rely on', () => {
    const inference = SPAN_DEFINITIONS['span.gen_ai.inference.client']!;
    expect(inference.spanKind).toBe('client');
    expect(inference.nameTemplate).toBe('{gen_ai.operation.name} {gen_ai.request.model}');
    expect(inference.attributes['gen_ai.operation.name']?.level).toBe('required');
    expect(inference.attributes['gen_ai.provider.name']?.level).toBe('required');
    expect(inference.attributes['gen_ai.request.model']).toEqual({ level: 'conditionally_required', condition: 'If available.' });
    expect(inference.attributes['server.address']?.level).toBe('recommended');
    // The OpenAI definition overrides the request model to required (extends + ref override).
    expect(SPAN_DEFINITIONS['span.openai.inference.client']!.attributes['gen_ai.request.model']?.level).toBe('required');
    expect(SPAN_DEFINITIONS['span.gen_ai.execute_tool.internal']!.attributes['gen_ai.tool.name']?.level).toBe('required');
    expect(SPAN_DEFINITIONS['span.aws.bedrock.client']!.nameTemplate).toBe(inference.nameTemplate);
    expect(SPAN_DEFINITIONS['span.gen_ai.embeddings.client']!.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it('agrees with the convention tables classify() and the deprecated rule use', () => {
    for (const [key, replacement] of Object.entries(DEPRECATED_ATTRIBUTES)) expect(DEPRECATED_KEYS[key], key).toBe(replacement);
    for (const [value, replacement] of Object.entries(DEPRECATED_VALUES['gen_ai.system'] ?? {})) expect(DEPRECATED_PROVIDER_VALUES[value]).toBe(replacement);
    for (const p of WELL_KNOWN_VALUES['gen_ai.provider.name']!) expect(KNOWN_PROVIDERS.has(p), p).toBe(true);
    for (const op of WELL_KNOWN_VALUES['gen_ai.operation.name']!) expect(OPERATION_KINDS[op], op).toBeDefined();
  });

  it('stops on bad YAML with the file, line and column (duplicate keys, unclosed quotes, tabs)', () => {
    const script = `import {parseYaml} from ${JSON.stringify(path.resolve('scripts/gen-semconv.mjs'))}; try { parseYaml(process.argv[1], 'x.yaml'); } catch (e) { process.stdout.write(e.message.split('\\n')[0]); }`;
    const firstLine = (yaml: string) => execFileSync(process.execPath, ['--input-type=module', '-e', script, yaml], { encoding: 'utf8' });
    expect(firstLine('groups:\n  - id: a\n    id: b\n')).toBe('x.yaml: Map keys must be unique at line 3, column 5:');
    expect(firstLine('a: "x\n')).toMatch(/^x\.yaml: Missing closing "quote at line \d+, column \d+:$/);
    expect(firstLine('a:\n\t- b\n')).toMatch(/^x\.yaml: Tabs are not allowed as indentation at line 2, column 1:$/);
  });
});

describe('rule docs', () => {
  it('docs/lint-rules.md is generated from the registry (npm run build && node scripts/gen-lint-docs.mjs)', () => {
    expect(readFileSync('docs/lint-rules.md', 'utf8')).toBe(renderRulesMarkdown());
  });

  it('the README lists every rule as generated from the registry', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(renderRulesReadmeSection());
  });

  it('documents every rule with its default severity', () => {
    const md = renderRulesMarkdown();
    for (const r of RULES) expect(md).toContain(`## ${r.id}\n`);
  });
});

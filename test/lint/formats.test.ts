import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeColors } from '../../src/lib/render/colors.js';
import { RULES } from '../../src/lib/lint/registry.js';
import { annotation, escapeData, escapeProperty, GithubReporter } from '../../src/lib/lint/render/github.js';
import { JsonReporter } from '../../src/lib/lint/render/json.js';
import type { LintSummary, Reporter } from '../../src/lib/lint/render/reporter.js';
import { artifactUri, SarifReporter } from '../../src/lib/lint/render/sarif.js';
import { MAX_KEPT, StylishReporter } from '../../src/lib/lint/render/stylish.js';
import type { Finding } from '../../src/lib/lint/types.js';
import { resolveSettings } from '../../src/lib/lint/config.js';
import { isShared } from '../../src/lib/lint/facts-memo.js';
import { formatMessage } from '../../src/lib/lint/messages.js';
import { lintFiles, makeLinter } from './helpers.js';
import { schemaErrors } from './sarif-schema.js';
import { validateSarif } from './sarif-validator.js';

const FIX = path.resolve('fixtures/lint');
const settings = resolveSettings(undefined, []);

async function render(reporter: Reporter, files: string[]): Promise<{ text: string; findings: Finding[] }> {
  const r = await lintFiles(files);
  const summary: LintSummary = {
    counts: r.counts,
    shown: r.findings.length,
    quiet: false,
    failed: r.counts.error > 0,
    label: files.join(', '),
    inputs: files.length,
    problemsNotReported: 0,
    scorecard: r.scorecard,
    severities: settings.severities,
  };
  const text = [...reporter.begin(), ...reporter.add(r.findings), ...reporter.end(summary)].map(chunkText).join('');
  return { text, findings: r.findings };
}

/** An output chunk as text (reporters write strings or UTF-8 bytes). */
const chunkText = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('utf8'));

const MANY = ['llm-missing-usage', 'orphan-span', 'invalid-id', 'deprecated-attribute', 'root-missing-context'].map((f) => path.join(FIX, `${f}.json`));

describe('SARIF output', () => {
  it('validates against the SARIF 2.1.0 structure, with ruleIndex consistent with ruleId', async () => {
    const { text, findings } = await render(new SarifReporter('9.9.9', settings.severities), MANY);
    const doc = JSON.parse(text);
    expect(schemaErrors(doc)).toEqual([]);
    expect(validateSarif(doc)).toEqual([]);
    expect(doc.version).toBe('2.1.0');
    const run = doc.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(run.results).toHaveLength(findings.length);
    const usage = run.results.find((r: { ruleId: string }) => r.ruleId === 'llm-missing-usage');
    expect(usage).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'fixtures/lint/llm-missing-usage.json' } },
          logicalLocations: [{ fullyQualifiedName: '4c1e000000000000000000000000a001/2000000000000002', kind: 'span', name: 'chat gpt-4o' }],
        },
      ],
    });
    // Findings about input without a span carry the file (and line) but no logical location.
    const bad = run.results.find((r: { ruleId: string }) => r.ruleId === 'invalid-id');
    expect(bad.locations[0].logicalLocations).toBeUndefined();
    expect(run.properties.scorecard.items.length).toBeGreaterThan(5);
  });

  it('validates an empty run too', async () => {
    const { text } = await render(new SarifReporter('1.0.0', settings.severities), [path.join(FIX, 'clean.json')]);
    const doc = JSON.parse(text);
    expect(schemaErrors(doc)).toEqual([]);
    expect(validateSarif(doc)).toEqual([]);
    expect(doc.runs[0].results).toEqual([]);
    // The schema validator is not vacuous: it rejects a wrong level and a missing message.
    const broken = structuredClone(doc);
    broken.runs[0].results = [{ ruleId: 'x', level: 'fatal' }];
    expect(schemaErrors(broken).length).toBeGreaterThan(0);
  });

  it('the validator rejects what the schema forbids', () => {
    const ok = () => ({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'a' }, { id: 'b' }] } }, results: [{ ruleId: 'b', ruleIndex: 1, level: 'warning', message: { text: 'm' } }] }],
    });
    expect(validateSarif(ok())).toEqual([]);
    const cases: Array<[string, (d: ReturnType<typeof ok>) => void]> = [
      ['version', (d) => ((d as { version: string }).version = '2.0.0')],
      ['runs', (d) => delete (d as Partial<ReturnType<typeof ok>>).runs],
      ['driver name', (d) => delete (d.runs[0]!.tool.driver as Partial<{ name: string }>).name],
      ['message', (d) => delete (d.runs[0]!.results[0] as Partial<{ message: unknown }>).message],
      ['message text', (d) => (d.runs[0]!.results[0]!.message = {} as { text: string })],
      ['level', (d) => (d.runs[0]!.results[0]!.level = 'warn')],
      ['ruleIndex', (d) => (d.runs[0]!.results[0]!.ruleIndex = 0)],
      ['extra key', (d) => ((d.runs[0]!.results[0] as Record<string, unknown>).severity = 'x')],
      ['region', (d) => ((d.runs[0]!.results[0] as Record<string, unknown>).locations = [{ physicalLocation: { artifactLocation: { uri: 'a b' }, region: { startLine: 0 } } }])],
    ];
    for (const [name, mutate] of cases) {
      const d = ok();
      mutate(d);
      expect(validateSarif(d).length, name).toBeGreaterThan(0);
    }
  });

  it('makes artifact URIs relative inside the working directory and file: URLs outside it', () => {
    expect(artifactUri('fixtures/lint/a b.json', '/repo')).toBe('fixtures/lint/a%20b.json');
    expect(artifactUri('/elsewhere/dump.jsonl', '/repo')).toBe('file:///elsewhere/dump.jsonl');
    expect(artifactUri('-', '/repo')).toBe('stdin');
  });
});

describe('JSON output', () => {
  it('is one document with findings, summary, scorecard and the effective rules', async () => {
    const { text, findings } = await render(new JsonReporter(), MANY);
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual(['findings', 'summary', 'scorecard', 'rules']);
    expect(doc.findings).toHaveLength(findings.length);
    expect(doc.findings[0]).toEqual(expect.objectContaining({ rule: expect.any(String), severity: expect.any(String), message: expect.any(String), facts: expect.any(Object) }));
    expect(doc.summary).toMatchObject({ errors: expect.any(Number), warnings: expect.any(Number), infos: expect.any(Number), failed: true });
    expect(doc.rules['llm-missing-usage']).toBe('error');
  });

  it('is valid JSON without findings', async () => {
    const { text } = await render(new JsonReporter(), [path.join(FIX, 'clean.json')]);
    expect(JSON.parse(text).findings).toEqual([]);
  });
});

describe('GitHub annotations', () => {
  it('escapes data and properties per the workflow-commands rules', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('writes one command per finding with file, line and title', () => {
    const f: Finding = {
      rule: 'orphan-span',
      severity: 'warn',
      traceId: 't'.repeat(32),
      spanId: 'abcdef0123456789',
      spanName: 'chat, with: colon\n',
      source: 'dumps/a,b.jsonl',
      line: 7,
      facts: { parentSpanId: 'dead00000000beef' },
    };
    const line = annotation(f);
    expect(line.startsWith('::warning file=dumps/a%2Cb.jsonl,line=7,title=llmtrace orphan-span::')).toBe(true);
    expect(line).not.toMatch(/\n/);
    expect(line).toContain('%0A');
  });

  it('maps severities to error, warning and notice', async () => {
    const manual = path.resolve('fixtures/shared/captures/manual-agent-http-json.json');
    const { text } = await render(new GithubReporter(makeColors({ noColor: true })), [path.join(FIX, 'llm-missing-usage.json'), manual]);
    const cmds = text.split('\n').filter((l) => l.startsWith('::'));
    expect(cmds.map((l) => l.slice(0, l.indexOf(' ')))).toEqual(['::error', '::notice', '::warning']);
    expect(text).toMatch(/^llmtrace lint: 1 error, 1 warning, 1 info/m);
  });
});

describe('stylish output', () => {
  it('groups findings by trace and span and ends with the summary and the scorecard', async () => {
    const { text } = await render(new StylishReporter(makeColors({ noColor: true })), [path.join(FIX, 'llm-missing-usage.json')]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^trace 4c1e0+a001/);
    expect(lines[1]).toMatch(/^ {2}chat gpt-4o {2}2000000000000002$/);
    expect(lines[2]).toMatch(/^ {4}error +.* llm-missing-usage$/);
    expect(text).toMatch(/✖ 1 problem \(1 error, 0 warnings, 0 infos\)/);
    expect(text).toMatch(/Rollout checklist/);
  });

  it('says on the summary line what it did not list: findings past its cap, decode problems lint never saw', async () => {
    const r = await lintFiles([path.join(FIX, 'llm-missing-usage.json')]);
    const f = r.findings[0]!;
    const many = Array.from({ length: MAX_KEPT + 5 }, (_, i) => ({ ...f, spanId: i.toString(16).padStart(16, '0') }));
    const counts = { error: many.length, warn: 0, info: 0 };
    const summary: LintSummary = { counts, shown: many.length, quiet: false, failed: true, label: 'x', inputs: 1, problemsNotReported: 0, scorecard: r.scorecard, severities: settings.severities };
    const reporter = new StylishReporter(makeColors({ noColor: true }));
    const text = [...reporter.add(many), ...reporter.end(summary)].join('');
    expect(text.match(/llm-missing-usage$/gm)).toHaveLength(MAX_KEPT);
    expect(text).toMatch(/^✖ 10,005 problems \(10,005 errors, 0 warnings, 0 infos\) in \d+ spans? of 1 trace; 5 findings not listed \(stylish lists 10,000; --format json or sarif lists all\)$/m);

    const quietEnd = [...new StylishReporter(makeColors({ noColor: true })).end({ ...summary, counts: { error: 0, warn: 0, info: 0 }, problemsNotReported: 3 })].join('');
    expect(quietEnd).toMatch(/^✖ 0 problems \(0 errors, 0 warnings, 0 infos\) in \d+ spans? of 1 trace; 3 more decode problems not reported/m);
  });
});

/** A summary of `findings` alone (no scorecard of spans). */
function summaryOf(findings: readonly Finding[]): LintSummary {
  const counts = { error: 0, warn: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const scorecard = makeLinter().scorecard();
  return { counts, shown: findings.length, quiet: false, failed: counts.error > 0, label: 'test', inputs: 1, problemsNotReported: 0, scorecard, severities: settings.severities };
}

describe('JSON findings', () => {
  /** What each finding must print as, built here from the format's documentation (render/json.ts). */
  const expectedJson = (f: Finding) =>
    JSON.stringify({
      rule: f.rule,
      severity: f.severity,
      message: formatMessage(f),
      traceId: f.traceId,
      spanId: f.spanId,
      spanName: f.spanName,
      ...(f.source !== undefined ? { source: f.source } : {}),
      ...(f.line !== undefined ? { line: f.line } : {}),
      facts: f.facts,
    });

  it('are the documented objects, for every fixture finding, odd names, shared facts and repeated places', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync('fixtures/lint').filter((f) => f.endsWith('.json')).map((f) => `fixtures/lint/${f}`);
    const { findings } = await lintFiles(files);
    expect(findings.length).toBeGreaterThan(20);
    expect(findings.some((f) => isShared(f.facts))).toBe(true);
    const odd = findings.slice(0, 5).map((f, i) => ({ ...f, spanName: ['quote " back \\ slash', 'tab\tnew\nline', 'lone \ud800 surrogate', 'ünïcode — ✓ 🎉', '\u0001\u001f\u007f\u2028'][i]!, source: i % 2 ? 'dir with "quotes"/dump.jsonl' : undefined }));
    // Twice over: the second time every shared facts object has its text kept already; the last
    // ones share one place (a span with several findings), the same text in other string objects.
    const place = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), spanName: 'chat gpt-4o', source: 'x.jsonl', line: 7 };
    const tail = findings.slice(0, 4).map((f) => ({ ...f, ...place, spanName: ['chat', 'gpt-4o'].join(' ') }));
    const groups = [findings, odd, findings, tail];
    const all = groups.flat();
    const reporter = new JsonReporter();
    const text = [...reporter.begin(), ...groups.flatMap((g) => [...reporter.add(g)]), ...reporter.end(summaryOf(all))].map(chunkText).join('');
    expect(text.startsWith(`{"findings":[\n${all.map(expectedJson).join(',\n')}\n],\n"summary":`)).toBe(true);
    expect(JSON.parse(text).findings).toHaveLength(all.length);
  });
});

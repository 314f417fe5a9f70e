/** `llmtrace lint` end to end: the built binary (npm run build first), NO_COLOR, TZ=UTC. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTemp } from '../helpers/read-all.js';
import { RULE_IDS } from '../../src/lib/lint/registry.js';
import { schemaErrors } from './sarif-schema.js';
import { validateSarif } from './sarif-validator.js';

const CAPTURES = path.resolve('fixtures/shared/captures');
const MANUAL = path.join(CAPTURES, 'manual-agent-http-json.json');
const OFFICIAL = path.join(CAPTURES, 'official-agent-http-json.json');
const FIX = path.resolve('fixtures/lint');
const USAGE = path.join(FIX, 'llm-missing-usage.json');

function json(stdout: string) {
  return JSON.parse(stdout) as {
    findings: Array<{ rule: string; severity: string; spanId: string; line?: number; facts: Record<string, unknown> }>;
    summary: Record<string, unknown>;
    scorecard: { noGenAi: boolean; items: Array<{ id: string; ok: boolean }> };
  };
}

describe('llmtrace lint (built binary)', () => {
  it('passes the manual capture (current conventions) with exit 0', async () => {
    const r = await runCli(['lint', MANUAL]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/warning +root span has no user .* root-missing-context/);
    expect(r.stdout).not.toMatch(/^ +error /m);
    expect(r.stdout).toMatch(/Rollout checklist/);
  });

  it('reports gen_ai.system → gen_ai.provider.name on the official instrumentation capture', async () => {
    const r = await runCli(['lint', OFFICIAL, '--format', 'json']);
    expect(r.code).toBe(0);
    const dep = json(r.stdout).findings.filter((f) => f.rule === 'deprecated-attribute');
    expect(dep).toHaveLength(3);
    for (const f of dep) expect(f.facts).toMatchObject({ key: 'gen_ai.system', replacement: 'gen_ai.provider.name' });
  });

  it('exits 1 on errors, and turns them into warnings with --rule', async () => {
    const r = await runCli(['lint', USAGE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error +.* llm-missing-usage/);
    expect(r.stderr).toMatch(/lint failed: 1 error/);
    const warn = await runCli(['lint', USAGE, '--rule', 'llm-missing-usage=warn']);
    expect(warn.code).toBe(0);
    const gated = await runCli(['lint', USAGE, '--rule', 'llm-missing-usage=warn', '--max-warnings', '0']);
    expect(gated.code).toBe(1);
    expect(gated.stderr).toMatch(/more than --max-warnings 0/);
  });

  it('--quiet prints errors only', async () => {
    const r = await runCli(['lint', MANUAL, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/root-missing-context/);
    expect(r.stdout).toMatch(/hidden by --quiet/);
    const j = await runCli(['lint', MANUAL, '--quiet', '--format', 'json']);
    const doc = json(j.stdout);
    expect(doc.findings).toEqual([]);
    expect(doc.summary).toMatchObject({ warnings: 1, infos: 1, shown: 0 });
  });

  it.each([
    [['--rule', 'no-such-rule=warn']],
    [['--rule', 'orphan-span=fatal']],
    [['--rule', 'orphan-span']],
    [['--format', 'xml']],
    [['--max-warnings', '-1']],
  ])('exits 2 on bad flags: %j', async (flags) => {
    const r = await runCli(['lint', MANUAL, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^llmtrace: /);
  });

  it('exits 2 on unusable input', async () => {
    const missing = await runCli(['lint', '/nonexistent/dump.jsonl']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no usable trace data/);
    const garbage = await runCli(['lint', writeTemp('garbage.json', 'this is not json at all')]);
    expect(garbage.code).toBe(2);
  });

  it('reads the lint section of llmtrace.config.json in the working directory; flags win', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ lint: { rules: { 'root-missing-context': 'off', 'llm-missing-usage': 'warn' } } }));
    const r = await runCli(['lint', MANUAL, USAGE, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const rules = json(r.stdout).findings.map((f) => f.rule);
    expect(rules).not.toContain('root-missing-context');
    expect(json(r.stdout).findings.find((f) => f.rule === 'llm-missing-usage')?.severity).toBe('warn');
    const flag = await runCli(['lint', USAGE, '--rule', 'llm-missing-usage=error'], { cwd: dir });
    expect(flag.code).toBe(1);

    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ lint: { maxWarnings: 0 } }));
    expect((await runCli(['lint', MANUAL], { cwd: dir })).code).toBe(1);
    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ lint: { rootContextKeys: { user: [], session: [], tenant: [] } } }));
    const noCtx = await runCli(['lint', MANUAL, '--format', 'json'], { cwd: dir });
    expect(json(noCtx.stdout).findings.map((f) => f.rule)).toEqual(['llm-recommended-attributes']);

    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ lint: { rules: { 'orphans': 'warn' } } }));
    const bad = await runCli(['lint', MANUAL], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown rule "orphans"/);
  });

  it('writes SARIF 2.1.0 that validates, with the file and line of JSON Lines records', async () => {
    const clean = readFileSync(path.join(FIX, 'clean.json'), 'utf8').replace(/\s*\n\s*/g, '');
    const usage = readFileSync(USAGE, 'utf8').replace(/\s*\n\s*/g, '').replaceAll('4c1e000000000000000000000000a001', '4c1e000000000000000000000000a002');
    const dir = tempDir();
    writeFileSync(path.join(dir, 'dump.jsonl'), `${clean}\n${usage}\n`);
    const r = await runCli(['lint', 'dump.jsonl', '--format', 'sarif'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(schemaErrors(doc)).toEqual([]);
    expect(validateSarif(doc)).toEqual([]);
    const results = doc.runs[0].results;
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      ruleId: 'llm-missing-usage',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'dump.jsonl' }, region: { startLine: 2 } } }],
    });
    expect(doc.runs[0].tool.driver.rules[results[0].ruleIndex].id).toBe('llm-missing-usage');

    const gh = await runCli(['lint', 'dump.jsonl', '--format', 'github'], { cwd: dir });
    expect(gh.code).toBe(1);
    expect(gh.stdout.split('\n')[0]).toMatch(/^::error file=dump\.jsonl,line=2,title=llmtrace llm-missing-usage::chat gpt-4o \(20000000…\) in trace 4c1e0+a002: /);
  });

  it('gives SARIF results read from stdin a file location, which GitHub code scanning requires of every result', async () => {
    // Scenario: a dump piped in (JSON Lines: a clean record, a record with a call lacking usage, a line that is not JSON).
    const clean = readFileSync(path.join(FIX, 'clean.json'), 'utf8').replace(/\s*\n\s*/g, '');
    const usage = readFileSync(USAGE, 'utf8').replace(/\s*\n\s*/g, '').replaceAll('4c1e000000000000000000000000a001', '4c1e000000000000000000000000a002');
    const r = await runCli(['lint', '-', '--format', 'sarif', '--rule', 'decode-problem=error'], { stdin: `${clean}\n${usage}\n{"not json\n` });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(schemaErrors(doc)).toEqual([]);
    const results = doc.runs[0].results as Array<{ ruleId: string; locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine: number } } }> }>;
    // upload-sarif refuses the whole file otherwise: "locationFromSarifResult: expected at least one location" / "expected artifact location".
    expect(results.map((x) => [x.ruleId, x.locations?.[0]?.physicalLocation?.artifactLocation?.uri, x.locations?.[0]?.physicalLocation?.region?.startLine])).toEqual([
      ['llm-missing-usage', 'stdin', 2],
      ['decode-problem', 'stdin', 3],
    ]);
  });

  it('reads stdin and writes JSON', async () => {
    const r = await runCli(['lint', '-', '--format', 'json'], { stdin: readFileSync(USAGE) });
    expect(r.code).toBe(1);
    const doc = json(r.stdout);
    expect(doc.findings.map((f) => `${f.rule}@${f.spanId}`)).toEqual(['llm-missing-usage@2000000000000002']);
    expect(doc.summary).toMatchObject({ errors: 1, failed: true, spans: 4, traces: 1 });
  });

  it('says clearly when nothing LLM-related was found', async () => {
    const doc = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'GET /health', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' }] }] }],
    };
    const file = writeTemp('http.json', JSON.stringify(doc));
    const r = await runCli(['lint', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No LLM, embeddings, tool or agent spans found/);
    const j = await runCli(['lint', file, '--format', 'json']);
    expect(json(j.stdout).scorecard.noGenAi).toBe(true);
  });

  it('turns decode problems into findings with file and line', async () => {
    const r = await runCli(['lint', path.join(FIX, 'invalid-id.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 invalid span skipped/);
    expect(json(r.stdout).findings).toEqual([expect.objectContaining({ rule: 'invalid-id', spanId: '', facts: expect.objectContaining({ problem: 'decode' }) })]);
  });

  it('does not call decode problems "not shown" when each is a finding', async () => {
    // Scenario: the manual capture's spans as JSON Lines, with a line that is not JSON after them.
    const file = writeTemp('lint-one-bad-line.jsonl', `${JSON.stringify(JSON.parse(readFileSync(MANUAL, 'utf8')))}\nnot json\n`);
    const r = await runCli(['lint', file, '--format', 'json']);
    expect(json(r.stdout).findings.filter((f) => f.rule === 'decode-problem').map((f) => f.line)).toEqual([2]);
    expect(r.stderr).toContain('llmtrace: read 1 input, 5 spans, 1 bad record skipped\n');
    expect(r.stderr).not.toMatch(/not shown/);
  });

  it('refuses --list-rules in sarif or github format (exit 2, stdout empty) instead of printing the terminal table', async () => {
    for (const format of ['sarif', 'github']) {
      const r = await runCli(['lint', '--list-rules', '--format', format]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`--list-rules prints a table or JSON, not ${format}`);
    }
  });

  it('lists the rules', async () => {
    const r = await runCli(['lint', '--list-rules', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((x: { id: string }) => x.id)).toEqual([...RULE_IDS]);
    const text = await runCli(['lint', '--list-rules']);
    for (const id of RULE_IDS) expect(text.stdout).toContain(id);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/config.js';
import { LlmtraceError } from '../../src/lib/errors.js';
import { parseRuleSetting, resolveSettings } from '../../src/lib/lint/config.js';
import { RULES } from '../../src/lib/lint/registry.js';

describe('lint configuration', () => {
  it('parses --rule id=severity and rejects unknown ids and severities', () => {
    expect(parseRuleSetting('orphan-span=error')).toEqual({ id: 'orphan-span', severity: 'error' });
    expect(parseRuleSetting('content-captured=off')).toEqual({ id: 'content-captured', severity: 'off' });
    expect(parseRuleSetting('no-such-rule=warn')).toHaveProperty('error');
    expect(parseRuleSetting('orphan=warn')).toMatchObject({ error: expect.stringContaining('orphan-span') });
    expect(parseRuleSetting('orphan-span=warning')).toHaveProperty('error');
    expect(parseRuleSetting('orphan-span')).toHaveProperty('error');
  });

  it('layers defaults, the config file and flags, flags last', () => {
    const s = resolveSettings(
      { rules: { 'orphan-span': 'error', 'content-captured': 'off' }, rootContextKeys: { tenant: [], team: ['team.id'] }, maxWarnings: 3 },
      [{ id: 'orphan-span', severity: 'info' }],
    );
    expect(s.severities['orphan-span']).toBe('info');
    expect(s.severities['content-captured']).toBe('off');
    expect(s.severities['llm-missing-usage']).toBe('error');
    expect(s.rootContextKeys).toEqual({ user: ['user.id', 'enduser.id', 'spanora.user.id'], session: ['session.id', 'gen_ai.conversation.id'], tenant: [], team: ['team.id'] });
    expect(s.maxWarnings).toBe(3);
    for (const r of RULES) expect(resolveSettings(undefined, []).severities[r.id]).toBe(r.defaultSeverity);
  });

  it('rejects unknown rule ids in the config file with exit 2', () => {
    let err: unknown;
    try {
      resolveSettings({ rules: { 'llm-missing-tokens': 'warn' } }, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LlmtraceError);
    expect((err as LlmtraceError).exitCode).toBe(2);
  });

  it('takes lint.maxWarnings from llmtrace.config.json as --max-warnings takes it: a whole number a double holds exactly', () => {
    // 99999999999999999999 was accepted as 100000000000000000000 (the flag refuses it).
    expect(() => parseConfig('{"lint":{"maxWarnings":99999999999999999999}}', 'llmtrace.config.json')).toThrow(/lint\.maxWarnings: expected a whole number ≥ 0/);
    expect(parseConfig('{"lint":{"maxWarnings":9007199254740991}}', 'llmtrace.config.json').lint?.maxWarnings).toBe(9007199254740991);
  });
});

/**
 * Lint settings: rule defaults, then the `lint` section of `llmtrace.config.json` (read and
 * shape-checked by src/lib/config.ts), then `--rule <id>=<severity>` flags — flags win. Unknown
 * rule ids are usage errors (exit 2), so a typo never silently configures nothing.
 *
 *   { "lint": { "rules": { "content-captured": "off", "llm-span-name": "error" },
 *               "rootContextKeys": { "user": ["user.id", "app.user"], "tenant": [] },
 *               "maxWarnings": 10 } }
 */
import { CONFIG_FILE, type LlmtraceConfig } from '../config.js';
import { LlmtraceError } from '../errors.js';
import { RULES, RULE_IDS, isRuleId } from './registry.js';
import { DEFAULT_ROOT_CONTEXT_KEYS, MAX_ROOT_GROUPS, MAX_ROOT_KEYS } from './rules/root.js';
import { SEVERITY_SETTINGS, type RootContextKeys, type RuleId, type SeveritySetting } from './types.js';

export interface LintSettings {
  severities: Record<RuleId, SeveritySetting>;
  rootContextKeys: RootContextKeys;
  maxWarnings?: number;
}

export interface RuleSetting {
  id: RuleId;
  severity: SeveritySetting;
}

function isSeverity(v: unknown): v is SeveritySetting {
  return typeof v === 'string' && (SEVERITY_SETTINGS as readonly string[]).includes(v);
}

function unknownRule(id: string): string {
  const near = RULE_IDS.filter((r) => id.length > 2 && (r.includes(id) || id.includes(r))).slice(0, 3);
  return `unknown rule ${JSON.stringify(id)}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`;
}

/** `id=severity` → the pair, or an error message (the command turns it into a usage error). */
export function parseRuleSetting(value: string): RuleSetting | { error: string } {
  const eq = value.lastIndexOf('=');
  if (eq <= 0) return { error: `--rule expects <rule-id>=${SEVERITY_SETTINGS.join('|')}, got ${JSON.stringify(value)}` };
  const id = value.slice(0, eq).trim();
  const severity = value.slice(eq + 1).trim();
  if (!isRuleId(id)) return { error: `--rule: ${unknownRule(id)}; see llmtrace lint --list-rules` };
  if (!isSeverity(severity)) return { error: `--rule ${id}: severity must be one of ${SEVERITY_SETTINGS.join(', ')}, got ${JSON.stringify(severity)}` };
  return { id, severity };
}

/**
 * Effective settings. Each `rootContextKeys` group of the file replaces the default group of
 * that name (an empty list turns the group off); new group names add groups.
 */
export function resolveSettings(lint: LlmtraceConfig['lint'], flags: readonly RuleSetting[]): LintSettings {
  const severities = {} as Record<RuleId, SeveritySetting>;
  for (const r of RULES) severities[r.id] = r.defaultSeverity;
  for (const [id, sev] of Object.entries(lint?.rules ?? {})) {
    if (!isRuleId(id)) {
      throw new LlmtraceError(`${CONFIG_FILE}: lint.rules: ${unknownRule(id)}`, 'list the rule ids with: llmtrace lint --list-rules', 2);
    }
    if (!isSeverity(sev)) throw new LlmtraceError(`${CONFIG_FILE}: lint.rules.${id}: expected one of ${SEVERITY_SETTINGS.join(', ')}`, undefined, 2);
    severities[id] = sev;
  }
  for (const f of flags) severities[f.id] = f.severity;
  const rootContextKeys: RootContextKeys = { ...DEFAULT_ROOT_CONTEXT_KEYS, ...(lint?.rootContextKeys ?? {}) };
  const groups = Object.entries(rootContextKeys);
  if (groups.length > MAX_ROOT_GROUPS || groups.some(([, keys]) => keys.length > MAX_ROOT_KEYS)) {
    throw new LlmtraceError(`${CONFIG_FILE}: lint.rootContextKeys: at most ${MAX_ROOT_GROUPS} groups of at most ${MAX_ROOT_KEYS} keys`, undefined, 2);
  }
  return { severities, rootContextKeys, maxWarnings: lint?.maxWarnings };
}

/**
 * `llmtrace init` answers → `llmtrace.config.json`. Pure: the command gathers answers from flags
 * or prompts; this validates them and builds the file, so both paths write the same thing.
 */
import { parseConfig, type LlmtraceConfig, type RuleLevel } from '../config.js';
import { DEFAULT_FEATURE_KEYS } from '../cost/tracked-keys.js';
import { LlmtraceError } from '../errors.js';
import { RULES } from '../lint/registry.js';

export interface InitAnswers {
  featureKeys: string[];
  pricing: string[];
  /** Lint rule ids to relax: an error becomes a warning, a warning or info is turned off. */
  relax: string[];
  store: string;
}

export const DEFAULT_ANSWERS: InitAnswers = {
  featureKeys: [...DEFAULT_FEATURE_KEYS],
  pricing: [],
  relax: [],
  store: '.llmtrace',
};

export function relaxedLevel(ruleId: string): RuleLevel {
  const rule = RULES.find((r) => r.id === ruleId);
  if (!rule) {
    throw new LlmtraceError(`unknown lint rule ${JSON.stringify(ruleId)}`, 'list them with: llmtrace lint --list-rules');
  }
  return rule.defaultSeverity === 'error' ? 'warn' : 'off';
}

export function buildConfig(a: InitAnswers): LlmtraceConfig {
  const featureKeys = a.featureKeys.map((k) => k.trim()).filter(Boolean);
  if (!featureKeys.length) throw new LlmtraceError('at least one feature key is needed (the default list is used when none is given)');
  const rules: Record<string, RuleLevel> = {};
  for (const id of a.relax) rules[id] = relaxedLevel(id);
  const config: LlmtraceConfig = { store: a.store, featureKeys, pricing: a.pricing };
  if (Object.keys(rules).length) config.lint = { rules };
  return config;
}

/** The file's text; parsed back through the same validator every command uses. */
export function configText(config: LlmtraceConfig): string {
  const text = `${JSON.stringify(config, null, 2)}\n`;
  parseConfig(text, 'llmtrace.config.json');
  return text;
}

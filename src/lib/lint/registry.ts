/**
 * The rule registry: every rule with its stable id, default severity, one-line description and
 * docs. Ids are part of the public interface (config files, `--rule`, SARIF, CI filters): never
 * rename one; retire it instead.
 */
import { contentCaptured } from './rules/content.js';
import { modelUnpriced } from './rules/cost.js';
import { deprecatedAttribute } from './rules/deprecated.js';
import { decodeProblem } from './rules/input.js';
import {
  llmFailureUnrecorded,
  llmMissingModel,
  llmMissingOperation,
  llmMissingProvider,
  llmMissingUsage,
  llmRecommendedAttributes,
  llmSpanKind,
  llmSpanName,
} from './rules/llm.js';
import { rootMissingContext } from './rules/root.js';
import { toolFailureUnrecorded, toolMissingName, toolWithoutParent } from './rules/tool.js';
import { duplicateSpanId, orphanSpan, parentCycle, traceWithoutRoot } from './rules/trace.js';
import { endBeforeStart, invalidId, invalidTokenCount, unknownOperation } from './rules/values.js';
import { genaiRequiredAttributes, vendorOnlyConvention } from './rules/vendor.js';
import type { AnyRuleDef, RuleId } from './types.js';

/** Where the rule docs live (docs/lint-rules.md, one `## <rule id>` section per rule). */
export const RULE_DOCS_URL = 'https://github.com/llmtrace/llmtrace/blob/main/docs/lint-rules.md';

export const RULES: readonly AnyRuleDef[] = [
  llmMissingOperation,
  llmMissingProvider,
  llmMissingModel,
  llmMissingUsage,
  llmRecommendedAttributes,
  llmSpanName,
  llmSpanKind,
  llmFailureUnrecorded,
  toolMissingName,
  toolWithoutParent,
  toolFailureUnrecorded,
  rootMissingContext,
  genaiRequiredAttributes,
  deprecatedAttribute,
  vendorOnlyConvention,
  orphanSpan,
  traceWithoutRoot,
  duplicateSpanId,
  parentCycle,
  invalidId,
  unknownOperation,
  invalidTokenCount,
  endBeforeStart,
  contentCaptured,
  modelUnpriced,
  decodeProblem,
];

const BY_ID = new Map<string, AnyRuleDef>(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): AnyRuleDef | undefined {
  return BY_ID.get(id);
}

export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

export function ruleHelpUri(id: RuleId): string {
  return `${RULE_DOCS_URL}#${id}`;
}

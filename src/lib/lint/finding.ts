/** The one finding constructor: rule + severity + where + facts. */
import type { Finding, RuleFacts, RuleId, Severity } from './types.js';

export interface FindingPlace {
  traceId: string;
  spanId: string;
  spanName: string;
  source?: string;
  line?: number;
}

/** A finding with its severity decided; source and line only when known. */
export function newFinding(rule: RuleId, severity: Severity, where: FindingPlace, facts: RuleFacts[RuleId]): Finding {
  const f = { rule, severity, traceId: where.traceId, spanId: where.spanId, spanName: where.spanName, facts } as Finding;
  if (where.source !== undefined) f.source = where.source;
  if (where.line !== undefined) f.line = where.line;
  return f;
}

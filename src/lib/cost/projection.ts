/**
 * The attributes the calls stage (facts.ts, for `cost` and `stats`) reads, so that a source able
 * to select them where the data is (ClickHouse: docs/architecture.md, "ClickHouse pushdown")
 * sends nothing else. Derived from the tables the readers themselves use — classify's
 * CLASSIFY_KEYS, the reported-cost keys, the producers' scoped dimension keys, the tool argument keys, the tracked
 * dimension keys — never a hand-written list (test/cost/projection.test.ts holds the facts of
 * projected spans equal to those of whole spans, and watches every attribute read).
 */
import { REPORTED_COST_KEYS } from '../genai/agents.js';
import { CALL_MARKER_KEYS, CLASSIFY_KEYS } from '../genai/classify.js';
import { CORE, TOOL_ARGUMENT_KEYS, VERCEL_OPERATIONS } from '../genai/conventions.js';
import { DIMENSION_KEY_SCOPES } from '../genai/producers.js';
import { PLACEHOLDER_KEYS } from '../otlp/placeholder-spans.js';
import { SERVICE_NAME } from '../span.js';
import { trackedKeys } from './tracked-keys.js';
import { planDimensions } from './dimensions.js';
import { callsStageInherited } from './run.js';

/** Attribute keys read, exactly (no key is read by prefix in this stage). */
export interface AttributeProjection {
  /** Span attribute keys. */
  span: string[];
  /** Resource attribute keys. */
  resource: string[];
  /**
   * A trace none of whose spans has one of these keys or names adds nothing to the calls stage
   * (classify's CALL_MARKER_KEYS, the Vercel operations' span names): a source may leave it out.
   */
  callMarkers: { keys: string[]; names: string[] };
}

/** What FactsBuilder reads of spans and resources, given its tracked keys. */
export function factsProjection(tracked: readonly string[], toolCalls: boolean): AttributeProjection {
  // A tracked key, with the key that says whether it names a dimension there (on spans and
  // resources alike: facts.ts readVals).
  const dimensions = tracked.flatMap((k) => {
    const scope = DIMENSION_KEY_SCOPES[k];
    return scope === undefined ? [k] : [k, scope[0]];
  });
  // And what marks a placeholder span, which the reader drops (otlp/placeholder-spans.ts).
  const span = new Set<string>([...CLASSIFY_KEYS, ...REPORTED_COST_KEYS, ...dimensions, ...PLACEHOLDER_KEYS]);
  if (toolCalls) for (const k of TOOL_ARGUMENT_KEYS) span.add(k);
  // Resources: the dimensions (their last place to look), the service, and the SDK name
  // classify reads to recognise OpenLIT.
  const resource = new Set<string>([...dimensions, SERVICE_NAME, CORE.TELEMETRY_SDK_NAME]);
  return { span: [...span].sort(), resource: [...resource].sort(), callMarkers: { keys: [...CALL_MARKER_KEYS].sort(), names: Object.keys(VERCEL_OPERATIONS).sort() } };
}

/** The projection of a `cost` (toolCalls false) or `stats` (true) run with these options. */
export function runProjection(opts: { groupBy: readonly string[]; featureKeys?: string[]; toolCalls: boolean }): AttributeProjection {
  const plan = planDimensions(opts.groupBy);
  return factsProjection(trackedKeys(opts.featureKeys, callsStageInherited(plan.inherited)), opts.toolCalls);
}

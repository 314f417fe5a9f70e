/**
 * The attribute keys the report dimensions read (feature keys, then the inherited dimensions'),
 * tracked once each, and each dimension's keys as positions among them.
 */

/** Default feature keys, in order (README, `cost`). */
export const DEFAULT_FEATURE_KEYS = [
  'app.feature',
  'feature',
  'ai.telemetry.functionId',
  'traceloop.workflow.name',
  'gen_ai.workflow.name',
  'gen_ai.agent.name',
  'langfuse.trace.name',
];

/** The attribute keys whose values the dimensions need, feature keys first, each once. */
export function trackedKeys(featureKeys: readonly string[] | undefined, inherited: readonly string[][] | undefined): string[] {
  return [...new Set([featureKeys ?? DEFAULT_FEATURE_KEYS, ...(inherited ?? [])].flat())];
}

/**
 * Each dimension's keys (`lists`) as positions in `tracked`: through a Map, as a config may name
 * thousands of feature keys, which `indexOf` matched in quadratic time (docs/architecture.md "Feature keys").
 */
export function keyPositions(tracked: readonly string[], lists: readonly (readonly string[])[]): number[][] {
  const position = new Map(tracked.map((k, i) => [k, i]));
  return lists.map((keys) => keys.map((k) => position.get(k)!));
}

/**
 * `--model`, `--service`, `--feature` filters of the live view, and the feature a span belongs
 * to. Filters decide what the view prints, never what is stored. Within one flag the values are
 * alternatives; different flags must all match.
 */
import { DEFAULT_FEATURE_KEYS } from '../cost/tracked-keys.js';
import { dimensionKeyApplies } from '../genai/producers.js';
import { attrString, type Span } from '../span.js';

/** docs/architecture.md "`cost` and `stats` reports": keys tried in order; the first one found (span, ancestors, resource) wins. */
export const FEATURE_KEYS: readonly string[] = DEFAULT_FEATURE_KEYS;

export const NO_FEATURE = '(none)';

/** What the feature of a span is decided from (a whole Span, or what the live view keeps of one). */
export type FeatureSpan = Pick<Span, 'spanId' | 'parentSpanId' | 'name' | 'attributes' | 'resource'>;

/** A value found whose key an earlier key on an ancestor still to come may overrule. */
const OVERRULABLE = Symbol('overrulable');

/**
 * `keys` in order, each on the span, then its ancestors nearest first, then the resource (as
 * `cost` resolves its dimensions, cost/attribution.ts). In a live stream the ancestors often
 * come later (children end first): a value of any key but the first may yet be overruled by an
 * earlier key on an ancestor still to come, unless the chain reaches a root or `final`.
 */
function lookup(
  span: FeatureSpan,
  parentOf: (s: FeatureSpan) => FeatureSpan | undefined,
  keys: readonly string[],
  final: boolean,
): { found: string | typeof OVERRULABLE | undefined; complete: boolean; top: FeatureSpan } {
  const chain: FeatureSpan[] = [];
  const seen = new Set<string>();
  for (let s: FeatureSpan | undefined = span; s && !seen.has(s.spanId); s = parentOf(s)) {
    seen.add(s.spanId);
    chain.push(s);
  }
  const top = chain[chain.length - 1]!;
  const complete = top.parentSpanId === '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    for (const s of chain) {
      const v = dimensionKeyApplies(s.attributes, key) ? attrString(s.attributes, key) : undefined;
      if (v) return { found: complete || final || i === 0 ? v : OVERRULABLE, complete, top };
    }
    const r = dimensionKeyApplies(span.resource.attributes, key) ? attrString(span.resource.attributes, key) : undefined;
    if (r) return { found: complete || final ? r : OVERRULABLE, complete, top };
  }
  return { found: undefined, complete, top };
}

/**
 * The feature of `span`, from the spans of its trace that have arrived so far (lookup()): the
 * first key's value (withAgent's `gen_ai.agent.name` on a call may be overruled by the workflow's
 * name above it), else the root's name. Undefined while not known yet rather than a wrong one,
 * unless `final` (the trace is complete as far as it will be): then the best value found stands.
 */
export function featureOf(
  span: FeatureSpan,
  parentOf: (s: FeatureSpan) => FeatureSpan | undefined,
  keys: readonly string[] = FEATURE_KEYS,
  final = false,
): string | undefined {
  const { found, complete, top } = lookup(span, parentOf, keys, final);
  if (found === OVERRULABLE) return undefined;
  if (found !== undefined) return found;
  if (!complete) return undefined;
  return top.name || NO_FEATURE;
}

/**
 * A value `span` inherits under `keys` (lookup()), such as its model (cost/inherited-model.ts).
 * Undefined while an ancestor still to come may carry it; null when none does (the chain reaches
 * a root, or `final`).
 */
export function inheritedValueOf(
  span: FeatureSpan,
  parentOf: (s: FeatureSpan) => FeatureSpan | undefined,
  keys: readonly string[],
  final: boolean,
): string | null | undefined {
  const { found, complete } = lookup(span, parentOf, keys, final);
  if (found === OVERRULABLE) return undefined;
  return found ?? (complete || final ? null : undefined);
}

export interface LiveFilters {
  models?: string[];
  services?: string[];
  features?: string[];
}

/** What a filter looks at on one span. */
export interface FilterFields {
  models: Array<string | undefined>;
  service: string;
  /** Undefined while unknown: that does not match a feature filter. */
  feature: () => string | undefined;
}

export function hasFilters(f: LiveFilters): boolean {
  return Boolean(f.models?.length || f.services?.length || f.features?.length);
}

export function matchesFilters(f: LiveFilters, x: FilterFields): boolean {
  if (f.services?.length && !f.services.includes(x.service)) return false;
  // A span without a model (a tool call) does not match a model filter.
  if (f.models?.length && !x.models.some((m) => m !== undefined && f.models!.includes(m))) return false;
  if (f.features?.length) {
    const feature = x.feature();
    if (feature === undefined || !f.features.includes(feature)) return false;
  }
  return true;
}

/** For the banner and the summary: `model gpt-4o|gpt-4o-mini, service api`. */
export function describeFilters(f: LiveFilters): string {
  const parts: string[] = [];
  if (f.models?.length) parts.push(`model ${f.models.join('|')}`);
  if (f.services?.length) parts.push(`service ${f.services.join('|')}`);
  if (f.features?.length) parts.push(`feature ${f.features.join('|')}`);
  return parts.join(', ');
}

/**
 * The effective price table: layers (built-in, then each --pricing file in order) merged by
 * entry name, later over earlier, and the per-call pricing function `tree`, `tail` and `cost`
 * share. An overriding entry replaces the prices; aliases, `match` and provider it does not
 * give are kept from the entry it overrides.
 */
import type { GenAiView, Usage } from '../genai/types.js';
import { timeKnown } from '../span.js';
import { callCost, pointAt, ratesFor, undatedPoint } from './math.js';
import { ModelIndex, type MatchOverlap } from './match.js';
import type { PriceEntry } from './types.js';

export interface PriceLayer {
  label: string;
  entries: PriceEntry[];
}

export class PriceBook {
  /** Effective entries, in the order they were first defined. */
  readonly entries: PriceEntry[];
  private readonly index: ModelIndex;

  /** `onOverlap`: told when two `match` patterns of one file both match a model (once per model). */
  constructor(readonly layers: readonly PriceLayer[], onOverlap?: MatchOverlap) {
    const byName = new Map<string, PriceEntry>();
    const layerOf = new Map<PriceEntry, number>();
    layers.forEach((layer, i) => {
      for (const e of layer.entries) {
        const prev = byName.get(e.name);
        const merged: PriceEntry = prev
          ? {
              ...e,
              aliases: e.aliases.length ? e.aliases : prev.aliases,
              match: e.match ?? prev.match,
              provider: e.provider ?? prev.provider,
            }
          : e;
        byName.set(e.name, merged);
        layerOf.set(merged, i);
      }
    });
    this.entries = [...byName.values()];
    this.index = new ModelIndex(this.entries, (e) => layerOf.get(e) ?? 0, onOverlap);
  }

  /** The entry pricing a model id (exact, alias, match, then normalized), or undefined. */
  match(modelId: string | undefined): PriceEntry | undefined {
    return this.index.lookup(modelId);
  }
}

export interface PricedCall {
  /** USD. */
  cost: number;
  /** Name of the price entry used. */
  entry: string;
  /** The model id that matched: the response model when it matched, else the request model. */
  model: string;
}

/**
 * Prices one span's usage: the response model when it matches, else the request model; the
 * dated price in force at the call's start; the tier chosen by its input tokens. Undefined
 * when the span has no usage or no price applies (unpriced: never $0). Cheap per span: model
 * lookups are cached in the book.
 */
const NO_USAGE: Usage = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

export function priceCall(book: PriceBook, view: GenAiView, startMs: number): PricedCall | undefined {
  const p = priceView(book, view, startMs);
  return p && p.cost !== null ? { cost: p.cost, entry: p.entry.name, model: p.model } : undefined;
}

/** Why a call whose model has a price entry is unpriced: its start is unknown and the entry's price depends on the date. */
export const UNDATED_REASON = 'no start time, and its price depends on the date';

/**
 * priceCall with the whole entry (for its provider). With `noUsage`, a span without usage is
 * matched too (cost 0): a failed call is still grouped under its price entry. `cost` is null
 * (unpriced, UNDATED_REASON) when the start is unknown and the entry's price depends on the date.
 */
export function priceView(book: PriceBook, view: GenAiView, startMs: number, noUsage = false): { cost: number | null; entry: PriceEntry; model: string } | undefined {
  const usage = view.usage ?? (noUsage ? NO_USAGE : undefined);
  if (usage === undefined) return undefined;
  let model = view.responseModel;
  let entry = book.match(model);
  if (entry === undefined) {
    model = view.requestModel;
    entry = book.match(model);
  }
  if (entry === undefined || model === undefined) return undefined;
  if (!timeKnown(startMs)) {
    const undated = undatedPoint(entry);
    return { cost: undated === undefined ? null : callCost(ratesFor(undated, usage.input), usage), entry, model };
  }
  const point = pointAt(entry, startMs);
  if (point === undefined) return undefined;
  return { cost: callCost(ratesFor(point, usage.input), usage), entry, model };
}

/**
 * Calls priced alike, at once (the ClickHouse cost pushdown, cost/pushdown-groups.ts): the price
 * priceView gives `view` (one of them), applied to `sum`, their usage added up. Exact when every
 * call has the view's entry, dated price and tier: the cost of a call is linear in its usage.
 */
export function priceViewSum(book: PriceBook, view: GenAiView, startMs: number, sum: Usage): number | undefined {
  const one = priceView(book, view, startMs);
  if (one === undefined || one.cost === null || view.usage === undefined) return undefined;
  const point = timeKnown(startMs) ? pointAt(one.entry, startMs)! : undatedPoint(one.entry)!;
  return callCost(ratesFor(point, view.usage.input), sum);
}

/** Every tier threshold and dated price boundary of the book, sorted: calls alike in these price alike. */
export function priceBoundaries(book: PriceBook): { tiers: number[]; dates: number[] } {
  const tiers = new Set<number>();
  const dates = new Set<number>();
  for (const e of book.entries) {
    for (const p of e.points) {
      for (const t of p.tiers) tiers.add(t.above);
      if (p.sinceMs !== undefined) dates.add(p.sinceMs);
      if (p.untilMs !== undefined) dates.add(p.untilMs);
    }
  }
  return { tiers: [...tiers].sort((a, b) => a - b), dates: [...dates].sort((a, b) => a - b) };
}

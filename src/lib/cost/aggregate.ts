/**
 * Sums counted calls per group of dimension values, plus the total and the unpriced models.
 * Memory grows with the number of distinct groups, never with the number of calls.
 */
import type { AttributedCall } from './attribution.js';
import type { Dimension } from './dimensions.js';

/** Token counters as the report shows them (input includes cached, output includes reasoning). */
export interface TokenCounters {
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface Counters extends TokenCounters {
  /** Sum of the priced calls' costs (USD). */
  cost: number;
  pricedCalls: number;
  unpricedCalls: number;
  /** Tokens (input + output) of unpriced calls. */
  unpricedTokens: number;
}

export function emptyCounters(): Counters {
  return {
    calls: 0,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    cost: 0,
    pricedCalls: 0,
    unpricedCalls: 0,
    unpricedTokens: 0,
  };
}

export function addCall(c: Counters, call: AttributedCall): void {
  const u = call.usage;
  c.calls++;
  c.inputTokens += u.input;
  c.cacheReadTokens += u.cacheRead;
  c.cacheWriteTokens += u.cacheWrite;
  c.outputTokens += u.output;
  c.reasoningTokens += u.reasoning;
  if (call.cost === null) {
    c.unpricedCalls++;
    c.unpricedTokens += u.input + u.output;
  } else {
    c.cost += call.cost;
    c.pricedCalls++;
  }
}

export interface Group {
  keys: string[];
  counters: Counters;
}

export class Aggregator {
  private readonly groups = new Map<string, Group>();
  readonly total = emptyCounters();

  constructor(readonly dimensions: readonly Dimension[]) {}

  add(call: AttributedCall): void {
    const keys = this.dimensions.map((d) => d.value(call));
    const id = keys.join('\u0000');
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { keys, counters: emptyCounters() }));
    addCall(g.counters, call);
    addCall(this.total, call);
  }

  list(): Group[] {
    return [...this.groups.values()];
  }
}

/** Unpriced calls per raw model id (DESIGN's `unpriced` list). */
export class UnpricedModels {
  private readonly byModel = new Map<string, { calls: number; inputTokens: number; outputTokens: number }>();

  add(call: AttributedCall): void {
    if (call.cost !== null) return;
    let m = this.byModel.get(call.model);
    if (!m) this.byModel.set(call.model, (m = { calls: 0, inputTokens: 0, outputTokens: 0 }));
    m.calls++;
    m.inputTokens += call.usage.input;
    m.outputTokens += call.usage.output;
  }

  /** Most tokens first, then by model id. */
  list(): Array<{ model: string; calls: number; inputTokens: number; outputTokens: number }> {
    return [...this.byModel]
      .map(([model, m]) => ({ model, ...m }))
      .sort((a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) || cmp(a.model, b.model));
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

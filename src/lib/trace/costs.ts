/**
 * Cost per tree node: a counted call's own price, and for outer nodes the sum of their subtree
 * (count-once, like the token totals). A subtree with any unpriced call has no cost at all, so
 * a partial sum is never shown as if it were the total.
 */
import type { GenAiView } from '../genai/classify.js';
import type { Trace, TraceNode } from './assemble.js';

export type PriceFn = (view: GenAiView, startMs: number) => number | undefined;

export function subtreeCosts(trace: Trace, price: PriceFn): (node: TraceNode) => number | undefined {
  const costs = new Map<TraceNode, number | undefined>();
  const known = new Map<TraceNode, boolean>();
  for (let i = trace.nodes.length - 1; i >= 0; i--) {
    const n = trace.nodes[i]!;
    let sum: number | undefined;
    let ok = true;
    if (n.countsUsage) {
      sum = price(n.view, n.span.startMs);
      ok = sum !== undefined;
    }
    for (const c of n.children) {
      if (!c.subtreeUsage) continue;
      if (!known.get(c)) ok = false;
      const cc = costs.get(c);
      if (cc !== undefined) sum = (sum ?? 0) + cc;
    }
    known.set(n, ok);
    costs.set(n, ok ? sum : undefined);
  }
  return (node) => costs.get(node);
}

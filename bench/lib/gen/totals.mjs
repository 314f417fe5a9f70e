/**
 * The generator's own count of what it wrote, per model and feature: calls by llmtrace's
 * definition (./calls.mjs: every call once, failed calls included), the calls that carry usage
 * (`callsWithUsage`, what a sum over usage spans such as the jq baseline finds), tokens, and the
 * cost in USD from the generator's own prices (./prices.mjs).
 */
import { countedCalls } from './calls.mjs';
import { callCostPico, picoToUsd } from './prices.mjs';

const zero = () => ({ calls: 0, callsWithUsage: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costPico: 0n, pricedCalls: 0 });

function add(into, usage, costPico) {
  into.calls++;
  if (costPico !== null) {
    into.costPico += costPico;
    into.pricedCalls++;
  }
  if (!usage) return;
  into.callsWithUsage++;
  into.inputTokens += usage.input;
  into.outputTokens += usage.output;
  into.cacheReadTokens += usage.cacheRead;
  into.cacheWriteTokens += usage.cacheWrite;
  into.reasoningTokens += usage.reasoning;
}

/** A group as JSON: cost in USD, null when none of its calls has a price (as the report says). */
function groupJSON({ costPico, pricedCalls, ...counts }) {
  return { ...counts, cost: pricedCalls === 0 && counts.calls > 0 ? null : picoToUsd(costPico) };
}

const NO_USAGE = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };

export class Totals {
  constructor() {
    this.spans = 0;
    this.traces = 0;
    this.errorSpans = 0;
    this.failedCalls = 0;
    this.total = zero();
    this.byModel = {};
    this.byFeature = {};
    this.spansByService = {};
  }

  addTrace(tb, resources) {
    this.traces++;
    this.spans += tb.spans.length;
    this.failedCalls += tb.failedCalls;
    for (const s of tb.spans) {
      if (s.status === 2) this.errorSpans++;
      const svc = resources.get(s.res).app;
      this.spansByService[svc] = (this.spansByService[svc] ?? 0) + 1;
    }
    const calls = countedCalls(tb.spans);
    // Self-check of the writers' marks: the usage calls found must be exactly the recorded ones.
    const withUsage = calls.filter((c) => c.usage).length;
    if (withUsage !== tb.calls.length) throw new Error(`generator: ${withUsage} calls with usage counted, ${tb.calls.length} recorded`);
    for (const c of calls) {
      // A call without usage costs nothing, but is priced when its model is.
      const costPico = callCostPico(c.entry, c.usage ?? NO_USAGE, c.span.startUs);
      const feature = tb.featureOf(c.span);
      add(this.total, c.usage, costPico);
      add((this.byModel[c.entry] ??= zero()), c.usage, costPico);
      add((this.byFeature[feature] ??= zero()), c.usage, costPico);
    }
  }

  toJSON() {
    const groups = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, groupJSON(v)]));
    const sort = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      spans: this.spans,
      traces: this.traces,
      errorSpans: this.errorSpans,
      failedCalls: this.failedCalls,
      total: groupJSON(this.total),
      byModel: groups(this.byModel),
      byFeature: groups(this.byFeature),
      spansByService: sort(this.spansByService),
    };
  }
}

/** The generator's own count of what it wrote: calls and tokens per model and feature, once per call. */
import { MODELS } from './catalog.mjs';

const zero = () => ({ calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });

function add(into, u) {
  into.calls++;
  into.inputTokens += u.input;
  into.outputTokens += u.output;
  into.cacheReadTokens += u.cacheRead;
  into.cacheWriteTokens += u.cacheWrite;
  into.reasoningTokens += u.reasoning;
}

export class Totals {
  constructor() {
    this.spans = 0;
    this.traces = 0;
    this.errorSpans = 0;
    this.total = zero();
    this.byModel = {};
    this.byFeature = {};
    this.spansByService = {};
  }

  addTrace(tb, resources) {
    this.traces++;
    this.spans += tb.spans.length;
    for (const s of tb.spans) {
      if (s.status === 2) this.errorSpans++;
      const svc = resources.get(s.res).app;
      this.spansByService[svc] = (this.spansByService[svc] ?? 0) + 1;
    }
    for (const c of tb.calls) {
      const model = MODELS[c.model].entry;
      const feature = tb.featureOf(c.span);
      add(this.total, c.usage);
      add((this.byModel[model] ??= zero()), c.usage);
      add((this.byFeature[feature] ??= zero()), c.usage);
    }
  }

  toJSON() {
    const sort = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
    return { spans: this.spans, traces: this.traces, errorSpans: this.errorSpans, total: this.total, byModel: sort(this.byModel), byFeature: sort(this.byFeature), spansByService: sort(this.spansByService) };
  }
}

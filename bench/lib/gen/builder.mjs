/**
 * One trace under construction: spans (parent first, times in integer microseconds), and the
 * model calls the telemetry reports usage for — recorded once per call, when the call is made,
 * never derived from the spans, so they are an independent check of `llmtrace cost`.
 *
 * Writers also say what each span is for the count of calls (./calls.mjs): the usage it carries
 * (`span.usage`: its own call's, or repeated from the calls below it) and, for a model span (one
 * llmtrace classifies as an LLM or embeddings call), the model it requested (`span.model`).
 */
import { FEATURE_KEYS } from './catalog.mjs';

/** A double attribute value (JSON numbers alone cannot tell 1.0 from 1). */
export const dbl = (x) => ({ dbl: x });

const FEATURE_KEY_SET = new Set(FEATURE_KEYS);

export class TraceBuilder {
  constructor(rng, traceId, resources) {
    this.rng = rng;
    this.traceId = traceId;
    this.resources = resources;
    this.spans = [];
    this.calls = [];
    /** Model calls that failed (each retried): counted as calls only when their span says "model call". */
    this.failedCalls = 0;
  }

  /** Starts a span; attributes can be added until the trace is finished. */
  open(parent, res, scope, name, kind, startUs, attrs = []) {
    const span = {
      traceId: this.traceId,
      spanId: this.rng.hex(8),
      parent,
      parentSpanId: parent ? parent.spanId : '',
      name,
      kind,
      startUs,
      endUs: startUs,
      attrs,
      status: 0,
      statusMessage: '',
      events: [],
      res,
      scope,
    };
    this.spans.push(span);
    return span;
  }

  close(span, endUs) {
    span.endUs = Math.max(endUs, span.startUs + 1);
    return span.endUs;
  }

  fail(span, message) {
    span.status = 2;
    span.statusMessage = message;
  }

  /** A model call whose usage the telemetry reports (counted once, whatever spans repeat it). */
  recordCall(span, model, usage) {
    const call = { span, model, usage };
    this.calls.push(call);
    span.usage = usage;
    span.model = model;
    span.call = call;
  }

  /** A span that repeats the usage of calls below it (an outer span, an agent's totals). */
  repeatUsage(span, usage) {
    span.usage = usage;
  }

  /**
   * A model span that reports no usage (a failed call, an embeddings call its library does not
   * count tokens for): a call with no tokens unless a span below or around it holds the call.
   */
  modelSpanWithoutUsage(span, model) {
    span.model = model;
  }

  /**
   * The feature `llmtrace cost` attributes each call to: keys in order, for each the span and
   * its ancestors nearest first, then the resource; else the root span's name (docs/architecture.md "`cost` and `stats` reports").
   */
  featureOf(span) {
    for (const key of FEATURE_KEYS) {
      for (let s = span; s; s = s.parent) {
        const v = attrValue(s.attrs, key);
        if (v !== undefined) return v;
      }
      const rv = this.resources.get(span.res)?.attrs[key];
      if (typeof rv === 'string' && rv !== '') return rv;
    }
    let root = span;
    while (root.parent) root = root.parent;
    return root.name;
  }
}

function attrValue(attrs, key) {
  if (!FEATURE_KEY_SET.has(key)) return undefined;
  for (const [k, v] of attrs) if (k === key && typeof v === 'string' && v !== '') return v;
  return undefined;
}

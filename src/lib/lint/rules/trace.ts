/**
 * Trace structure: orphan spans, traces without a root, duplicate span ids, parent cycles.
 * Orphans, roots, repeated ids and cycles are known only once the whole input is read (spans of one trace arrive in any
 * order, across batches and files), so these run on the engine's compact per-trace state at the
 * end.
 */
import type { RuleDef } from '../types.js';

export const orphanSpan: RuleDef<'orphan-span'> = {
  id: 'orphan-span',
  defaultSeverity: 'warn',
  description: 'every parent span id refers to a span in the trace',
  docs: {
    checks: 'A span names a parent span id that no span of the input has (the whole input is read before deciding, so order does not matter).',
    why: 'The parent was never exported: typically a short-lived process (CLI, serverless function, batch job) exited before the BatchSpanProcessor flushed, and the outermost spans — the ones ending last — were lost. The trace is incomplete. (A dump cut at a time boundary, or a parent in another service\'s data, looks the same.)',
    fix: 'Call `await provider.forceFlush()` or `provider.shutdown()` before the process exits (in serverless: at the end of every invocation); check the exporter for dropped spans.',
  },
  trace(t) {
    return t.orphans.map((orphan) => ({
      spanId: orphan.spanId,
      spanName: orphan.name,
      source: orphan.source,
      line: orphan.line,
      facts: { parentSpanId: orphan.parentSpanId },
    }));
  },
};

export const traceWithoutRoot: RuleDef<'trace-without-root'> = {
  id: 'trace-without-root',
  defaultSeverity: 'warn',
  description: 'every trace has a root span',
  docs: {
    checks: 'No span of the trace is a root (every span has a parent id). Reported once per trace, on its orphan with the lowest span id.',
    why: 'The root carries the request, the user context and the total duration; its absence is the classic symptom of a process that exited without flushing ("flush before exit?").',
    fix: 'Flush the tracer provider before exit (`forceFlush()`/`shutdown()`); if the root lives in an upstream service, export that service\'s spans too.',
  },
  trace(t) {
    if (t.hasRoot || t.spanCount === 0) return [];
    // Orphans come sorted by span id: the anchor does not depend on the input order.
    const anchor = t.orphans[0] ?? t.lowest;
    return [{ spanId: anchor.spanId, spanName: anchor.name, source: anchor.source, line: anchor.line, facts: { spans: t.spanCount, orphans: t.orphans.length } }];
  },
};

export const duplicateSpanId: RuleDef<'duplicate-span-id'> = {
  id: 'duplicate-span-id',
  defaultSeverity: 'error',
  description: 'span ids are unique within a trace',
  docs: {
    checks: 'Two or more spans of a trace share a span id; reported on each copy but the first — the first two when the id has a CLIENT and a SERVER span (the B3/Zipkin shared span, accepted). Facts: the kinds of all spans with the id.',
    why: 'Parent links become ambiguous: children attach to the wrong span and durations, tokens and costs are counted twice or lost. Usually a custom id generator or a span exported twice (two processors, retries with a re-send).',
    fix: 'Use the SDK\'s random id generator; make sure each span is exported by exactly one processor.',
  },
  trace(t) {
    return t.duplicates.map((d) => ({ spanId: d.spanId, spanName: d.name, source: d.source, line: d.line, facts: { kinds: d.kinds } }));
  },
};

export const parentCycle: RuleDef<'parent-cycle'> = {
  id: 'parent-cycle',
  defaultSeverity: 'warn',
  description: 'parent links do not go round',
  docs: {
    checks: 'Spans of a trace name each other as parents in a ring (a names b, b names a; or longer), over the parent links of every copy of a span id. Reported once per cycle, on its lowest span id, whatever the input order; facts: the span ids in the cycle, sorted.',
    why: 'A cycle has no top: every span in it is above every other. llmtrace cuts it above its lowest span id in every command (`tree` draws that span as the top, `cost`, `stats` and `tail` count the calls in it once, as if it were a root), but which span the producer meant as the top is not known, and other backends may drop or loop on such a trace.',
    fix: 'Look for a custom id generator that reuses ids, or code that sets a parent context by hand (a span id copied into the wrong field, a context restored out of order); with the SDK\'s context propagation a span\'s parent is a span that was open when it started, so links cannot go round.',
  },
  trace(t) {
    // The span's name and place are not kept for spans that found their parent: the id names it.
    return t.parentCycles().map((members) => ({ spanId: members[0]!, spanName: '', facts: { members } }));
  },
};

/**
 * llmtrace's one definition of a model call — every call once, failed calls included — applied
 * to what the generator knows each span is (TraceBuilder's span.usage / span.model, set by the
 * writers), never to the attributes it wrote, so it stays an independent check:
 *
 * - a span carrying token usage is a call when no descendant carries usage (libraries repeat a
 *   call's usage on the spans around it: the innermost one is the call);
 * - a model span (classified LLM or embeddings) without usage is a call with no tokens when no
 *   descendant is a model span or carries usage (the inner span of an outer/inner pair is the
 *   call) and no ancestor is a counted usage span (that one has counted the call already).
 */
import { MODELS } from './catalog.mjs';

/** Adds every ancestor of `span` to `into`; stops at one already there (so are its ancestors). */
function markAncestors(span, into) {
  for (let p = span.parent; p && !into.has(p); p = p.parent) into.add(p);
}

/**
 * The calls of one finished trace: `{ span, usage, entry }` with `usage` null for a call that
 * reported none; `entry` is the model the cost report shows it under.
 */
export function countedCalls(spans) {
  const usageBelow = new Set();
  const modelOrUsageBelow = new Set();
  for (const s of spans) {
    if (s.usage) markAncestors(s, usageBelow);
    if (s.usage || s.model !== undefined) markAncestors(s, modelOrUsageBelow);
  }
  const isCountedUsage = (s) => s.usage !== undefined && !usageBelow.has(s);
  const underCountedUsage = (s) => {
    for (let p = s.parent; p; p = p.parent) if (isCountedUsage(p)) return true;
    return false;
  };
  const calls = [];
  for (const s of spans) {
    if (isCountedUsage(s)) {
      // Its tokens are the recorded call's: a span that only repeats usage must never be the innermost.
      if (!s.call) throw new Error(`generator: span "${s.name}" repeats usage but is counted as the call`);
      calls.push({ span: s, usage: s.usage, entry: MODELS[s.call.model].entry });
    } else if (s.usage === undefined && s.model !== undefined && !modelOrUsageBelow.has(s) && !underCountedUsage(s)) {
      const m = MODELS[s.model];
      calls.push({ span: s, usage: null, entry: m.requestEntry ?? m.entry });
    }
  }
  return calls;
}

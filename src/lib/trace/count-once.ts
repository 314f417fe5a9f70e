/**
 * The one count-once definition of llmtrace: which spans of a trace are model calls, so that
 * every command (`tail`, `tree`, `cost`, `lint`, `stats`) counts each call exactly once.
 * docs/architecture.md ("Counting model calls") gives the reasons; in short:
 *
 * - A span carrying token usage is a call when no descendant carries usage. Libraries repeat a
 *   call's usage on the spans around it (Vercel's `ai.generateText` over `doGenerate`,
 *   `invoke_agent` totals, OpenLLMetry workflow totals): the innermost one is the call.
 * - A model span (classified llm or embeddings) without usage — a failed call, a stream the
 *   library did not count — is a call too, with no tokens, when no descendant is a model span
 *   or carries usage (the inner span of an outer/inner pair is the call), and no ancestor is a
 *   counted usage span (an agent span carrying the usage of a chat child that reported none has
 *   already counted that call).
 *
 * Two forms compute the same answer: `countCalls` decides a whole trace at once (`cost`,
 * `lint`, `tree`: the trace is complete), `LiveCount` keeps the answer current as spans arrive
 * (`tail`: calls are shown before their trace is complete, and taken back when a later span
 * shows they were outer spans). A property test holds them equal for any arrival order.
 */
import type { GenAiView } from '../genai/types.js';

/** A model span in the sense of count-once: an LLM or embeddings call, with or without usage. */
export function isModelSpan(view: GenAiView): boolean {
  return view.kind === 'llm' || view.kind === 'embeddings';
}

/** What count-once reads of one span. */
export interface CountFacts {
  /** Parent span id; '' for a root (and for a span naming itself as its parent). */
  parent: string;
  /** The span carries token usage. */
  usage: boolean;
  /** The span is classified llm or embeddings (isModelSpan). */
  model: boolean;
}

/** How a span is counted: not at all, as a call with its usage, or as a call without usage. */
export type Counted = 'usage' | 'no-usage';

/**
 * Ancestors of the spans that `mark` selects, in `into`. The walk stops at a span already
 * marked (its ancestors are), at the start (a parent cycle), at a parent that never arrived
 * (marked, so a usage span that arrives later still sees it) or after `spans.size` steps.
 */
function markAncestors<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, mark: (f: CountFacts) => boolean, into: Set<string>): void {
  for (const [id, r] of spans) {
    const f = facts(r);
    if (!mark(f)) continue;
    let cur = f.parent;
    for (let steps = 0; cur !== '' && cur !== id && !into.has(cur) && steps < spans.size; steps++) {
      into.add(cur);
      const p = spans.get(cur);
      if (p === undefined) break;
      cur = facts(p).parent;
    }
  }
}

/**
 * Decides one whole trace: calls `onCall(id, record, counted)` for every model call, in the
 * map's order. `facts` must be cheap (it is asked several times per span).
 */
export function countCalls<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, onCall: (id: string, record: R, counted: Counted) => void): void {
  decide(spans, facts, onCall);
}

/** countCalls, returning the spans that have a usage or model span below them. */
function decide<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, onCall: (id: string, record: R, counted: Counted) => void): { usageBelow: Set<string>; modelBelow: Set<string> } {
  const usageBelow = new Set<string>();
  markAncestors(spans, facts, (f) => f.usage, usageBelow);
  let noUsageModels = false;
  for (const r of spans.values()) {
    const f = facts(r);
    if (f.model && !f.usage) {
      noUsageModels = true;
      break;
    }
  }
  // The usual trace has usage on every model span: the second walk is not needed then.
  const modelBelow = new Set<string>();
  if (noUsageModels) markAncestors(spans, facts, (f) => f.usage || f.model, modelBelow);
  const underCountedUsage = noUsageModels ? countedUsageAtOrAbove(spans, facts, usageBelow) : () => false;
  for (const [id, r] of spans) {
    const f = facts(r);
    if (f.usage) {
      if (!usageBelow.has(id)) onCall(id, r, 'usage');
    } else if (f.model && !modelBelow.has(id) && !underCountedUsage(f.parent)) {
      onCall(id, r, 'no-usage');
    }
  }
  return { usageBelow, modelBelow };
}

/**
 * Is the span with this id, or one of its ancestors, a counted usage span (usage, none below it)?
 * Answers are remembered for every span walked through, so that many failed calls under one deep
 * chain cost time linear in the spans, not spans × depth (docs/architecture.md, "Tree rendering
 * depth"). A walk ends at a root, a parent that never arrived, or a parent cycle: no.
 */
function countedUsageAtOrAbove<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, usageBelow: ReadonlySet<string>): (id: string) => boolean {
  const known = new Map<string, boolean>();
  const path: string[] = [];
  const onPath = new Set<string>();
  return (id) => {
    let answer = false;
    for (let cur = id; cur !== ''; ) {
      const k = known.get(cur);
      if (k !== undefined) {
        answer = k;
        break;
      }
      const p = spans.get(cur);
      if (p === undefined || onPath.has(cur)) break;
      path.push(cur);
      onPath.add(cur);
      const f = facts(p);
      if (f.usage && !usageBelow.has(cur)) {
        answer = true;
        break;
      }
      cur = f.parent;
    }
    for (const walked of path) known.set(walked, answer);
    path.length = 0;
    onPath.clear();
    return answer;
  };
}

/** A change to the counted calls of a live trace: `sign` 1 counts the span, −1 takes it back. */
export interface CountChange<R> {
  id: string;
  record: R;
  counted: Counted;
  sign: 1 | -1;
}

/**
 * Count-once kept current while one trace's spans arrive in any order (tail). `add` returns
 * what changed; the calls counted after any sequence of adds are exactly `countCalls` of the
 * spans added. Re-deciding the trace costs time linear in its spans; it is only done when a
 * span can change an earlier decision (it is below or above a model span, or is one itself).
 */
export class LiveCount<R> {
  readonly spans = new Map<string, R>();
  private counted = new Map<string, Counted>();
  /** Spans were deferred since the last decision. */
  private stale = false;
  /** Span ids (arrived or not) with a usage or model span below them, as of the last decision. */
  private below: { usageBelow: Set<string>; modelBelow: Set<string> } = { usageBelow: new Set(), modelBelow: new Set() };

  constructor(private readonly facts: (r: R) => CountFacts) {}

  /**
   * Adds spans without deciding yet (the next add() or settle() decides): for a view that shows
   * nothing until the trace is complete, one decision per trace instead of one per batch.
   */
  defer(batch: Iterable<[string, R]>): void {
    for (const [id, r] of batch) if (!this.spans.has(id)) this.spans.set(id, r);
    this.stale = true;
  }

  /** Decides what defer() left undecided; returns the changes. */
  settle(): Array<CountChange<R>> {
    return this.stale ? this.add([]) : [];
  }

  /** Adds spans (a span id already present is ignored: a retried export); returns the changes. */
  add(batch: Iterable<[string, R]>): Array<CountChange<R>> {
    let relevant = this.stale;
    this.stale = false;
    for (const [id, r] of batch) {
      if (this.spans.has(id)) continue;
      this.spans.set(id, r);
      const f = this.facts(r);
      // Only model/usage spans, and spans that link such spans to their ancestors, can change
      // a decision; any other span is a leaf as far as count-once is concerned.
      if (f.usage || f.model || this.below.usageBelow.has(id) || this.below.modelBelow.has(id)) relevant = true;
    }
    if (!relevant) return [];
    const next = new Map<string, Counted>();
    this.below = decide(this.spans, this.facts, (id, _r, c) => next.set(id, c));
    const changes: Array<CountChange<R>> = [];
    for (const [id, c] of this.counted) {
      if (next.get(id) !== c) changes.push({ id, record: this.spans.get(id)!, counted: c, sign: -1 });
    }
    for (const [id, c] of next) {
      if (this.counted.get(id) !== c) changes.push({ id, record: this.spans.get(id)!, counted: c, sign: 1 });
    }
    this.counted = next;
    return changes;
  }

  /** The spans counted now. */
  get calls(): ReadonlyMap<string, Counted> {
    return this.counted;
  }

  /** State saved earlier (spans and the calls counted over them), as it was. */
  restore(spans: Iterable<[string, R]>, calls: Iterable<[string, Counted]>): void {
    for (const [id, r] of spans) this.spans.set(id, r);
    this.counted = new Map(calls);
    this.below = decide(this.spans, this.facts, () => {});
  }
}

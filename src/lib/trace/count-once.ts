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

/** No parent link is cut (the usual trace): shared, never written. */
const NO_CUTS: ReadonlySet<string> = new Set();

/**
 * The member of a parent cycle whose parent link is cut, in every command alike (`tree` draws
 * it as the cycle's top, count-once counts as if it were a root; docs/architecture.md "Parent
 * cycles"): the lowest span id. Span ids are what every reader of a trace has, including the
 * compact records of `cost` (a parent id alone for most spans) and the ClickHouse SQL.
 */
export function cycleCut(members: Iterable<string>): string {
  let lowest: string | undefined;
  for (const id of members) if (lowest === undefined || id < lowest) lowest = id;
  return lowest!;
}

/** The members of the parent cycle through `start` (every span in it has its parent present). */
function cycleThrough<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, start: string): string[] {
  const members = [start];
  for (let cur = facts(spans.get(start)!).parent; cur !== start; cur = facts(spans.get(cur)!).parent) members.push(cur);
  return members;
}

/**
 * Ancestors of the spans that `mark` selects, in `into` (span id → the walk that marked it).
 * The walk stops at a span already marked (its ancestors are), at a parent that never arrived
 * (marked, so a usage span that arrives later still sees it), at a cut link, or after
 * `spans.size` steps. A walk that meets a span it marked itself, or its start, went round a
 * parent cycle: one member of each such cycle is added to `cycles`.
 */
function markAncestors<R>(
  spans: ReadonlyMap<string, R>,
  facts: (r: R) => CountFacts,
  mark: (f: CountFacts) => boolean,
  into: Map<string, number>,
  cuts: ReadonlySet<string>,
  cycles: string[],
): void {
  let walk = 0;
  for (const [id, r] of spans) {
    const f = facts(r);
    if (!mark(f)) continue;
    walk++;
    let cur = cuts.size && cuts.has(id) ? '' : f.parent;
    for (let steps = 0; cur !== '' && cur !== id && !into.has(cur) && steps < spans.size; steps++) {
      into.set(cur, walk);
      const p = spans.get(cur);
      if (p === undefined) break;
      cur = cuts.size && cuts.has(cur) ? '' : facts(p).parent;
    }
    if (cur === id ? spans.has(id) && cur !== '' : into.get(cur) === walk && spans.has(cur)) cycles.push(cur);
  }
}

/**
 * Decides one whole trace: calls `onCall(id, record, counted)` for every model call, in the
 * map's order. `facts` must be cheap (it is asked several times per span). Returns the spans
 * whose parent link was cut to break a parent cycle (`cycleCut`; usually none): a caller that
 * walks ancestors itself (the dimensions) stops there too.
 */
export function countCalls<R>(
  spans: ReadonlyMap<string, R>,
  facts: (r: R) => CountFacts,
  onCall: (id: string, record: R, counted: Counted, cuts: ReadonlySet<string>) => void,
): ReadonlySet<string> {
  return decide(spans, facts, onCall).cuts;
}

/** What the copy order compares, most significant first (`countedCopy`). */
export type CopyKey = Array<number | string>;

/** The times and tokens of a call, as a copy key reads them. */
export interface CopyCall {
  startMs: number;
  durationMs: number;
  usage?: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number };
}

/**
 * A copy's key (docs/architecture.md "Differing copies"): usage over none, a model span over
 * none, then the later end, the later start, the greater token counts (input, output, cache
 * read, cache write, reasoning), the greater parent id. A command appends what else its
 * counting reads of the span, written out, as the last tie-break.
 */
export function copyKey(f: CountFacts, call: CopyCall | undefined): CopyKey {
  const key: CopyKey = [(f.usage ? 2 : 0) + (f.model ? 1 : 0)];
  if (call === undefined) key.push(-Infinity, -Infinity, -1, -1, -1, -1, -1);
  else {
    const u = call.usage;
    key.push(call.startMs + call.durationMs, call.startMs, u?.input ?? -1, u?.output ?? -1, u?.cacheRead ?? -1, u?.cacheWrite ?? -1, u?.reasoning ?? -1);
  }
  key.push(f.parent);
  return key;
}

/**
 * Of two differing copies of one span id (same trace and span id, different in what counting
 * reads), the one every command counts, whichever came first: the greater `copyKey`.
 */
export function countedCopy<R>(a: R, b: R, key: (r: R) => CopyKey): R {
  const ka = key(a), kb = key(b);
  for (let i = 0; i < ka.length && i < kb.length; i++) {
    const x = ka[i]!, y = kb[i]!;
    if (x !== y) return x > y ? a : b;
  }
  return ka.length >= kb.length ? a : b;
}

interface Decision {
  /** Span ids (arrived or not) with a usage span below them, and with a model or usage span below them. */
  usageBelow: Map<string, number>;
  modelBelow: Map<string, number>;
  /** Cycle members whose parent link is cut. */
  cuts: ReadonlySet<string>;
}

/**
 * countCalls, returning what LiveCount keeps. A parent cycle above or through a model or usage
 * span is found by the walks; the trace is then walked again with each such cycle cut where
 * `cycleCut` says, so its calls count once, as in a tree (docs/architecture.md "Parent cycles").
 */
function decide<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, onCall: (id: string, record: R, counted: Counted, cuts: ReadonlySet<string>) => void): Decision {
  let cuts = NO_CUTS;
  for (;;) {
    const cycles: string[] = [];
    const usageBelow = new Map<string, number>();
    markAncestors(spans, facts, (f) => f.usage, usageBelow, cuts, cycles);
    let noUsageModels = false;
    for (const r of spans.values()) {
      const f = facts(r);
      if (f.model && !f.usage) {
        noUsageModels = true;
        break;
      }
    }
    // The usual trace has usage on every model span: the second walk is not needed then.
    const modelBelow = new Map<string, number>();
    if (noUsageModels) markAncestors(spans, facts, (f) => f.usage || f.model, modelBelow, cuts, cycles);
    if (cycles.length) {
      const more = new Set(cuts);
      for (const member of cycles) more.add(cycleCut(cycleThrough(spans, facts, member)));
      cuts = more;
      continue;
    }
    const underCountedUsage = noUsageModels ? countedUsageAtOrAbove(spans, facts, usageBelow, cuts) : () => false;
    for (const [id, r] of spans) {
      const f = facts(r);
      if (f.usage) {
        if (!usageBelow.has(id)) onCall(id, r, 'usage', cuts);
      } else if (f.model && !modelBelow.has(id) && !underCountedUsage(cuts.size && cuts.has(id) ? '' : f.parent)) {
        onCall(id, r, 'no-usage', cuts);
      }
    }
    return { usageBelow, modelBelow, cuts };
  }
}

/**
 * Is the span with this id, or one of its ancestors, a counted usage span (usage, none below it)?
 * Answers are remembered for every span walked through, so that many failed calls under one deep
 * chain cost time linear in the spans, not spans × depth (docs/architecture.md, "Tree rendering
 * depth"). A walk ends at a root, a parent that never arrived, or a parent cycle: no.
 */
function countedUsageAtOrAbove<R>(spans: ReadonlyMap<string, R>, facts: (r: R) => CountFacts, usageBelow: ReadonlyMap<string, number>, cuts: ReadonlySet<string>): (id: string) => boolean {
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
      cur = cuts.size && cuts.has(cur) ? '' : f.parent;
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
  private below: Decision = { usageBelow: new Map(), modelBelow: new Map(), cuts: NO_CUTS };

  /** Records replaced by a differing copy since the last decision (the one it counted), by span id. */
  private readonly displaced = new Map<string, R>();

  /**
   * `copyKey`: the key `countedCopy` orders a span's differing copies by, the record's own
   * text last (equal keys: identical copies). Without it, a repeated span id is ignored.
   */
  constructor(
    private readonly facts: (r: R) => CountFacts,
    private readonly copyKey?: (r: R) => CopyKey,
  ) {}

  /**
   * Adds spans without deciding yet (the next add() or settle() decides): for a view that shows
   * nothing until the trace is complete, one decision per trace instead of one per batch.
   */
  defer(batch: Iterable<[string, R]>): void {
    for (const [id, r] of batch) this.put(id, r);
    this.stale = true;
  }

  /** Holds a span; false when its id was held already and the held copy stays (identical, or counted before this one). */
  private put(id: string, r: R): boolean {
    const held = this.spans.get(id);
    if (held !== undefined) {
      if (this.copyKey === undefined || countedCopy(held, r, this.copyKey) === held) return false;
      if (!this.displaced.has(id)) this.displaced.set(id, held);
    }
    this.spans.set(id, r);
    return true;
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
      if (!this.put(id, r)) continue;
      const f = this.facts(r);
      // Only model/usage spans, and spans that link such spans to their ancestors, can change
      // a decision; any other span is a leaf as far as count-once is concerned. A copy that
      // replaced another can change its parent link: it is decided again.
      if (f.usage || f.model || this.below.usageBelow.has(id) || this.below.modelBelow.has(id) || this.displaced.has(id)) relevant = true;
    }
    if (!relevant) return [];
    const next = new Map<string, Counted>();
    this.below = decide(this.spans, this.facts, (id, _r, c) => next.set(id, c));
    const changes: Array<CountChange<R>> = [];
    // A replaced copy that was counted is taken back as it was counted, and its successor counted anew.
    for (const [id, c] of this.counted) {
      const old = this.displaced.get(id);
      if (old !== undefined || next.get(id) !== c) changes.push({ id, record: old ?? this.spans.get(id)!, counted: c, sign: -1 });
    }
    for (const [id, c] of next) {
      if (this.displaced.has(id) || this.counted.get(id) !== c) changes.push({ id, record: this.spans.get(id)!, counted: c, sign: 1 });
    }
    this.displaced.clear();
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

/**
 * What lint keeps of one trace until every span of it is in: the span ids seen (with their
 * kind), the spans whose parent has not arrived (yet), the roots, the copies of repeated ids, the
 * parent links (parent cycles are found from them at the end) and a few counts. A child waiting for its parent is released as soon as the parent arrives, so
 * what waits at the end are the orphans.
 *
 * Each span is judged against the set of ids of its trace, never against the spans that came
 * before it, so the state after the last span is the same in any order: a copy of a repeated id
 * is a span like any other (a root, a child, an orphan) besides being reported as a repeat, and
 * trace-level findings are anchored on the lowest span id, not on the first span seen.
 *
 * A trace that went quiet is frozen into one string (`freeze`): its packed ids as they are, the
 * rest as a short JSON header. Most traces of a time-ordered input get no span after that, and
 * one string costs a third of the objects a live state is made of (its Map entry, lists,
 * records), so the state of the bench's million time-ordered spans peaks at ~23 MB. A span of a frozen
 * trace thaws it (`thaw`).
 * The same string is the trace's record in a spill file (engine.ts), next to single spans
 * written on their own (`spanRecord`, `addRecord`).
 */
import { SpanKind } from '../span.js';
import { idOfLinkKey, LINK_BYTES, packedIdsIn, ParentLinks } from './parent-links.js';
import { PACKED_WIDTH, SpanIds, unpackId } from './span-ids.js';
import { GENAI, TOOL, TOOL_OK } from './span-facts.js';
import type { DuplicateSpan, PendingSpan, RootRecord } from './types.js';

/**
 * Approximate heap bytes of each piece of state, for the memory budget: measured with
 * `--expose-gc` and `process.memoryUsage().heapUsed` on 100k–2M-span inputs in time order,
 * reversed and shuffled (V8 on 64-bit, pointer compression), within 10% of the heap's growth.
 */
export const STATE_BYTES = {
  /** The trace's entry in the engine's Map, its id, this object, its SpanIds and roots list. */
  trace: 440,
  /** A span id in a SpanIds Map (the 16-character string and the entry). */
  hotId: 80,
  /** A span id packed into the SpanIds strings (its 8 bytes + its kind). */
  packedId: 9,
  /** A span waiting for its parent: the record, the parent id, its place in the waiting Map and list. */
  pending: 200,
  root: 100,
  duplicate: 120,
  /** A frozen trace besides its characters: its entry in the engine's Map, its id, the string's header. */
  frozen: 100,
} as const;

/** Estimated heap bytes of a frozen trace (see freeze). */
export function frozenBytes(frozen: string): number {
  return STATE_BYTES.frozen + frozen.length;
}

/** Span names repeat (`chat gpt-4o`); sharing one string per name keeps the pending state small. */
const INTERN_LIMIT = 50_000;

export class NameInterner {
  /** Name → its number (its place in `list`). */
  private readonly numbers = new Map<string, number>();
  private readonly list: string[] = [];

  intern(name: string): string {
    const n = this.numbers.get(name);
    if (n !== undefined) return this.list[n]!;
    if (this.list.length < INTERN_LIMIT) {
      this.numbers.set(name, this.list.length);
      this.list.push(name);
    }
    return name;
  }

  /** A name as frozen traces write it: its number once interned (shorter), else the name. */
  code(name: string): number | string {
    return this.numbers.get(name) ?? name;
  }

  name(code: number | string): string {
    return typeof code === 'number' ? this.list[code]! : this.intern(code);
  }
}

/** Source labels as small numbers in spill records (a few inputs, millions of records). */
export class SourceTable {
  private readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  of(source: string | undefined): number {
    if (source === undefined) return -1;
    let i = this.index.get(source);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(source);
      this.index.set(source, i);
    }
    return i;
  }

  at(i: number): string | undefined {
    return i < 0 ? undefined : this.list[i];
  }
}

/** A copy of a repeated span id, after the first: its kind and where it was read. */
interface DuplicateCopy {
  kind: number;
  name: string;
  source?: string;
  line?: number;
}

/** A span written on its own: [spanId, parentSpanId, name, kind, flags, source, line, rootContext]. */
export type SpanRecord = [string, string, string, number, number, number, number | null, number];

/** A name as NameInterner.code writes it. */
type NameCode = number | string;

/**
 * Everything of a frozen trace but its packed ids (sources as SourceTable numbers, lines null
 * when unknown); empty lists at the end are left out.
 */
type FrozenHeader = [
  spanCount: number,
  genAi: 0 | 1,
  thaws: number,
  /** A root's span id as its place among the packed ids when it has one (shorter than its hex). */
  roots?: Array<[spanId: string | number, name: NameCode, source: number, line: number | null, context: number]>,
  /** Only without a root: it anchors trace-without-root, which a root rules out for good. */
  lowest?: [spanId: string, name: NameCode, source: number, line: number | null] | 0,
  pending?: Array<[spanId: string, parentSpanId: string, name: NameCode, source: number, line: number | null, isTool: 0 | 1, toolOk: 0 | 1]>,
  duplicates?: Array<[spanId: string, kind: number, name: NameCode, source: number, line: number | null]>,
  /** Ids pack() leaves in the Map. */
  unpacked?: Array<[spanId: string, kind: number]>,
  /** Further parent links of packed ids (parent-links.ts `extra`), after the column: 2 × PACKED_WIDTH characters each. */
  extraLinks?: number,
  /** Parent links not packed, or with ids that do not pack. */
  otherLinks?: Array<[spanId: string, parentSpanId: string]>,
];

/** Between the JSON header and the packed ids: JSON text never holds it unescaped. */
const HEADER_END = '\u0001';

export class TraceState {
  /** Span id → its copies after the first (rare). */
  private dups: Map<string, DuplicateCopy[]> | undefined;
  /** Parent id → the spans waiting for it; undefined while nothing waits (the usual case). */
  private waiting: Map<string, PendingSpan[]> | undefined;
  /** Waiting tool spans that are named and record their status (a scorecard item once their parent is in). */
  private toolOk: Set<PendingSpan> | undefined;
  /** Every parent link between two spans of the trace, for parentCycles() at the end. */
  private readonly links = new ParentLinks();
  readonly roots: RootRecord[] = [];
  genAi = false;
  spanCount = 0;
  lowestId = '';
  lowestName = '';
  lowestSource: string | undefined;
  lowestLine: number | undefined;
  /** Estimated heap bytes (STATE_BYTES). */
  bytes = STATE_BYTES.trace;
  /** How often the trace was frozen and then got another span (it waits longer to freeze again). */
  thaws = 0;

  /** @param epoch the engine's sweep period in which the trace last received a span */
  constructor(
    readonly traceId: string,
    public epoch: number,
    readonly seen = new SpanIds(),
  ) {}

  /**
   * Adds one span. Returns how many tool spans became children of a span of the trace with
   * it (the scorecard's "named children with recorded status").
   */
  add(spanId: string, parentSpanId: string, name: string, kind: number, flags: number, source: string | undefined, line: number | undefined, rootContext: number, names: NameInterner): number {
    if (this.spanCount++ === 0 || spanId < this.lowestId) {
      this.lowestId = spanId;
      this.lowestName = names.intern(name);
      this.lowestSource = source;
      this.lowestLine = line;
    }
    if (flags & GENAI) this.genAi = true;

    let toolChildren = 0;
    if (this.seen.get(spanId) === undefined) {
      this.seen.set(spanId, kind);
      this.bytes += STATE_BYTES.hotId;
      // Children that were waiting for this span are no longer orphans.
      const children = this.waiting?.get(spanId);
      if (children !== undefined) {
        this.waiting!.delete(spanId);
        this.bytes -= children.length * (STATE_BYTES.pending - LINK_BYTES.hot);
        for (const c of children) {
          this.links.push(c.spanId, spanId);
          if (this.toolOk?.delete(c)) toolChildren++;
        }
        if (this.waiting!.size === 0) this.waiting = this.toolOk = undefined;
      }
    } else {
      this.dups ??= new Map();
      const copies = this.dups.get(spanId);
      const copy: DuplicateCopy = { kind, name: names.intern(name), source, line };
      if (copies) copies.push(copy);
      else this.dups.set(spanId, [copy]);
      this.bytes += STATE_BYTES.duplicate;
    }

    if (parentSpanId === '') {
      this.roots.push({ spanId, name: names.intern(name), source, line, context: rootContext });
      this.bytes += STATE_BYTES.root;
    } else if (this.seen.get(parentSpanId) !== undefined) {
      if (flags & TOOL_OK) toolChildren++;
      if (parentSpanId !== spanId) {
        this.links.push(spanId, parentSpanId);
        this.bytes += LINK_BYTES.hot;
      }
    } else {
      const pending: PendingSpan = { spanId, parentSpanId, name: names.intern(name), source, line, isTool: (flags & TOOL) !== 0 };
      this.waiting ??= new Map();
      const list = this.waiting.get(parentSpanId);
      if (list) list.push(pending);
      else this.waiting.set(parentSpanId, [pending]);
      if (flags & TOOL_OK) (this.toolOk ??= new Set()).add(pending);
      this.bytes += STATE_BYTES.pending;
    }
    return toolChildren;
  }

  /** Packs the span ids (the trace went quiet); returns the estimated bytes freed. */
  pack(): number {
    const hot = this.seen.hotSize;
    const before = this.seen.packedIds, countBefore = this.seen.packedCount;
    this.seen.pack();
    const freed = (hot - this.seen.hotSize) * (STATE_BYTES.hotId - STATE_BYTES.packedId) + this.links.pack(this.seen, before, countBefore);
    this.bytes -= freed;
    return freed;
  }

  /**
   * The parent cycles of the trace: the members of each, sorted (the first is the one count-once
   * cuts, `cycleCut`), the cycles by that member. Over every copy's link: spans that cannot reach
   * a span without a parent link are pruned, then those no link points at; what is left goes round.
   */
  parentCycles(): string[][] {
    if (this.links.acyclic(this.seen)) return [];
    const up = new Map<string, string[]>();
    const link = (child: string, parent: string) => {
      const list = up.get(child);
      if (list) list.push(parent);
      else up.set(child, [parent]);
    };
    // Spans by their packed ids as they are (only a cycle's members are written out as hex).
    for (const [child, parent] of this.links.pairs(this.seen)) link(child, parent);
    // Links to a span with no link of its own (a root, or missing) lead out: never round.
    const out = new Map<string, number>();
    const down = new Map<string, string[]>();
    for (const [child, parents] of up) {
      let n = 0;
      for (const p of parents) {
        if (!up.has(p)) continue;
        n++;
        const list = down.get(p);
        if (list) list.push(child);
        else down.set(p, [child]);
      }
      out.set(child, n);
    }
    const prune = (degree: Map<string, number>, next: Map<string, string[]>) => {
      const gone: string[] = [];
      for (const [id, n] of degree) if (n === 0) gone.push(id);
      while (gone.length) {
        const id = gone.pop()!;
        degree.delete(id);
        for (const other of next.get(id) ?? []) {
          const n = degree.get(other);
          if (n !== undefined && n > 0) {
            degree.set(other, n - 1);
            if (n === 1) gone.push(other);
          }
        }
      }
    };
    prune(out, down);
    if (out.size === 0) return [];
    // What is left leads into a cycle; of it, spans no remaining link points at lead in from below.
    const into = new Map<string, number>();
    for (const id of out.keys()) into.set(id, 0);
    for (const id of out.keys()) for (const p of up.get(id)!) if (into.has(p)) into.set(p, into.get(p)! + 1);
    const upInside = new Map<string, string[]>();
    for (const id of out.keys()) upInside.set(id, up.get(id)!.filter((p) => into.has(p)));
    prune(into, upInside);
    // The members, grouped by the links between them.
    const cycles: string[][] = [];
    const seen = new Set<string>();
    for (const start of into.keys()) {
      if (seen.has(start)) continue;
      const members: string[] = [];
      const stack = [start];
      seen.add(start);
      while (stack.length) {
        const id = stack.pop()!;
        members.push(id);
        for (const other of [...(up.get(id) ?? []), ...(down.get(id) ?? [])]) {
          if (into.has(other) && !seen.has(other)) {
            seen.add(other);
            stack.push(other);
          }
        }
      }
      cycles.push(members.map(idOfLinkKey).sort(compare));
    }
    return cycles.sort((a, b) => compare(a[0]!, b[0]!));
  }

  /** The spans whose parent never arrived, by span id (then parent id). */
  orphans(): PendingSpan[] {
    const out: PendingSpan[] = [];
    if (this.waiting) for (const list of this.waiting.values()) for (const o of list) out.push(o);
    return out.sort((a, b) => compare(a.spanId, b.spanId) || compare(a.parentSpanId, b.parentSpanId));
  }

  /**
   * The copies of repeated ids to report, with the kinds of all copies of each: every copy but
   * the first, and but one more when the id has a CLIENT and a SERVER copy (the B3/Zipkin shared
   * span is one span on both sides). How many depends only on the kinds, not on the order.
   */
  duplicates(): DuplicateSpan[] {
    const out: DuplicateSpan[] = [];
    if (!this.dups) return out;
    for (const [spanId, copies] of this.dups) {
      const first = this.seen.get(spanId)!;
      const kinds = [first, ...copies.map((c) => c.kind)].sort((a, b) => a - b);
      let partnerOpen = kinds.includes(SpanKind.CLIENT) && kinds.includes(SpanKind.SERVER);
      for (const c of copies) {
        if (partnerOpen && completesSharedSpan(first, c.kind)) {
          partnerOpen = false;
          continue;
        }
        out.push({ spanId, name: c.name, source: c.source, line: c.line, kinds });
      }
    }
    return out;
  }

  /** The state as one string (pack() first: the packed ids are copied as they are). */
  freeze(sources: SourceTable, names: NameInterner): string {
    const pending: NonNullable<FrozenHeader[5]> = [];
    if (this.waiting) {
      for (const list of this.waiting.values()) {
        for (const p of list) pending.push([p.spanId, p.parentSpanId, names.code(p.name), sources.of(p.source), p.line ?? null, p.isTool ? 1 : 0, this.toolOk?.has(p) ? 1 : 0]);
      }
    }
    const duplicates: NonNullable<FrozenHeader[6]> = [];
    if (this.dups) for (const [id, copies] of this.dups) for (const c of copies) duplicates.push([id, c.kind, names.code(c.name), sources.of(c.source), c.line ?? null]);
    const header: FrozenHeader = [
      this.spanCount,
      this.genAi ? 1 : 0,
      this.thaws,
      this.roots.map((r) => [placeOrId(this.seen, r.spanId), names.code(r.name), sources.of(r.source), r.line ?? null, r.context]),
      this.roots.length ? 0 : [this.lowestId, names.code(this.lowestName), sources.of(this.lowestSource), this.lowestLine ?? null],
      pending,
      duplicates,
      [...this.seen.hotEntries()],
      this.links.extra.length / (2 * PACKED_WIDTH),
      this.links.unpackedPairs(),
    ];
    while (header.length > 3) {
      const last = header[header.length - 1];
      if (last === 0 || (Array.isArray(last) && last.length === 0)) header.pop();
      else break;
    }
    // One flat string: `+` would keep the four parts alive under a tree of cons strings.
    return [JSON.stringify(header), HEADER_END, this.seen.packedIds, this.seen.packedKinds, this.links.column, this.links.extra].join('');
  }

  /** A frozen trace's state, live again. */
  static thaw(traceId: string, frozen: string, sources: SourceTable, names: NameInterner, epoch: number): TraceState {
    const end = frozen.indexOf(HEADER_END);
    const [spanCount, genAi, thaws, roots = [], lowest = 0, pending = [], duplicates = [], unpacked = [], extraLinks = 0, otherLinks = []] = JSON.parse(frozen.slice(0, end)) as FrozenHeader;
    const extraAt = frozen.length - extraLinks * 2 * PACKED_WIDTH;
    const ids = packedIdsIn(extraAt - end - 1);
    const idsEnd = end + 1 + ids * PACKED_WIDTH;
    const t = new TraceState(traceId, epoch, SpanIds.fromPacked(frozen.slice(end + 1, idsEnd), frozen.slice(idsEnd, idsEnd + ids)));
    t.bytes += ids * STATE_BYTES.packedId;
    t.links.column = frozen.slice(idsEnd + ids, extraAt);
    t.links.extra = frozen.slice(extraAt);
    if (otherLinks.length) t.links.odd = otherLinks;
    t.bytes += t.links.bytes;
    t.spanCount = spanCount;
    t.genAi = genAi === 1;
    t.thaws = thaws;
    // With a root, lowestId stays '': lower than any id, so it is never replaced (nor needed).
    if (lowest !== 0) {
      t.lowestId = lowest[0];
      t.lowestName = names.name(lowest[1]);
      t.lowestSource = sources.at(lowest[2]);
      t.lowestLine = lowest[3] ?? undefined;
    }
    for (const [spanId, kind] of unpacked) t.seen.set(spanId, kind);
    t.bytes += unpacked.length * STATE_BYTES.hotId;
    for (const [spanId, name, source, line, context] of roots) {
      t.roots.push({ spanId: typeof spanId === 'number' ? unpackId(t.seen.packedIds, spanId * PACKED_WIDTH) : spanId, name: names.name(name), source: sources.at(source), line: line ?? undefined, context });
      t.bytes += STATE_BYTES.root;
    }
    for (const [spanId, parentSpanId, name, source, line, isTool, toolOk] of pending) {
      const p: PendingSpan = { spanId, parentSpanId, name: names.name(name), source: sources.at(source), line: line ?? undefined, isTool: isTool === 1 };
      t.waiting ??= new Map();
      const list = t.waiting.get(parentSpanId);
      if (list) list.push(p);
      else t.waiting.set(parentSpanId, [p]);
      if (toolOk === 1) (t.toolOk ??= new Set()).add(p);
      t.bytes += STATE_BYTES.pending;
    }
    for (const [spanId, kind, name, source, line] of duplicates) {
      t.dups ??= new Map();
      const copy: DuplicateCopy = { kind, name: names.name(name), source: sources.at(source), line: line ?? undefined };
      const copies = t.dups.get(spanId);
      if (copies) copies.push(copy);
      else t.dups.set(spanId, [copy]);
      t.bytes += STATE_BYTES.duplicate;
    }
    return t;
  }

  /** Adds a span written by spanRecord; returns what add() returns. */
  addRecord(r: SpanRecord, sources: SourceTable, names: NameInterner): number {
    return this.add(r[0], r[1], r[2], r[3], r[4], sources.at(r[5]), r[6] ?? undefined, r[7], names);
  }
}

export function spanRecord(spanId: string, parentSpanId: string, name: string, kind: number, flags: number, source: string | undefined, line: number | undefined, rootContext: number, sources: SourceTable): SpanRecord {
  return [spanId, parentSpanId, name, kind, flags, sources.of(source), line ?? null, rootContext];
}

/** A span id as a frozen header writes it: its place among the packed ids, or the id when it is not packed. */
function placeOrId(ids: SpanIds, spanId: string): string | number {
  const place = ids.placeOf(spanId);
  return place < 0 ? spanId : place;
}

/** Whether a copy of kind `kind` is the other side of the shared span whose first copy has `first`. */
function completesSharedSpan(first: number, kind: number): boolean {
  if (first === SpanKind.CLIENT) return kind === SpanKind.SERVER;
  if (first === SpanKind.SERVER) return kind === SpanKind.CLIENT;
  return kind === SpanKind.CLIENT || kind === SpanKind.SERVER;
}


/** Code-unit order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

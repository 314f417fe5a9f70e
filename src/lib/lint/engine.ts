/**
 * The lint engine: runs per-span rules as batches arrive and trace rules once every span of the
 * input is in, applies the severity policy (once, here), counts findings and feeds the scorecard.
 *
 * Exact at any input order (docs/architecture.md): a trace is judged only after the whole input
 * is read, from state that does not depend on the order its spans came in (trace-state.ts), so
 * spans far apart — two services' files, one file per Collector replica, a shuffled dump — give
 * the same findings and scorecard as the same spans in time order. Spans are never kept; per
 * trace the engine holds its span ids, the spans still waiting for their parent, its roots and a
 * few counts and its parent links (for parent-cycle), and a trace that went quiet is frozen into
 * one string (~10 bytes a span of a trace under 255 spans: its packed id, kind and parent's place).
 *
 * Why traces are not decided early: releasing a trace that looks complete is exact only if a
 * late span of it can still be checked against all its ids — its state would have to be written
 * out for every trace decided, on the common path, and the decision redone and diffed when a late
 * span comes. Holding the frozen state instead costs ~23 MB at the bench's 1M spans and
 * writes nothing; a late span merely thaws its trace.
 *
 * Why whole traces spill, quiet ones first: beyond the memory budget, frozen traces (then live
 * ones) move to disk in the order first held (spill.ts), and every later span of a trace not held
 * that the spill's filter names is appended there. A trace is then either wholly in memory or
 * wholly on disk (its frozen state, then its spans), so nothing is merged or redone: held traces
 * are finished as before, and each partition file is read back alone (split when larger than the
 * budget) and its traces finished by the same code. In a time-ordered input the traces moved are
 * complete, so new traces stay in memory and little is written after them.
 */
import type { GenAiView } from '../genai/types.js';
import type { Problem } from '../errors.js';
import type { Span } from '../span.js';
import { DEFAULT_MEMORY_BUDGET } from '../sizes.js';
import { decodeRootContext } from './rules/root.js';
import { RULES } from './registry.js';
import type { PriceLayer } from '../cost/pricebook.js';
import type { MapperSpec } from '../sources/mapper.js';
import { share } from './facts-memo.js';
import { newFinding, type FindingPlace } from './finding.js';
import { SpanLinter, lintMapper, type LintFacts, type LintMapperConfig, type SpanScore } from './span-facts.js';
import { ScorecardCounter, type Scorecard } from './scorecard.js';
import { LintSpill } from './spill.js';
import { NameInterner, SourceTable, TraceState, frozenBytes, spanRecord } from './trace-state.js';
import type { AnyRuleDef, Finding, LintContext, RuleFacts, RuleId, Severity, SeveritySetting, TraceHit, TraceSummary } from './types.js';

export interface LinterOptions {
  severities: Readonly<Record<RuleId, SeveritySetting>>;
  ctx: LintContext;
  /** Classifier (tests may inject one); default `classify`. */
  classify?: (span: Span) => GenAiView;
  /** Estimated bytes of trace state held before partitions of it move to disk (`--memory`). */
  memoryBudget?: number;
  /** Where the spill directory is made (default LLMTRACE_TMPDIR, else TMPDIR). */
  spillParent?: string;
  /** Spans between sweeps (default SWEEP_EVERY; tests use a few to pack, freeze and thaw small inputs). */
  sweepEvery?: number;
}

export interface FindingCounts {
  error: number;
  warn: number;
  info: number;
}

/**
 * Every this many spans, traces that received none since the previous sweep pack their ids;
 * those that received none for FREEZE_AFTER sweeps are frozen (trace-state.ts). A trace that
 * got a span after freezing waits twice as long before it freezes again (up to 2^MAX_FREEZE_BACKOFF
 * times), so the traces of a shuffled input, whose spans come far apart, are not frozen and
 * thawed over and over. The interval bounds the live state: a trace is held unpacked (~80 bytes
 * an id) until the sweep after its last span, so halving it halves that part (docs/architecture.md,
 * "Exact at any order → `lint`": 12,500 keeps the bench's 1M spans within the default budget).
 */
const SWEEP_EVERY = 12_500;
const FREEZE_AFTER = 2;
const MAX_FREEZE_BACKOFF = 4;

/** Spilling stops once the held state is down to this share of the budget: room to grow again. */
const SPILL_DOWN_TO = 0.75;

/** Trace findings are handed out in pieces of about this many (the end of a large input). */
const FINDINGS_PER_PIECE = 10_000;

/** The sweep at the end of which a trace that stays quiet is frozen. */
function freezeEpoch(t: TraceState): number {
  return t.epoch + FREEZE_AFTER * (1 << Math.min(t.thaws, MAX_FREEZE_BACKOFF));
}

class FindingPieces {
  out: Finding[] = [];

  take(): Finding[] {
    const piece = this.out;
    this.out = [];
    return piece;
  }
}

export class Linter {
  readonly counts: FindingCounts = { error: 0, warn: 0, info: 0 };
  private readonly traceRules: AnyRuleDef[];
  private readonly problemRules: AnyRuleDef[];
  /** Trace id → its live state, or its state frozen in a string. */
  private readonly traces = new Map<string, TraceState | string>();
  private readonly names = new NameInterner();
  private readonly sources = new SourceTable();
  private readonly score: ScorecardCounter;
  private readonly budget: number;
  private readonly sweepEvery: number;
  private spanLinter: SpanLinter | undefined;
  /** Estimated bytes of the states in `traces`. */
  private held = 0;
  private epoch = 0;
  private sinceSweep = 0;
  /** Traces that received a span in this sweep period, and in the previous one. */
  private touched: TraceState[] = [];
  private touchedBefore: TraceState[] = [];
  /** Sweep epoch → quiet traces to freeze then, if they are still quiet (thawed before: backoff). */
  private readonly freezeAt = new Map<number, TraceState[]>();
  private spill: LintSpill | undefined;
  /**
   * Per SpanLinter, its shared facts objects by number (FoundColumns.sharedIds): bounded by the
   * memos' limits (facts-memo.ts).
   */
  private readonly sharedFacts = new Map<string, Map<number, object>>();

  constructor(private readonly opts: LinterOptions) {
    const on = (r: AnyRuleDef) => opts.severities[r.id] !== 'off';
    this.traceRules = RULES.filter((r) => on(r) && r.trace !== undefined);
    this.problemRules = RULES.filter((r) => on(r) && r.problem !== undefined);
    this.budget = opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    this.sweepEvery = opts.sweepEvery ?? SWEEP_EVERY;
    this.score = new ScorecardCounter(Object.entries(opts.ctx.rootContextKeys).filter(([, k]) => k.length > 0).map(([g]) => g));
  }

  /** Bytes written to temporary files (0 while the state fits the budget). */
  get spilledBytes(): number {
    return this.spill?.bytes ?? 0;
  }

  severityOf(rule: RuleId): Severity | undefined {
    const s = this.opts.severities[rule];
    return s === 'off' ? undefined : s;
  }

  private emit<R extends RuleId>(out: Finding[], rule: R, where: FindingPlace, facts: RuleFacts[R]): void {
    const severity = this.severityOf(rule);
    if (severity === undefined) return;
    this.counts[severity]++;
    out.push(newFinding(rule, severity, where, facts));
  }

  /** The per-span half as a batch mapper; workers rebuild `isPriced` from the price layers. */
  mapper(priceLayers?: readonly PriceLayer[]): MapperSpec<LintMapperConfig, LintFacts> {
    return lintMapper({ ...this.opts, priceLayers });
  }

  /** Lints one batch of spans decoded on this thread; returns its per-span findings. */
  lintBatch(spans: readonly Span[], source?: string, line?: number): Finding[] {
    this.spanLinter ??= new SpanLinter(this.opts);
    return this.addFacts(this.spanLinter.facts(spans, source, line));
  }

  /**
   * One batch's span facts (from a SpanLinter with the same options, on any thread); returns
   * the per-span findings. Trace findings come from traceFindings() after the last batch.
   */
  addFacts(f: LintFacts): Finding[] {
    const out = this.findingsOf(f);
    this.addScore(f.score);
    let root = 0;
    for (let i = 0; i < f.spanIds.length; i++) {
      const r = f.rootContexts[root];
      const context = r !== undefined && r[0] === i ? (root++, r[1]) : undefined;
      this.traceSpan(f, i, context ?? 0);
    }
    if (this.held > this.budget) this.spillToBudget();
    return out;
  }

  /** The batch's per-span findings (FoundColumns), with their place and severity, counted. */
  private findingsOf(f: LintFacts): Finding[] {
    const { spans, rules, facts, shared, sharedIds } = f.found;
    const out: Finding[] = new Array(facts.length);
    let where: FindingPlace | undefined;
    let whereOf = -1;
    // One object per shared facts value, kept across batches (FoundColumns.shared).
    let kept = this.sharedFacts.get(f.found.linter);
    if (kept === undefined) this.sharedFacts.set(f.found.linter, (kept = new Map()));
    for (let n = 0; n < shared.length; n++) {
      const k = shared[n]!;
      const id = sharedIds[n]!;
      const one = kept.get(id);
      if (one !== undefined) facts[k] = one as RuleFacts[RuleId];
      else kept.set(id, share(facts[k]!));
    }
    for (let k = 0; k < facts.length; k++) {
      const i = spans[k]!;
      // One place per span: its findings come one after the other.
      if (i !== whereOf) {
        where = { traceId: f.traceIds[f.traceOf[i]!]!, spanId: f.spanIds[i]!, spanName: f.names[i]!, source: f.source, line: f.line };
        whereOf = i;
      }
      const rule = RULES[rules[k]!]!.id;
      const severity = this.severityOf(rule)!;
      this.counts[severity]++;
      out[k] = newFinding(rule, severity, where!, facts[k]!);
    }
    return out;
  }

  private addScore(d: SpanScore): void {
    const s = this.score;
    s.spans += d.spans;
    s.genAi += d.genAi;
    s.genAiWithGenAiKeys += d.genAiWithGenAiKeys;
    s.llm += d.llm;
    s.llmProvider += d.llmProvider;
    s.llmModel += d.llmModel;
    s.llmSucceeded += d.llmSucceeded;
    s.llmUsage += d.llmUsage;
    s.tools += d.tools;
    s.deprecatedSpans += d.deprecatedSpans;
    for (const [k, n] of d.deprecatedKeys) s.deprecatedKeys.set(k, (s.deprecatedKeys.get(k) ?? 0) + n);
  }

  /** Adds one span to its trace's state, or to its partition on disk. */
  private traceSpan(f: LintFacts, i: number, rootContext: number): void {
    const traceId = f.traceIds[f.traceOf[i]!]!;
    const found = this.traces.get(traceId);
    let t: TraceState;
    if (found === undefined) {
      // Traces of a partition on disk are never held again: asked only for traces not held.
      if (this.spill?.holds(traceId)) {
        this.spill.writeSpan(traceId, spanRecord(f.spanIds[i]!, f.parents[i]!, f.names[i]!, f.kinds[i]!, f.flags[i]!, f.source, f.line, rootContext, this.sources));
        return;
      }
      t = new TraceState(traceId, this.epoch);
      this.traces.set(traceId, t);
      this.touched.push(t);
      this.held += t.bytes;
    } else if (typeof found === 'string') {
      t = TraceState.thaw(traceId, found, this.sources, this.names, this.epoch);
      t.thaws++;
      this.traces.set(traceId, t);
      this.touched.push(t);
      this.held += t.bytes - frozenBytes(found);
    } else {
      t = found;
      if (t.epoch !== this.epoch) {
        t.epoch = this.epoch;
        this.touched.push(t);
      }
    }
    const before = t.bytes;
    this.score.toolChildOk += t.add(f.spanIds[i]!, f.parents[i]!, f.names[i]!, f.kinds[i]!, f.flags[i]!, f.source, f.line, rootContext, this.names);
    this.held += t.bytes - before;
    if (++this.sinceSweep >= this.sweepEvery) this.sweep();
  }

  /** Packs the ids of traces that went quiet in this sweep period; freezes those quiet long enough. */
  private sweep(): void {
    const epoch = this.epoch;
    for (const t of this.touchedBefore) {
      // Touched again since, or no longer held (frozen, thawed anew, spilled).
      if (t.epoch !== epoch - 1 || this.traces.get(t.traceId) !== t) continue;
      this.held -= t.pack();
      const due = freezeEpoch(t);
      if (due <= epoch) this.freeze(t);
      else {
        const list = this.freezeAt.get(due);
        if (list) list.push(t);
        else this.freezeAt.set(due, [t]);
      }
    }
    const due = this.freezeAt.get(epoch);
    if (due) {
      this.freezeAt.delete(epoch);
      for (const t of due) if (freezeEpoch(t) === epoch && this.traces.get(t.traceId) === t) this.freeze(t);
    }
    this.touchedBefore = this.touched;
    this.touched = [];
    this.epoch++;
    this.sinceSweep = 0;
  }

  private freeze(t: TraceState): void {
    const frozen = t.freeze(this.sources, this.names);
    this.traces.set(t.traceId, frozen);
    this.held += frozenBytes(frozen) - t.bytes;
  }

  /**
   * Moves traces to disk until the rest is well within the budget: frozen ones first (quiet: in
   * a time-ordered input, complete, so nothing more is written for them), then live ones, each
   * in the order first held (oldest first).
   */
  private spillToBudget(): void {
    const spill = (this.spill ??= new LintSpill(this.sources, this.opts.spillParent));
    const target = this.budget * SPILL_DOWN_TO;
    for (const frozenOnly of [true, false]) {
      // Deleting the current entry while iterating a Map is safe.
      for (const [traceId, t] of this.traces) {
        if (this.held <= target) return;
        if (typeof t === 'string') {
          spill.moveToDisk(traceId, t);
          this.held -= frozenBytes(t);
        } else if (frozenOnly) {
          continue;
        } else {
          this.held -= t.bytes;
          t.pack();
          spill.moveToDisk(traceId, t.freeze(this.sources, this.names));
        }
        this.traces.delete(traceId);
      }
    }
  }

  /** Decode problems (spans that never became spans) → findings. */
  lintProblems(problems: readonly Problem[]): Finding[] {
    const out: Finding[] = [];
    for (const p of problems) {
      for (const rule of this.problemRules) {
        const facts = (rule.problem as (p: Problem) => RuleFacts[RuleId] | undefined)(p);
        if (facts === undefined) continue;
        this.emit(out, rule.id, { traceId: '', spanId: '', spanName: '', source: p.source, line: p.line }, facts);
        break;
      }
    }
    return out;
  }

  /**
   * After the last batch: runs the trace rules on every trace — those held, then those on disk,
   * one partition at a time — and hands out the findings in pieces. Releases the state and the
   * temporary files as it goes.
   */
  *traceFindings(): Generator<Finding[]> {
    const pieces = new FindingPieces();
    try {
      yield* this.decideAll(this.traces, pieces);
      this.held = 0;
      this.touched = [];
      this.touchedBefore = [];
      this.freezeAt.clear();
      const spill = this.spill;
      if (spill !== undefined) {
        for (const records of spill.partitions(this.budget)) {
          const states = new Map<string, TraceState | string>();
          for (const [traceId, r] of records) {
            if (typeof r === 'string') {
              states.set(traceId, r);
              continue;
            }
            let t = states.get(traceId);
            if (t === undefined) t = new TraceState(traceId, 0);
            else if (typeof t === 'string') t = TraceState.thaw(traceId, t, this.sources, this.names, 0);
            states.set(traceId, t);
            this.score.toolChildOk += t.addRecord(r, this.sources, this.names);
          }
          yield* this.decideAll(states, pieces);
        }
      }
    } finally {
      this.close();
    }
    if (pieces.out.length) yield pieces.out;
  }

  /** Decides every trace of `states`, emptying it; yields full pieces of findings. */
  private *decideAll(states: Map<string, TraceState | string>, pieces: FindingPieces): Generator<Finding[]> {
    for (const [traceId, t] of states) {
      states.delete(traceId);
      this.decide(traceId, typeof t === 'string' ? TraceState.thaw(traceId, t, this.sources, this.names, 0) : t, pieces.out);
      if (pieces.out.length >= FINDINGS_PER_PIECE) yield pieces.take();
    }
  }

  /** traceFindings() in one list (tests, small inputs). */
  finish(): Finding[] {
    const all: Finding[] = [];
    for (const piece of this.traceFindings()) for (const f of piece) all.push(f);
    return all;
  }

  /** Removes the temporary files, if any (done by traceFindings(); call it on an error). */
  close(): void {
    this.spill?.remove();
  }

  /** Runs the trace rules on one trace's complete state and counts it in the scorecard. */
  private decide(traceId: string, t: TraceState, out: Finding[]): void {
    const orphans = t.orphans();
    const hasRoot = t.roots.length > 0;
    const s = this.score;
    s.traces++;
    s.orphans += orphans.length;
    if (!hasRoot) s.rootlessTraces++;
    if (t.genAi) {
      for (const r of t.roots) {
        s.genAiRoots++;
        const { present } = decodeRootContext(r.context, this.opts.ctx.rootContextKeys);
        for (const g of Object.keys(present)) s.rootGroups.set(g, (s.rootGroups.get(g) ?? 0) + 1);
      }
    }
    const summary: TraceSummary = {
      traceId,
      spanCount: t.spanCount,
      genAi: t.genAi,
      hasRoot,
      orphans,
      roots: t.roots,
      duplicates: t.duplicates(),
      lowest: { spanId: t.lowestId, name: t.lowestName, source: t.lowestSource, line: t.lowestLine },
      parentCycles: () => t.parentCycles(),
      ctx: this.opts.ctx,
    };
    for (const rule of this.traceRules) {
      const hits = (rule.trace as (t: TraceSummary) => Array<TraceHit<RuleId>>)(summary);
      for (const h of hits) this.emit(out, rule.id, { traceId, spanId: h.spanId, spanName: h.spanName, source: h.source, line: h.line }, h.facts);
    }
  }

  scorecard(): Scorecard {
    return this.score.build();
  }
}

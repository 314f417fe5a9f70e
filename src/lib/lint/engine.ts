/**
 * The lint engine: runs per-span rules as batches arrive and trace rules once the input is
 * read, applies the severity policy (once, here), counts findings and feeds the scorecard.
 *
 * Streaming: spans are never kept. Per trace the engine keeps compact state — the span ids seen
 * (with their kind, for the duplicate check), the spans whose parent has not arrived yet (id,
 * parent id, name), the root records, and a few flags. A child waiting for its parent is
 * released as soon as the parent arrives, so what remains at the end are the orphans. Memory is
 * bounded by that state, not by the spans.
 */
import type { GenAiView } from '../genai/types.js';
import type { Problem } from '../errors.js';
import type { Span } from '../span.js';
import { decodeRootContext } from './rules/root.js';
import { duplicateFacts } from './rules/trace.js';
import { RULES } from './registry.js';
import type { PriceLayer } from '../cost/pricebook.js';
import type { MapperSpec } from '../parallel/mapper.js';
import type { RenderSpec } from './render/finding-text.js';
import { newFinding, type FindingPlace } from './finding.js';
import { GENAI, SpanLinter, TOOL, TOOL_OK, lintMapper, type LintFacts, type LintMapperConfig, type SpanScore } from './span-facts.js';
import { ScorecardCounter, type Scorecard } from './scorecard.js';
import { SpanIds } from './span-ids.js';
import type {
  AnyRuleDef,
  Finding,
  LintContext,
  PendingSpan,
  RootRecord,
  RuleFacts,
  RuleId,
  Severity,
  SeveritySetting,
  TraceSummary,
} from './types.js';
import { TraceIdSet } from '../trace/trace-id-set.js';

interface TraceState {
  /** Span id → kind of the first span with that id. */
  seen: SpanIds;
  /** The sweep epoch in which the trace last received a span. */
  epoch: number;
  /** Span ids seen more than once → the kinds of every copy (rare). */
  dups?: Map<string, number[]>;
  /** Parent id → the spans waiting for it; undefined while nothing waits (the usual case). */
  waiting?: Map<string, PendingSpan[]>;
  roots: RootRecord[];
  hasRoot: boolean;
  genAi: boolean;
  spanCount: number;
  /** The first span seen (anchors trace-without-root when no span is an orphan: a cycle). */
  firstId: string;
  firstName: string;
  firstSource?: string;
  firstLine?: number;
  /** Tool spans waiting for their parent: whether they are named and record their status. */
  toolOk?: Set<PendingSpan>;
}

export interface LinterOptions {
  severities: Readonly<Record<RuleId, SeveritySetting>>;
  ctx: LintContext;
  /** Classifier (tests may inject one); default `classify`. */
  classify?: (span: Span) => GenAiView;
}

export interface FindingCounts {
  error: number;
  warn: number;
  info: number;
}

/** Span names repeat (`chat gpt-4o`); sharing one string per name keeps the pending state small. */
const INTERN_LIMIT = 50_000;

/**
 * Every this many spans, traces that received none since the previous sweep pack their ids,
 * and complete traces (a root, no span waiting for its parent) that received none for at least
 * this many spans are decided early: trace rules run and their state is released, so memory
 * stays flat on large inputs. A span of such a trace arriving later is counted as late.
 */
const SWEEP_EVERY = 25_000;

export class Linter {
  readonly counts: FindingCounts = { error: 0, warn: 0, info: 0 };
  private readonly traceRules: AnyRuleDef[];
  private readonly problemRules: AnyRuleDef[];
  private readonly duplicatesOn: boolean;
  private readonly traces = new Map<string, TraceState>();
  private readonly names = new Map<string, string>();
  private readonly score: ScorecardCounter;
  private spanLinter: SpanLinter | undefined;
  private epoch = 0;
  private sinceSweep = 0;
  private readonly settled = new TraceIdSet();
  /** Spans of traces decided early that arrived afterwards (their trace context is not checked). */
  lateSpans = 0;

  constructor(private readonly opts: LinterOptions) {
    const on = (r: AnyRuleDef) => opts.severities[r.id] !== 'off';
    this.traceRules = RULES.filter((r) => on(r) && r.trace !== undefined);
    this.problemRules = RULES.filter((r) => on(r) && r.problem !== undefined);
    this.duplicatesOn = opts.severities['duplicate-span-id'] !== 'off';
    this.score = new ScorecardCounter(Object.entries(opts.ctx.rootContextKeys).filter(([, k]) => k.length > 0).map(([g]) => g));
  }

  severityOf(rule: RuleId): Severity | undefined {
    const s = this.opts.severities[rule];
    return s === 'off' ? undefined : s;
  }

  private intern(name: string): string {
    const hit = this.names.get(name);
    if (hit !== undefined) return hit;
    if (this.names.size < INTERN_LIMIT) this.names.set(name, name);
    return name;
  }

  private emit<R extends RuleId>(out: Finding[], rule: R, where: FindingPlace, facts: RuleFacts[R]): void {
    const severity = this.severityOf(rule);
    if (severity === undefined) return;
    this.counts[severity]++;
    out.push(newFinding(rule, severity, where, facts));
  }

  /**
   * The per-span half as a batch mapper; workers rebuild `isPriced` from the price layers. With
   * `render`, per-span findings arrive as output bytes (LintFacts.rendered) instead of findings.
   */
  mapper(priceLayers?: readonly PriceLayer[], render?: RenderSpec): MapperSpec<LintMapperConfig, LintFacts> {
    return lintMapper({ ...this.opts, priceLayers, render });
  }

  /** Lints one batch of spans decoded on this thread; returns the findings that are final already. */
  lintBatch(spans: readonly Span[], source?: string, line?: number): Finding[] {
    this.spanLinter ??= new SpanLinter(this.opts);
    return this.addFacts(this.spanLinter.facts(spans, source, line));
  }

  /** One batch's span facts (from a SpanLinter with the same options, on any thread). */
  addFacts(f: LintFacts): Finding[] {
    const out: Finding[] = [];
    this.addScore(f.score);
    if (f.counts) {
      this.counts.error += f.counts.error;
      this.counts.warn += f.counts.warn;
      this.counts.info += f.counts.info;
    }
    let root = 0;
    let found = 0;
    for (let i = 0; i < f.spanIds.length; i++) {
      const r = f.rootContexts[root];
      const context = r !== undefined && r[0] === i ? (root++, r[1]) : undefined;
      const fs = f.findings[found];
      if (fs !== undefined && fs[0] === i) {
        found++;
        for (const finding of fs[1]) {
          this.counts[finding.severity]++;
          out.push(finding);
        }
      }
      this.traceSpan(f, i, context, out);
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

  /** The trace's state, made for its first span; undefined for a trace decided early already. */
  private traceState(traceId: string, spanId: string, name: string, source: string | undefined, line: number | undefined, out: Finding[]): TraceState | undefined {
    let t = this.traces.get(traceId);
    if (t === undefined) {
      // A trace being read is never settled: the (large) settled set is asked only here.
      if (this.settled.has(traceId)) return undefined;
      t = { seen: new SpanIds(), epoch: this.epoch, roots: [], hasRoot: false, genAi: false, spanCount: 0, firstId: spanId, firstName: this.intern(name), firstSource: source, firstLine: line };
      this.traces.set(traceId, t);
      this.score.traces++;
    }
    t.epoch = this.epoch;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(out, traceId);
    return t;
  }

  /** Packs the ids of traces that went quiet; decides complete ones quiet for a sweep period. */
  private sweep(out: Finding[], current: string): void {
    for (const [id, t] of this.traces) {
      if (t.epoch >= this.epoch) continue;
      if (t.epoch <= this.epoch - 2 && t.hasRoot && t.waiting === undefined && id !== current) {
        this.decide(id, t, out);
        this.traces.delete(id);
        this.settled.add(id);
      } else t.seen.pack();
    }
    this.epoch++;
    this.sinceSweep = 0;
  }

  /** The trace context of one span: duplicates, parents, roots. */
  private traceSpan(f: LintFacts, i: number, rootContext: number | undefined, out: Finding[]): void {
    const traceId = f.traceIds[i]!;
    const spanId = f.spanIds[i]!;
    const parentSpanId = f.parents[i]!;
    const name = f.names[i]!;
    const kind = f.kinds[i]!;
    const flags = f.flags[i]!;
    const { source, line } = f;
    const t = this.traceState(traceId, spanId, name, source, line, out);
    if (t === undefined) {
      this.lateSpans++;
      return;
    }
    t.spanCount++;
    if (flags & GENAI) t.genAi = true;

    const firstKind = t.seen.get(spanId);
    if (firstKind === undefined) t.seen.set(spanId, kind);
    else {
      t.dups ??= new Map();
      const kinds = t.dups.get(spanId) ?? [firstKind];
      const facts = duplicateFacts(kinds, kind);
      kinds.push(kind);
      t.dups.set(spanId, kinds);
      if (facts && this.duplicatesOn) this.emit(out, 'duplicate-span-id', { traceId, spanId, spanName: name, source, line }, facts);
      return;
    }

    const isTool = (flags & TOOL) !== 0;
    const toolOk = (flags & TOOL_OK) !== 0;
    // Children that were waiting for this span are no longer orphans.
    const children = t.waiting?.get(spanId);
    if (children !== undefined) {
      t.waiting!.delete(spanId);
      if (t.waiting!.size === 0) t.waiting = undefined;
      for (const c of children) if (t.toolOk?.delete(c)) this.score.toolChildOk++;
    }
    if (parentSpanId === '') {
      t.hasRoot = true;
      t.roots.push({ spanId, name: this.intern(name), source, line, context: rootContext ?? 0 });
    } else if (t.seen.has(parentSpanId)) {
      if (toolOk) this.score.toolChildOk++;
    } else {
      const pending: PendingSpan = { spanId, parentSpanId, name: this.intern(name), source, line, isTool };
      t.waiting ??= new Map();
      const list = t.waiting.get(parentSpanId);
      if (list) list.push(pending);
      else t.waiting.set(parentSpanId, [pending]);
      if (toolOk) (t.toolOk ??= new Set()).add(pending);
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

  /** Runs the trace rules on every trace's compact state and releases it. */
  finish(): Finding[] {
    const out: Finding[] = [];
    for (const [traceId, t] of this.traces) this.decide(traceId, t, out);
    this.traces.clear();
    return out;
  }

  /** Runs the trace rules on one trace's compact state and counts it in the scorecard. */
  private decide(traceId: string, t: TraceState, out: Finding[]): void {
    const orphans: PendingSpan[] = [];
    if (t.waiting) for (const list of t.waiting.values()) for (const o of list) orphans.push(o);
    this.score.orphans += orphans.length;
    if (!t.hasRoot) this.score.rootlessTraces++;
    if (t.genAi) {
      for (const r of t.roots) {
        this.score.genAiRoots++;
        const { present } = decodeRootContext(r.context, this.opts.ctx.rootContextKeys);
        for (const g of Object.keys(present)) this.score.rootGroups.set(g, (this.score.rootGroups.get(g) ?? 0) + 1);
      }
    }
    const summary: TraceSummary = {
      traceId,
      spanCount: t.spanCount,
      genAi: t.genAi,
      hasRoot: t.hasRoot,
      orphans,
      roots: t.roots,
      first: { spanId: t.firstId, name: t.firstName, source: t.firstSource, line: t.firstLine },
      ctx: this.opts.ctx,
    };
    for (const rule of this.traceRules) {
      const hits = (rule.trace as (t: TraceSummary) => Array<{ spanId: string; spanName: string; source?: string; line?: number; facts: RuleFacts[RuleId] }>)(summary);
      for (const h of hits) this.emit(out, rule.id, { traceId, spanId: h.spanId, spanName: h.spanName, source: h.source, line: h.line }, h.facts);
    }
  }

  scorecard(): Scorecard {
    return this.score.build();
  }
}

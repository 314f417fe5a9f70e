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
import { classify } from '../genai/classify.js';
import type { GenAiView } from '../genai/types.js';
import type { Problem } from '../errors.js';
import type { Span } from '../span.js';
import { definitionFor, isModelCall } from './definitions.js';
import { keyInfo } from './keys.js';
import { deprecatedAttribute } from './rules/deprecated.js';
import { decodeRootContext, rootContextCode } from './rules/root.js';
import { failureGap } from './rules/util.js';
import { RULES } from './registry.js';
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
  SpanInput,
  TraceSummary,
} from './types.js';

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

/** Every this many spans, traces that received none since the previous sweep pack their ids. */
const SWEEP_EVERY = 50_000;

export class Linter {
  readonly counts: FindingCounts = { error: 0, warn: 0, info: 0 };
  private readonly spanRules: AnyRuleDef[];
  private readonly traceRules: AnyRuleDef[];
  private readonly problemRules: AnyRuleDef[];
  private readonly traces = new Map<string, TraceState>();
  private readonly names = new Map<string, string>();
  private readonly score: ScorecardCounter;
  private readonly classify: (span: Span) => GenAiView;
  private readonly deprecatedOn: boolean;
  private epoch = 0;
  private sinceSweep = 0;

  constructor(private readonly opts: LinterOptions) {
    const on = (r: AnyRuleDef) => opts.severities[r.id] !== 'off' && (r.id !== 'model-unpriced' || opts.ctx.isPriced !== undefined);
    // deprecated-attribute runs for the scorecard anyway; the engine emits its facts itself.
    this.spanRules = RULES.filter((r) => on(r) && r.span !== undefined && r.id !== 'deprecated-attribute');
    this.traceRules = RULES.filter((r) => on(r) && r.trace !== undefined);
    this.problemRules = RULES.filter((r) => on(r) && r.problem !== undefined);
    this.deprecatedOn = opts.severities['deprecated-attribute'] !== 'off';
    this.score = new ScorecardCounter(Object.entries(opts.ctx.rootContextKeys).filter(([, k]) => k.length > 0).map(([g]) => g));
    this.classify = opts.classify ?? classify;
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

  private emit<R extends RuleId>(
    out: Finding[],
    rule: R,
    where: { traceId: string; spanId: string; spanName: string; source?: string; line?: number },
    facts: RuleFacts[R],
  ): void {
    const severity = this.severityOf(rule);
    if (severity === undefined) return;
    this.counts[severity]++;
    const f = { rule, severity, traceId: where.traceId, spanId: where.spanId, spanName: where.spanName, facts } as Finding;
    if (where.source !== undefined) f.source = where.source;
    if (where.line !== undefined) f.line = where.line;
    out.push(f);
  }

  /** Lints one batch of spans; returns the findings that are final already. */
  lintBatch(spans: readonly Span[], source?: string, line?: number): Finding[] {
    const out: Finding[] = [];
    for (const span of spans) this.lintSpan(span, source, line, out);
    return out;
  }

  private traceState(span: Span, source: string | undefined, line: number | undefined): TraceState {
    let t = this.traces.get(span.traceId);
    if (t === undefined) {
      t = { seen: new SpanIds(), epoch: this.epoch, roots: [], hasRoot: false, genAi: false, spanCount: 0, firstId: span.spanId, firstName: this.intern(span.name), firstSource: source, firstLine: line };
      this.traces.set(span.traceId, t);
      this.score.traces++;
    }
    t.epoch = this.epoch;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
    return t;
  }

  /** Packs the span ids of traces that went quiet (no span since the previous sweep). */
  private sweep(): void {
    for (const t of this.traces.values()) if (t.epoch < this.epoch) t.seen.pack();
    this.epoch++;
    this.sinceSweep = 0;
  }

  private lintSpan(span: Span, source: string | undefined, line: number | undefined, out: Finding[]): void {
    const view = this.classify(span);
    const keys = Object.keys(span.attributes);
    const genAi = view.kind !== 'other';
    const vendorOnly = genAi && !keys.some((k) => keyInfo(k).genAi);
    const t = this.traceState(span, source, line);
    t.spanCount++;
    if (genAi) t.genAi = true;

    // ── trace context: duplicates, parents, roots ─────────────────────────────────────
    let duplicateOf: readonly number[] = [];
    const firstKind = t.seen.get(span.spanId);
    if (firstKind === undefined) t.seen.set(span.spanId, span.kind);
    else {
      t.dups ??= new Map();
      const kinds = t.dups.get(span.spanId) ?? [firstKind];
      duplicateOf = [...kinds];
      kinds.push(span.kind);
      t.dups.set(span.spanId, kinds);
    }
    const input: SpanInput = { span, view, keys, vendorOnly, def: genAi ? definitionFor(span, view) : undefined, duplicateOf, ctx: this.opts.ctx };

    const isTool = view.kind === 'tool';
    const toolOk = isTool && view.toolName !== undefined && failureGap(span, !vendorOnly) === undefined;
    if (firstKind === undefined) {
      // Children that were waiting for this span are no longer orphans.
      const children = t.waiting?.get(span.spanId);
      if (children !== undefined) {
        t.waiting!.delete(span.spanId);
        if (t.waiting!.size === 0) t.waiting = undefined;
        for (const c of children) if (t.toolOk?.delete(c)) this.score.toolChildOk++;
      }
      if (span.parentSpanId === '') {
        t.hasRoot = true;
        const context = rootContextCode(span, this.opts.ctx.rootContextKeys);
        t.roots.push({ spanId: span.spanId, name: this.intern(span.name), source, line, context });
      } else if (t.seen.has(span.parentSpanId)) {
        if (toolOk) this.score.toolChildOk++;
      } else {
        const pending: PendingSpan = { spanId: span.spanId, parentSpanId: span.parentSpanId, name: this.intern(span.name), source, line, isTool };
        t.waiting ??= new Map();
        const list = t.waiting.get(span.parentSpanId);
        if (list) list.push(pending);
        else t.waiting.set(span.parentSpanId, [pending]);
        if (toolOk) (t.toolOk ??= new Set()).add(pending);
      }
    }

    // ── scorecard ─────────────────────────────────────────────────────────────────────
    const s = this.score;
    s.spans++;
    if (genAi) {
      s.genAi++;
      if (!vendorOnly) s.genAiWithGenAiKeys++;
    }
    if (isModelCall(view)) {
      s.llm++;
      if (view.provider !== undefined) s.llmProvider++;
      if ((view.requestModel ?? view.responseModel) !== undefined) s.llmModel++;
      if (view.error === undefined) {
        s.llmSucceeded++;
        if (view.usage !== undefined) s.llmUsage++;
      }
    }
    if (isTool) s.tools++;
    const deprecated = deprecatedAttribute.span!(input);
    const deprecatedList = deprecated === undefined ? [] : Array.isArray(deprecated) ? deprecated : [deprecated];
    if (deprecatedList.length) {
      s.deprecatedSpans++;
      for (const d of deprecatedList) {
        const k = d.what === 'attribute' ? d.key : d.what === 'value' ? `value:${d.key}=${d.value}` : `event:${d.event}`;
        s.deprecatedKeys.set(k, (s.deprecatedKeys.get(k) ?? 0) + 1);
      }
    }

    // ── rules ─────────────────────────────────────────────────────────────────────────
    const where = { traceId: span.traceId, spanId: span.spanId, spanName: span.name, source, line };
    if (this.deprecatedOn) for (const d of deprecatedList) this.emit(out, 'deprecated-attribute', where, d);
    for (const rule of this.spanRules) {
      const r = (rule.span as (i: SpanInput) => unknown)(input) as RuleFacts[RuleId] | RuleFacts[RuleId][] | undefined;
      if (r === undefined) continue;
      if (Array.isArray(r)) for (const facts of r) this.emit(out, rule.id, where, facts);
      else this.emit(out, rule.id, where, r);
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
    for (const [traceId, t] of this.traces) {
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
    this.traces.clear();
    return out;
  }

  scorecard(): Scorecard {
    return this.score.build();
  }
}

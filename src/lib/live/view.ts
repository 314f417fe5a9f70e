/**
 * The live view of `tail`: accepted exports in, LiveEvents out (one per call line, one per
 * completed trace, …). It is fed by the receivers' onExport callback and never imports them;
 * time comes from an injected clock and the owner calls tick() so tests drive it step by step.
 *
 * Traces arrive in many export batches. A trace is complete when its root has arrived and it has
 * been quiet for `quietMs`, or `timeoutMs` after its last span; its tree is then reported once.
 * Spans that arrive later are reported as lines only (`late`), never as a second tree.
 */
import { classify, type GenAiView } from '../genai/classify.js';
import { isContentKey } from '../genai/conventions.js';
import { DIMENSION_KEY_SCOPES, dimensionKeyApplies } from '../genai/producers.js';
import type { AcceptedExport, LogRecordView } from '../receiver/types.js';
import { AgentCalls } from './agent-calls.js';
import { SESSION_KEYS } from '../genai/agents.js';
import type { Problem } from '../errors.js';
import { durationKnown, newAttributes, serviceName, StatusCode, type Attributes, type AttrValue, type Span } from '../span.js';
import { assembleTrace } from '../trace/assemble.js';
import { isModelSpan } from '../trace/count-once.js';
import { copyOrder, type CallRecord, type CountRecord } from './count-records.js';
import { subtreeCosts } from '../trace/costs.js';
import { PrintedTraces } from './printed-traces.js';
import { newTraceState, NONE, own, type KeptSpan, type TraceState } from './view-trace.js';
import { printedForm, printedTraceBytes, restoreTrace, saveTrace } from './printed-form.js';
import { DEFAULT_MEMORY_BUDGET } from '../sizes.js';
import type { LiveEvent, PriceFn, SpanLine, TraceEnd } from './events.js';
import { FEATURE_KEYS, featureOf, hasFilters, inheritedValueOf, matchesFilters, NO_FEATURE, type FeatureSpan, type LiveFilters } from './filters.js';
import { INHERITED_MODEL_KEYS, inheritedModelView, namesNoModel } from '../cost/inherited-model.js';
import { applyCall, emptyCallTotals, SessionTotals, type CountedCall } from './totals.js';

export interface LiveViewOptions {
  emit: (e: LiveEvent) => void;
  /** Milliseconds; Date.now in production, a fake in tests. */
  now?: () => number;
  price?: PriceFn;
  filters?: LiveFilters;
  showContent?: boolean;
  quietMs?: number;
  timeoutMs?: number;
  /** Traces held while incomplete; beyond it the oldest is reported as it is. */
  maxPendingTraces?: number;
  /**
   * Bytes of printed traces' state held in memory; beyond it the oldest go to temporary files
   * and come back when a late span of theirs arrives (so it is counted exactly once).
   */
  printedMemoryBytes?: number;
  /** Where that spill directory is made (default: LLMTRACE_TMPDIR or TMPDIR). */
  spillParent?: string;
  /** False when nothing shows completed traces (--quiet): their trees are not assembled. */
  traceEvents?: boolean;
  /** Attribute keys naming a feature, in order (llmtrace.config.json `featureKeys`). */
  featureKeys?: readonly string[];
}

const NO_ATTRIBUTES: Attributes = Object.freeze(newAttributes());
const NO_RESOURCE: Span['resource'] = Object.freeze({ attributes: NO_ATTRIBUTES, droppedAttributesCount: 0, schemaUrl: '' });

const isError = (s: Span, v: GenAiView) => s.status.code === StatusCode.ERROR || v.error !== undefined;

function isGenAiLog(log: LogRecordView): boolean {
  const alt = log.attributes['event.name'];
  return log.eventName.startsWith('gen_ai.') || (typeof alt === 'string' && alt.startsWith('gen_ai.'));
}

/** Incomplete traces held by default; beyond it the oldest is reported as it is. */
const MAX_PENDING_TRACES = 10_000;

export class LiveView {
  readonly totals = new SessionTotals();
  private readonly pending = new Map<string, TraceState>();
  private readonly printed: PrintedTraces<TraceState>;
  private readonly now: () => number;
  private readonly quietMs: number;
  private readonly timeoutMs: number;
  private readonly filters: LiveFilters;
  private readonly filtered: boolean;
  private noGenAiNoticed = false;

  /** Spans are kept slimmed (slimDown()): no trace is drawn and no content shown. */
  private readonly slim: boolean;

  /** Coding agents' request events: call lines and their totals (live/agent-calls.ts). */
  private readonly agentCalls: AgentCalls;

  /** Attribute keys kept of spans no longer whole: the feature keys, the inherited model's and the session's. */
  private readonly keptKeys: readonly string[];

  constructor(private readonly opts: LiveViewOptions) {
    this.slim = opts.traceEvents === false && !opts.showContent;
    this.now = opts.now ?? Date.now;
    this.quietMs = opts.quietMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.filters = opts.filters ?? {};
    this.filtered = hasFilters(this.filters);
    const keptKeys = (this.keptKeys = [...(opts.featureKeys ?? FEATURE_KEYS), ...INHERITED_MODEL_KEYS, ...SESSION_KEYS]);
    this.agentCalls = new AgentCalls(opts.price, (c, sign) => {
      this.totals.count(c, sign);
      this.totals.eventCalls += sign;
    });
    this.printed = new PrintedTraces<TraceState>({
      memoryBytes: opts.printedMemoryBytes ?? DEFAULT_MEMORY_BUDGET,
      spillParent: opts.spillParent,
      sizeOf: printedTraceBytes,
      save: (t) => saveTrace(t, keptKeys),
      load: (id, line) => this.loadTrace(id, line),
      // Without content, a printed trace holds nothing its saved line lacks (its views and
      // waiting GenAI events are kept only with --show-content): hold it as that line.
      compact: !opts.showContent,
    });
  }

  /** Printed traces held in memory, and their estimated bytes (printedTraceBytes). */
  get printedCount(): number {
    return this.printed.size;
  }

  get printedBytes(): number {
    return this.printed.bytes;
  }

  onExport(e: AcceptedExport): void {
    this.totals.requests[e.signal]++;
    if (e.signal === 'traces') {
      this.totals.spans += e.spans.length;
      this.addSpans(e.spans);
    } else if (e.signal === 'logs') {
      this.totals.logRecords += e.itemCount;
      const agentLogs = this.filtered ? e.logs.filter((l) => this.agentLogMatches(l)) : e.logs;
      for (const call of this.agentCalls.fromLogs(agentLogs)) this.opts.emit({ type: 'agent-call', call });
      if (this.opts.showContent) this.addLogs(e.logs);
    } else {
      this.totals.metricPoints += e.itemCount;
      if (e.metrics) {
        const problem = (p: Problem) => this.opts.emit({ type: 'notice', text: `metrics: ${p.field ? `${p.field}: ` : ''}${p.message}` });
        const wanted = (agent: string, model: string) => !this.filtered || matchesFilters(this.filters, { models: [model], service: agent, feature: () => undefined });
        for (const m of this.agentCalls.fromMetrics(e.metrics, problem, wanted)) this.opts.emit({ type: 'agent-metrics', metrics: m });
      }
    }
    this.printed.trim();
  }

  onReject(info: { protocol: 'http' | 'grpc'; status: number | string; reason: string }): void {
    this.totals.rejected++;
    this.opts.emit({ type: 'rejected', ...info, atMs: this.now() });
  }

  /** Reports the traces that became complete. Call it a few times a second. */
  tick(): void {
    const now = this.now();
    for (const t of [...this.pending.values()]) {
      const quiet = now - t.lastAt;
      if (t.hasRoot && quiet >= this.quietMs) this.complete(t, 'quiet');
      else if (quiet >= this.timeoutMs) this.complete(t, 'timeout');
    }
    this.printed.trim();
  }

  /** Shutdown: report every trace still pending, complete or not. */
  flush(): void {
    for (const t of [...this.pending.values()]) this.complete(t, 'shutdown');
    this.printed.trim();
  }

  // ── spans ──────────────────────────────────────────────────────────────────────────

  private addSpans(spans: readonly Span[]): void {
    const now = this.now();
    const fresh: Array<{ t: TraceState; span: Span; view: GenAiView }> = [];
    const counting = new Map<TraceState, Array<[string, CountRecord]>>();
    // A second copy of a span id in this batch waits for the next round: the first is held then.
    let again: Span[] | undefined;
    // Insert the whole batch first, so count-once and features see the batch's ancestors.
    for (const span of spans) {
      const t = this.traceFor(span.traceId);
      const held = t.count.spans.get(span.spanId);
      // Count-once holds every span of earlier batches: one kept only in `spans` came in this one.
      if (held === undefined && t.spans.has(span.spanId)) {
        (again ??= []).push(span);
        continue;
      }
      const view = classify(span);
      const record = this.countRecord(span, view);
      if (held !== undefined && !this.replaces(t, span.spanId, held, record)) continue;
      t.spans.set(span.spanId, span);
      if (!this.slim) (t.views = own(t.views)).set(span.spanId, view);
      t.lastAt = now;
      if (span.parentSpanId === '') t.hasRoot = true;
      let list = counting.get(t);
      if (!list) counting.set(t, (list = []));
      if (typeof record !== 'string') t.callRecords++;
      if (held !== undefined && typeof held !== 'string') t.callRecords--;
      list.push([span.spanId, record]);
      fresh.push({ t, span, view });
    }
    // Count-once over what arrived: calls taken back (they turned out to be outer spans) leave
    // the totals now; new calls enter them once shown (spanArrived).
    for (const [t, list] of counting) {
      // Quiet (nothing shown before the summary): a pending trace is decided once, when complete.
      if (this.slim && !t.printed) {
        t.count.defer(list);
        continue;
      }
      for (const change of t.count.add(list)) this.settleTotals(t, change.id, change.record);
      if (t.printed) this.printed.add(t.id, t); // its size changed, and it is the newest now
    }
    // Lines come out in start order (nothing is shown when slim: the totals do not depend on it).
    if (!this.slim) fresh.sort((a, b) => a.span.startMs - b.span.startMs);
    for (const f of fresh) this.spanArrived(f.t, f.span, f.view);
    // The batch may have brought the root that settles the features, or the ancestor that names
    // the model, of waiting spans.
    for (const t of new Set(fresh.map((f) => f.t))) {
      if (t.deferred.size) this.retryDeferred(t, false);
      if (t.sessionWait.size) this.retrySessions(t, false);
    }
    if (this.slim) {
      // Nothing will draw these spans: keep what count-once and features still need, so the
      // attributes of every pending span are not held (memory, and GC time under load).
      for (const { t, span } of fresh) {
        if (t.deferred.has(span.spanId)) continue;
        const kept = this.slimDown(span);
        // A bare parent id is what count-once keeps already: not twice.
        if (typeof kept === 'string') t.spans.delete(span.spanId);
        else t.spans.set(span.spanId, kept);
      }
    }
    this.enforcePendingLimit();
    if (again) this.addSpans(again);
  }

  /**
   * Another copy of a span id the trace holds: false when it is identical (a retried export,
   * already shown) or not the copy count-once counts (`countedCopy`, as `cost`); then nothing
   * changes. A differing copy is noted either way: its line, and the call in the totals, are the
   * counted copy's (LiveCount takes the replaced copy's call back; settleTotals).
   */
  private replaces(t: TraceState, id: string, held: CountRecord, copy: CountRecord): boolean {
    const order = copyOrder(held, copy);
    if (order === 'identical') return false;
    this.opts.emit({
      type: 'notice',
      text: `trace ${t.id}: span ${id} came again, differing: ${order === 'replaced' ? 'the new copy replaces the one held' : 'the copy held stays'} in the totals (the copy cost counts: with usage, then the later end)`,
    });
    return order === 'replaced';
  }

  /**
   * What count-once, features and inherited models read of a span after it arrived (pending
   * traces hold ~1 s of spans under load: memory and GC time): only its parent's id, unless
   * --feature is given or it names a model its descendants may inherit; then its ids, name,
   * resource and those attributes in a small record.
   */
  private slimDown(span: Span): KeptSpan {
    if (!this.filters.features?.length && !INHERITED_MODEL_KEYS.some((k) => span.attributes[k] !== undefined)) return span.parentSpanId;
    let attributes: Attributes | undefined;
    for (const k of this.keptKeys) {
      const v = span.attributes[k];
      if (v === undefined || !dimensionKeyApplies(span.attributes, k)) continue;
      attributes ??= newAttributes();
      attributes[k] = v;
      // featureOf checks the scope again on what is kept: keep the key it is checked against.
      const scope = DIMENSION_KEY_SCOPES[k];
      if (scope !== undefined) attributes[scope[0]] = scope[1];
    }
    return { spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, attributes: attributes ?? NO_ATTRIBUTES, resource: span.resource };
  }

  /** A coding agent's request event passes --service and --model (it has no feature). */
  private agentLogMatches(l: LogRecordView): boolean {
    const model = l.attributes['model'] ?? l.attributes['gen_ai.response.model'] ?? l.attributes['gen_ai.request.model'];
    return matchesFilters(this.filters, { models: [typeof model === 'string' ? model : undefined], service: l.serviceName, feature: () => undefined });
  }

  /** A span as count-once keeps it: the parent's id, or a record of the call it would be. */
  private countRecord(span: Span, view: GenAiView): CountRecord {
    const parent = span.parentSpanId === span.spanId ? '' : span.parentSpanId;
    const model = isModelSpan(view);
    if (!model && view.usage === undefined) return parent;
    // Spans with usage are the more detailed source: this agent process's events step aside.
    if (view.usage !== undefined && this.agentCalls.spanUsage(serviceName(span), span.resource.attributes) > 0) {
      this.opts.emit({ type: 'notice', text: `${serviceName(span)} sends spans with usage: its request events are no longer counted (spans are the source)` });
    }
    const cost = view.usage && this.opts.price ? this.opts.price(view, span.startMs) : undefined;
    const call: CountedCall = { model: view.responseModel ?? view.requestModel ?? '(unknown model)', usage: view.usage, cost, durationMs: durationKnown(span.startMs, span.durationMs) ? span.durationMs : null, failed: view.error !== undefined, agent: serviceName(span) };
    return { parent, usage: view.usage !== undefined, model, call, startMs: span.startMs, shown: undefined, inTotals: false };
  }

  /** Puts a span's call in the totals, or takes it out, as count-once and the filters now say. */
  private settleTotals(t: TraceState, id: string, r: CountRecord): void {
    if (typeof r === 'string') return;
    // A copy replaced by a differing one (`replaces`) leaves the totals: its successor counts.
    const want = r.shown === true && t.count.calls.has(id) && t.count.spans.get(id) === r;
    if (want === r.inTotals) return;
    r.inTotals = want;
    this.totals.count(r.call, want ? 1 : -1);
    if (r.session) this.agentCalls.session(r.call.agent ?? '', r.session, r.call, want ? 1 : -1);
  }

  /**
   * A call's session: the best known now, so its line shows a Σ at once. A failed call (no usage)
   * has one too, as in `cost --by session`. While an ancestor still to come may name another
   * (the root usually arrives last), the call waits in `sessionWait` and moves to the session
   * found then, so the totals end as `cost`'s. Nothing is drawn when slim: decided at once.
   */
  private settleSession(t: TraceState, span: FeatureSpan, rec: CallRecord, final: boolean): void {
    const up = (s: FeatureSpan) => this.keptSpan(t, s.parentSpanId);
    const session = inheritedValueOf(span, up, SESSION_KEYS, true) ?? '';
    if (final || this.slim || inheritedValueOf(span, up, SESSION_KEYS, false) !== undefined) t.sessionWait.delete(span.spanId);
    else (t.sessionWait = own(t.sessionWait)).set(span.spanId, rec);
    if (session === rec.session) return;
    const agent = rec.call.agent ?? '';
    if (rec.session && rec.inTotals) this.agentCalls.session(agent, rec.session, rec.call, -1);
    rec.session = session;
    if (session && rec.inTotals) this.agentCalls.session(agent, session, rec.call, 1);
  }

  private sessionOf(rec: CallRecord): SpanLine['session'] {
    const total = this.agentCalls.sessionTotal(rec.call.agent ?? '', rec.session!);
    return total && { id: rec.session!, total };
  }

  /** The feature of a span; `final` (the trace is complete) settles an unknown one. */
  private featureIn(t: TraceState, span: FeatureSpan, final: boolean): string | undefined {
    // Features are asked for only when drawn (whole Spans) or filtered on (FeatureSpans kept);
    // a bare parent id (count-once's slim record) has no attributes to offer.
    const parentOf = (s: FeatureSpan) => {
      const p = s.parentSpanId ? t.spans.get(s.parentSpanId) : undefined;
      return typeof p === 'string' ? undefined : p;
    };
    const f = featureOf(span, parentOf, this.opts.featureKeys, final);
    return f ?? (final ? NO_FEATURE : undefined);
  }

  private matches(t: TraceState, span: Span, view: GenAiView, final: boolean, inheritedModel?: string): boolean {
    if (!this.filtered) return true;
    return matchesFilters(this.filters, {
      models: [view.responseModel, view.requestModel, inheritedModel],
      service: serviceName(span),
      feature: () => this.featureIn(t, span, final),
    });
  }

  /**
   * Counts and shows a span. With --feature, a span whose feature is not known yet (its root has
   * not arrived) waits in `deferred` until it is, or until the trace completes (`final`).
   */
  private spanArrived(t: TraceState, span: Span, view: GenAiView, final = false): void {
    const call = t.count.calls.has(span.spanId);
    const show = call || view.kind === 'tool' || isError(span, view);
    // The feature walks the ancestors: only for spans that are shown or filtered on it.
    // A late span of a reported trace gets the answer its trace got at the end (`final`): no
    // completion will come again to settle it.
    const settled = final || t.printed;
    const feature = (show && !this.slim) || this.filters.features?.length ? this.featureIn(t, span, settled) : undefined;
    const rec = t.count.spans.get(span.spanId);
    // A call that names no model waits for the ancestor that may name it (Codex's turn spans end
    // after their calls), as `cost` takes it from the whole trace (cost/inherited-model.ts).
    const inherited = typeof rec === 'object' && namesNoModel(view) ? this.inheritedModel(t, span, rec, settled) : null;
    if ((feature === undefined && this.filters.features?.length) || inherited === undefined) {
      (t.deferred = own(t.deferred)).set(span.spanId, { span, view });
      return;
    }
    t.deferred.delete(span.spanId);
    const waiting = t.logs.get(span.spanId) ?? [];
    t.logs.delete(span.spanId);
    const model = view.responseModel ?? view.requestModel ?? inherited ?? undefined;
    const matched = this.matches(t, span, view, settled, inherited ?? undefined);
    const cost = typeof rec === 'object' ? rec.call.cost : undefined;
    if (typeof rec === 'object') {
      if (rec.session === undefined) this.settleSession(t, span, rec, settled);
      rec.shown = matched;
      this.settleTotals(t, span.spanId, rec);
    }
    if (!matched || this.slim) return; // slim: nothing is shown
    if (show) {
      const line: SpanLine = {
        span,
        view,
        service: serviceName(span),
        feature,
        model,
        counted: call,
        cost,
        late: t.printed,
        session: typeof rec === 'object' && rec.session && rec.inTotals ? this.sessionOf(rec) : undefined,
        content: this.opts.showContent ? contentOf(span) : [],
        logs: waiting,
      };
      this.opts.emit({ type: 'span', line });
    } else {
      for (const log of waiting) this.opts.emit({ type: 'log', log, spanName: span.name });
    }
  }

  /**
   * The model a call that names none inherits, priced into its record once known: undefined
   * while an ancestor still to come may name it, null when none does (it stays unknown).
   */
  private inheritedModel(t: TraceState, span: Span, rec: CallRecord, settled: boolean): string | null | undefined {
    const model = inheritedValueOf(span, (s) => this.keptSpan(t, s.parentSpanId), INHERITED_MODEL_KEYS, settled);
    if (typeof model === 'string' && rec.shown === undefined) {
      rec.call.model = model;
      rec.call.cost = rec.call.usage && this.opts.price ? this.opts.price(inheritedModelView(rec.call.usage, model), span.startMs) : undefined;
    }
    return model;
  }

  /** A span of the trace as inherited values read it; one kept as its parent's id has no attributes. */
  private keptSpan(t: TraceState, id: string): FeatureSpan | undefined {
    if (id === '') return undefined;
    const kept = t.spans.get(id);
    if (kept !== undefined && typeof kept !== 'string') return kept;
    const r = kept ?? t.count.spans.get(id);
    if (r === undefined) return undefined;
    return { spanId: id, parentSpanId: typeof r === 'string' ? r : r.parent, name: '', attributes: NO_ATTRIBUTES, resource: NO_RESOURCE };
  }

  private retryDeferred(t: TraceState, final: boolean): void {
    for (const { span, view } of [...t.deferred.values()]) this.spanArrived(t, span, view, final);
  }

  private retrySessions(t: TraceState, final: boolean): void {
    for (const [id, rec] of [...t.sessionWait]) this.settleSession(t, this.keptSpan(t, id)!, rec, final);
  }

  // ── logs (GenAI events; content, so only with --show-content) ──────────────────────

  private addLogs(logs: readonly LogRecordView[]): void {
    for (const log of logs) {
      if (!isGenAiLog(log)) continue;
      if (!log.traceId || !log.spanId) {
        this.opts.emit({ type: 'log', log });
        continue;
      }
      const t = this.traceFor(log.traceId);
      // Content is shown: the view is not slim, its spans are whole (printed ones: their
      // printed form, with the view kept unless the trace went to disk and came back).
      const span = t.spans.get(log.spanId) as Span | undefined;
      const view = span && t.views.get(span.spanId);
      if (span && !view) this.opts.emit({ type: 'log', log, spanName: span.name });
      else if (span && view && !t.deferred.has(span.spanId)) {
        if (this.matches(t, span, view, true)) this.opts.emit({ type: 'log', log, spanName: span.name });
      } else {
        let list = t.logs.get(log.spanId);
        if (!list) (t.logs = own(t.logs)).set(log.spanId, (list = []));
        list.push(log);
      }
    }
  }

  // ── traces ─────────────────────────────────────────────────────────────────────────

  private traceFor(traceId: string): TraceState {
    const known = this.pending.get(traceId) ?? this.printed.get(traceId);
    if (known) return known;
    const t = this.newTrace(traceId);
    this.pending.set(traceId, t);
    return t;
  }

  private newTrace(traceId: string): TraceState {
    return newTraceState(traceId, this.now());
  }

  /** A printed trace back from its saved line (a late span of it arrived): what count-once and features read. */
  private loadTrace(traceId: string, line: string): TraceState {
    const saved = restoreTrace(line);
    const t = this.newTrace(traceId);
    t.printed = true;
    t.hasRoot = saved.hasRoot;
    for (const [id, kept] of saved.spans) t.spans.set(id, kept);
    t.count.restore(saved.count, saved.calls);
    for (const r of t.count.spans.values()) if (typeof r !== 'string') t.callRecords++;
    return t;
  }

  private enforcePendingLimit(): void {
    const max = this.opts.maxPendingTraces ?? MAX_PENDING_TRACES;
    for (const t of this.pending.values()) {
      if (this.pending.size <= max) break;
      this.complete(t, 'overflow');
    }
  }

  /** Closes the spill files of printed traces (at the end of the session). */
  close(): void {
    this.printed.close();
  }

  private complete(t: TraceState, reason: TraceEnd): void {
    for (const change of t.count.settle()) this.settleTotals(t, change.id, change.record);
    this.retryDeferred(t, true);
    this.retrySessions(t, true);
    this.pending.delete(t.id);
    t.printed = true;
    this.report(t, reason);
    // Kept for its late spans: count-once's records and what features and models read, nothing more.
    for (const [id, k] of t.spans) t.spans.set(id, printedForm(k, this.keptKeys));
    if (!this.opts.showContent) t.views = NONE;
    this.printed.add(t.id, t);
  }

  private report(t: TraceState, reason: TraceEnd): void {
    // GenAI events whose span never arrived are still shown, on their own.
    for (const logs of t.logs.values()) for (const log of logs) this.opts.emit({ type: 'log', log });
    t.logs.clear();
    if (t.count.spans.size === 0) return;
    this.totals.traces++;
    if (this.opts.traceEvents === false) return;

    // Traces are drawn: the view is not slim, its spans are whole.
    const spans = [...t.spans.values()] as Span[];
    const trace = assembleTrace(t.id, spans, (s) => t.views.get(s.spanId) ?? classify(s));
    const genai = trace.nodes.some((n) => n.view.kind !== 'other');
    if (!genai && !this.noGenAiNoticed) {
      this.noGenAiNoticed = true;
      this.opts.emit({
        type: 'notice',
        text: `trace ${t.id} has no GenAI spans: stored, not drawn. Is the app's LLM instrumentation installed and enabled?`,
      });
    }
    if (!spans.some((s) => this.matches(t, s, t.views.get(s.spanId)!, true))) return;
    // The feature of each span line, settled now: lines shown before their root arrived had none
    // (README "tail", the `trace` event's `features`).
    const features = new Map<string, string>();
    for (const s of spans) {
      const v = t.views.get(s.spanId)!;
      if ((t.count.calls.has(s.spanId) || v.kind === 'tool' || isError(s, v)) && this.matches(t, s, v, true)) features.set(s.spanId, this.featureIn(t, s, true)!);
    }
    const totals = emptyCallTotals();
    // A call priced by its inherited model has that price in its record: the tree shows it too.
    const inherited = new Map<GenAiView, number | undefined>();
    for (const id of t.count.calls.keys()) {
      const r = t.count.spans.get(id);
      if (typeof r !== 'object') continue;
      applyCall(totals, r.call, 1);
      const v = t.views.get(id);
      if (v && namesNoModel(v)) inherited.set(v, r.call.cost);
    }
    const errors = trace.nodes.filter((n) => isError(n.span, n.view)).length;
    const price = this.opts.price;
    const costOf = price ? subtreeCosts(trace, (v, startMs) => (inherited.has(v) ? inherited.get(v) : price(v, startMs))) : undefined;
    this.opts.emit({ type: 'trace', done: { trace, reason, totals, genai, errors, costOf, features } });
  }
}

/** Prompt/completion attributes and GenAI span events (deprecated content events), in order. */
function contentOf(span: Span): Array<[string, AttrValue]> {
  const out: Array<[string, AttrValue]> = [];
  for (const [k, v] of Object.entries(span.attributes)) if (isContentKey(k)) out.push([k, v]);
  for (const ev of span.events) {
    if (!ev.name.startsWith('gen_ai.')) continue;
    for (const [k, v] of Object.entries(ev.attributes)) if (isContentKey(k) || k === 'content' || k === 'message') out.push([`${ev.name} ${k}`, v]);
  }
  return out;
}

/**
 * Cost per tree node: a counted node's own cost; on an outer node the sum of its subtree, or
 * unknown when any part is unknown (never a partial sum shown as the total).
 */

/**
 * The per-span half of cost attribution: what each span contributes (parent link, tracked key
 * values, the priced call when it carries usage), computed where the span was decoded — on a
 * worker thread for large inputs — so only these compact facts reach the Attributor, which
 * keeps the per-trace state. Pure given the price book, the window and the tracked keys.
 */
import { classify } from '../genai/classify.js';
import { spanReportedCost } from '../genai/agents.js';
import { TOOL_ARGUMENT_KEYS } from '../genai/conventions.js';
import { dimensionKeyApplies } from '../genai/producers.js';
import { emptyUsage } from '../genai/usage.js';
import { isModelSpan } from '../trace/count-once.js';
import type { GenAiView, Usage } from '../genai/types.js';
import type { MapperSpec } from '../sources/mapper.js';
import type { SpanBatch } from '../sources/read.js';
import type { Attributes, Resource, Span } from '../span.js';
import { serviceName, timeKnown } from '../span.js';
import { PriceBook, priceView, type PriceLayer } from './pricebook.js';
import { inWindow, type TimeWindow } from './window.js';
import { CALL_MODEL, CALL_NO_USAGE, CALL_USAGE, FactsWriter, type CostFacts } from './fact-columns.js';

export const NONE = '(none)';
export const UNKNOWN_MODEL = '(unknown model)';

/** Read only: the usage numbers of a call that reported none. */
const EMPTY_USAGE: Usage = emptyUsage();

/** Values of the tracked keys on one span (or resource), by index; undefined where absent. */
export type TrackedValues = Array<string | undefined>;

/** What a model call candidate contributes, recorded when it arrives. */
export interface CallFields {
  startMs: number;
  /** Zero for a call that reported no usage (`noUsage`). */
  usage: Usage;
  /** A model span without token usage (a failed call): counted as a call, with no tokens and no price. */
  noUsage?: boolean;
  /** USD, or null when unpriced. */
  cost: number | null;
  /** Price entry name when priced. */
  entry?: string;
  /** The raw model id: the one that matched a price, else response ?? request model. */
  model: string;
  provider: string;
  operation: string;
  service: string;
  /** The call span's duration (`stats` latency). */
  durationMs: number;
  /** Set when the call failed (classify's errorType: `error.type`, else `_OTHER`). */
  errorType?: string;
  /** Time to first chunk, ms, when the library recorded it. */
  ttftMs?: number;
  finishReasons?: string[];
  /** USD the agent or instrumentation library reported for the call (Claude's cost_usd, OpenLIT's gen_ai.usage.cost, …). */
  reportedCost?: number;
  /** Where the figure came from (undefined: spans). */
  source?: 'spans' | 'events' | 'metrics';
  /** Model calls the record stands for (undefined: 1; metrics without a request count: 0). */
  count?: number;
  /**
   * Where `durationMs` comes from. Undefined: the span's start and end, so it is known only when
   * its start is (span.ts `durationKnown`). `attribute`: the agent's event says it (`duration_ms`),
   * known with or without a time. `none`: it is not the request's latency (an event that does not
   * say it): `stats` leaves it out.
   */
  latency?: 'attribute' | 'none';
}

export interface CallRecord extends CallFields {
  /** Tracked key values of the call span's resource. */
  resource?: TrackedValues;
}

export interface FactsOptions {
  book: PriceBook;
  window: TimeWindow;
  /** Attribute keys whose values the dimensions need (feature keys first). */
  tracked: string[];
  /** Also record tool call spans (`stats`: tool calls per trace, repeated calls). */
  toolCalls?: boolean;
}

/** A tool call's identity within its trace: name and arguments (as written; '' when not recorded). */
export function toolCallKey(name: string, args: string | undefined): string {
  return `${name}\u0000${args ?? ''}`;
}

export class FactsBuilder {
  private readonly resourceVals = new WeakMap<Resource, TrackedValues | null>();

  private readonly forStats: boolean;

  constructor(private readonly opts: FactsOptions) {
    this.forStats = opts.toolCalls === true;
  }

  facts(spans: Iterable<Span>): CostFacts {
    const w = new FactsWriter();
    const tools = this.opts.toolCalls === true;
    for (const span of spans) {
      const i = w.spans;
      const parent = span.parentSpanId === span.spanId ? '' : span.parentSpanId;
      w.span(span.traceId, span.spanId, parent);
      if (parent === '') w.root(i, span.name, span.startMs);
      const vals = readVals(this.opts.tracked, span.attributes);
      if (vals !== undefined) w.vals(i, vals);
      const view = classify(span);
      const model = isModelSpan(view);
      if (view.usage !== undefined || model) this.addCall(w, i, span, view, model);
      else if (tools && view.kind === 'tool') w.tool(i, toolCallKey(view.toolName ?? span.name, toolArguments(span.attributes)));
    }
    return w.finish();
  }

  private addCall(w: FactsWriter, i: number, span: Span, view: GenAiView, model: boolean): void {
    const usage = view.usage;
    const flags = (usage === undefined ? CALL_NO_USAGE : CALL_USAGE) | (model ? CALL_MODEL : 0);
    // A call without a start is in no window and outside none: it goes on, and the Attributor
    // counts it as untimed when a window is set (docs/architecture.md "Unset span times").
    if (timeKnown(span.startMs) && !inWindow(this.opts.window, span.startMs)) {
      w.callOutside(i, flags);
      return;
    }
    const priced = priceView(this.opts.book, view, span.startMs, true);
    const u = usage ?? EMPTY_USAGE;
    w.callInside(i, flags, {
      startMs: span.startMs,
      input: u.input,
      output: u.output,
      cacheRead: u.cacheRead,
      cacheWrite: u.cacheWrite,
      reasoning: u.reasoning,
      // A call without usage has nothing to price: its cost is 0 when its model is known.
      cost: priced ? (usage === undefined ? 0 : priced.cost) : null,
      durationMs: span.durationMs,
      // Only `stats` (which also asks for tool calls) reads the error type, TTFT and finish
      // reasons: `cost` does not carry them across threads (docs/architecture.md "Measurements
      // behind constants").
      ttftMs: this.forStats ? view.ttftMs : undefined,
      reportedCost: spanReportedCost(span.attributes),
      entry: priced?.entry.name,
      model: priced?.model ?? view.responseModel ?? view.requestModel ?? UNKNOWN_MODEL,
      provider: view.provider ?? priced?.entry.provider ?? NONE,
      operation: view.operation ?? NONE,
      service: serviceName(span),
      errorType: this.forStats ? view.errorType : undefined,
      resource: this.resourceOf(span.resource),
      finishReasons: this.forStats ? view.finishReasons : undefined,
    });
  }

  private resourceOf(r: Resource): TrackedValues | undefined {
    let v = this.resourceVals.get(r);
    if (v === undefined) {
      v = readVals(this.opts.tracked, r.attributes) ?? null;
      this.resourceVals.set(r, v);
    }
    return v ?? undefined;
  }
}

/** A tool span's arguments as written, when recorded (TOOL_ARGUMENT_KEYS). */
function toolArguments(a: Attributes): string | undefined {
  for (const k of TOOL_ARGUMENT_KEYS) {
    const v = a[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** Values of the tracked keys, or undefined when the span has none (most spans). */
function readVals(tracked: readonly string[], a: Attributes): TrackedValues | undefined {
  let vals: TrackedValues | undefined;
  for (let i = 0; i < tracked.length; i++) {
    const v = a[tracked[i]!];
    if (v === undefined || !dimensionKeyApplies(a, tracked[i]!)) continue;
    const s = valueString(v);
    if (s === undefined) continue;
    vals ??= new Array<string | undefined>(tracked.length);
    vals[i] = s;
  }
  return vals;
}

/** A dimension value from an attribute: non-empty strings, numbers and booleans as text. */
function valueString(v: unknown): string | undefined {
  if (typeof v === 'string') return v !== '' ? v : undefined;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return undefined;
}

// ── as a batch mapper (sources/mapped.ts) ──────────────────────────────────────────────

export interface CostMapperConfig {
  layers: readonly PriceLayer[];
  window: TimeWindow;
  tracked: string[];
  toolCalls?: boolean;
}

export function createMapper(config: CostMapperConfig): (batch: SpanBatch) => CostFacts {
  const builder = new FactsBuilder({ book: new PriceBook(config.layers), window: config.window, tracked: config.tracked, toolCalls: config.toolCalls });
  return (batch) => builder.facts(batch.spans);
}

/** The mapper for `openSources().mapped`; workers rebuild the price book from its layers. */
export function costMapper(opts: FactsOptions): MapperSpec<CostMapperConfig, CostFacts> {
  return {
    module: import.meta.url,
    config: { layers: opts.book.layers, window: opts.window, tracked: opts.tracked, toolCalls: opts.toolCalls },
    // In-thread the book already built is reused.
    create: () => {
      const builder = new FactsBuilder(opts);
      return (batch) => builder.facts(batch.spans);
    },
  };
}

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
import { serviceName } from '../span.js';
import { PriceBook, priceView, type PriceLayer } from './pricebook.js';
import { inWindow, type TimeWindow } from './window.js';

export const NONE = '(none)';
export const UNKNOWN_MODEL = '(unknown model)';

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
  /** `durationMs` is not the request's latency (an event that does not say it): `stats` leaves it out. */
  noLatency?: boolean;
}

export interface CallRecord extends CallFields {
  /** Tracked key values of the call span's resource. */
  resource?: TrackedValues;
}

/**
 * One batch's facts, in columns (cheap to pass between threads): per span its trace, id and
 * parent ('' for a root); sparse, by span index: root names and starts, tracked values, model
 * call candidates (count-once decides which count): the call (null: outside the window), whether
 * the span carries usage, whether it is a model span.
 */
export interface CostFacts {
  /**
   * The batch's trace ids, each once (first seen first), and per span the index of its own: a
   * batch holds few traces, and each id crossing threads once instead of once a span cuts the
   * copy and the strings the main thread allocates (docs/architecture.md "Per-span overhead").
   */
  traceIds: string[];
  traceOf: number[];
  spanIds: string[];
  parents: string[];
  roots: Array<[index: number, name: string, startMs: number]>;
  vals: Array<[index: number, vals: TrackedValues]>;
  calls: Array<[index: number, call: CallRecord | null, usage: boolean, model: boolean]>;
  /** Tool call spans (only when asked for, `toolCalls`): their identity, name and arguments. */
  tools: Array<[index: number, tool: string]>;
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
    const f: CostFacts = { traceIds: [], traceOf: [], spanIds: [], parents: [], roots: [], vals: [], calls: [], tools: [] };
    const tools = this.opts.toolCalls === true;
    const traceIndex = new Map<string, number>();
    let lastTrace = '';
    let lastIndex = -1;
    let i = 0;
    for (const span of spans) {
      const parent = span.parentSpanId === span.spanId ? '' : span.parentSpanId;
      // Spans of one trace mostly come together (grouped by resource and scope).
      if (span.traceId !== lastTrace || lastIndex < 0) {
        lastTrace = span.traceId;
        let t = traceIndex.get(lastTrace);
        if (t === undefined) {
          t = f.traceIds.length;
          traceIndex.set(lastTrace, t);
          f.traceIds.push(lastTrace);
        }
        lastIndex = t;
      }
      f.traceOf.push(lastIndex);
      f.spanIds.push(span.spanId);
      f.parents.push(parent);
      if (parent === '') f.roots.push([i, span.name, span.startMs]);
      const vals = readVals(this.opts.tracked, span.attributes);
      if (vals !== undefined) f.vals.push([i, vals]);
      const view = classify(span);
      const model = isModelSpan(view);
      if (view.usage !== undefined || model) f.calls.push([i, this.callOf(span, view), view.usage !== undefined, model]);
      else if (tools && view.kind === 'tool') f.tools.push([i, toolCallKey(view.toolName ?? span.name, toolArguments(span.attributes))]);
      i++;
    }
    return f;
  }

  private callOf(span: Span, view: GenAiView): CallRecord | null {
    if (!inWindow(this.opts.window, span.startMs)) return null;
    const priced = priceView(this.opts.book, view, span.startMs, true);
    const noUsage = view.usage === undefined;
    const call: CallRecord = {
      startMs: span.startMs,
      usage: view.usage ?? emptyUsage(),
      // A call without usage has nothing to price: its cost is 0 when its model is known.
      cost: priced ? (noUsage ? 0 : priced.cost) : null,
      entry: priced?.entry.name,
      model: priced?.model ?? view.responseModel ?? view.requestModel ?? UNKNOWN_MODEL,
      provider: view.provider ?? priced?.entry.provider ?? NONE,
      operation: view.operation ?? NONE,
      service: serviceName(span),
      durationMs: span.durationMs,
      // Always the same keys (undefined when unknown): one object shape for every record. Only
      // `stats` (which also asks for tool calls) reads these: `cost` does not carry them across
      // threads (the finish reasons' arrays cost it time: docs/architecture.md "Measurements
      // behind constants").
      errorType: this.forStats ? view.errorType : undefined,
      ttftMs: this.forStats ? view.ttftMs : undefined,
      finishReasons: this.forStats ? view.finishReasons : undefined,
      reportedCost: spanReportedCost(span.attributes),
      resource: this.resourceOf(span.resource),
    };
    // Set after the literal, as trace-spill's decodeCall does: a spread here took 5% of a
    // worker's time on small spans (docs/architecture.md "Per-span overhead").
    if (noUsage) call.noUsage = true;
    return call;
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

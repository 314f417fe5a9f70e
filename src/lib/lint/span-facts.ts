/**
 * The per-span half of lint: classification, the per-span rules, the scorecard counts and what
 * the trace state needs, computed where the span was decoded (a worker thread for large inputs).
 * Only these compact facts reach the Linter, which keeps the per-trace state and makes the
 * findings. Nothing here words or renders a finding: that is lint/render/'s job, on the main thread.
 */
import { randomUUID } from 'node:crypto';
import { classify } from '../genai/classify.js';
import { VERCEL, VERCEL_WRAPPERS } from '../genai/conventions.js';
import type { GenAiView } from '../genai/types.js';
import type { MapperSpec } from '../sources/mapper.js';
import type { SpanBatch } from '../sources/read.js';
import { PriceBook, priceCall, type PriceLayer } from '../cost/pricebook.js';
import type { Span } from '../span.js';
import { definitionFor, isModelCall } from './definitions.js';
import { KEY_GENAI, keyInfo, type KeyInfo } from './keys.js';
import { RULES } from './registry.js';
import { isShared } from './facts-memo.js';
import { deprecatedAttribute } from './rules/deprecated.js';
import { rootContextCode } from './rules/root.js';
import { failureGap, text } from './rules/util.js';
import type { AnyRuleDef, LintContext, RootContextKeys, RuleFacts, RuleId, SeveritySetting, SpanInput } from './types.js';

/** Scorecard counts that depend on the span alone (the trace-level ones are the Linter's). */
export interface SpanScore {
  spans: number;
  genAi: number;
  genAiWithGenAiKeys: number;
  llm: number;
  llmProvider: number;
  llmModel: number;
  llmSucceeded: number;
  llmUsage: number;
  tools: number;
  deprecatedSpans: number;
  deprecatedKeys: Array<[key: string, spans: number]>;
}

export const GENAI = 1;
export const TOOL = 2;
/** A tool span that is named and records its failures (a scorecard item once its parent is known). */
export const TOOL_OK = 4;

/** One batch's facts, in columns (cheap to pass between threads). */
export interface LintFacts {
  source?: string;
  line?: number;
  /** The batch's trace ids, each once, and per span the index of its own (as cost's facts: docs/architecture.md "Per-span overhead"). */
  traceIds: string[];
  traceOf: number[];
  spanIds: string[];
  parents: string[];
  names: string[];
  kinds: number[];
  /** GENAI | TOOL | TOOL_OK bits. */
  flags: number[];
  /** Root spans (no parent): their context code (rules/root.ts). */
  rootContexts: Array<[index: number, code: number]>;
  /** What the per-span rules found, in the order found (rules that are off left out). */
  found: FoundColumns;
  score: SpanScore;
}

/**
 * Per-span findings in columns: finding k is rule `RULES[rules[k]]` on span `spans[k]` of the
 * batch, with `facts[k]`. The Linter makes them Findings (engine.ts): the place comes from the
 * batch's columns and the severity from the same settings, so neither crosses threads per finding.
 */
export interface FoundColumns {
  spans: number[];
  rules: number[];
  facts: Array<RuleFacts[RuleId]>;
  /**
   * The k whose facts object is shared (facts-memo.ts), ascending, and each one's number: the
   * same object has the same number in every batch of one SpanLinter (`FoundColumns.linter`).
   * A worker's objects arrive as copies, new ones in every message; the Linter keeps one copy
   * per number and hands out that one, so a renderer can keep its text across batches.
   */
  shared: number[];
  sharedIds: number[];
  /** The SpanLinter that found these (unique in the process and its workers). */
  linter: string;
}

export interface SpanLinterOptions {
  severities: Readonly<Record<RuleId, SeveritySetting>>;
  ctx: LintContext;
  /** Classifier (tests may inject one); default `classify`. */
  classify?: (span: Span) => GenAiView;
}

const NONE: readonly never[] = [];
const RULE_INDEX = new Map<RuleId, number>(RULES.map((r, i) => [r.id, i]));
const DEPRECATED = RULE_INDEX.get('deprecated-attribute')!;

export class SpanLinter {
  private readonly spanRules: AnyRuleDef[];
  /** Each of spanRules' index in RULES (FoundColumns.rules). */
  private readonly spanRuleIndexes: number[];
  private readonly deprecatedOn: boolean;
  private readonly classify: (span: Span) => GenAiView;
  private readonly id = randomUUID();
  /** Numbers of the shared facts objects found so far (FoundColumns.sharedIds). */
  private readonly sharedIds = new WeakMap<object, number>();
  private sharedCount = 0;

  constructor(private readonly opts: SpanLinterOptions) {
    const on = (r: AnyRuleDef) => opts.severities[r.id] !== 'off' && (r.id !== 'model-unpriced' || opts.ctx.isPriced !== undefined);
    // deprecated-attribute runs for the scorecard anyway (its facts are emitted below).
    this.spanRules = RULES.filter((r) => on(r) && r.span !== undefined && r.id !== 'deprecated-attribute');
    this.spanRuleIndexes = this.spanRules.map((r) => RULE_INDEX.get(r.id)!);
    this.deprecatedOn = opts.severities['deprecated-attribute'] !== 'off';
    this.classify = opts.classify ?? classify;
  }

  facts(spans: readonly Span[], source?: string, line?: number): LintFacts {
    const f: LintFacts = {
      traceIds: [],
      traceOf: [],
      spanIds: [],
      parents: [],
      names: [],
      kinds: [],
      flags: [],
      rootContexts: [],
      found: { spans: [], rules: [], facts: [], shared: [], sharedIds: [], linter: this.id },
      score: { spans: 0, genAi: 0, genAiWithGenAiKeys: 0, llm: 0, llmProvider: 0, llmModel: 0, llmSucceeded: 0, llmUsage: 0, tools: 0, deprecatedSpans: 0, deprecatedKeys: [] },
    };
    if (source !== undefined) f.source = source;
    if (line !== undefined) f.line = line;
    const deprecatedKeys = new Map<string, number>();
    const traceIndex = new Map<string, number>();
    for (let i = 0; i < spans.length; i++) {
      const traceId = spans[i]!.traceId;
      let t = traceIndex.get(traceId);
      if (t === undefined) {
        t = f.traceIds.length;
        traceIndex.set(traceId, t);
        f.traceIds.push(traceId);
      }
      f.traceOf.push(t);
      this.span(spans[i]!, i, f, deprecatedKeys);
    }
    f.score.deprecatedKeys = [...deprecatedKeys];
    return f;
  }

  private span(span: Span, i: number, f: LintFacts, deprecatedKeys: Map<string, number>): void {
    const view = this.judged(span);
    const keys = Object.keys(span.attributes);
    const infos: KeyInfo[] = new Array(keys.length);
    let keyFlags = 0;
    for (let k = 0; k < keys.length; k++) keyFlags |= (infos[k] = keyInfo(keys[k]!)).flags;
    const genAi = view.kind !== 'other';
    const vendorOnly = genAi && !(keyFlags & KEY_GENAI);
    const isTool = view.kind === 'tool';
    const toolOk = isTool && view.toolName !== undefined && failureGap(span, !vendorOnly) === undefined;
    f.spanIds.push(span.spanId);
    f.parents.push(span.parentSpanId);
    f.names.push(span.name);
    f.kinds.push(span.kind);
    f.flags.push((genAi ? GENAI : 0) | (isTool ? TOOL : 0) | (toolOk ? TOOL_OK : 0));
    if (span.parentSpanId === '') f.rootContexts.push([i, rootContextCode(span, this.opts.ctx.rootContextKeys)]);

    const s = f.score;
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

    const input: SpanInput = { span, view, keys, infos, keyFlags, vendorOnly, def: genAi ? definitionFor(span, view) : undefined, ctx: this.opts.ctx };
    // The rule returns a list (or nothing), never one facts object.
    const deprecatedList = (deprecatedAttribute.span!(input) ?? NONE) as readonly RuleFacts['deprecated-attribute'][];
    if (deprecatedList.length) {
      s.deprecatedSpans++;
      for (const d of deprecatedList) {
        const k = d.what === 'attribute' ? d.key : d.what === 'value' ? `value:${d.key}=${d.value}` : `event:${d.event}`;
        deprecatedKeys.set(k, (deprecatedKeys.get(k) ?? 0) + 1);
      }
    }

    const found = f.found;
    if (this.deprecatedOn) for (const d of deprecatedList) this.addFinding(found, i, DEPRECATED, d);
    for (let k = 0; k < this.spanRules.length; k++) {
      const r = (this.spanRules[k]!.span as (i: SpanInput) => unknown)(input) as RuleFacts[RuleId] | RuleFacts[RuleId][] | undefined;
      if (r === undefined) continue;
      const index = this.spanRuleIndexes[k]!;
      if (Array.isArray(r)) for (const facts of r) this.addFinding(found, i, index, facts);
      else this.addFinding(found, i, index, r);
    }
  }

  /**
   * The span as the rules and the scorecard judge it. A Vercel outer span (`ai.generateText`)
   * is no call: its steps below are, and they are judged. Judged as a call it drew a
   * vendor-only finding asking for the gen_ai.* model, provider and usage its step already
   * carries (adding them would count the call twice), and the scorecard counted each call twice.
   */
  private judged(span: Span): GenAiView {
    const view = this.classify(span);
    if (view.convention !== 'vercel' || !VERCEL_WRAPPERS.has(text(span.attributes, VERCEL.OPERATION_ID) ?? span.name)) return view;
    return { ...view, kind: 'other' };
  }

  private addFinding(found: FoundColumns, span: number, rule: number, facts: RuleFacts[RuleId]): void {
    if (isShared(facts)) {
      let id = this.sharedIds.get(facts);
      if (id === undefined) this.sharedIds.set(facts, (id = this.sharedCount++));
      found.shared.push(found.facts.length);
      found.sharedIds.push(id);
    }
    found.spans.push(span);
    found.rules.push(rule);
    found.facts.push(facts);
  }
}


// ── as a batch mapper (sources/mapped.ts) ──────────────────────────────────────────────

export interface LintMapperConfig {
  severities: Readonly<Record<RuleId, SeveritySetting>>;
  rootContextKeys: RootContextKeys;
  /** Price layers for `model-unpriced` (undefined: the rule is skipped). */
  priceLayers?: readonly PriceLayer[];
}

export function createMapper(config: LintMapperConfig): (batch: SpanBatch) => LintFacts {
  let isPriced: LintContext['isPriced'];
  if (config.priceLayers) {
    const book = new PriceBook(config.priceLayers);
    isPriced = (view, startMs) => priceCall(book, view, startMs) !== undefined;
  }
  const linter = new SpanLinter({ severities: config.severities, ctx: { rootContextKeys: config.rootContextKeys, isPriced } });
  return (batch) => linter.facts(batch.spans, batch.source, batch.line);
}

/**
 * The mapper for `openSources().mapped`. Workers rebuild the price book from its layers; on
 * this thread the context given (with its own `isPriced`) is used as is.
 */
export function lintMapper(opts: SpanLinterOptions & { priceLayers?: readonly PriceLayer[] }): MapperSpec<LintMapperConfig, LintFacts> {
  const config: LintMapperConfig = { severities: opts.severities, rootContextKeys: opts.ctx.rootContextKeys };
  if (opts.priceLayers) config.priceLayers = opts.priceLayers;
  return {
    module: import.meta.url,
    config,
    create: () => {
      const linter = new SpanLinter(opts);
      return (batch) => linter.facts(batch.spans, batch.source, batch.line);
    },
  };
}

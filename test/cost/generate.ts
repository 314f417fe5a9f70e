/**
 * Generates mixed-convention trace dumps for `cost`, with the expected report computed
 * INDEPENDENTLY: from the generator's own list of the model calls it made (true tokens, the
 * feature it gave each trace, the call's start) and the price table it wrote — never from spans.
 *
 * Each trace uses one way of naming its feature and one or more conventions for its calls:
 * current gen_ai (with cache and reasoning), deprecated prompt/completion tokens, OpenInference,
 * Vercel outer + inner spans (both carrying the usage), OpenLLMetry (workflow spans that may
 * carry totals), invoke_agent spans carrying their children's totals. All spans are shuffled,
 * cut into batches of random size and spread over several JSON Lines files, so one trace's spans
 * are scattered across files and arrive children-first, parents-first or mixed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CostCounters } from '../../src/lib/cost/report.js';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { emptyScope, finishSpan, newAttributes, type AttrValue, type Resource, type Span } from '../../src/lib/span.js';

// ── the price table the generator writes (and prices with, by its own code) ──────────────────

interface Price {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  tiers?: Array<{ above: number; input: number; output: number; cacheRead?: number; cacheWrite?: number }>;
  until?: string;
  since?: string;
  aliases?: string[];
}

export const DATE_SWITCH = Date.UTC(2026, 0, 1);

export const GEN_PRICES: Record<string, Price | Price[]> = {
  'm-plain': { input: 1, output: 2 },
  'm-cache': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'm-reason': { input: 1.1, output: 4.4, cacheRead: 0.275, reasoning: 2 },
  'm-tier': { input: 1.25, output: 10, cacheRead: 0.125, tiers: [{ above: 2000, input: 2.5, output: 15, cacheRead: 0.25 }] },
  'm-dated': [
    { until: '2026-01-01', input: 10, output: 40, cacheRead: 2.5 },
    { input: 2, output: 8, cacheRead: 0.5 },
  ],
  'm-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
};

/** Raw ids the generator uses for each entry (exact key, dated snapshot, Bedrock- and Vertex-style). */
const MODEL_IDS: Record<string, string[]> = {
  'm-plain': ['m-plain', 'm-plain-2026-01-15'],
  'm-cache': ['m-cache', 'us.anthropic.m-cache-20250101-v1:0', 'm-cache@20250101'],
  'm-reason': ['m-reason', 'm-reason-20251201'],
  'm-tier': ['m-tier', 'models/m-tier'],
  'm-dated': ['m-dated', 'openai/m-dated-latest'],
  'm-mini': ['m-mini', 'm-mini-2025-07-18'],
  // Never priced: its row must say so, never $0.
  'm-unknown': ['m-unknown'],
};

function rate(p: Price, key: 'cacheRead' | 'cacheWrite' | 'reasoning'): number {
  return p[key] ?? (key === 'reasoning' ? p.output : p.input);
}

/** The generator's own pricing of one call (dated by start, tier by input, the formula of docs/architecture.md "Pricing"). */
export function genCost(entry: string, t: Tokens, startMs: number): number | null {
  const raw = GEN_PRICES[entry];
  if (!raw) return null;
  let p: Price;
  if (Array.isArray(raw)) p = startMs < DATE_SWITCH ? raw[0]! : raw[1]!;
  else p = raw;
  const tier = [...(p.tiers ?? [])].reverse().find((x) => t.input > x.above);
  const r = tier ? { ...tier, reasoning: p.reasoning } : p;
  return (
    ((t.input - t.cacheRead - t.cacheWrite) * r.input +
      t.cacheRead * rate(r as Price, 'cacheRead') +
      t.cacheWrite * rate(r as Price, 'cacheWrite') +
      (t.output - t.reasoning) * r.output +
      t.reasoning * (r.reasoning ?? r.output)) /
    1e6
  );
}

export function writePricingFile(dir: string): string {
  const file = path.join(dir, 'gen-prices.json');
  writeFileSync(file, JSON.stringify({ currency: 'USD', models: GEN_PRICES }, null, 2));
  return file;
}

// ── calls and traces ──────────────────────────────────────────────────────────────────────

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface MadeCall {
  feature: string;
  entry: string;
  startMs: number;
  tokens: Tokens;
  /** A failed call that reported no usage: one call, no tokens, nothing to price. */
  noUsage?: boolean;
  traceId: string;
  /** The call span's duration. */
  durationMs: number;
  /** Set when the call failed: its `error.type`, or `_OTHER` when it failed without one. */
  errorType?: string;
  /** Time to first chunk as the library reported it, converted to ms the documented way (s × 1000). */
  ttftMs?: number;
  finishReasons?: string[];
}

/** A trace with at least one call: its tool call spans, and the identical tool call made most often. */
export interface MadeTrace {
  traceId: string;
  toolCalls: number;
  topRepeat?: { tool: string; arguments: string; count: number };
}

export type ExpectedRow = Omit<CostCounters, 'reportedCost' | 'reportedCostDiff' | 'source'>;

type Convention = 'gen_ai' | 'deprecated' | 'openinference' | 'vercel' | 'openllmetry';
const CONVENTIONS: Convention[] = ['gen_ai', 'deprecated', 'openinference', 'vercel', 'openllmetry'];

/** How a trace names its feature; the generator knows the result by construction. */
type FeatureMode = 'root-app-feature' | 'workflow-name' | 'function-id' | 'agent-name' | 'resource' | 'root-name' | 'priority';
const MODES: FeatureMode[] = ['root-app-feature', 'workflow-name', 'function-id', 'agent-name', 'resource', 'root-name', 'priority'];

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Builder {
  readonly spans: Span[] = [];
  private readonly byId = new Map<string, Span>();
  readonly calls: MadeCall[] = [];
  readonly traces: MadeTrace[] = [];
  private idCounter = 0;
  readonly resources: Resource[];
  private readonly scope = emptyScope();

  constructor(readonly rand: () => number) {
    this.resources = ['checkout', 'search', 'support'].map((svc) => this.resource({ 'service.name': svc }));
  }

  resource(attrs: Record<string, string>): Resource {
    return { attributes: Object.assign(newAttributes(), attrs), droppedAttributesCount: 0, schemaUrl: '' };
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  id(bytes: 8 | 16): string {
    this.idCounter++;
    const hex = (this.idCounter.toString(16) + Math.floor(this.rand() * 0xffffffff).toString(16)).padStart(bytes * 2, '0');
    return hex.slice(-bytes * 2);
  }

  span(traceId: string, parent: string, name: string, startMs: number, attrs: Record<string, AttrValue | number>, resource: Resource, durationMs = 500): string {
    const spanId = this.id(8);
    const attributes = newAttributes();
    for (const [k, v] of Object.entries(attrs)) attributes[k] = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : (v as AttrValue);
    const start = BigInt(Math.round(startMs)) * 1_000_000n;
    const made = finishSpan({
        traceId, spanId, parentSpanId: parent, traceState: '', name, kind: 1,
        startTimeUnixNano: start, endTimeUnixNano: start + BigInt(durationMs) * 1_000_000n,
        attributes, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
        status: { code: 0, message: '' }, flags: 0, resource, scope: this.scope,
    });
    this.spans.push(made);
    this.byId.set(spanId, made);
    return spanId;
  }

  tokens(entry: string, conv: Convention): Tokens {
    const tier = entry === 'm-tier' && this.rand() < 0.5;
    const input = tier ? this.int(2001, 9000) : this.int(1, 1999);
    const output = this.int(0, 800);
    // Deprecated keys and Vercel v5 carry no cache write; deprecated keys no cache or reasoning.
    const cacheRead = conv === 'deprecated' || this.rand() < 0.4 ? 0 : this.int(0, Math.floor(input / 2));
    const cacheWrite = conv === 'deprecated' || conv === 'vercel' || entry !== 'm-cache' ? 0 : this.int(0, input - cacheRead);
    const reasoning = conv === 'deprecated' || this.rand() < 0.5 ? 0 : this.int(0, output);
    return { input, output, cacheRead, cacheWrite, reasoning };
  }

  /** One model call in `conv`, under `parent`; returns the tokens the outer spans may repeat. */
  call(traceId: string, parent: string, conv: Convention, startMs: number, feature: string, resource: Resource, extra: Record<string, string> = {}): Tokens {
    const entry = this.pick(Object.keys(MODEL_IDS));
    const model = this.pick(MODEL_IDS[entry]!);
    const t = this.tokens(entry, conv);
    const durationMs = this.int(20, 9000);
    const made: MadeCall = { feature, entry, startMs, tokens: t, traceId, durationMs };
    this.calls.push(made);
    // Finish reasons, TTFT and failures in each convention's own keys (deprecated keys and
    // OpenLLMetry here carry none of them).
    const reason = this.pick(['stop', 'stop', 'stop', 'length', 'tool_calls', 'content_filter']);
    const streamed = this.rand() < 0.5;
    const ttftMs = streamed ? this.int(0, durationMs) : undefined;
    const failed = this.rand() < 0.1 ? this.pick(['timeout', '500', '']) : undefined;
    if (failed !== undefined) made.errorType = failed === '' ? '_OTHER' : failed;
    const failure: Record<string, string> = failed ? { 'error.type': failed } : {};
    let callId = '';
    switch (conv) {
      case 'gen_ai': {
        made.finishReasons = [reason];
        const ttft: Record<string, number> = {};
        if (ttftMs !== undefined) {
          ttft['gen_ai.response.time_to_first_chunk'] = ttftMs / 1000 + 1e-9; // a double, never an integer
          // The decimal those seconds are, in ms (ttftMs + 0.000001), as stats reads it.
          made.ttftMs = Number(`${ttftMs}.000001`);
        }
        callId = this.span(traceId, parent, `chat ${model}`, startMs, {
          'gen_ai.response.finish_reasons': [reason], ...ttft, ...failure,
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'requested-alias', 'gen_ai.response.model': model,
          'gen_ai.usage.input_tokens': t.input, 'gen_ai.usage.output_tokens': t.output,
          'gen_ai.usage.cache_read.input_tokens': t.cacheRead, 'gen_ai.usage.cache_creation.input_tokens': t.cacheWrite,
          'gen_ai.usage.reasoning.output_tokens': t.reasoning, ...extra,
        }, resource, durationMs);
        break;
      }
      case 'deprecated':
        callId = this.span(traceId, parent, `chat ${model}`, startMs, {
          'gen_ai.system': 'openai', 'gen_ai.request.model': model,
          'gen_ai.usage.prompt_tokens': t.input, 'gen_ai.usage.completion_tokens': t.output, ...failure, ...extra,
        }, resource, durationMs);
        break;
      case 'openinference': {
        made.finishReasons = [reason];
        const chain = this.span(traceId, parent, 'chain', startMs, { 'openinference.span.kind': 'CHAIN' }, resource);
        const id = (callId = this.span(traceId, chain, 'OpenAI Chat Completions', startMs, {
          'openinference.span.kind': 'LLM', 'llm.system': 'openai', 'llm.model_name': model, 'llm.finish_reason': reason,
          'llm.token_count.prompt': t.input, 'llm.token_count.completion': t.output, 'llm.token_count.total': t.input + t.output,
          'llm.token_count.prompt_details.cache_read': t.cacheRead, 'llm.token_count.prompt_details.cache_write': t.cacheWrite,
          'llm.token_count.completion_details.reasoning': t.reasoning, ...extra,
        }, resource, durationMs));
        // OpenInference records a failure as the span's status only: no error.type.
        if (failed !== undefined) {
          this.byId.get(id)!.status = { code: 2, message: `failed: ${failed}` };
          made.errorType = '_OTHER';
        }
        break;
      }
      case 'vercel': {
        made.finishReasons = [reason];
        const usage = {
          'ai.model.id': model, 'ai.model.provider': 'openai.chat', 'ai.response.finishReason': reason,
          'ai.usage.inputTokens': t.input, 'ai.usage.outputTokens': t.output, 'ai.usage.totalTokens': t.input + t.output,
          'ai.usage.cachedInputTokens': t.cacheRead, 'ai.usage.reasoningTokens': t.reasoning, ...extra,
        };
        // The outer span repeats the usage of its doGenerate child: the double-count trap.
        const outer = this.span(traceId, parent, 'ai.generateText', startMs, { 'ai.operationId': 'ai.generateText', ...usage }, resource, durationMs + 2);
        const ttft: Record<string, number> = {};
        if (ttftMs !== undefined) {
          ttft['ai.response.msToFirstChunk'] = ttftMs + 0.5;
          made.ttftMs = ttftMs + 0.5;
        }
        callId = this.span(traceId, outer, 'ai.generateText.doGenerate', startMs + 1, {
          'ai.operationId': 'ai.generateText.doGenerate', ...usage, ...ttft, ...failure,
          'gen_ai.system': 'openai.chat', 'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': t.input, 'gen_ai.usage.output_tokens': t.output,
        }, resource, durationMs);
        this.calls[this.calls.length - 1]!.startMs = startMs + 1; // the counted span is the inner one
        break;
      }
      case 'openllmetry':
        callId = this.span(traceId, parent, `openai.chat`, startMs, {
          'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': t.input, 'gen_ai.usage.output_tokens': t.output, 'llm.usage.total_tokens': t.input + t.output,
          'gen_ai.usage.cache_read_input_tokens': t.cacheRead, 'gen_ai.usage.cache_creation_input_tokens': t.cacheWrite,
          'gen_ai.usage.reasoning_tokens': t.reasoning, ...failure, ...extra,
        }, resource, durationMs);
        break;
    }
    // Failed without a type: status ERROR alone.
    if (failed === '') this.byId.get(callId)!.status = { code: 2, message: 'boom' };
    return t;
  }

  /** A call that failed before any usage was reported (a 429): a call with no tokens. */
  failedCall(traceId: string, parent: string, startMs: number, feature: string, resource: Resource): void {
    const entry = this.pick(Object.keys(MODEL_IDS));
    const model = this.pick(MODEL_IDS[entry]!);
    const durationMs = this.int(1, 300);
    this.calls.push({ feature, entry, startMs, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, noUsage: true, traceId, durationMs, errorType: '429' });
    const id = this.span(traceId, parent, `chat ${model}`, startMs, {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'error.type': '429',
    }, resource, durationMs);
    this.byId.get(id)!.status = { code: 2, message: 'rate limited' };
  }

  trace(startMs: number, n: number): void {
    const traceId = this.id(16);
    const mode = this.pick(MODES);
    let resource = this.pick(this.resources);
    const featureName = `feat-${n % 5}`;
    const rootName = `handle-${n % 3}`;
    let feature = featureName;
    const rootAttrs: Record<string, string> = {};
    if (mode === 'root-app-feature') rootAttrs['app.feature'] = featureName;
    if (mode === 'priority') {
      // `app.feature` comes first among the keys, so it wins over a nearer `gen_ai.agent.name`.
      rootAttrs['app.feature'] = featureName;
    }
    if (mode === 'resource') resource = this.resource({ 'service.name': 'batch-jobs', feature: featureName });
    if (mode === 'root-name') feature = rootName;
    const root = this.span(traceId, '', rootName, startMs, rootAttrs, resource);
    const calls = this.int(1, 4);
    let t = startMs + 10;
    for (let i = 0; i < calls; i++, t += 1000) {
      const conv = this.pick(CONVENTIONS);
      if (mode === 'workflow-name') {
        // OpenLLMetry workflow span naming the feature; sometimes it carries the totals too.
        const wf = this.span(traceId, root, 'research.workflow', t, { 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': featureName }, resource);
        const real = this.call(traceId, wf, conv, t + 5, feature, resource);
        if (this.rand() < 0.5) {
          const s = this.byId.get(wf)!;
          s.attributes['gen_ai.usage.prompt_tokens'] = BigInt(real.input);
          s.attributes['gen_ai.usage.completion_tokens'] = BigInt(real.output);
        }
      } else if (mode === 'function-id') {
        this.call(traceId, root, 'vercel', t, feature, resource, { 'ai.telemetry.functionId': featureName });
      } else if (mode === 'agent-name' || mode === 'priority') {
        // invoke_agent carrying the totals of its children (another double-count trap).
        const agent = this.span(traceId, root, `invoke_agent ${featureName}`, t, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': mode === 'priority' ? 'some-agent' : featureName }, resource);
        const sum = { input: 0, output: 0 };
        for (let k = 0; k < 2; k++) {
          const x = this.call(traceId, agent, conv, t + 10 + k, feature, resource);
          sum.input += x.input;
          sum.output += x.output;
        }
        const s = this.byId.get(agent)!;
        s.attributes['gen_ai.usage.input_tokens'] = BigInt(sum.input);
        s.attributes['gen_ai.usage.output_tokens'] = BigInt(sum.output);
      } else {
        // A non-LLM span in between (feature and count-once must see through it).
        const step = this.span(traceId, root, 'step', t, { 'http.method': 'POST' }, resource);
        if (this.rand() < 0.3) this.failedCall(traceId, step, t + 2, feature, resource);
        this.call(traceId, step, conv, t + 5, feature, resource);
      }
    }
    this.toolCalls(traceId, root, startMs, resource);
  }

  /** 0–5 tool call spans (GenAI or Vercel), from a small set so that identical calls repeat. */
  toolCalls(traceId: string, root: string, startMs: number, resource: Resource): void {
    const n = this.pick([0, 0, 1, 2, 3, 5]);
    const counts = new Map<string, { tool: string; arguments: string; count: number }>();
    for (let i = 0; i < n; i++) {
      const tool = this.pick(['search', 'fetch']);
      const args = this.pick(['{"q":"a"}', '{"q":"b"}']);
      if (this.rand() < 0.5) {
        this.span(traceId, root, `execute_tool ${tool}`, startMs + i, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.arguments': args }, resource);
      } else {
        this.span(traceId, root, 'ai.toolCall', startMs + i, { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': tool, 'ai.toolCall.args': args }, resource);
      }
      const key = `${tool}\u0000${args}`;
      const c = counts.get(key) ?? { tool, arguments: args, count: 0 };
      c.count++;
      counts.set(key, c);
    }
    let top: MadeTrace['topRepeat'];
    for (const [key, c] of counts) {
      if (!top || c.count > top.count || (c.count === top.count && key < `${top.tool}\u0000${top.arguments}`)) top = c;
    }
    this.traces.push({ traceId, toolCalls: n, topRepeat: top });
  }
}

export interface Dump {
  files: string[];
  calls: MadeCall[];
  traces: MadeTrace[];
  spans: number;
}

/**
 * Writes `fileCount` JSONL files with the shuffled spans of `traces` traces whose calls start
 * between `fromMs` and `fromMs + spanDays` days.
 */
/**
 * How the spans reach the files:
 * - `shuffled`: spans in random order, batches to random files;
 * - `in-order`: traces one after another (spans shuffled within each), consecutive runs of
 *   batches per file;
 * - `two-services`: one file with every root span, one with the rest, each in end-time order
 *   (two services' BatchSpanProcessor exports);
 * - `replicas`: time-ordered batches dealt round-robin over the files (Collector replicas
 *   behind a load balancer).
 */
export type DumpLayout = 'shuffled' | 'in-order' | 'two-services' | 'replicas';

export function generateDump(
  dir: string,
  seed: number,
  opts: { traces: number; files: number; fromMs: number; spanDays: number; /** false: `in-order` (old name) */ shuffle?: boolean; layout?: DumpLayout },
): Dump {
  const layout: DumpLayout = opts.layout ?? (opts.shuffle === false ? 'in-order' : 'shuffled');
  const b = new Builder(rng(seed));
  for (let i = 0; i < opts.traces; i++) b.trace(opts.fromMs + Math.floor(b.rand() * opts.spanDays * 86_400_000), i);
  let spans = [...b.spans];
  const byEnd = (x: Span, y: Span) => (x.endTimeUnixNano < y.endTimeUnixNano ? -1 : x.endTimeUnixNano > y.endTimeUnixNano ? 1 : 0);
  let groups: Span[][];
  if (layout === 'two-services') {
    groups = [spans.filter((s) => s.parentSpanId === '').sort(byEnd), spans.filter((s) => s.parentSpanId !== '').sort(byEnd)];
  } else if (layout === 'in-order') {
    const byTrace = new Map<string, Span[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    groups = [[...byTrace.values()].flatMap((list) => shuffle(list, b.rand))];
  } else if (layout === 'replicas') {
    groups = [spans.sort(byEnd)];
  } else {
    groups = [shuffle(spans, b.rand)];
  }
  spans = groups.flat();
  const lines: string[][] = Array.from({ length: opts.files }, () => []);
  let batch = 0;
  let offset = 0;
  for (const [g, group] of groups.entries()) {
    for (let i = 0; i < group.length; batch++) {
      const size = b.int(1, 12);
      const file =
        layout === 'two-services' ? Math.min(g, opts.files - 1)
        : layout === 'replicas' ? batch % opts.files
        // In order: files take consecutive runs of batches, so reading them in order keeps the order.
        : layout === 'in-order' ? Math.min(opts.files - 1, Math.floor(((offset + i) / spans.length) * opts.files))
        : b.int(0, opts.files - 1);
      lines[file]!.push(JSON.stringify(encodeOtlpJsonTraces(group.slice(i, i + size))));
      i += size;
    }
    offset += group.length;
  }
  const files = lines.map((l, i) => {
    const f = path.join(dir, `dump-${seed}-${layout}-${i}.jsonl`);
    writeFileSync(f, l.join('\n') + '\n');
    return f;
  });
  return { files, calls: b.calls, traces: b.traces, spans: spans.length };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Expected rows keyed `feature\u0000model` (model: the entry name, the raw id when unpriced). */
export function expectedRows(calls: readonly MadeCall[], window: { sinceMs?: number; untilMs?: number } = {}): Map<string, ExpectedRow> {
  const rows = new Map<string, ExpectedRow>();
  for (const c of calls) {
    if (window.sinceMs !== undefined && c.startMs < window.sinceMs) continue;
    if (window.untilMs !== undefined && c.startMs >= window.untilMs) continue;
    const key = `${c.feature}\u0000${c.entry}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { calls: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, cost: 0 }));
    r.calls++;
    if (c.noUsage) continue; // nothing to price: the row's cost is unchanged
    if (!GEN_PRICES[c.entry]) r.cost = null;
    r.inputTokens += c.tokens.input;
    r.cacheReadTokens += c.tokens.cacheRead;
    r.cacheWriteTokens += c.tokens.cacheWrite;
    r.outputTokens += c.tokens.output;
    r.reasoningTokens += c.tokens.reasoning;
    const cost = genCost(c.entry, c.tokens, c.startMs);
    if (cost !== null && r.cost !== null) r.cost += cost;
  }
  return rows;
}

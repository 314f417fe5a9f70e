/**
 * Random agent traces for `tree`, written as OTLP JSON Lines in any order and split, and `tree`
 * run in-process over them: the bounded-memory paths (spilling, two-pass --last, stdin copy)
 * against the in-memory path as it was before them (`referenceTree`).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { quiet } from '../cost/helpers.js';
import { rng } from '../cost/generate.js';
import { treeOutput } from '../../src/commands/tree.js';
import { loadPricing, priceCall } from '../../src/lib/cost/pricing.js';
import type { SpanLogEvent } from '../../src/lib/otlp/decode-result.js';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { makeColors } from '../../src/lib/render/colors.js';
import { renderTrace } from '../../src/lib/render/tree.js';
import { traceJsonChunks } from '../../src/lib/render/tree-json.js';
import { openSources } from '../../src/lib/sources/open.js';
import { emptyScope, finishSpan, newAttributes, KvList, type AttrValue, type Resource, type Span } from '../../src/lib/span.js';
import { assembleTrace } from '../../src/lib/trace/assemble.js';
import { TraceCollector } from '../../src/lib/trace/collect.js';
import { subtreeCosts, type PriceFn } from '../../src/lib/trace/costs.js';
import { normalizeTracePrefix, selectTraces } from '../../src/lib/trace/select.js';

export { quiet, rng };

const T0 = 1_795_315_098_000_000_000n;
const MS = 1_000_000n;

function resource(service: string): Resource {
  const attributes = newAttributes();
  attributes['service.name'] = service;
  return { attributes, droppedAttributesCount: 0, schemaUrl: '' };
}

const RESOURCES = [resource('web'), resource('worker')];
const SCOPE = emptyScope();

type Kind = 'plain' | 'tool' | 'llm' | 'failed' | 'vercel-outer' | 'vercel-inner' | 'agent-usage' | 'embeddings';
const KINDS: Kind[] = ['plain', 'tool', 'llm', 'llm', 'failed', 'vercel-outer', 'vercel-inner', 'agent-usage', 'embeddings'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'm-unknown'];

/** Values of every type, for attributes carried through spill files (`--attrs` prints them). */
const ODD_VALUES: AttrValue[] = [7n, -3n, 2.5, 0.1, true, 'x y', 'ünï', new Uint8Array([1, 2, 255]), ['a', 1n, [false]], new KvList([['k', 'v'], ['n', 1.5]])];

export interface Dump {
  spans: Span[];
  logs: SpanLogEvent[];
  traceIds: string[];
}

/**
 * Traces of 1–12 spans: agent runs with gen_ai calls, failed calls without usage, Vercel outer
 * and inner spans both carrying the usage, agent spans carrying totals, orphans (parent never
 * arrives), spans naming themselves as parent, exact re-exports of a span, span events and log
 * events. Earliest starts tie across traces (ordered by id then) and siblings tie on start.
 * Nothing in it depends on arrival order (no parent cycles, no two different spans with one id).
 */
export function makeDump(seed: number, maxTraces = 6): Dump {
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const hex = (bytes: number) => Array.from({ length: bytes }, () => int(256).toString(16).padStart(2, '0')).join('');
  const spans: Span[] = [];
  const logs: SpanLogEvent[] = [];
  const traceIds: string[] = [];
  const traces = 1 + int(maxTraces);
  for (let t = 0; t < traces; t++) {
    const traceId = hex(16);
    traceIds.push(traceId);
    const base = T0 + BigInt(int(3)) * 5n * MS; // traces often start together
    const ids: string[] = [];
    const n = 1 + int(12);
    for (let i = 0; i < n; i++) {
      const spanId = hex(8);
      const r = rand();
      const parent = i === 0 ? (r < 0.15 ? hex(8) : '') : r < 0.07 ? hex(8) : r < 0.1 ? spanId : r < 0.15 ? '' : ids[int(i)]!;
      ids.push(spanId);
      const kind = KINDS[int(KINDS.length)]!;
      const model = MODELS[int(MODELS.length)]!;
      const attributes = newAttributes();
      const tokens = () => BigInt(1 + int(500));
      let name = `step ${i}`;
      let status = { code: 0, message: '' };
      switch (kind) {
        case 'tool':
          Object.assign(attributes, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' });
          name = 'execute_tool search';
          break;
        case 'llm':
        case 'failed':
          Object.assign(attributes, { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model });
          if (kind === 'llm') {
            Object.assign(attributes, { 'gen_ai.usage.input_tokens': tokens(), 'gen_ai.usage.output_tokens': tokens() });
            if (rand() < 0.3) attributes['gen_ai.usage.cache_read.input_tokens'] = 1n;
          } else status = { code: 2, message: '429 rate limited' };
          name = `chat ${model}`;
          break;
        case 'vercel-outer':
        case 'vercel-inner':
          name = kind === 'vercel-outer' ? 'ai.generateText' : 'ai.generateText.doGenerate';
          Object.assign(attributes, { 'ai.operationId': name, 'ai.model.id': model, 'ai.usage.inputTokens': tokens(), 'ai.usage.outputTokens': tokens() });
          break;
        case 'agent-usage':
          Object.assign(attributes, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher', 'gen_ai.usage.input_tokens': tokens(), 'gen_ai.usage.output_tokens': tokens() });
          name = 'invoke_agent researcher';
          break;
        case 'embeddings':
          Object.assign(attributes, { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': tokens() });
          name = 'embeddings text-embedding-3-small';
          break;
      }
      if (rand() < 0.4) attributes['app.odd'] = ODD_VALUES[int(ODD_VALUES.length)]!;
      const start = base + BigInt(int(20)) * MS;
      const end = start + BigInt(1 + int(30)) * MS + BigInt(int(1000));
      const span = finishSpan({
        traceId,
        spanId,
        parentSpanId: parent,
        traceState: '',
        name,
        kind: 1 + int(3),
        startTimeUnixNano: start,
        endTimeUnixNano: end,
        attributes,
        droppedAttributesCount: 0,
        events: rand() < 0.2 ? [{ timeUnixNano: start + 1000n, name: 'gen_ai.content.prompt', attributes: newAttributes(), droppedAttributesCount: 0 }] : [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status,
        flags: 0,
        resource: RESOURCES[int(2)]!,
        scope: SCOPE,
      });
      spans.push(span);
      if (rand() < 0.08) spans.push(span); // re-exported: the same span twice
      // Log event times are unique within a span, so their order never depends on arrival.
      if (rand() < 0.3) logs.push({ traceId, spanId, name: 'gen_ai.choice', timeUnixNano: start + 2000n + BigInt(logs.length) });
    }
  }
  return { spans, logs, traceIds };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function logsLine(logs: readonly SpanLogEvent[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
        scopeLogs: [{ scope: { name: 'x' }, logRecords: logs.map((e) => ({ timeUnixNano: String(e.timeUnixNano), eventName: e.name, traceId: e.traceId, spanId: e.spanId, body: { stringValue: 'secret' } })) }],
      },
    ],
  });
}

/**
 * The dump as OTLP JSON Lines: spans (and log events) in a random order (`order` seed; 0 keeps
 * them as made), batches of 1–6, dealt to `files` files at random. Returns the file names.
 */
export function writeDump(dir: string, name: string, dump: Dump, order: number, files: number): string[] {
  const rand = rng(order);
  const spans = order ? shuffle([...dump.spans], rand) : [...dump.spans];
  const logs = order ? shuffle([...dump.logs], rand) : [...dump.logs];
  const lines: string[][] = Array.from({ length: files }, () => []);
  const deal = (line: string) => lines[order ? Math.floor(rand() * files) : 0]!.push(line);
  for (let i = 0; i < spans.length; ) {
    const size = 1 + Math.floor(rand() * 6);
    deal(JSON.stringify(encodeOtlpJsonTraces(spans.slice(i, i + size))));
    i += size;
  }
  for (let i = 0; i < logs.length; ) {
    const size = 1 + Math.floor(rand() * 3);
    deal(logsLine(logs.slice(i, i + size)));
    i += size;
  }
  if (order) for (const l of lines) shuffle(l, rand);
  return lines.map((l, i) => {
    const f = path.join(dir, `${name}-${i}.jsonl`);
    writeFileSync(f, l.length ? `${l.join('\n')}\n` : '');
    return f;
  });
}

export interface TreeRun {
  format?: 'text' | 'json';
  last?: number;
  trace?: string;
  memory?: number;
  attrs?: string[];
  events?: boolean;
  /** Content of stdin, read where the sources say `-`. */
  stdin?: string | Buffer;
}

let pricing: Promise<PriceFn> | undefined;

function prices(): Promise<PriceFn> {
  pricing ??= loadPricing({ storeDir: '/nonexistent-store' }).then((book) => (view, startMs) => priceCall(book, view, startMs)?.cost);
  return pricing;
}

const colors = makeColors({ noColor: true });

/** `tree` in-process, as the command runs it (read problems are not printed). */
export async function runTree(sources: string[], o: TreeRun = {}) {
  const stdin = o.stdin === undefined ? undefined : Readable.from([Buffer.from(o.stdin)]);
  const { collector, matched } = await selectTraces((x) => openSources({ sources, withLogs: true, diagnostic: () => {}, ...x }), {
    trace: o.trace,
    last: o.last,
    memoryBytes: o.memory,
    stdin,
  });
  const format = o.format ?? 'text';
  const parts: Buffer[] = [];
  for await (const piece of treeOutput(collector, { format, attrs: o.attrs, events: o.events, colors, width: Infinity, price: format === 'text' ? await prices() : undefined })) {
    parts.push(Buffer.from(piece));
  }
  return { out: Buffer.concat(parts).toString('utf8'), matched, shown: collector.size, spilledBytes: collector.spilledBytes };
}

/** The in-memory path as `tree` had it before bounded memory: everything collected, then sorted, sliced, rendered. */
export async function referenceTree(sources: string[], o: TreeRun = {}): Promise<string> {
  const opened = await openSources({ sources, withLogs: true, diagnostic: () => {}, stdin: o.stdin === undefined ? undefined : Readable.from([Buffer.from(o.stdin)]) });
  const prefix = o.trace === undefined ? undefined : normalizeTracePrefix(o.trace);
  const accept = prefix ? (id: string) => id.startsWith(prefix) : () => true;
  const collector = new TraceCollector(accept);
  const events: SpanLogEvent[] = [];
  for await (const batch of opened.batches) {
    collector.add(batch.spans);
    if (batch.logEvents) for (const e of batch.logEvents) if (accept(e.traceId)) events.push(e);
  }
  let ids = collector.idsByStart();
  if (o.last !== undefined) ids = ids.slice(-o.last);
  const logEvents = new Map<string, SpanLogEvent[]>();
  for (const e of events) {
    const key = `${e.traceId}/${e.spanId}`;
    logEvents.set(key, [...(logEvents.get(key) ?? []), e]);
  }
  const traces = ids.map((id) => assembleTrace(id, collector.spans(id)));
  if (o.format === 'json') {
    let s = '{"traces":[';
    traces.forEach((t, i) => {
      if (i > 0) s += ',';
      for (const c of traceJsonChunks(t, { attrs: o.attrs })) s += c;
    });
    return `${s}]}\n`;
  }
  const price = await prices();
  const out: string[] = [];
  traces.forEach((t, i) => {
    if (i > 0) out.push('');
    out.push(...renderTrace(t, { colors, width: Infinity, attrs: o.attrs, costOf: subtreeCosts(t, price), events: o.events, calls: true, logEventsOf: (n) => logEvents.get(`${n.span.traceId}/${n.span.spanId}`) ?? [] }));
  });
  return out.map((l) => `${l}\n`).join('');
}

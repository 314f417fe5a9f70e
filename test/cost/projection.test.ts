/**
 * The projection a ClickHouse source applies for `cost` and `stats` (cost/projection.ts): the
 * facts of spans reduced to the projected keys equal the facts of the whole spans, and the
 * calls stage reads no attribute outside it (every read watched through a Proxy). Over the
 * generated mixed-convention data, every fixture in the repository, and random spans.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALL_MARKER_KEYS, classify, CLASSIFY_KEYS } from '../../src/lib/genai/classify.js';
import { isModelSpan } from '../../src/lib/trace/count-once.js';
import { CONTENT_KEYS, TOOL_ARGUMENT_KEYS, VERCEL_OPERATIONS } from '../../src/lib/genai/conventions.js';
import { DIMENSION_KEY_SCOPES } from '../../src/lib/genai/producers.js';
import { DEFAULT_FEATURE_KEYS, trackedKeys } from '../../src/lib/cost/tracked-keys.js';
import { planDimensions } from '../../src/lib/cost/dimensions.js';
import { FactsBuilder } from '../../src/lib/cost/facts.js';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import type { PriceBook } from '../../src/lib/cost/pricebook.js';
import { factsProjection, runProjection, type AttributeProjection } from '../../src/lib/cost/projection.js';
import { callsStageInherited } from '../../src/lib/cost/run.js';
import { REPORTED_COST_KEYS, SESSION_KEYS } from '../../src/lib/genai/agents.js';
import { newAttributes, type Attributes, type AttrValue, type Resource, type Span } from '../../src/lib/span.js';
import { generateDump } from './generate.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { makeSpan } from '../genai/make-span.js';
import { watchedSpans, type ReadKeys } from '../helpers/watched-spans.js';

const BY = ['feature', 'model', 'user', 'conversation', 'attr:tenant.id', 'attr:service.version'];
const WINDOW = { sinceMs: Date.UTC(2020, 0, 1) };

let book: PriceBook;
let corpus: Span[];

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(json|jsonl)$/.test(f) && !/expected|totals|pricing|prices|budget|baseline|config/.test(f))
    .map((f) => path.join(dir, f));
}

beforeAll(async () => {
  book = await loadPricing({ storeDir: '/nonexistent-store' });
  const dump = generateDump(tempDir(), 7, { traces: 150, files: 2, fromMs: Date.UTC(2025, 11, 20), spanDays: 20 });
  const spans: Span[] = [];
  for (const file of [...dump.files, ...fixtureFiles(path.resolve('fixtures'))]) {
    const { spans: read } = await readAll([file]).catch(() => ({ spans: [] as Span[] }));
    spans.push(...read);
  }
  corpus = spans;
}, 120_000);

function keep(a: Attributes, keys: ReadonlySet<string>): Attributes {
  const out = newAttributes();
  for (const k of Object.keys(a)) if (keys.has(k)) out[k] = a[k]!;
  return out;
}

/** The spans as a source applying the projection sends them (resources still shared). */
function projected(spans: readonly Span[], p: AttributeProjection): Span[] {
  const spanKeys = new Set(p.span);
  const resourceKeys = new Set(p.resource);
  const resources = new Map<Resource, Resource>();
  return spans.map((s) => {
    let r = resources.get(s.resource);
    if (r === undefined) resources.set(s.resource, (r = { ...s.resource, attributes: keep(s.resource.attributes, resourceKeys) }));
    return { ...s, attributes: keep(s.attributes, spanKeys), resource: r };
  });
}

/** The spans with every attribute read recorded in `read` (span keys and resource keys apart). */
function watched(spans: readonly Span[], read: ReadKeys): Span[] {
  return watchedSpans(spans, read, 'the calls stage enumerated an attribute map: a projection by key cannot serve it');
}

function facts(spans: readonly Span[], tracked: string[], toolCalls: boolean) {
  return new FactsBuilder({ book, window: WINDOW, tracked, toolCalls }).facts(spans);
}

describe('the cost/stats projection', () => {
  it('is derived from the readers\' own tables', () => {
    const p = runProjection({ groupBy: BY, toolCalls: true });
    for (const k of CLASSIFY_KEYS) expect(p.span).toContain(k);
    for (const k of [...DEFAULT_FEATURE_KEYS, 'user.id', 'enduser.id', 'gen_ai.conversation.id', 'session.id', 'tenant.id', 'service.version', ...TOOL_ARGUMENT_KEYS]) expect(p.span).toContain(k);
    for (const [key, [scopeKey]] of Object.entries(DIMENSION_KEY_SCOPES)) if (p.span.includes(key)) expect(p.span).toContain(scopeKey);
    expect(p.resource).toEqual(expect.arrayContaining(['service.name', 'telemetry.sdk.name', 'tenant.id', ...DEFAULT_FEATURE_KEYS]));
    // What the calls stage adds to the dimensions: the session and instance a call covers, the
    // model Codex's turn spans name, and the cost libraries report.
    for (const k of [...SESSION_KEYS, 'service.instance.id', 'model', ...REPORTED_COST_KEYS]) expect(p.span).toContain(k);
    // `cost` does not read tool arguments (content): they stay on the server.
    expect(runProjection({ groupBy: BY, toolCalls: false }).span).not.toContain('input.value');
  });

  it.each([false, true])('facts of projected spans equal those of whole spans, and nothing else is read (toolCalls %s)', (toolCalls) => {
    expect(corpus.length).toBeGreaterThan(1_000);
    const tracked = trackedKeys(undefined, callsStageInherited(planDimensions(BY).inherited));
    const p = factsProjection(tracked, toolCalls);
    const whole = facts(corpus, tracked, toolCalls);
    expect(whole.calls.span.length).toBeGreaterThan(200);
    expect(facts(projected(corpus, p), tracked, toolCalls)).toEqual(whole);
    const read = { span: new Set<string>(), resource: new Set<string>() };
    facts(watched(corpus, read), tracked, toolCalls);
    expect([...read.span].filter((k) => !p.span.includes(k))).toEqual([]);
    expect([...read.resource].filter((k) => !p.resource.includes(k))).toEqual([]);
  });

  it('random spans of every convention\'s keys: the same facts projected, no read outside it', () => {
    const tracked = trackedKeys(['app.feature', 'traceloop.workflow.name'], [['user.id', 'enduser.id'], ['x.custom']]);
    const key = fc.oneof(
      fc.constantFrom(...CLASSIFY_KEYS, ...tracked, ...TOOL_ARGUMENT_KEYS, ...CONTENT_KEYS.map((k) => k.replace('.*', '.0.content')), 'service.name', 'telemetry.sdk.name'),
      fc.string({ maxLength: 12 }),
    );
    const value: fc.Arbitrary<AttrValue> = fc.oneof(
      fc.constantFrom('chat', 'llm', 'LLM', 'workflow', 'tool', 'openai', 'anthropic', 'gpt-4o', '12', '0', '-3', 'openlit', '{"input":5,"output":3}', '{"ls_provider":"openai"}', '["stop"]', ''),
      fc.string({ maxLength: 8 }),
      fc.integer({ min: -5, max: 1_000_000 }).map(String),
    );
    const attrs = fc.array(fc.tuple(key, value), { maxLength: 16 });
    fc.assert(
      fc.property(
        attrs,
        attrs,
        fc.constantFrom('span', 'ai.generateText', 'ai.toolCall', 'execute_tool x', 'invoke_agent a'),
        fc.constantFrom('', '@traceloop/instrumentation-anthropic', 'openlit.otel'),
        fc.boolean(),
        (spanAttrs, resourceAttrs, name, scopeName, toolCalls) => {
          const s = makeSpan(spanAttrs, { name, scopeName, resource: Object.fromEntries(resourceAttrs) });
          const p = factsProjection(tracked, toolCalls);
          expect(facts(projected([s], p), tracked, toolCalls)).toEqual(facts([s], tracked, toolCalls));
          const read = { span: new Set<string>(), resource: new Set<string>() };
          facts(watched([s], read), tracked, toolCalls);
          expect([...read.span].filter((k) => !p.span.includes(k))).toEqual([]);
          expect([...read.resource].filter((k) => !p.resource.includes(k))).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a span without a call marker (key or Vercel name) is never a model call nor carries usage', () => {
    const unmarked = [...CLASSIFY_KEYS, ...TOOL_ARGUMENT_KEYS, 'metadata'].filter((k) => !CALL_MARKER_KEYS.has(k));
    const key = fc.oneof(fc.constantFrom(...unmarked), fc.string({ maxLength: 12 }).filter((k) => !CALL_MARKER_KEYS.has(k)));
    const value: fc.Arbitrary<AttrValue> = fc.oneof(
      fc.constantFrom('chat', 'llm', 'LLM', 'generation', 'openai', 'gpt-4o', '12', '0', '{"input":5,"output":3}', '{"ls_provider":"openai"}', 'ai.generateText'),
      fc.string({ maxLength: 8 }),
      fc.integer({ min: 0, max: 1_000_000 }),
    );
    const name = fc.oneof(fc.constantFrom('chat gpt-4o', 'execute_tool x', 'invoke_agent a', 'ai.generateText.x', 'span'), fc.string({ maxLength: 10 })).filter((n) => VERCEL_OPERATIONS[n] === undefined);
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 20 }), name, fc.constantFrom('', '@traceloop/instrumentation-anthropic', 'openlit'), (attrs, n, scopeName) => {
        const v = classify(makeSpan(attrs, { name: n, scopeName }));
        expect(v.usage).toBeUndefined();
        expect(isModelSpan(v)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    // Every call candidate of the corpus has one.
    for (const s of corpus) {
      const v = classify(s);
      if (v.usage === undefined && !isModelSpan(v)) continue;
      expect(Object.keys(s.attributes).some((k) => CALL_MARKER_KEYS.has(k)) || VERCEL_OPERATIONS[s.name] !== undefined).toBe(true);
    }
  });
});

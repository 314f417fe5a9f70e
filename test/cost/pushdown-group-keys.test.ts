/**
 * The ClickHouse cost pushdown prices a whole group of calls through one member, its witness
 * (cost/pushdown-groups.ts), so every attribute the GenAI view reads of a witness must be equal
 * across a group's members: part of the group key (IDENT_KEYS), a token count (summed; the
 * comparisons normalizeUsage makes are group keys too), or a key whose presence sends the trace to
 * Node (then no pushed member has it). Every read of a witness-like span is recorded through a
 * Proxy, over random spans of every convention's keys and over the generated mixed data and the
 * fixtures: a convention-table change that makes classify read another key fails here instead of
 * silently splitting or merging groups.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFY_KEYS, classify } from '../../src/lib/genai/classify.js';
import { OPENINFERENCE, VERCEL_OPERATIONS } from '../../src/lib/genai/conventions.js';
import { CALL_USAGE, readCall } from '../../src/lib/cost/fact-columns.js';
import { FactsBuilder } from '../../src/lib/cost/facts.js';
import { loadPricing } from '../../src/lib/cost/pricing.js';
import type { PriceBook } from '../../src/lib/cost/pricebook.js';
import { REPORTED_COST_KEYS } from '../../src/lib/genai/agents.js';
import { INHERITED_MODEL_KEYS } from '../../src/lib/cost/inherited-model.js';
import { COUNT_KEYS, IDENT_KEYS, NODE_FAMILY_KEYS } from '../../src/lib/cost/pushdown-classify-sql.js';
import { SERVICE_NAME, newAttributes, type AttrValue, type Span } from '../../src/lib/span.js';
import { generateDump } from './generate.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { makeSpan } from '../genai/make-span.js';
import { watchedSpans } from '../helpers/watched-spans.js';

/** What a group's members share or what sends a trace to Node, per place. */
const SPAN_ALLOWED = new Set<string>([...IDENT_KEYS, ...COUNT_KEYS, ...NODE_FAMILY_KEYS, ...REPORTED_COST_KEYS, ...INHERITED_MODEL_KEYS, OPENINFERENCE.METADATA]);
const RESOURCE_ALLOWED = new Set<string>([SERVICE_NAME, ...INHERITED_MODEL_KEYS]);

let book: PriceBook;

beforeAll(async () => {
  book = await loadPricing({ storeDir: '/nonexistent-store' });
});

/** A witness as pushdown-groups.ts builds it: string values, the classify keys, the service and SDK name on the resource. */
function witness(s: Span): Span {
  const attributes = newAttributes();
  for (const k of CLASSIFY_KEYS) if (s.attributes[k] !== undefined) attributes[k] = String(s.attributes[k]);
  const resource = newAttributes();
  for (const k of [SERVICE_NAME, 'telemetry.sdk.name']) if (s.resource.attributes[k] !== undefined) resource[k] = String(s.resource.attributes[k]);
  return { ...s, attributes, resource: { ...s.resource, attributes: resource } };
}

/** What a group takes from its witness (pushdown-groups.ts): the view's call fields cost reports, and the reading of its usage. */
function taken(s: Span): unknown {
  const facts = new FactsBuilder({ book, window: {}, tracked: [] }).facts([s]);
  const flags = facts.calls.flags[0];
  if (flags === undefined) return 'no call';
  const { model, entry, provider, operation, service, usage, cost, noUsage } = readCall(facts.calls, 0, flags, facts.strings);
  return { model, entry, provider, operation, service, usage, priced: cost !== null, noUsage, usageFlag: Boolean(flags & CALL_USAGE) };
}

/** The witness with only what the group key covers: other keys gone, the resource's service only, a neutral name unless a Vercel operation's. */
function coveredOnly(w: Span): Span {
  const attributes = newAttributes();
  for (const [k, v] of Object.entries(w.attributes)) if (SPAN_ALLOWED.has(k)) attributes[k] = v;
  const resource = newAttributes();
  for (const [k, v] of Object.entries(w.resource.attributes)) if (RESOURCE_ALLOWED.has(k)) resource[k] = v;
  return { ...w, name: Object.hasOwn(VERCEL_OPERATIONS, w.name) ? w.name : 'other name', attributes, resource: { ...w.resource, attributes: resource } };
}

/** Keys read outside the group key, and whether what the group takes differs without them. */
function uncovered(s: Span): { span: string[]; resource: string[]; differs?: unknown } {
  const w = witness(s);
  const read = { span: new Set<string>(), resource: new Set<string>() };
  classify(watchedSpans([w], read, 'classify enumerated a witness\'s attributes: no group key can cover that')[0]!);
  const span = [...read.span].filter((k) => !SPAN_ALLOWED.has(k)).sort();
  const resource = [...read.resource].filter((k) => !RESOURCE_ALLOWED.has(k)).sort();
  const [a, b] = [taken(w), taken(coveredOnly(w))];
  return JSON.stringify(a) === JSON.stringify(b) ? { span: [], resource: [] } : { span, resource, differs: [a, b] };
}

describe('the pushdown\'s group keys cover what classify reads of a witness', () => {
  it('random spans of every convention\'s keys', () => {
    const key = fc.oneof(fc.constantFrom(...CLASSIFY_KEYS), fc.string({ maxLength: 12 }));
    const value: fc.Arbitrary<AttrValue> = fc.oneof(
      fc.constantFrom('chat', 'llm', 'LLM', 'embedding', 'workflow', 'tool', 'openai', 'anthropic', 'gpt-4o', '12', '0', 'openlit', '{"input":5}', '{"ls_provider":"openai"}', '["stop"]', ''),
      fc.integer({ min: 0, max: 1_000_000 }).map(String),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, value), { maxLength: 16 }),
        fc.constantFrom('span', 'ai.generateText', 'ai.generateText.doGenerate', 'ai.toolCall', 'chat gpt-4o', 'invoke_agent a'),
        fc.constantFrom('', '@traceloop/instrumentation-anthropic', 'openlit.otel', 'openinference.instrumentation.langchain'),
        fc.constantFrom<Record<string, AttrValue>>({}, { 'service.name': 'api' }, { 'telemetry.sdk.name': 'openlit' }),
        (attrs, name, scopeName, resource) => {
          expect(uncovered(makeSpan(attrs, { name, scopeName, resource }))).toEqual({ span: [], resource: [] });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('every span of the generated mixed-convention data and of the fixtures', async () => {
    const dump = generateDump(tempDir(), 11, { traces: 120, files: 1, fromMs: Date.UTC(2025, 11, 20), spanDays: 5 });
    const dir = path.resolve('fixtures');
    const fixtures = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(json|jsonl)$/.test(f) && !/expected|totals|pricing|prices|budget|baseline|config/.test(f))
      .map((f) => path.join(dir, f));
    let n = 0;
    const found = { span: new Set<string>(), resource: new Set<string>() };
    for (const file of [...dump.files, ...fixtures]) {
      const { spans } = await readAll([file]).catch(() => ({ spans: [] as Span[] }));
      for (const s of spans) {
        const u = uncovered(s);
        u.span.forEach((k) => found.span.add(k));
        u.resource.forEach((k) => found.resource.add(k));
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
    expect({ span: [...found.span], resource: [...found.resource] }).toEqual({ span: [], resource: [] });
  }, 120_000);
});

/**
 * What some producers write differently from the GenAI convention, read in the one place each
 * belongs (genai/conventions.ts tables), and the same way by classify, cost, the live view and
 * lint: the Traceloop SDK's rewritten `traceloop.workflow.name`, its tool spans named only in
 * `traceloop.entity.name`, and Traceloop Anthropic's input without the cache.
 */
import { describe, expect, it } from 'vitest';
import { Attributor, type AttributedCall } from '../../src/lib/cost/attribution.js';
import { PriceBook } from '../../src/lib/cost/pricebook.js';
import { builtinPriceLayer } from '../../src/lib/cost/pricing.js';
import { classify } from '../../src/lib/genai/classify.js';
import { dimensionKeyApplies } from '../../src/lib/genai/producers.js';
import type { Finding } from '../../src/lib/lint/types.js';
import { featureOf, type FeatureSpan } from '../../src/lib/live/filters.js';
import { newAttributes, type AttrValue, type Span } from '../../src/lib/span.js';
import { span } from '../helpers/span-factory.js';
import { makeLinter } from '../lint/helpers.js';
import { harness, traceExport } from '../live/helpers.js';
import { makeSpan } from './make-span.js';

const u = (input: number, output: number, cacheRead = 0, cacheWrite = 0, reasoning = 0) => ({ input, output, cacheRead, cacheWrite, reasoning });

/** What @traceloop/instrumentation-anthropic 0.27 writes for one call (Anthropic's own counts). */
function traceloopAnthropic(input: number, cacheRead: number, cacheWrite: number, output: number, scopeName = '@traceloop/instrumentation-anthropic') {
  return makeSpan(
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-haiku-4-5',
      'gen_ai.usage.input_tokens': BigInt(input),
      'gen_ai.usage.cache_read.input_tokens': BigInt(cacheRead),
      'gen_ai.usage.cache_creation.input_tokens': BigInt(cacheWrite),
      'gen_ai.usage.output_tokens': BigInt(output),
      'gen_ai.usage.total_tokens': BigInt(input + output),
    },
    { name: 'chat claude-haiku-4-5', kind: 3, scopeName },
  );
}

function lint(spans: Span[]): Finding[] {
  const linter = makeLinter();
  return [...linter.lintBatch(spans, 'mem'), ...linter.finish()];
}
const findings = (fs: Finding[], rule: string) => fs.filter((f) => f.rule === rule).map((f) => f.spanName);

describe('Traceloop Anthropic: input without the cache', () => {
  it('is read as exclusive even when the cache is smaller than the input and the total fits the other reading', () => {
    expect(classify(traceloopAnthropic(120, 64, 16, 9)).usage).toEqual(u(200, 9, 64, 16));
    expect(classify(traceloopAnthropic(30, 200, 50, 25)).usage).toEqual(u(280, 25, 200, 50));
    expect(classify(traceloopAnthropic(0, 0, 0, 0)).usage).toEqual(u(0, 0));
    // openlit's Anthropic wrapper writes the same counts (and nothing else tells them apart).
    expect(classify(traceloopAnthropic(120, 64, 16, 9, '@openlit/instrumentation-anthropic')).usage).toEqual(u(200, 9, 64, 16));
  });

  it('another producer with the same counts keeps the convention\'s reading (the total tells)', () => {
    expect(classify(traceloopAnthropic(120, 64, 16, 9, '@traceloop/instrumentation-openai')).usage).toEqual(u(120, 9, 64, 16));
    expect(classify(traceloopAnthropic(120, 64, 16, 9, '')).usage).toEqual(u(120, 9, 64, 16));
  });

  it('lint does not call its cache larger than its input invalid; for other producers it still does', () => {
    const mine = traceloopAnthropic(30, 200, 50, 25);
    const other = { ...traceloopAnthropic(30, 200, 50, 25, 'some-instrumentation'), spanId: '00000000000000aa', name: 'other' };
    expect(findings(lint([mine, other]), 'invalid-token-count')).toEqual(['other']);
  });

  it('a junk count is still reported on its spans', () => {
    const s = traceloopAnthropic(30, 200, 50, 25);
    s.attributes['gen_ai.usage.input_tokens'] = -1n;
    expect(lint([s]).filter((f) => f.rule === 'invalid-token-count').map((f) => (f.facts as { problem: string }).problem)).toEqual(['negative']);
  });
});

describe('Traceloop SDK: traceloop.workflow.name names the feature only on the workflow span', () => {
  const kindOf = (v: AttrValue | undefined) => Object.assign(newAttributes(), v === undefined ? {} : { 'traceloop.span.kind': v }, { 'traceloop.workflow.name': 'x' });
  it.each([
    ['workflow', true],
    ['agent', false],
    ['tool', false],
    [undefined, false],
    [7, false],
    ['WORKFLOW', false],
  ] as const)('traceloop.span.kind %s → %s', (kind, applies) => {
    expect(dimensionKeyApplies(kindOf(kind), 'traceloop.workflow.name')).toBe(applies);
    expect(dimensionKeyApplies(kindOf(kind), 'app.feature')).toBe(true);
  });

  // withWorkflow(research) → withAgent(planner) → a chat call; withAgent writes planner below it.
  const wf = { 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': 'research', 'traceloop.entity.name': 'research' };
  const ag = { 'traceloop.span.kind': 'agent', 'traceloop.workflow.name': 'planner', 'traceloop.entity.name': 'planner', 'gen_ai.agent.name': 'planner' };
  const chatAttrs = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': 2,
    'traceloop.workflow.name': 'planner',
    'gen_ai.agent.name': 'planner',
  };
  const spans = () => [
    span({ id: 'wf', name: 'research.workflow', start: 0, end: 100, attrs: wf }),
    span({ id: 'ag', parent: 'wf', name: 'planner.agent', start: 1, end: 99, attrs: ag }),
    span({ id: 'c1', parent: 'ag', name: 'chat gpt-4o', start: 2, end: 20, kind: 3, attrs: chatAttrs }),
  ];

  it('cost and stats: the call is the workflow\'s, not the agent\'s', () => {
    for (const order of [spans(), spans().reverse()]) {
      const calls: AttributedCall[] = [];
      const a = new Attributor({ book: new PriceBook([builtinPriceLayer()]), onCall: (c) => calls.push(c) });
      a.add(order);
      a.finish();
      expect(calls.map((c) => c.feature)).toEqual(['research']);
    }
  });

  it('with no workflow span, the next feature key (gen_ai.agent.name) names it', () => {
    const calls: AttributedCall[] = [];
    const a = new Attributor({ book: new PriceBook([builtinPriceLayer()]), onCall: (c) => calls.push(c) });
    a.add(spans().slice(1).map((s) => (s.parentSpanId === s.spanId ? s : s.name === 'planner.agent' ? { ...s, parentSpanId: '' } : s)));
    a.finish();
    expect(calls.map((c) => c.feature)).toEqual(['planner']);
  });

  it('the live view: featureOf over whole spans, and --feature over the records it keeps of early spans', () => {
    const [w, g, c] = spans();
    const parent = new Map<string, FeatureSpan>([[g!.spanId, w!], [c!.spanId, g!]]);
    expect(featureOf(c!, (s) => parent.get(s.spanId))).toBe('research');
    // Before the workflow span arrives, the agent's name is no answer yet; at the end it is one.
    const early = (s: FeatureSpan) => (s.spanId === c!.spanId ? g : undefined);
    expect(featureOf(c!, early)).toBeUndefined();
    expect(featureOf(c!, early, undefined, true)).toBe('planner');
    const h = harness({ filters: { features: ['research'] } });
    const [ws, gs, cs] = spans();
    h.view.onExport(traceExport([cs!])); // the call first: held until its ancestors tell
    h.view.onExport(traceExport([gs!]));
    h.view.onExport(traceExport([ws!]));
    expect(h.of('span').map((e) => [e.line.span.name, e.line.feature])).toEqual([['chat gpt-4o', 'research']]);
  });
});

describe('Traceloop SDK: withTool spans', () => {
  const withTool = (attrs: Record<string, AttrValue | number>) =>
    span({ id: 't1', name: 'search_docs.tool', attrs: { 'traceloop.span.kind': 'tool', 'traceloop.workflow.name': 'planner', 'traceloop.entity.path': '', ...attrs } });

  it('named by traceloop.entity.name: no tool-missing-name, even with gen_ai.agent.name beside it', () => {
    const s = withTool({ 'traceloop.entity.name': 'search_docs', 'gen_ai.agent.name': 'planner' });
    expect(classify(s).toolName).toBe('search_docs');
    expect(findings(lint([s]), 'tool-missing-name')).toEqual([]);
  });

  it('without any name, or as a GenAI execute_tool span without gen_ai.tool.name, it is still reported', () => {
    const unnamed = withTool({ 'gen_ai.agent.name': 'planner' });
    const genai = span({ id: 't2', name: 'execute_tool DynamicStructuredTool', attrs: { 'gen_ai.operation.name': 'execute_tool', 'traceloop.span.kind': 'task', 'traceloop.entity.name': 'DynamicStructuredTool' } });
    expect(findings(lint([unnamed, genai]), 'tool-missing-name').sort()).toEqual(['execute_tool DynamicStructuredTool', 'search_docs.tool']);
  });
});

describe('OpenInference LangChain: the provider from LangChain\'s run metadata', () => {
  const chat = (metadata: AttrValue | undefined, extra: Record<string, AttrValue> = {}) =>
    classify(makeSpan({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', ...(metadata === undefined ? {} : { metadata }), ...extra }, { name: 'ChatOpenAI' }));

  it('ls_provider names it when llm.provider is absent; llm.provider wins when present', () => {
    expect(chat('{"ls_provider":"openai","ls_model_name":"gpt-4o"}').provider).toBe('openai');
    expect(chat('{"ls_provider":"openai"}', { 'llm.provider': 'azure' }).provider).toBe('azure.ai.openai');
    // Only model spans: a tool span's metadata names no provider of its own.
    expect(classify(makeSpan({ 'openinference.span.kind': 'TOOL', 'tool.name': 't', metadata: '{"ls_provider":"openai"}' })).provider).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"ls_provider":'],
    ['an array', '["openai"]'],
    ['a number', '{"ls_provider":7}'],
    ['empty', '{"ls_provider":""}'],
    ['a non-string attribute', 42],
    ['over the size limit', `{"ls_provider":"openai","pad":"${'x'.repeat(64 * 1024)}"}`],
  ])('junk metadata (%s): no provider, no crash', (_what, metadata) => {
    const v = chat(metadata as AttrValue);
    expect([v.kind, v.provider]).toEqual(['llm', undefined]);
  });
});

import { describe, expect, it } from 'vitest';
import type { GenAiView } from '../../src/lib/genai/classify.js';
import { listeningEvent, plainValue, spanEvent, summaryEvent, traceEvent } from '../../src/lib/render/live-json.js';
import { KvList } from '../../src/lib/span.js';
import { llm, span } from '../helpers/span-factory.js';
import { genAiLog, harness, logExport, traceExport } from './helpers.js';

const price = (v: GenAiView) => (v.requestModel === 'gpt-4o' && v.usage ? v.usage.input / 1e6 : undefined);

describe('tail --json event shapes', () => {
  it('span: the normalized fields, null when absent, cost null when unknown', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([llm('c1', 'root', 'my-model', 100, 10, { 'gen_ai.response.finish_reasons': ['stop'] })]));
    const ev = spanEvent(h.of('span')[0]!.line);
    expect(ev).toEqual({
      event: 'span',
      time: '2026-11-22T02:38:18.000000000Z',
      traceId: '00000000000000000000000000007431',
      spanId: '0000000000006331',
      parentSpanId: '00000000726f6f74',
      service: 'test-svc',
      name: 'chat my-model',
      kind: 'llm',
      operation: 'chat',
      provider: 'openai',
      model: 'my-model',
      requestModel: 'my-model',
      responseModel: null,
      feature: null,
      toolName: null,
      inputTokens: 100,
      outputTokens: 10,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      cost: null,
      durationMs: 20,
      ttftMs: null, // not streamed
      finishReasons: ['stop'],
      status: 'unset',
      error: null,
      counted: true,
      late: false,
    });
  });

  it('span: a streamed call carries its time to first token, read as stats reads it', () => {
    const h = harness();
    h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 1, 1, { 'gen_ai.response.time_to_first_chunk': 0.25 })]));
    expect(JSON.parse(JSON.stringify(spanEvent(h.of('span')[0]!.line)))).toMatchObject({ durationMs: 20, ttftMs: 250 });
  });

  it('span with --show-content carries content and the GenAI events that came first', () => {
    const h = harness({ showContent: true });
    h.view.onExport(logExport([genAiLog('c1', 'gen_ai.user.message', new KvList([['content', 'hi']]))]));
    h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 1, 1, { 'gen_ai.input.messages': '[]' })]));
    const ev = spanEvent(h.of('span')[0]!.line);
    expect(ev.content).toEqual({ 'gen_ai.input.messages': '[]' });
    expect(ev.events).toEqual([{ time: '2026-11-22T02:38:18.000000000Z', eventName: 'gen_ai.user.message', body: { content: 'hi' }, attributes: {} }]);
  });

  it('trace: totals of the trace under the count-once rule, cost only when every call is priced', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([span({ id: 'root', name: 'agent' }), llm('c1', 'root', 'gpt-4o', 1000, 10), llm('c2', 'root', 'gpt-4o', 2000, 20, {}, 30)]));
    h.advance(1500);
    const ev = traceEvent(h.of('trace')[0]!.done, true);
    expect(ev).toEqual({
      event: 'trace',
      traceId: '00000000000000000000000000007431',
      service: 'test-svc',
      name: 'agent',
      time: '2026-11-22T02:38:18.000000000Z',
      durationMs: 50,
      spans: 3,
      calls: 2,
      errors: 0,
      inputTokens: 3000,
      outputTokens: 30,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      cost: 0.003,
      unpricedCalls: 0,
      incomplete: false,
      reason: 'quiet',
      features: { '0000000000006331': 'agent', '0000000000006332': 'agent' }, // the root's name: no feature key
    });
  });

  it('trace: the feature of each span event by span id, so calls shown before their root arrived can be joined', () => {
    // Scenario: the usual order, children end first; the root (it names the feature) comes last.
    const h = harness({ price });
    const ndjson = () => h.events.flatMap((e) => (e.type === 'span' ? [spanEvent(e.line)] : e.type === 'trace' ? [traceEvent(e.done, true)] : [])).map((ev) => JSON.parse(JSON.stringify(ev)));
    h.view.onExport(traceExport([llm('c1', 'root', 'gpt-4o', 1000, 10), span({ id: 'tool', parent: 'root', name: 'execute_tool search', kind: 1, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } })]));
    h.view.onExport(traceExport([span({ id: 'root', name: 'agent', attrs: { 'app.feature': 'support' } })]));
    h.advance(1500);
    const events = ndjson();
    expect(events.map((e) => [e.event, e.spanId ?? null, e.feature ?? null])).toEqual([
      ['span', '0000000000006331', null],
      ['span', '00000000746f6f6c', null],
      ['trace', null, null],
    ]);
    expect(events[2].features).toEqual({ '0000000000006331': 'support', '00000000746f6f6c': 'support' });
  });

  it('summary and listening', () => {
    const h = harness({ price });
    h.view.onExport(traceExport([llm('c1', undefined, 'gpt-4o', 1000, 10), llm('c2', undefined, 'other', 5, 5, {}, 1)]));
    const ev = summaryEvent({ totals: h.view.totals, pricing: true, durationMs: 1234.5, store: '/s', forward: { url: 'http://x', forwarded: 1, failed: 0, dropped: 0 } });
    expect(ev).toMatchObject({
      event: 'summary',
      durationMs: 1235,
      calls: 2,
      inputTokens: 1005,
      cost: 0.001, // the priced part, as `cost` reports it; unpricedCalls says what is left out
      unpricedCalls: 1,
      byModel: [
        { model: 'gpt-4o', calls: 1, inputTokens: 1000, cost: 0.001 },
        { model: 'other', calls: 1, inputTokens: 5, cost: null },
      ],
      requests: { traces: 1, logs: 0, metrics: 0 },
      spans: 2,
      forward: { url: 'http://x', forwarded: 1, failed: 0, dropped: 0 },
      store: '/s',
    });
    expect(listeningEvent({ http: { host: '127.0.0.1', port: 1 }, grpc: null, store: null, showContent: false })).toEqual({
      event: 'listening',
      http: { host: '127.0.0.1', port: 1 },
      grpc: null,
      store: null,
    });
  });

  it('summary and trace costs are rounded as `cost` rounds them, without float noise', () => {
    // Scenario: two gpt-4o calls priced $0.1 and $0.2, whose float sum is 0.30000000000000004.
    const h = harness({ price });
    h.view.onExport(traceExport([span({ id: 'root', name: 'agent' }), llm('c1', 'root', 'gpt-4o', 100_000, 10), llm('c2', 'root', 'gpt-4o', 200_000, 20, {}, 30)]));
    h.advance(1500);
    expect(traceEvent(h.of('trace')[0]!.done, true)).toMatchObject({ cost: 0.3 });
    const ev = summaryEvent({ totals: h.view.totals, pricing: true, durationMs: 1, store: null });
    expect(ev).toMatchObject({ cost: 0.3, byModel: [{ model: 'gpt-4o', calls: 2, cost: 0.3 }] });
  });

  it('plain JSON values: exact big ints, base64 bytes, kvlists as objects', () => {
    expect(plainValue(5n)).toBe(5);
    expect(plainValue(9007199254740993n)).toBe('9007199254740993');
    expect(plainValue(new Uint8Array([1, 2]))).toBe('AQI=');
    expect(plainValue([new KvList([['a', 1n]]), null, true])).toEqual([{ a: 1 }, null, true]);
  });
});

/**
 * The recording's mock model servers and capture receiver (scripts/agents/, issue #19): each API
 * returns, in the vendor's own usage semantics, what its truth says, every call's numbers differ,
 * and the receiver keeps bodies exactly. The usage is read back here through the official OpenAI
 * SDK and through each vendor's documented stream format, and checked against `usageFor` mapped
 * by hand (not through the mock's own `normalized`).
 */
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture } from '../../scripts/agents/capture.mjs';
import { startMocks, usageFor, type Mocks } from '../../scripts/agents/mocks.mjs';
import { grpcServiceDefinition } from '../../src/lib/receiver/grpc.js';

/** Server-sent events of a response body: [event name or '', parsed data]. */
async function sse(res: Response): Promise<[string, any][]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)![1]!;
      return [event, data === '[DONE]' ? data : JSON.parse(data)];
    });
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('mock model servers', () => {
  let mocks: Mocks;
  beforeAll(async () => {
    mocks = await startMocks({ toolCalls: true, cwd: '/work/dir' });
  });
  afterAll(() => mocks.close());

  it('answers each API with usage in the vendor’s semantics, different for every call', async () => {
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${mocks.url}/v1` });

    // 1: OpenAI chat, not streamed. prompt includes cached, completion includes reasoning.
    const chat = await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    const u1 = usageFor(1);
    expect(chat.usage).toMatchObject({
      prompt_tokens: u1.uncachedInput + u1.cacheRead,
      completion_tokens: u1.visibleOutput + u1.reasoning,
      prompt_tokens_details: { cached_tokens: u1.cacheRead },
      completion_tokens_details: { reasoning_tokens: u1.reasoning },
    });

    // 2: OpenAI chat, streamed: usage only in the last chunk.
    const stream = await openai.chat.completions.create({ model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const usages = [];
    for await (const c of stream) if (c.usage) usages.push(c.usage);
    const u2 = usageFor(2);
    expect(usages).toEqual([expect.objectContaining({ prompt_tokens: u2.uncachedInput + u2.cacheRead, completion_tokens: u2.visibleOutput + u2.reasoning })]);

    // 3: OpenAI responses, streamed: usage on response.completed.
    const rs = await openai.responses.create({ model: 'gpt-5.1', input: 'hi', stream: true });
    let completed: any;
    for await (const e of rs) if (e.type === 'response.completed') completed = e.response.usage;
    const u3 = usageFor(3);
    expect(completed).toMatchObject({ input_tokens: u3.uncachedInput + u3.cacheRead, output_tokens: u3.visibleOutput + u3.reasoning, input_tokens_details: { cached_tokens: u3.cacheRead } });

    // 4: Anthropic, streamed: input side on message_start, final output on message_delta.
    const events = await sse(await post(`${mocks.url}/v1/messages`, { model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    const start = events.find(([e]) => e === 'message_start')![1].message.usage;
    const delta = events.find(([e]) => e === 'message_delta')![1].usage;
    const u4 = usageFor(4);
    expect(start).toMatchObject({
      input_tokens: u4.uncachedInput,
      cache_read_input_tokens: u4.cacheRead,
      cache_creation_input_tokens: u4.cacheWrite5m + u4.cacheWrite1h,
      cache_creation: { ephemeral_5m_input_tokens: u4.cacheWrite5m, ephemeral_1h_input_tokens: u4.cacheWrite1h },
    });
    expect(delta).toEqual({ output_tokens: u4.visibleOutput });

    // 5: Anthropic, not streamed.
    const msg = (await (await post(`${mocks.url}/v1/messages`, { model: 'claude-sonnet-4-5', messages: [] })).json()) as any;
    expect(msg.usage.output_tokens).toBe(usageFor(5).visibleOutput);

    // 6, 7: Gemini, streamed (SSE) and not. promptTokenCount includes cached; thoughts apart.
    const gs = await sse(await post(`${mocks.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { contents: [] }));
    const u6 = usageFor(6);
    expect(gs.at(-1)![1].usageMetadata).toEqual({
      promptTokenCount: u6.uncachedInput + u6.cacheRead,
      candidatesTokenCount: u6.visibleOutput,
      cachedContentTokenCount: u6.cacheRead,
      thoughtsTokenCount: u6.reasoning,
      totalTokenCount: u6.uncachedInput + u6.cacheRead + u6.visibleOutput + u6.reasoning,
    });
    const g = (await (await post(`${mocks.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [] })).json()) as any;
    expect(g.usageMetadata.candidatesTokenCount).toBe(usageFor(7).visibleOutput);

    // The truth: one entry per call, in order, in llmtrace's convention.
    expect(mocks.truth.map((t) => [t.seq, t.api, t.stream])).toEqual([
      [1, 'openai.chat', false],
      [2, 'openai.chat', true],
      [3, 'openai.responses', true],
      [4, 'anthropic.messages', true],
      [5, 'anthropic.messages', false],
      [6, 'gemini.streamGenerateContent', true],
      [7, 'gemini.generateContent', false],
    ]);
    expect(mocks.truth[3]!.normalized).toEqual({
      input: u4.uncachedInput + u4.cacheRead + u4.cacheWrite5m + u4.cacheWrite1h,
      cacheRead: u4.cacheRead,
      cacheWrite: u4.cacheWrite5m + u4.cacheWrite1h,
      output: u4.visibleOutput,
      reasoning: 0,
      cacheWrite5m: u4.cacheWrite5m,
      cacheWrite1h: u4.cacheWrite1h,
    });
    expect(mocks.truth[5]!.normalized).toEqual({ input: u6.uncachedInput + u6.cacheRead, cacheRead: u6.cacheRead, cacheWrite: 0, output: u6.visibleOutput + u6.reasoning, reasoning: u6.reasoning });
    // Every figure of every call differs from every other call's.
    for (const k of ['input', 'cacheRead', 'output'] as const) expect(new Set(mocks.truth.map((t) => t.normalized[k])).size).toBe(mocks.truth.length);
  });

  it('calls an offered read-only tool once, then answers in text', async () => {
    const tools = [{ name: 'Read', input_schema: { type: 'object' } }];
    const first = (await (await post(`${mocks.url}/v1/messages`, { model: 'm', tools, messages: [{ role: 'user', content: 'read it' }] })).json()) as any;
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content[0]).toMatchObject({ type: 'tool_use', name: 'Read', input: { file_path: '/work/dir/notes.txt' } });
    const messages = [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: first.content[0].id, content: 'x' }] }];
    const second = (await (await post(`${mocks.url}/v1/messages`, { model: 'm', tools, messages })).json()) as any;
    expect(second.content[0].type).toBe('text');
    expect(mocks.truth.slice(-2).map((t) => t.toolCall)).toEqual(['Read', undefined]);
  });

  it('answers an unknown route 404 and a broken body without crashing, and records neither as a model call', async () => {
    const before = mocks.truth.length;
    expect((await fetch(`${mocks.url}/nope`, { method: 'POST' })).status).toBe(404);
    expect(mocks.unhandled.at(-1)).toMatchObject({ method: 'POST', path: '/nope' });
    const broken = await fetch(`${mocks.url}/v1/chat/completions`, { method: 'POST', body: '{"model": "x", ' });
    expect(broken.status).toBe(200); // answered as a request without fields
    expect(mocks.truth.length).toBe(before + 1);
  });

  it('reports Responses cache writes only when asked (Codex reads them)', async () => {
    const m = await startMocks({ responsesCacheWrite: true });
    try {
      const r = (await (await post(`${m.url}/v1/responses`, { model: 'gpt-5.1-codex', input: 'hi' })).json()) as any;
      const u = usageFor(1);
      expect(r.usage.input_tokens_details).toEqual({ cached_tokens: u.cacheRead, cache_write_tokens: u.cacheWrite5m });
      expect(r.usage.input_tokens).toBe(u.uncachedInput + u.cacheRead + u.cacheWrite5m);
      expect(m.truth[0]!.normalized.cacheWrite).toBe(u.cacheWrite5m);
    } finally {
      await m.close();
    }
  });
});

describe('capture receiver', () => {
  it('keeps HTTP bodies (gzip undone) and gRPC messages exactly, with path, type and time', async () => {
    const cap = await startCapture();
    try {
      const json = Buffer.from('{"resourceLogs":[]}');
      const res = await fetch(`${cap.httpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(json) });
      expect(res.status).toBe(200);
      const pb = Buffer.from([0x0a, 0x00]);
      const res2 = await fetch(`${cap.httpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: pb });
      expect(res2.headers.get('content-type')).toBe('application/x-protobuf');
      const Ctor = grpc.makeGenericClientConstructor(grpcServiceDefinition('traces'), 'traces');
      const client = new Ctor(cap.grpcUrl.replace('http://', ''), grpc.credentials.createInsecure()) as unknown as grpc.Client & { Export(b: Buffer, cb: (e: Error | null) => void): void };
      const spans = Buffer.from([0x0a, 0x02, 0x0a, 0x00]);
      await new Promise<void>((resolve, reject) => client.Export(spans, (e) => (e ? reject(e) : resolve())));
      client.close();
      expect(cap.requests.map((r) => [r.seq, r.transport, r.path, r.signal, r.contentType, r.contentEncoding])).toEqual([
        [1, 'http', '/v1/logs', 'logs', 'application/json', 'gzip'],
        [2, 'http', '/v1/metrics', 'metrics', 'application/x-protobuf', null],
        [3, 'grpc', '/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'traces', 'application/grpc', null],
      ]);
      expect(cap.requests.map((r) => r.body)).toEqual([json, pb, spans]);
      for (const r of cap.requests) expect(Number.isNaN(Date.parse(r.time))).toBe(false);
    } finally {
      await cap.close();
    }
  });
});

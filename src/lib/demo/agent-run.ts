/**
 * A realistic agent run in the current GenAI conventions, for `llmtrace demo`: an agent root,
 * chat calls on two models (with cached tokens), tool calls, an embeddings call and one failed
 * call. Times are laid out backwards from `now` so the run looks like it just happened.
 */
import { randomBytes } from 'node:crypto';
import { emptyScope, finishSpan, newAttributes, type AttrValue, type Resource, type Span } from '../span.js';

export interface DemoOptions {
  now: Date;
  /** Source of random bytes for ids (tests inject a deterministic one). */
  random?: (n: number) => Buffer;
  service?: string;
}

interface Step {
  name: string;
  kind: number;
  parent: 'root' | 'none';
  /** Offsets from the run's start, in milliseconds. */
  start: number;
  end: number;
  attrs: Record<string, AttrValue>;
  error?: string;
}

const chat = (model: string, provider: string, usage: { input: number; output: number; cacheRead?: number; cacheWrite?: number }, finish: string): Record<string, AttrValue> => {
  const a: Record<string, AttrValue> = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': model,
    'gen_ai.response.model': model,
    'gen_ai.usage.input_tokens': BigInt(usage.input),
    'gen_ai.usage.output_tokens': BigInt(usage.output),
    'gen_ai.response.finish_reasons': [finish],
    'server.address': provider === 'anthropic' ? 'api.anthropic.com' : 'api.openai.com',
    'server.port': 443n,
  };
  if (usage.cacheRead) a['gen_ai.usage.cache_read.input_tokens'] = BigInt(usage.cacheRead);
  if (usage.cacheWrite) a['gen_ai.usage.cache_creation.input_tokens'] = BigInt(usage.cacheWrite);
  return a;
};

const tool = (name: string, callId: string): Record<string, AttrValue> => ({
  'gen_ai.operation.name': 'execute_tool',
  'gen_ai.tool.name': name,
  'gen_ai.tool.call.id': callId,
  'gen_ai.tool.type': 'function',
});

const STEPS: Step[] = [
  { name: 'chat gpt-4o', kind: 3, parent: 'root', start: 12, end: 1_830, attrs: chat('gpt-4o', 'openai', { input: 1_240, output: 156, cacheRead: 1_024 }, 'tool_calls') },
  { name: 'execute_tool search_docs', kind: 1, parent: 'root', start: 1_842, end: 2_310, attrs: tool('search_docs', 'call_1') },
  { name: 'embeddings text-embedding-3-small', kind: 3, parent: 'root', start: 1_850, end: 2_020, attrs: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.response.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 512n, 'server.address': 'api.openai.com', 'server.port': 443n } },
  { name: 'execute_tool fetch_page', kind: 1, parent: 'root', start: 2_315, end: 2_990, attrs: tool('fetch_page', 'call_2') },
  // A call the provider refused: no response, so no usage, model or finish reason.
  { name: 'chat gpt-4o-mini', kind: 3, parent: 'root', start: 3_000, end: 3_140, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'server.address': 'api.openai.com', 'server.port': 443n, 'error.type': '429' }, error: 'Rate limit reached for gpt-4o-mini' },
  { name: 'chat claude-sonnet-4-20250514', kind: 3, parent: 'root', start: 3_150, end: 6_420, attrs: chat('claude-sonnet-4-20250514', 'anthropic', { input: 3_400, output: 410, cacheRead: 2_048, cacheWrite: 512 }, 'end_turn') },
  { name: 'chat gpt-4o', kind: 3, parent: 'root', start: 6_430, end: 8_210, attrs: chat('gpt-4o', 'openai', { input: 2_100, output: 380, cacheRead: 1_280 }, 'stop') },
];

const RUN_MS = 8_260;

export function demoAgentRun(opts: DemoOptions): Span[] {
  const random = opts.random ?? randomBytes;
  const hex = (n: number) => {
    for (;;) {
      const id = random(n).toString('hex');
      if (!/^0+$/.test(id)) return id;
    }
  };
  const traceId = hex(16);
  const rootId = hex(8);
  const startNs = BigInt(opts.now.getTime() - RUN_MS) * 1_000_000n;
  const ns = (ms: number) => startNs + BigInt(Math.round(ms * 1e6));
  const resource: Resource = {
    attributes: Object.assign(newAttributes(), {
      'service.name': opts.service ?? 'llmtrace-demo',
      'service.version': '1.0.0',
      'deployment.environment.name': 'development',
      'telemetry.sdk.name': 'llmtrace-demo',
    }),
    droppedAttributesCount: 0,
    schemaUrl: '',
  };
  const scope = { ...emptyScope(), name: 'llmtrace.demo', version: '1.0.0' };
  const make = (id: string, parent: string, name: string, kind: number, start: number, end: number, attrs: Record<string, AttrValue>, error?: string): Span =>
    finishSpan({
      traceId,
      spanId: id,
      parentSpanId: parent,
      traceState: '',
      name,
      kind,
      startTimeUnixNano: ns(start),
      endTimeUnixNano: ns(end),
      attributes: Object.assign(newAttributes(), attrs),
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: error ? { code: 2, message: error } : { code: 0, message: '' },
      flags: 1,
      resource,
      scope,
    });
  const root = make(rootId, '', 'invoke_agent research-assistant', 1, 0, RUN_MS, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.provider.name': 'openai',
    'gen_ai.agent.name': 'research-assistant',
    'gen_ai.conversation.id': `conv_${hex(4)}`,
    'app.feature': 'research',
    'user.id': 'user_42',
    'session.id': `sess_${hex(4)}`,
    'tenant.id': 'acme',
  });
  return [root, ...STEPS.map((s) => make(hex(8), rootId, s.name, s.kind, s.start, s.end, s.attrs, s.error))];
}

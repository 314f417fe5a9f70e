// A tiny OpenAI-compatible server with deterministic answers and fixed token counts per model.
// Plain ESM JavaScript so the emitter child process can use it with plain `node`.
import { createServer } from 'node:http';
import { routeAnthropic } from './anthropic-mock.mjs';
import { routeGemini } from './gemini-mock.mjs';

/**
 * Fixed usage per request model. `prompt` includes `cached`, `completion` includes `reasoning`
 * (OpenAI's own semantics). Embeddings have no completion tokens.
 */
export const TOKEN_TABLE = Object.freeze({
  'gpt-4o': Object.freeze({ prompt: 23, completion: 12, cached: 11, reasoning: 0 }),
  'gpt-4o-mini': Object.freeze({ prompt: 46, completion: 7, cached: 0, reasoning: 0 }),
  'o4-mini': Object.freeze({ prompt: 14, completion: 40, cached: 0, reasoning: 32 }),
  'text-embedding-3-small': Object.freeze({ prompt: 16, completion: 0, cached: 0, reasoning: 0 }),
});
export const DEFAULT_TOKENS = Object.freeze({ prompt: 10, completion: 5, cached: 0, reasoning: 0 });
/** Requests for this model are answered with HTTP 429. */
export const FAIL_429_MODEL = 'fail-429';

export const CREATED = 1_700_000_000;
export const TOOL_ARGUMENTS = '{"query":"opentelemetry genai"}';
export const EMBEDDING = Object.freeze([0.125, -0.25, 0.5, -1, 0.0625, 0.75, -0.375, 1]);

/** @param {string} model */
export function tokensFor(model) {
  return TOKEN_TABLE[/** @type {keyof typeof TOKEN_TABLE} */ (model)] ?? DEFAULT_TOKENS;
}

function chatUsage(model) {
  const t = tokensFor(model);
  return {
    prompt_tokens: t.prompt,
    completion_tokens: t.completion,
    total_tokens: t.prompt + t.completion,
    prompt_tokens_details: { cached_tokens: t.cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: t.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A tool call is answered when tools are offered and no tool result is in the conversation yet. */
function wantsToolCall(body) {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return tools.length > 0 && !messages.some((m) => m?.role === 'tool');
}

function answerText(model) {
  return `Deterministic answer from ${model}.`;
}

function sendJson(res, status, obj, headers = {}) {
  const data = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}

function chat(body, id, res) {
  const model = String(body.model);
  const toolCall = wantsToolCall(body)
    ? {
        index: 0,
        id: `call_${id}`,
        type: 'function',
        function: { name: String(body.tools[0]?.function?.name ?? 'tool'), arguments: TOOL_ARGUMENTS },
      }
    : undefined;
  const finish_reason = toolCall ? 'tool_calls' : 'stop';
  const base = { id: `chatcmpl-${id}`, created: CREATED, model, system_fingerprint: 'fp_peers' };

  if (!body.stream) {
    const { index: _index, ...call } = toolCall ?? {};
    const message = toolCall
      ? { role: 'assistant', content: null, tool_calls: [call], refusal: null }
      : { role: 'assistant', content: answerText(model), refusal: null };
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason }],
      usage: chatUsage(model),
    });
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (choices, extra = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
  send([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  if (toolCall) {
    send([{ index: 0, delta: { tool_calls: [toolCall] }, logprobs: null, finish_reason: null }]);
  } else {
    for (const piece of answerText(model).split(/(?<= )/)) {
      send([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]);
    }
  }
  send([{ index: 0, delta: {}, logprobs: null, finish_reason }]);
  if (body.stream_options?.include_usage) send([], { usage: chatUsage(model) });
  res.end('data: [DONE]\n\n');
}

function embeddings(body, res) {
  const model = String(body.model);
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const base64 = body.encoding_format === 'base64'; // openai-node >= 5 asks for base64 by default
  const vector = base64 ? Buffer.from(new Float32Array(EMBEDDING).buffer).toString('base64') : [...EMBEDDING];
  const t = tokensFor(model);
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: vector })),
    model,
    usage: { prompt_tokens: t.prompt, total_tokens: t.prompt },
  });
}

/**
 * Start the server on 127.0.0.1 and a free port.
 * @returns {Promise<{ url: string, requests: Array<{ path: string, body: any }>, close(): Promise<void> }>}
 *   `url` is the base URL to hand to an OpenAI client (ends in `/v1`).
 */
export async function startOpenAIServer() {
  /** @type {Array<{ path: string, body: any }>} */
  const requests = [];
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        sendJson(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
        return;
      }
      const path = (req.url ?? '').split('?')[0];
      requests.push({ path, body });
      const id = String(++counter).padStart(4, '0');
      if (req.method === 'POST' && body.model === FAIL_429_MODEL && path !== '/v1/messages') {
        sendJson(
          res,
          429,
          { error: { message: 'Rate limit reached (forced by the peers server).', type: 'requests', code: 'rate_limit_exceeded', param: null } },
          { 'retry-after': '0' },
        );
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        chat(body, id, res);
      } else if (req.method === 'POST' && path === '/v1/embeddings') {
        embeddings(body, res);
      } else if (routeAnthropic(req.method ?? '', path, body, id, res) || routeGemini(req.method ?? '', path, body, id, res)) {
        // answered by the Anthropic Messages or Gemini mock (same server: origin = url without /v1)
      } else {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

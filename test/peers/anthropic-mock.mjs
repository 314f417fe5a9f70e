// Anthropic Messages API (POST /v1/messages) for the mock server in openai-server.mjs: fixed
// usage per model, with prompt-cache counts, also when streaming (message_start carries the input
// and cache counts, message_delta the cumulative output count, as the API documents).

/**
 * Fixed usage per request model, in Anthropic's own terms: `input` EXCLUDES the cache counts
 * (the API's `input_tokens`), so the OTel input is input + cacheRead + cacheWrite.
 */
export const ANTHROPIC_TOKENS = Object.freeze({
  'claude-sonnet-4-5': Object.freeze({ input: 30, cacheRead: 1024, cacheWrite: 200, output: 25 }),
  'claude-haiku-4-5': Object.freeze({ input: 12, cacheRead: 512, cacheWrite: 64, output: 40 }),
});
export const ANTHROPIC_DEFAULT_TOKENS = Object.freeze({ input: 10, cacheRead: 0, cacheWrite: 0, output: 5 });
/** Requests for this model are answered with HTTP 429 (shared with the OpenAI routes). */
export const ANTHROPIC_FAIL_MODEL = 'fail-429';
export const ANTHROPIC_TOOL_INPUT = Object.freeze({ query: 'opentelemetry genai' });

/** @param {string} model */
export function anthropicTokensFor(model) {
  return ANTHROPIC_TOKENS[/** @type {keyof typeof ANTHROPIC_TOKENS} */ (model)] ?? ANTHROPIC_DEFAULT_TOKENS;
}

function usageOf(model) {
  const t = anthropicTokensFor(model);
  return {
    input_tokens: t.input,
    cache_creation_input_tokens: t.cacheWrite,
    cache_read_input_tokens: t.cacheRead,
    output_tokens: t.output,
    service_tier: 'standard',
  };
}

/** A tool use is answered when tools are offered and no tool result is in the conversation yet. */
function wantsToolUse(body) {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const hasResult = messages.some((m) => Array.isArray(m?.content) && m.content.some((c) => c?.type === 'tool_result'));
  return tools.length > 0 && !hasResult;
}

function send(res, status, obj) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

/**
 * Answer a request if it is for the Messages API; return false otherwise.
 * @param {string} method @param {string} path @param {any} body @param {string} id
 * @param {import('node:http').ServerResponse} res
 */
export function routeAnthropic(method, path, body, id, res) {
  if (method !== 'POST' || path !== '/v1/messages') return false;
  const model = String(body.model);
  if (model === ANTHROPIC_FAIL_MODEL) {
    send(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached (forced by the peers server).' } });
    return true;
  }
  const toolName = String(body.tools?.[0]?.name ?? 'tool');
  const block = wantsToolUse(body)
    ? { type: 'tool_use', id: `toolu_${id}`, name: toolName, input: ANTHROPIC_TOOL_INPUT }
    : { type: 'text', text: `Deterministic answer from ${model}.` };
  const stop_reason = block.type === 'tool_use' ? 'tool_use' : 'end_turn';
  const message = { id: `msg_${id}`, type: 'message', role: 'assistant', model, stop_sequence: null };
  if (!body.stream) {
    send(res, 200, { ...message, content: [block], stop_reason, usage: usageOf(model) });
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const u = usageOf(model);
  event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...u, output_tokens: 1 } } });
  if (block.type === 'tool_use') {
    event('content_block_start', { index: 0, content_block: { ...block, input: {} } });
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
  } else {
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const piece of block.text.split(/(?<= )/)) event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: u.output_tokens } });
  event('message_stop', {});
  res.end();
  return true;
}

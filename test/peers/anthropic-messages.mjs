// The Anthropic Messages API (POST /v1/messages) of the peers mock server: deterministic answers
// and fixed usage per model, with prompt-cache counts, streamed or not. Plain ESM JavaScript, like
// openai-server.mjs, which routes /v1/messages here.

/**
 * Fixed usage per request model, as Anthropic reports it: `input` EXCLUDES the cache counts
 * (`cache_read_input_tokens`, `cache_creation_input_tokens`), so the input the model read is
 * input + cacheRead + cacheWrite. `claude-sonnet-4-5` has more cache than input (the producer's
 * split shows in the counts); `claude-haiku-4-5` has less (it does not); `claude-opus-4-1` is
 * streamed.
 */
export const ANTHROPIC_TOKEN_TABLE = Object.freeze({
  'claude-sonnet-4-5': Object.freeze({ input: 30, cacheRead: 200, cacheWrite: 50, output: 25 }),
  'claude-haiku-4-5': Object.freeze({ input: 120, cacheRead: 64, cacheWrite: 16, output: 9 }),
  'claude-opus-4-1': Object.freeze({ input: 8, cacheRead: 512, cacheWrite: 0, output: 40 }),
});
export const ANTHROPIC_DEFAULT_TOKENS = Object.freeze({ input: 10, cacheRead: 0, cacheWrite: 0, output: 5 });

/** @param {string} model */
export function anthropicTokensFor(model) {
  return ANTHROPIC_TOKEN_TABLE[/** @type {keyof typeof ANTHROPIC_TOKEN_TABLE} */ (model)] ?? ANTHROPIC_DEFAULT_TOKENS;
}

export const ANTHROPIC_TOOL_INPUT = Object.freeze({ query: 'opentelemetry genai' });

function usageOf(model) {
  const t = anthropicTokensFor(model);
  return {
    input_tokens: t.input,
    cache_creation_input_tokens: t.cacheWrite,
    cache_read_input_tokens: t.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: t.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: t.output,
    service_tier: 'standard',
  };
}

/** A tool call is answered when tools are offered and no tool result is in the conversation yet. */
function wantsToolUse(body) {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const hasResult = messages.some((m) => Array.isArray(m?.content) && m.content.some((c) => c?.type === 'tool_result'));
  return tools.length > 0 && !hasResult;
}

/**
 * Answer one Messages request. Streaming follows the API's event order: message_start carries
 * the input and cache counts (and output_tokens 1), message_delta the final output count.
 * @param {any} body @param {string} id @param {import('node:http').ServerResponse} res
 * @param {(res: any, status: number, obj: unknown) => void} sendJson
 */
export function anthropicMessages(body, id, res, sendJson) {
  const model = String(body.model);
  const toolUse = wantsToolUse(body)
    ? { type: 'tool_use', id: `toolu_${id}`, name: String(body.tools[0]?.name ?? 'tool'), input: ANTHROPIC_TOOL_INPUT }
    : undefined;
  const text = `Deterministic answer from ${model}.`;
  const stop_reason = toolUse ? 'tool_use' : 'end_turn';
  const message = { id: `msg_${id}`, type: 'message', role: 'assistant', model };
  if (!body.stream) {
    sendJson(res, 200, { ...message, content: [toolUse ?? { type: 'text', text }], stop_reason, stop_sequence: null, usage: usageOf(model) });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  send('message_start', { message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usageOf(model), output_tokens: 1 } } });
  if (toolUse) {
    send('content_block_start', { index: 0, content_block: { ...toolUse, input: {} } });
    send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(toolUse.input) } });
  } else {
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const piece of text.split(/(?<= )/)) send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  }
  send('content_block_stop', { index: 0 });
  send('message_delta', { delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: anthropicTokensFor(model).output } });
  send('message_stop', {});
  res.end();
}

/** The API's 429, in Anthropic's error shape. */
export function anthropicRateLimited(res, sendJson) {
  sendJson(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached (forced by the peers server).' } }, { 'retry-after': '0' });
}

// Mock model servers for recording coding agents' telemetry (scripts/record-agents.mjs).
//
// One HTTP server answers the three vendor APIs the agents speak:
//   Anthropic Messages      POST /v1/messages (stream or not), /v1/messages/count_tokens
//   OpenAI chat completions POST /v1/chat/completions (stream or not)
//   OpenAI responses        POST /v1/responses (stream or not)
//   Gemini                  POST /v1beta/models/<model>:generateContent | :streamGenerateContent | :countTokens
// Every answered model call gets usage numbers of its own (request n of the server gets numbers
// that no other request has), so a reader that counts a call twice, or drops one, gives a total
// that differs from the truth. What was returned is kept in `truth` in two forms: the vendor's
// raw usage object, and llmtrace's convention (input includes cache read and write; output
// includes reasoning) so tests can compare without re-deriving the vendor semantics.
//
// Plain ESM JavaScript with no dependencies, so it runs beside any CLI with plain `node`.
import { createServer } from 'node:http';

/**
 * The usage of the n-th model call (n from 1). Distinct per n, never zero, and with every
 * component present so each reader's mapping of each field is exercised.
 */
export function usageFor(n) {
  return {
    uncachedInput: 1000 + 101 * n,
    cacheRead: 200 + 37 * n,
    cacheWrite5m: 30 + 11 * n,
    cacheWrite1h: 7 + 5 * n,
    visibleOutput: 40 + 13 * n,
    reasoning: 9 + 3 * n,
  };
}

/** Which tool each agent is asked to call, and its arguments, by the tool names they offer. */
const TOOL_CHOICES = [
  // Claude Code: read-only in the working directory, needs no permission in print mode.
  { name: 'Read', args: (cwd) => ({ file_path: `${cwd}/notes.txt` }) },
  { name: 'Glob', args: () => ({ pattern: '*.txt' }) },
  // Codex: a read-only command (its sandbox is read-only in the recording).
  { name: 'exec_command', args: () => ({ cmd: 'cat notes.txt' }) },
  // Gemini CLI: read-only, allowed in non-interactive mode.
  { name: 'list_directory', args: (cwd) => ({ path: cwd ?? '.', dir_path: cwd ?? '.' }) },
  // Copilot CLI.
  { name: 'glob', args: () => ({ pattern: '*.txt' }) },
];

function pickTool(names, cwd) {
  for (const c of TOOL_CHOICES) if (names.includes(c.name)) return { name: c.name, args: c.args(cwd) };
  return undefined;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ port?: number, delayMs?: number, toolCalls?: boolean, cwd?: string, responsesCacheWrite?: boolean, log?: (s: string) => void }} opts
 *   delayMs: wait before each answer (so a run spans several metric export intervals);
 *   toolCalls: answer the first request of a conversation that offers a known tool with a call to it;
 *   cwd: the directory the agent runs in (for tools that take a path);
 *   responsesCacheWrite: OpenAI responses report cache writes (input_tokens_details.cache_write_tokens).
 */
export async function startMocks(opts = {}) {
  const truth = [];
  const unhandled = [];
  let n = 0;
  const log = opts.log ?? (() => {});

  const record = (entry) => {
    truth.push(entry);
    log(`mock: #${entry.seq} ${entry.api} ${entry.model} stream=${entry.stream} tool=${entry.toolCall ?? '-'}`);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const raw = await readBody(req);
    let body = {};
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      body = {};
    }
    const p = url.pathname;
    try {
      if (req.method === 'POST' && /\/messages\/count_tokens$/.test(p)) return sendJson(res, 200, { input_tokens: 42 });
      if (req.method === 'POST' && /\/messages$/.test(p)) return await anthropic(body, res);
      if (req.method === 'POST' && /\/chat\/completions$/.test(p)) return await chat(body, res);
      if (req.method === 'POST' && /\/responses$/.test(p)) return await responses(body, res);
      const g = /\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(p);
      if (req.method === 'POST' && g) return await gemini(decodeURIComponent(g[1]), g[2], body, res);
      if (req.method === 'GET' && /\/models$/.test(p)) return sendJson(res, 200, { object: 'list', data: [], models: [] });
    } catch (e) {
      log(`mock: error on ${p}: ${e?.stack ?? e}`);
      if (!res.headersSent) return sendJson(res, 500, { error: { message: String(e) } });
      return res.end();
    }
    unhandled.push({ method: req.method, path: p, time: new Date().toISOString() });
    log(`mock: unhandled ${req.method} ${p}`);
    sendJson(res, 404, { error: { message: `mock: no route for ${req.method} ${p}` } });
  });

  // ---------- Anthropic Messages ----------
  async function anthropic(body, res) {
    const seq = ++n;
    const u = usageFor(seq);
    const model = String(body.model ?? 'claude-unknown');
    const tools = Array.isArray(body.tools) ? body.tools.map((t) => t?.name).filter(Boolean) : [];
    const hasResult = JSON.stringify(body.messages ?? []).includes('"tool_result"');
    const tool = opts.toolCalls && !hasResult ? pickTool(tools, opts.cwd) : undefined;
    if (process.env.MOCK_DEBUG_TOOLS) log(`mock: tools offered: ${tools.join(',')}`);
    const usage = {
      input_tokens: u.uncachedInput,
      cache_creation_input_tokens: u.cacheWrite5m + u.cacheWrite1h,
      cache_read_input_tokens: u.cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite5m, ephemeral_1h_input_tokens: u.cacheWrite1h },
      output_tokens: u.visibleOutput,
      service_tier: 'standard',
    };
    const id = `msg_mock_${seq}`;
    const content = tool
      ? [{ type: 'tool_use', id: `toolu_mock_${seq}`, name: tool.name, input: tool.args }]
      : [{ type: 'text', text: `Mock answer ${seq}.` }];
    const stop = tool ? 'tool_use' : 'end_turn';
    record({
      seq, api: 'anthropic.messages', model, stream: Boolean(body.stream), toolCall: tool?.name, time: new Date().toISOString(),
      returned: usage,
      normalized: norm(u.uncachedInput + u.cacheRead + u.cacheWrite5m + u.cacheWrite1h, u.cacheRead, u.cacheWrite5m + u.cacheWrite1h, u.visibleOutput, 0, { cacheWrite5m: u.cacheWrite5m, cacheWrite1h: u.cacheWrite1h }),
    });
    if (opts.delayMs) await sleep(opts.delayMs);
    if (!body.stream) {
      return sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage }, { 'request-id': `req_${seq}` });
    }
    const sse = startSse(res, { 'request-id': `req_${seq}` });
    // As the API does: message_start carries the input side, message_delta the final output count.
    sse.event('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
    content.forEach((c, i) => {
      if (c.type === 'text') {
        sse.event('content_block_start', { type: 'content_block_start', index: i, content_block: { type: 'text', text: '' } });
        sse.event('content_block_delta', { type: 'content_block_delta', index: i, delta: { type: 'text_delta', text: c.text } });
      } else {
        sse.event('content_block_start', { type: 'content_block_start', index: i, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
        sse.event('content_block_delta', { type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.input) } });
      }
      sse.event('content_block_stop', { type: 'content_block_stop', index: i });
    });
    sse.event('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.visibleOutput } });
    sse.event('message_stop', { type: 'message_stop' });
    res.end();
  }

  // ---------- OpenAI chat completions ----------
  async function chat(body, res) {
    const seq = ++n;
    const u = usageFor(seq);
    const model = String(body.model ?? 'gpt-unknown');
    const tools = Array.isArray(body.tools) ? body.tools.map((t) => t?.function?.name ?? t?.name).filter(Boolean) : [];
    const hasResult = (body.messages ?? []).some((m) => m?.role === 'tool');
    const tool = opts.toolCalls && !hasResult ? pickTool(tools, opts.cwd) : undefined;
    if (process.env.MOCK_DEBUG_TOOLS) log(`mock: tools offered: ${tools.join(',')}`);
    // OpenAI: prompt_tokens includes cached; completion_tokens includes reasoning. No cache write.
    const input = u.uncachedInput + u.cacheRead;
    const output = u.visibleOutput + u.reasoning;
    const usage = {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    record({ seq, api: 'openai.chat', model, stream: Boolean(body.stream), toolCall: tool?.name, time: new Date().toISOString(), returned: usage, normalized: norm(input, u.cacheRead, 0, output, u.reasoning) });
    if (opts.delayMs) await sleep(opts.delayMs);
    const id = `chatcmpl-mock-${seq}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = tool ? [{ id: `call_mock_${seq}`, type: 'function', function: { name: tool.name, arguments: JSON.stringify(tool.args) } }] : undefined;
    const finish = tool ? 'tool_calls' : 'stop';
    if (!body.stream) {
      const message = tool ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: `Mock answer ${seq}.` };
      return sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }], usage });
    }
    const sse = startSse(res);
    const chunk = (choices, extra = {}) => sse.data({ id, object: 'chat.completion.chunk', created, model, choices, ...extra });
    if (tool) {
      chunk([{ index: 0, delta: { role: 'assistant', content: null, tool_calls: toolCalls.map((c, i) => ({ index: i, ...c })) }, finish_reason: null }]);
    } else {
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
      chunk([{ index: 0, delta: { content: `Mock answer ${seq}.` }, finish_reason: null }]);
    }
    chunk([{ index: 0, delta: {}, finish_reason: finish }]);
    chunk([], { usage });
    sse.data('[DONE]');
    res.end();
  }

  // ---------- OpenAI responses ----------
  async function responses(body, res) {
    const seq = ++n;
    const u = usageFor(seq);
    const model = String(body.model ?? 'gpt-unknown');
    const tools = Array.isArray(body.tools) ? body.tools.map((t) => t?.name ?? t?.function?.name).filter(Boolean) : [];
    const input = Array.isArray(body.input) ? body.input : [];
    const hasResult = input.some((i) => i?.type === 'function_call_output' || i?.type === 'custom_tool_call_output');
    const tool = opts.toolCalls && !hasResult ? pickTool(tools, opts.cwd) : undefined;
    if (process.env.MOCK_DEBUG_TOOLS) log(`mock: tools offered: ${tools.join(',')}`);
    // input_tokens includes cached (and cache-write) tokens, output_tokens includes reasoning.
    // The cache-write detail is newer than most clients: only sent when asked (opts.responsesCacheWrite).
    const cacheWrite = opts.responsesCacheWrite ? u.cacheWrite5m : 0;
    const inTok = u.uncachedInput + u.cacheRead + cacheWrite;
    const outTok = u.visibleOutput + u.reasoning;
    const usage = {
      input_tokens: inTok,
      input_tokens_details: opts.responsesCacheWrite ? { cached_tokens: u.cacheRead, cache_write_tokens: cacheWrite } : { cached_tokens: u.cacheRead },
      output_tokens: outTok,
      output_tokens_details: { reasoning_tokens: u.reasoning },
      total_tokens: inTok + outTok,
    };
    record({ seq, api: 'openai.responses', model, stream: Boolean(body.stream), toolCall: tool?.name, time: new Date().toISOString(), returned: usage, normalized: norm(inTok, u.cacheRead, cacheWrite, outTok, u.reasoning) });
    if (opts.delayMs) await sleep(opts.delayMs);
    const id = `resp_mock_${seq}`;
    const created_at = Math.floor(Date.now() / 1000);
    const text = `Mock answer ${seq}.`;
    const item = tool
      ? { type: 'function_call', id: `fc_mock_${seq}`, call_id: `call_mock_${seq}`, name: tool.name, arguments: JSON.stringify(tool.args), status: 'completed' }
      : { type: 'message', id: `msg_mock_${seq}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
    const base = { id, object: 'response', created_at, model, status: 'in_progress', output: [], usage: null };
    const done = { ...base, status: 'completed', output: [item], usage };
    if (!body.stream) return sendJson(res, 200, done);
    const sse = startSse(res);
    let sn = 0;
    const ev = (type, obj) => sse.event(type, { type, sequence_number: sn++, ...obj });
    ev('response.created', { response: base });
    ev('response.in_progress', { response: base });
    ev('response.output_item.added', { output_index: 0, item: tool ? { ...item, arguments: '', status: 'in_progress' } : { ...item, status: 'in_progress', content: [] } });
    if (tool) {
      ev('response.function_call_arguments.delta', { output_index: 0, item_id: item.id, delta: item.arguments });
      ev('response.function_call_arguments.done', { output_index: 0, item_id: item.id, arguments: item.arguments });
    } else {
      ev('response.content_part.added', { output_index: 0, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      ev('response.output_text.delta', { output_index: 0, item_id: item.id, content_index: 0, delta: text });
      ev('response.output_text.done', { output_index: 0, item_id: item.id, content_index: 0, text });
      ev('response.content_part.done', { output_index: 0, item_id: item.id, content_index: 0, part: item.content[0] });
    }
    ev('response.output_item.done', { output_index: 0, item });
    ev('response.completed', { response: done });
    res.end();
  }

  // ---------- Gemini ----------
  async function gemini(model, method, body, res) {
    if (method === 'countTokens') return sendJson(res, 200, { totalTokens: 42 });
    const seq = ++n;
    const u = usageFor(seq);
    const decls = (body.tools ?? []).flatMap((t) => t?.functionDeclarations ?? t?.function_declarations ?? []).map((d) => d?.name).filter(Boolean);
    const hasResult = JSON.stringify(body.contents ?? []).includes('"functionResponse"');
    const tool = opts.toolCalls && !hasResult ? pickTool(decls, opts.cwd) : undefined;
    if (process.env.MOCK_DEBUG_TOOLS) log(`mock: tools offered: ${decls.join(',')}`);
    // Gemini: promptTokenCount includes cachedContentTokenCount; candidatesTokenCount excludes
    // thoughtsTokenCount (billed as output all the same). No cache write in the API.
    const usageMetadata = {
      promptTokenCount: u.uncachedInput + u.cacheRead,
      candidatesTokenCount: u.visibleOutput,
      cachedContentTokenCount: u.cacheRead,
      thoughtsTokenCount: u.reasoning,
      totalTokenCount: u.uncachedInput + u.cacheRead + u.visibleOutput + u.reasoning,
    };
    // Gemini CLI's classifier/router calls ask for JSON: answer them with JSON it accepts.
    const wantsJson = body.generationConfig?.responseMimeType === 'application/json' || body.generationConfig?.responseJsonSchema || body.generationConfig?.responseSchema;
    const text = wantsJson ? JSON.stringify({ reasoning: 'mock', model_choice: 'flash', next_speaker: 'user' }) : `Mock answer ${seq}.`;
    record({
      seq, api: `gemini.${method}`, model, stream: method === 'streamGenerateContent', toolCall: tool?.name, time: new Date().toISOString(),
      returned: usageMetadata,
      normalized: norm(u.uncachedInput + u.cacheRead, u.cacheRead, 0, u.visibleOutput + u.reasoning, u.reasoning),
    });
    if (opts.delayMs) await sleep(opts.delayMs);
    const parts = tool ? [{ functionCall: { name: tool.name, args: tool.args } }] : [{ text }];
    const final = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: model, responseId: `gem_mock_${seq}` };
    if (method === 'generateContent') return sendJson(res, 200, final);
    const sse = startSse(res);
    sse.data(final);
    res.end();
  }

  await new Promise((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    truth,
    unhandled,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve(undefined)); }),
  };
}

/** llmtrace's convention: input includes cache read and write, output includes reasoning. */
function norm(input, cacheRead, cacheWrite, output, reasoning, extra = {}) {
  return { input, cacheRead, cacheWrite, output, reasoning, ...extra };
}

function sendJson(res, status, obj, headers = {}) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

function startSse(res, headers = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  return {
    event: (name, obj) => res.write(`event: ${name}\ndata: ${JSON.stringify(obj)}\n\n`),
    data: (obj) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`),
  };
}

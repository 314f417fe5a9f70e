// Gemini API (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
// `:batchEmbedContents`, `:embedContent`) for the mock server in openai-server.mjs, with fixed
// usage per model.

/**
 * Fixed usage per model, in Gemini's terms: `prompt` INCLUDES `cached` (promptTokenCount vs
 * cachedContentTokenCount), `candidates` EXCLUDES `thoughts` (candidatesTokenCount vs
 * thoughtsTokenCount), so the OTel output is candidates + thoughts. The Gemini API reports no
 * usage for embeddings.
 */
export const GEMINI_TOKENS = Object.freeze({
  'gemini-2.5-flash': Object.freeze({ prompt: 40, cached: 16, candidates: 12, thoughts: 20 }),
  'gemini-2.5-pro': Object.freeze({ prompt: 25, cached: 0, candidates: 30, thoughts: 8 }),
});
export const GEMINI_DEFAULT_TOKENS = Object.freeze({ prompt: 10, cached: 0, candidates: 5, thoughts: 0 });
export const GEMINI_FAIL_MODEL = 'fail-429';
export const GEMINI_EMBEDDING = Object.freeze([0.125, -0.25, 0.5, -1]);
export const GEMINI_TOOL_ARGS = Object.freeze({ query: 'opentelemetry genai' });

/** @param {string} model */
export function geminiTokensFor(model) {
  return GEMINI_TOKENS[/** @type {keyof typeof GEMINI_TOKENS} */ (model)] ?? GEMINI_DEFAULT_TOKENS;
}

function usageOf(model) {
  const t = geminiTokensFor(model);
  return {
    promptTokenCount: t.prompt,
    candidatesTokenCount: t.candidates,
    totalTokenCount: t.prompt + t.candidates + t.thoughts,
    ...(t.cached > 0 ? { cachedContentTokenCount: t.cached } : {}),
    ...(t.thoughts > 0 ? { thoughtsTokenCount: t.thoughts } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: t.prompt }],
  };
}

/** A function call is answered when tools are offered and no function response is present yet. */
function wantsFunctionCall(body) {
  const decls = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => t?.functionDeclarations ?? []);
  const contents = Array.isArray(body.contents) ? body.contents : [];
  const answered = contents.some((c) => Array.isArray(c?.parts) && c.parts.some((p) => p?.functionResponse));
  return decls.length > 0 && !answered ? String(decls[0]?.name ?? 'tool') : undefined;
}

function send(res, status, obj) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

/**
 * Answer a request if it is for the Gemini API; return false otherwise.
 * @param {string} method @param {string} path @param {any} body @param {string} id
 * @param {import('node:http').ServerResponse} res
 */
export function routeGemini(method, path, body, id, res) {
  const m = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/.exec(path);
  if (method !== 'POST' || !m) return false;
  const model = decodeURIComponent(m[1]);
  const op = m[2];
  if (model === GEMINI_FAIL_MODEL) {
    send(res, 429, { error: { code: 429, message: 'Resource exhausted (forced by the peers server).', status: 'RESOURCE_EXHAUSTED' } });
    return true;
  }
  if (op === 'embedContent') {
    send(res, 200, { embedding: { values: [...GEMINI_EMBEDDING] } });
    return true;
  }
  if (op === 'batchEmbedContents') {
    const n = Array.isArray(body.requests) ? body.requests.length : 1;
    send(res, 200, { embeddings: Array.from({ length: n }, () => ({ values: [...GEMINI_EMBEDDING] })) });
    return true;
  }
  const fn = wantsFunctionCall(body);
  const text = `Deterministic answer from ${model}.`;
  const parts = fn ? [{ functionCall: { name: fn, args: GEMINI_TOOL_ARGS } }] : [{ text }];
  const base = { modelVersion: model, responseId: `resp-${id}` };
  const candidate = (p, finish) => ({ content: { parts: p, role: 'model' }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 });
  if (op === 'generateContent') {
    send(res, 200, { candidates: [candidate(parts, true)], usageMetadata: usageOf(model), ...base });
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunks = fn ? [parts] : text.split(/(?<= )/).map((t) => [{ text: t }]);
  chunks.forEach((p, i) => {
    const last = i === chunks.length - 1;
    // The API repeats the running usage on chunks; the last one carries the final counts.
    const chunk = { candidates: [candidate(p, last)], ...(last ? { usageMetadata: usageOf(model) } : {}), ...base };
    res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  });
  res.end();
  return true;
}

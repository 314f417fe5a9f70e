// The scenario every library driver runs, as plain steps over real clients (the library wraps
// or patches them): an agent asks gpt-4o with a tool, runs the tool, asks gpt-4o-mini, embeds,
// streams o4-mini, and one call fails with HTTP 429. Anthropic and Gemini variants likewise.
import { createRequire } from 'node:module';
import { FAIL_429_MODEL } from '../openai-server.mjs';

export const require = createRequire(import.meta.url);
export const ORIGIN = must('PEER_ORIGIN');
export const OTLP = must('PEER_OTLP');
export const FEATURE = 'research';
export const AGENT = 'research-agent';
export const TOOL = 'search_docs';
export const USER = 'user-42';
const QUESTION = 'How do I trace LLM calls?';
const TOOL_RESULT = 'Use OpenTelemetry GenAI semantic conventions.';

function must(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through run-lib.mjs)`);
  return v;
}

/** Expect a promise to fail with HTTP 429 (the mock's forced failure). */
export async function expect429(p) {
  await p.then(
    () => { throw new Error('expected HTTP 429'); },
    (err) => { if (err?.status !== 429 && err?.code !== 429 && !/429|Too Many Requests|RESOURCE_EXHAUSTED/.test(String(err?.message))) throw err; },
  );
}

/**
 * The OpenAI steps. `runTool(callId)` runs the tool inside the library's own tool span.
 * @param {any} client an `openai` client, possibly wrapped
 */
export async function openaiSteps(client, runTool) {
  const tools = [{ type: 'function', function: { name: TOOL, description: 'Search the documentation.', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
  const messages = [{ role: 'system', content: 'You are a research assistant.' }, { role: 'user', content: QUESTION }];
  const first = await client.chat.completions.create({ model: 'gpt-4o', messages, tools });
  const call = first.choices[0].message.tool_calls?.[0];
  if (!call) throw new Error('expected a tool call from gpt-4o');
  const result = await runTool(call.id, () => TOOL_RESULT);
  messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: result });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  await client.embeddings.create({ model: 'text-embedding-3-small', input: QUESTION });
  const stream = await client.chat.completions.create({ model: 'o4-mini', messages: [{ role: 'user', content: 'Summarise.' }], stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) {
    // drain
  }
  await expect429(client.chat.completions.create({ model: FAIL_429_MODEL, messages: [{ role: 'user', content: QUESTION }] }));
}

/** Anthropic: one call with a cache, one streamed, one failing. @param {any} client */
export async function anthropicSteps(client) {
  const system = [{ type: 'text', text: 'You are a research assistant.', cache_control: { type: 'ephemeral' } }];
  await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, system, messages: [{ role: 'user', content: QUESTION }] });
  const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, system, messages: [{ role: 'user', content: 'Summarise.' }], stream: true });
  for await (const _ of stream) {
    // drain
  }
  await expect429(client.messages.create({ model: FAIL_429_MODEL, max_tokens: 16, messages: [{ role: 'user', content: QUESTION }] }));
}

/** Gemini through `@google/genai`: one call, one stream, one embedding, one failing. @param {any} ai */
export async function geminiSteps(ai) {
  await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: QUESTION });
  const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Summarise.' });
  for await (const _ of stream) {
    // drain
  }
  await ai.models.embedContent({ model: 'gemini-embedding-001', contents: QUESTION });
  await expect429(ai.models.generateContent({ model: FAIL_429_MODEL, contents: QUESTION }));
}

export function openaiClient(extra = {}) {
  const { OpenAI } = require('openai'); // after the library registered its require hook
  return new OpenAI({ baseURL: `${ORIGIN}/v1`, apiKey: 'test', maxRetries: 0, ...extra });
}
export function anthropicClient() {
  const { Anthropic } = require('@anthropic-ai/sdk');
  return new Anthropic({ baseURL: ORIGIN, apiKey: 'test', maxRetries: 0 });
}
export function geminiClient() {
  const { GoogleGenAI } = require('@google/genai');
  return new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: ORIGIN, retryOptions: { attempts: 1 } } });
}

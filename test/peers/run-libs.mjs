// More real instrumentation libraries, one per process like run-instrumented.mjs: the Traceloop
// node SDK, `@anthropic-ai/sdk` under the OpenInference and Traceloop Anthropic instrumentations,
// and LangChain (`@langchain/openai`) under the OpenInference and Traceloop LangChain
// instrumentations. Each runs against the peers mock server and returns the finished spans.
import { createRequire } from 'node:module';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { FAIL_429_MODEL } from './openai-server.mjs';
export { ANTHROPIC_TOKENS } from './anthropic-mock.mjs';
import { QUESTION, SYSTEM, TOOL_RESULT, executeTool, openaiScenario, underRootSpan } from './run-instrumented.mjs';
import { FEATURE, TOOL_NAME } from './scenario.mjs';

const require = createRequire(import.meta.url);

export const MORE_LIBS = Object.freeze([
  'traceloop-sdk',
  'anthropic-openinference',
  'anthropic-traceloop',
  'langchain-openinference',
  'langchain-traceloop',
  'elastic',
]);

/** The Traceloop SDK scenario's workflow and agent names: the feature is the workflow's. */
export const WORKFLOW = FEATURE;
export const AGENT = 'planner';

const TOOL_DESCRIPTION = 'Search the documentation.';

/** Expect the 429 the mock server answers for FAIL_429_MODEL; anything else is a failure of the run. */
const expect429 = (p) =>
  p.then(
    () => { throw new Error('expected HTTP 429'); },
    (err) => { if ((err?.status ?? err?.response?.status) !== 429) throw err; },
  );

async function instrumentation(lib) {
  switch (lib) {
    case 'anthropic-openinference':
      return new (await import('@arizeai/openinference-instrumentation-anthropic')).AnthropicInstrumentation();
    case 'anthropic-traceloop':
      return new (await import('@traceloop/instrumentation-anthropic')).AnthropicInstrumentation();
    case 'langchain-openinference': {
      const inst = new (await import('@arizeai/openinference-instrumentation-langchain')).LangChainInstrumentation();
      inst.manuallyInstrument(require('@langchain/core/callbacks/manager')); // its documented setup
      return inst;
    }
    case 'langchain-traceloop':
      return new (await import('@traceloop/instrumentation-langchain')).LangChainInstrumentation();
    case 'elastic':
      return new (await import('@elastic/opentelemetry-instrumentation-openai')).OpenAIInstrumentation();
    default:
      return undefined;
  }
}

/**
 * Anthropic Messages: a tool call (sonnet), the tool, the answer (haiku), a stream (opus). The
 * mock reports cache reads and writes on every call (anthropic-mock.mjs).
 */
async function anthropicScenario(serverURL, tracer, scenario) {
  const { Anthropic } = require('@anthropic-ai/sdk'); // after registering: the require hook patches it
  const client = new Anthropic({ baseURL: serverURL.replace(/\/v1$/, ''), apiKey: 'test', maxRetries: 0 });
  if (scenario === 'error') {
    await expect429(client.messages.create({ model: FAIL_429_MODEL, max_tokens: 64, messages: [{ role: 'user', content: QUESTION }] }));
    return;
  }
  const tools = [{ name: TOOL_NAME, description: TOOL_DESCRIPTION, input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } }];
  const messages = [{ role: 'user', content: QUESTION }];
  const first = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, system: SYSTEM, messages, tools });
  const use = first.content.find((c) => c.type === 'tool_use');
  if (!use) throw new Error('expected a tool_use from claude-sonnet-4-5');
  const result = executeTool(tracer, use.id);
  messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: result }] });
  await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, system: SYSTEM, messages, tools });
  const stream = await client.messages.create({ model: 'claude-opus-4-1', max_tokens: 256, messages: [{ role: 'user', content: 'Summarise the answer.' }], stream: true });
  for await (const _event of stream) {
    // drain
  }
}

/** LangChain: the OpenAI scenario of run-instrumented.mjs, through ChatOpenAI, a tool and OpenAIEmbeddings. */
async function langchainScenario(baseURL, scenario) {
  const { ChatOpenAI, OpenAIEmbeddings } = require('@langchain/openai');
  const { tool } = require('@langchain/core/tools');
  const { HumanMessage, SystemMessage } = require('@langchain/core/messages');
  const { z } = require('zod');
  const common = { apiKey: 'test', maxRetries: 0, configuration: { baseURL } };
  if (scenario === 'error') {
    await expect429(new ChatOpenAI({ ...common, model: FAIL_429_MODEL }).invoke(QUESTION));
    return;
  }
  const search = tool(async () => TOOL_RESULT, { name: TOOL_NAME, description: TOOL_DESCRIPTION, schema: z.object({ query: z.string() }) });
  const messages = [new SystemMessage(SYSTEM), new HumanMessage(QUESTION)];
  const ai = await new ChatOpenAI({ ...common, model: 'gpt-4o' }).bindTools([search]).invoke(messages);
  const call = ai.tool_calls?.[0];
  if (!call) throw new Error('expected a tool call from gpt-4o');
  const toolMessage = await search.invoke(call);
  await new ChatOpenAI({ ...common, model: 'gpt-4o-mini' }).invoke([...messages, ai, toolMessage]);
  await new OpenAIEmbeddings({ ...common, model: 'text-embedding-3-small' }).embedQuery(QUESTION);
  const stream = await new ChatOpenAI({ ...common, model: 'o4-mini', streamUsage: true }).stream('Summarise the answer.');
  for await (const _chunk of stream) {
    // drain
  }
}

/**
 * The Traceloop SDK: withWorkflow(research) → withAgent(planner) → the OpenAI calls and
 * withTool(search_docs). The SDK builds its own tracer provider; spans go to `exporter`.
 */
async function traceloopSdkScenario(baseURL, exporter, scenario) {
  const traceloop = await import('@traceloop/node-server-sdk');
  const { OpenAI } = require('openai');
  traceloop.initialize({
    appName: 'peer-traceloop-sdk',
    // Nothing leaves the machine: no prompt sync with Traceloop's cloud, no default endpoint.
    traceloopSyncEnabled: false,
    baseUrl: new URL(baseURL).origin,
    exporter,
    disableBatch: true,
    silenceInitializationMessage: true,
    instrumentModules: { openAI: OpenAI },
  });
  const client = new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 });
  await traceloop.withWorkflow({ name: WORKFLOW }, () =>
    traceloop.withAgent({ name: AGENT }, async () => {
      if (scenario === 'error') {
        await expect429(client.chat.completions.create({ model: FAIL_429_MODEL, messages: [{ role: 'user', content: QUESTION }] }));
        return;
      }
      const tools = [{ type: 'function', function: { name: TOOL_NAME, description: TOOL_DESCRIPTION, parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } }];
      const messages = [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }];
      const first = await client.chat.completions.create({ model: 'gpt-4o', messages, tools });
      const call = first.choices[0].message.tool_calls?.[0];
      if (!call) throw new Error('expected a tool call from gpt-4o');
      const result = await traceloop.withTool({ name: TOOL_NAME }, async () => TOOL_RESULT);
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: result });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      await client.embeddings.create({ model: 'text-embedding-3-small', input: QUESTION });
      const stream = await client.chat.completions.create({ model: 'o4-mini', messages: [{ role: 'user', content: 'Summarise the answer.' }], stream: true, stream_options: { include_usage: true } });
      for await (const _chunk of stream) {
        // drain
      }
    }),
  );
  await traceloop.forceFlush();
  return exporter.getFinishedSpans();
}

/**
 * @param {string} lib one of MORE_LIBS
 * @param {{ baseURL: string, scenario?: 'agent' | 'error' }} opts
 * @returns {Promise<import('@opentelemetry/sdk-trace-base').ReadableSpan[]>}
 */
export async function runLib(lib, { baseURL, scenario = 'agent' }) {
  if (!MORE_LIBS.includes(lib)) throw new Error(`unknown library ${lib}`);
  if (lib === 'traceloop-sdk') return traceloopSdkScenario(baseURL, new InMemorySpanExporter(), scenario);
  return underRootSpan(lib, await instrumentation(lib), (tracer) => {
    if (lib.startsWith('anthropic-')) return anthropicScenario(baseURL, tracer, scenario);
    if (lib.startsWith('langchain-')) return langchainScenario(baseURL, scenario);
    // Elastic's instrumentation patches openai >= 4.19 < 5 only: the OpenAI scenario on openai 4,
    // loaded by the name `openai` from a package that depends on it (test/peers/openai-v4).
    return openaiScenario(lib, baseURL, tracer, scenario, require('llmtrace-peer-openai-v4')().OpenAI);
  });
}

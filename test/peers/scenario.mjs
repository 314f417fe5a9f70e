// The agent scenario as data, and the token totals it must produce, computed from the server's
// token table alone (never from spans).
import { tokensFor } from './openai-server.mjs';

export const LIBS = Object.freeze(['official', 'openllmetry', 'openinference', 'vercel']);

export const ROOT_SPAN = 'agent.research';
export const FEATURE = 'research';
export const TOOL_NAME = 'search_docs';

/**
 * The LLM API calls of the `agent` scenario, in order. All run inside the root span; between the
 * first and the second chat the tool runs (a manual `execute_tool search_docs` span, or Vercel's
 * own `ai.toolCall` span).
 * @param {string} lib
 * @returns {Array<{ op: 'chat' | 'embeddings', model: string, stream: boolean, tools: boolean }>}
 */
export function scenarioCalls(lib) {
  const calls = [
    { op: 'chat', model: 'gpt-4o', stream: false, tools: true }, // answered with a tool call
    { op: 'chat', model: 'gpt-4o-mini', stream: false, tools: false },
    { op: 'embeddings', model: 'text-embedding-3-small', stream: false, tools: false },
    { op: 'chat', model: 'o4-mini', stream: true, tools: false },
  ];
  // OpenLLMetry's OpenAI instrumentation does not instrument embeddings: skip the call.
  return lib === 'openllmetry' ? calls.filter((c) => c.op !== 'embeddings') : calls;
}

/**
 * Tokens the server reports for the scenario, per model and overall.
 * `input` includes `cached`, `output` includes `reasoning`.
 * @param {string} lib
 */
export function expectedTotals(lib) {
  /** @type {Record<string, { calls: number, input: number, output: number, cached: number, reasoning: number }>} */
  const byModel = {};
  const total = { calls: 0, input: 0, output: 0, cached: 0, reasoning: 0 };
  for (const call of scenarioCalls(lib)) {
    const t = tokensFor(call.model);
    const m = (byModel[call.model] ??= { calls: 0, input: 0, output: 0, cached: 0, reasoning: 0 });
    for (const acc of [m, total]) {
      acc.calls += 1;
      acc.input += t.prompt;
      acc.output += t.completion;
      acc.cached += t.cached;
      acc.reasoning += t.reasoning;
    }
  }
  return { byModel, total };
}

/**
 * Keys that carry prompt, completion and tool payload text (privacy): the GenAI convention's and
 * every vendor convention's that llmtrace reads (genai/conventions.ts has their other keys).
 */

/**
 * A key of an indexed family: the prefix, then an index (`gen_ai.prompt.0.content`). A key that
 * only shares the prefix is not one: `gen_ai.prompt.name` is a current attribute (the v1.41
 * registry; gemini-cli writes it), the prompt template's name, neither deprecated nor content.
 */
export function inIndexedFamily(key: string, prefix: string): boolean {
  if (!key.startsWith(prefix)) return false;
  const c = key.charCodeAt(prefix.length);
  return c >= 48 && c <= 57;
}

/**
 * Keys that carry prompt / completion / tool payload text (privacy). An entry ending in `.*` is
 * an indexed family (`gen_ai.prompt.0.content`, `llm.input_messages.0.message.content`, …).
 */
export const CONTENT_KEYS: readonly string[] = Object.freeze([
  // OpenTelemetry GenAI, current (opt-in) and deprecated
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  // "may contain sensitive information" (v1.41 registry): the query asked and the documents found
  'gen_ai.retrieval.query.text',
  'gen_ai.retrieval.documents',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.prompt.*',
  'gen_ai.completion.*',
  // OpenInference
  'input.value',
  'output.value',
  'llm.input_messages',
  'llm.output_messages',
  'llm.prompts',
  'llm.input_messages.*',
  'llm.output_messages.*',
  'llm.prompts.*',
  // Vercel AI SDK
  'ai.prompt',
  'ai.prompt.messages',
  'ai.response.text',
  'ai.response.object',
  'ai.response.reasoning',
  'ai.response.toolCalls',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  // OpenLLMetry / Traceloop
  'traceloop.entity.input',
  'traceloop.entity.output',
  // Langfuse
  'langfuse.observation.input',
  'langfuse.observation.output',
]);

/** Exact content keys (the `CONTENT_KEYS` entries that are not `.*` families). */
export const CONTENT_KEY_EXACT: ReadonlySet<string> = new Set(
  CONTENT_KEYS.filter((k) => !k.endsWith('.*')),
);

/** Content key prefixes (`gen_ai.prompt.` …), from the `.*` entries of `CONTENT_KEYS`. */
export const CONTENT_KEY_PREFIXES: readonly string[] = Object.freeze(
  CONTENT_KEYS.filter((k) => k.endsWith('.*')).map((k) => k.slice(0, -1)),
);

export function isContentKey(key: string): boolean {
  if (CONTENT_KEY_EXACT.has(key)) return true;
  for (const p of CONTENT_KEY_PREFIXES) if (inIndexedFamily(key, p)) return true;
  return false;
}

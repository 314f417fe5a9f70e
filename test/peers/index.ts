// Harness producing real spans from real LLM instrumentation libraries (see fixtures/instrumented).
import { dumpPeer } from './dump.mjs';
import type { Lib } from './scenario.mjs';

export { TOKEN_TABLE, FAIL_429_MODEL, tokensFor, startOpenAIServer } from './openai-server.mjs';
export type { ModelTokens, OpenAIServer } from './openai-server.mjs';
export { LIBS, ROOT_SPAN, FEATURE, TOOL_NAME, scenarioCalls, expectedTotals } from './scenario.mjs';
export type { Lib, Totals, ScenarioCall } from './scenario.mjs';
export { dumpPeer };

/**
 * Run the scenario under one library in a child process against a fresh mock server and return
 * the OTLP export request body: OTLP/JSON (`json`) or protobuf `ExportTraceServiceRequest` (`proto`).
 */
export async function emitDump(
  lib: Lib,
  format: 'json' | 'proto',
  opts: { scenario?: 'agent' | 'error' } = {},
): Promise<Buffer> {
  const dump = await dumpPeer(lib, opts);
  return format === 'json' ? dump.json : dump.proto;
}

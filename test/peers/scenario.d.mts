export type Lib = 'official' | 'openllmetry' | 'openinference' | 'vercel';
export interface Totals {
  calls: number;
  /** includes cached */
  input: number;
  /** includes reasoning */
  output: number;
  cached: number;
  reasoning: number;
}
export interface ScenarioCall {
  op: 'chat' | 'embeddings';
  model: string;
  stream: boolean;
  tools: boolean;
}
export const LIBS: readonly Lib[];
export const ROOT_SPAN: 'agent.research';
export const FEATURE: 'research';
export const TOOL_NAME: 'search_docs';
export function scenarioCalls(lib: Lib): ScenarioCall[];
export function expectedTotals(lib: Lib): { byModel: Record<string, Totals>; total: Totals };

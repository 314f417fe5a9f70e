export interface GeminiTokens {
  /** promptTokenCount: cached included */
  readonly prompt: number;
  readonly cached: number;
  /** candidatesTokenCount: thoughts NOT included */
  readonly candidates: number;
  readonly thoughts: number;
}
export const GEMINI_TOKENS: Readonly<Record<'gemini-2.5-flash' | 'gemini-2.5-pro', GeminiTokens>>;
export const GEMINI_DEFAULT_TOKENS: GeminiTokens;
export const GEMINI_FAIL_MODEL: 'fail-429';
export const GEMINI_EMBEDDING: readonly number[];
export const GEMINI_TOOL_ARGS: Readonly<{ query: string }>;
export function geminiTokensFor(model: string): GeminiTokens;
export function routeGemini(method: string, path: string, body: any, id: string, res: import('node:http').ServerResponse): boolean;

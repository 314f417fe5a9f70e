export interface ModelTokens {
  /** prompt tokens, cached included */
  readonly prompt: number;
  /** completion tokens, reasoning included */
  readonly completion: number;
  readonly cached: number;
  readonly reasoning: number;
}
export const TOKEN_TABLE: Readonly<Record<'gpt-4o' | 'gpt-4o-mini' | 'o4-mini' | 'text-embedding-3-small', ModelTokens>>;
export const DEFAULT_TOKENS: ModelTokens;
export const FAIL_429_MODEL: 'fail-429';
export const CREATED: number;
export const TOOL_ARGUMENTS: string;
export const EMBEDDING: readonly number[];
export function tokensFor(model: string): ModelTokens;
export interface OpenAIServer {
  /** base URL for an OpenAI client, ending in `/v1` */
  url: string;
  /** every request received, in order */
  requests: Array<{ path: string; body: any }>;
  close(): Promise<void>;
}
export function startOpenAIServer(): Promise<OpenAIServer>;

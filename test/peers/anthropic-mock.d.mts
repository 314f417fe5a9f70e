export interface AnthropicTokens {
  /** Anthropic's `input_tokens`: the cache counts are NOT inside it */
  readonly input: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly output: number;
}
export const ANTHROPIC_TOKENS: Readonly<Record<'claude-sonnet-4-5' | 'claude-haiku-4-5', AnthropicTokens>>;
export const ANTHROPIC_DEFAULT_TOKENS: AnthropicTokens;
export const ANTHROPIC_FAIL_MODEL: 'fail-429';
export const ANTHROPIC_TOOL_INPUT: Readonly<{ query: string }>;
export function anthropicTokensFor(model: string): AnthropicTokens;
export function routeAnthropic(method: string, path: string, body: any, id: string, res: import('node:http').ServerResponse): boolean;

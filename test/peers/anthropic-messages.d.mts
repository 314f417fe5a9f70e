export interface AnthropicTokens {
  /** input tokens as Anthropic reports them: WITHOUT the cache reads and writes */
  readonly input: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly output: number;
}
export const ANTHROPIC_TOKEN_TABLE: Readonly<Record<'claude-sonnet-4-5' | 'claude-haiku-4-5' | 'claude-opus-4-1', AnthropicTokens>>;
export const ANTHROPIC_DEFAULT_TOKENS: AnthropicTokens;
export const ANTHROPIC_TOOL_INPUT: Readonly<{ query: string }>;
export function anthropicTokensFor(model: string): AnthropicTokens;

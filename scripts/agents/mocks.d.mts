export interface MockUsage {
  uncachedInput: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  visibleOutput: number;
  reasoning: number;
}
export function usageFor(n: number): MockUsage;
export interface MockTruthCall {
  seq: number;
  api: 'anthropic.messages' | 'openai.chat' | 'openai.responses' | 'gemini.generateContent' | 'gemini.streamGenerateContent';
  model: string;
  stream: boolean;
  toolCall?: string;
  time: string;
  returned: Record<string, any>;
  /** input includes cache read and write; output includes reasoning */
  normalized: { input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number; cacheWrite5m?: number; cacheWrite1h?: number };
}
export interface Mocks {
  url: string;
  port: number;
  truth: MockTruthCall[];
  unhandled: { method?: string; path: string; time: string }[];
  close(): Promise<void>;
}
export function startMocks(opts?: { port?: number; delayMs?: number; toolCalls?: boolean; cwd?: string; responsesCacheWrite?: boolean; log?: (s: string) => void }): Promise<Mocks>;

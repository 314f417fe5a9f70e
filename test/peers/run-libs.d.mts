import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type MoreLib = 'traceloop-sdk' | 'anthropic-openinference' | 'anthropic-traceloop' | 'langchain-openinference' | 'langchain-traceloop' | 'elastic';
export const MORE_LIBS: readonly MoreLib[];
export const WORKFLOW: string;
export const AGENT: string;
/** The Anthropic mock's usage per model (anthropic-mock.mjs): `input` EXCLUDES the cache, as the API reports it. */
export const ANTHROPIC_TOKENS: Readonly<Record<'claude-sonnet-4-5' | 'claude-haiku-4-5' | 'claude-opus-4-1', { input: number; cacheRead: number; cacheWrite: number; output: number }>>;
export function runLib(lib: MoreLib, opts: { baseURL: string; scenario?: 'agent' | 'error' }): Promise<ReadableSpan[]>;

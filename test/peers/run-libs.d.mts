import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type MoreLib = 'traceloop-sdk' | 'anthropic-openinference' | 'anthropic-traceloop' | 'langchain-openinference' | 'langchain-traceloop';
export const MORE_LIBS: readonly MoreLib[];
export const WORKFLOW: string;
export const AGENT: string;
export function runLib(lib: MoreLib, opts: { baseURL: string; scenario?: 'agent' | 'error' }): Promise<ReadableSpan[]>;

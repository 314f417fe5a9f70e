/**
 * Collects the traces a `tree` run asks for: reads span batches, keeps only the traces that
 * match `--trace` (so a large input does not fill memory with unrelated traces), then picks the
 * newest `--last N` and assembles them.
 */
import { LlmtraceError } from '../errors.js';
import type { SpanBatch } from '../sources/read.js';
import { assembleTrace, type Trace } from './assemble.js';
import { TraceCollector } from './collect.js';

export interface SelectOptions {
  /** Full trace id or a prefix (case-insensitive). */
  trace?: string;
  last?: number;
}

export interface Selection {
  traces: Trace[];
  /** How many traces were read in total (after the --trace filter). */
  matched: number;
}

export function normalizeTracePrefix(prefix: string): string {
  const p = prefix.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(p)) {
    throw new LlmtraceError(`--trace must be a trace id or a prefix of one (hex), got ${JSON.stringify(prefix)}`);
  }
  return p;
}

export async function selectTraces(batches: AsyncIterable<SpanBatch>, opts: SelectOptions): Promise<Selection> {
  const prefix = opts.trace === undefined ? undefined : normalizeTracePrefix(opts.trace);
  const collector = new TraceCollector(prefix ? (id) => id.startsWith(prefix) : undefined);
  for await (const batch of batches) collector.add(batch.spans);
  let ids = collector.idsByStart();
  const matched = ids.length;
  if (opts.last !== undefined) ids = ids.slice(-opts.last);
  return { traces: ids.map((id) => assembleTrace(id, collector.spans(id))), matched };
}

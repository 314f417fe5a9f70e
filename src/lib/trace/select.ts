/**
 * Collects the traces a `tree` run asks for: reads span batches, keeps only the traces that
 * match `--trace` (so a large input does not fill memory with unrelated traces), then picks the
 * newest `--last N` and assembles them.
 */
import { LlmtraceError } from '../errors.js';
import type { SpanLogEvent } from '../otlp/decode-result.js';
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
  /** Log records tied to spans of the selected traces, by `traceId/spanId`. */
  logEvents: Map<string, SpanLogEvent[]>;
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
  const accept = prefix ? (id: string) => id.startsWith(prefix) : () => true;
  const collector = new TraceCollector(accept);
  const events: SpanLogEvent[] = [];
  for await (const batch of batches) {
    collector.add(batch.spans);
    if (batch.logEvents) for (const e of batch.logEvents) if (accept(e.traceId)) events.push(e);
  }
  let ids = collector.idsByStart();
  const matched = ids.length;
  if (opts.last !== undefined) ids = ids.slice(-opts.last);
  const kept = new Set(ids);
  const logEvents = new Map<string, SpanLogEvent[]>();
  for (const e of events) {
    if (!kept.has(e.traceId)) continue;
    const key = `${e.traceId}/${e.spanId}`;
    const list = logEvents.get(key);
    if (list) list.push(e);
    else logEvents.set(key, [e]);
  }
  return { traces: ids.map((id) => assembleTrace(id, collector.spans(id))), matched, logEvents };
}

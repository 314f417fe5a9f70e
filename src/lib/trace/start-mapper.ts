/**
 * The first pass of `tree --last N` (select.ts): each batch reduced to its traces' earliest
 * span starts, where it was decoded (worker threads for large JSON Lines inputs), so that only
 * ids and numbers — never Spans — reach the main thread.
 */
import type { BatchMapper, MapperSpec } from '../sources/mapper.js';
import { earliestKnownStart } from './trace-starts.js';

export interface TraceStartFacts {
  /** Distinct trace ids of the batch. */
  ids: string[];
  /** Their earliest span start in the batch, in the same order. */
  starts: BigUint64Array;
}

export function createMapper(): BatchMapper<TraceStartFacts> {
  return (batch) => {
    const index = new Map<string, number>();
    const ids: string[] = [];
    const starts: bigint[] = [];
    for (const s of batch.spans) {
      const i = index.get(s.traceId);
      if (i === undefined) {
        index.set(s.traceId, ids.length);
        ids.push(s.traceId);
        starts.push(s.startTimeUnixNano);
      } else {
        starts[i] = earliestKnownStart(starts[i]!, s.startTimeUnixNano);
      }
    }
    return { ids, starts: BigUint64Array.from(starts) };
  };
}

export function transferList(f: TraceStartFacts): ArrayBuffer[] {
  return [f.starts.buffer as ArrayBuffer];
}

export const startMapper: MapperSpec<null, TraceStartFacts> = {
  module: import.meta.url,
  config: null,
  create: createMapper,
};

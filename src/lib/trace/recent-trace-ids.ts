/**
 * The most recent trace ids, remembered in bounded memory: at least the last `atLeast` distinct
 * ids added, at most twice as many. Two generations of TraceIdSet (16-byte slots, at most half
 * full: 32–64 bytes an id, outside the JS heap): when the current one holds `atLeast` ids it
 * becomes the previous one and the oldest generation is dropped whole. A Map kept in insertion
 * order drops one id at a time but costs ~90 bytes an id of JS heap, which V8 lets grow 2.5×
 * before collecting (`tail` remembers 100k printed traces: its largest structure at rest).
 */
import { TraceIdSet } from './trace-id-set.js';

export class RecentTraceIds {
  private current = new TraceIdSet();
  private previous = new TraceIdSet();

  constructor(private readonly atLeast: number) {
    if (!(atLeast >= 1)) throw new RangeError(`RecentTraceIds needs atLeast ≥ 1, got ${atLeast}`);
  }

  /** Ids held now, at most 2 × `atLeast` (an id refreshed from the previous generation counts twice). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  has(traceId: string): boolean {
    return this.current.has(traceId) || this.previous.has(traceId);
  }

  /** Remembers `traceId` as the most recent id (again, when it was known already). */
  add(traceId: string): void {
    if (this.current.has(traceId)) return;
    this.current.add(traceId);
    if (this.current.size >= this.atLeast) {
      this.previous = this.current;
      this.current = new TraceIdSet();
    }
  }
}

/**
 * The traces `tail` has printed, kept so that a span arriving after its trace was printed is
 * still counted exactly once (trace/count-once.ts needs the trace's earlier spans). Memory is
 * bounded by a budget: beyond it the oldest printed traces are saved to temporary files
 * partitioned by trace id, and one comes back into memory when a late span of it arrives.
 * Nothing is forgotten (docs/architecture.md, "Exact at any order").
 */
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import { TraceIdSet } from '../trace/trace-id-set.js';

export interface PrintedTracesOptions<T> {
  memoryBytes: number;
  spillParent?: string;
  /** Estimated bytes a trace holds. */
  sizeOf(t: T): number;
  /** The trace as one line of JSON, and back. */
  save(t: T): unknown;
  load(traceId: string, saved: never): T;
}

export class PrintedTraces<T> {
  private readonly held = new Map<string, { trace: T; bytes: number }>();
  private heldBytes = 0;
  private readonly saved = new TraceIdSet();
  private dir: SpillDir | undefined;
  private parts: Partitions | undefined;
  /** Traces saved to disk, and loaded back. */
  savedCount = 0;
  loadedCount = 0;

  constructor(private readonly opts: PrintedTracesOptions<T>) {}

  get size(): number {
    return this.held.size;
  }

  /** Estimated bytes of the traces held in memory (sizeOf's sum). */
  get bytes(): number {
    return this.heldBytes;
  }

  add(traceId: string, trace: T): void {
    const old = this.held.get(traceId);
    if (old) {
      // Re-added (a late span came): it moves to the newest end.
      this.heldBytes -= old.bytes;
      this.held.delete(traceId);
    }
    const bytes = this.opts.sizeOf(trace);
    this.held.set(traceId, { trace, bytes });
    this.heldBytes += bytes;
  }

  /**
   * Saves the oldest traces while over the budget. Called by the owner between batches, never
   * while it still changes a trace it got from here (a saved trace's later changes would be lost).
   */
  trim(): void {
    if (this.heldBytes > this.opts.memoryBytes) this.saveOldest();
  }

  /** A printed trace, from memory or back from disk; undefined for a trace never printed. */
  get(traceId: string): T | undefined {
    const hit = this.held.get(traceId);
    if (hit) return hit.trace;
    if (!this.parts || !this.saved.has(traceId)) return undefined;
    const i = this.parts.partition(traceId);
    this.parts.flush(i);
    // The last block saved of it is its latest state (a trace can leave and come back).
    let last: string | undefined;
    for (const [id, payload] of this.parts.read(i)) if (id === traceId) last = payload;
    if (last === undefined) return undefined;
    const trace = this.opts.load(traceId, JSON.parse(last) as never);
    this.loadedCount++;
    this.add(traceId, trace);
    return trace;
  }

  /** Oldest first, down to three quarters of the budget (so saving is not done span by span). */
  private saveOldest(): void {
    if (!this.parts) {
      this.dir = SpillDir.create(this.opts.spillParent);
      this.parts = new Partitions(this.dir, { count: 64, name: 'printed' });
    }
    const target = (this.opts.memoryBytes * 3) / 4;
    for (const [id, { trace, bytes }] of this.held) {
      if (this.heldBytes <= target) break;
      this.parts.add(id, JSON.stringify(this.opts.save(trace)));
      this.saved.add(id);
      this.held.delete(id);
      this.heldBytes -= bytes;
      this.savedCount++;
    }
  }

  close(): void {
    this.parts?.close();
    this.dir?.remove();
    this.parts = undefined;
  }
}

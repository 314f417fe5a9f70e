/**
 * The traces `tail` has printed, kept so that a span arriving after its trace was printed is
 * still counted exactly once (trace/count-once.ts needs the trace's earlier spans). Memory is
 * bounded by a budget: beyond it the oldest printed traces are saved to temporary files
 * partitioned by trace id, and one comes back into memory when a late span of it arrives.
 * Nothing is forgotten (docs/architecture.md, "Exact at any order").
 *
 * With `compact`, a printed trace is held between batches as its saved line (one flat string,
 * the very text a spill file gets) rather than as its objects: late spans are rare, and a trace's
 * maps and records cost the collector on every full collection and ~3× the bytes
 * (docs/architecture.md, "Printed traces as lines").
 */
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import { TraceIdSet } from '../trace/trace-id-set.js';

export interface PrintedTracesOptions<T> {
  memoryBytes: number;
  spillParent?: string;
  /** Estimated bytes a trace holds as objects. */
  sizeOf(t: T): number;
  /** The trace as one line of text (no newline), and back. */
  save(t: T): string;
  load(traceId: string, line: string): T;
  /**
   * Hold traces as their saved line once trim() runs (the owner no longer changes them then);
   * a trace is loaded back into objects when asked for.
   */
  compact?: boolean;
}

/**
 * Heap bytes of one trace held as a line, besides the line's characters: its entry in the map
 * (the id, the entry object, the table's slot and its slack) and the string's header. Measured
 * 240–270 B over 30k traces of 2 to 16 spans (docs/architecture.md, "Printed traces as lines").
 */
export const LINE_ENTRY_BYTES = 250;

/**
 * Heap bytes a line takes: V8 stores an ASCII string (ids, numbers, most names) one byte a
 * character; any other is counted at two, its most.
 */
export function lineBytes(line: string): number {
  const ascii = Buffer.byteLength(line, 'utf8') === line.length;
  return LINE_ENTRY_BYTES + (ascii ? line.length : 2 * line.length);
}

interface Held<T> {
  /** The trace as objects (added or loaded since the last trim), or undefined when held as `line`. */
  trace: T | undefined;
  line: string | undefined;
  bytes: number;
}

export class PrintedTraces<T> {
  private readonly held = new Map<string, Held<T>>();
  private heldBytes = 0;
  /** Ids whose entry holds objects: turned into lines at the next trim (compact only). */
  private readonly live = new Set<string>();
  private readonly saved = new TraceIdSet();
  private dir: SpillDir | undefined;
  private parts: Partitions | undefined;
  /** Traces saved to disk, and loaded back (from disk or from their line). */
  savedCount = 0;
  loadedCount = 0;

  constructor(private readonly opts: PrintedTracesOptions<T>) {}

  get size(): number {
    return this.held.size;
  }

  /** Estimated bytes of the traces held in memory (sizeOf's or lineBytes' sum). */
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
    this.held.set(traceId, { trace, line: undefined, bytes });
    this.heldBytes += bytes;
    if (this.opts.compact) this.live.add(traceId);
  }

  /**
   * Turns the traces added since the last call into lines (compact), then saves the oldest while
   * over the budget. Called by the owner between batches, never while it still changes a trace
   * it got from here (a saved trace's later changes would be lost).
   */
  trim(): void {
    if (this.live.size) this.compactLive();
    if (this.heldBytes > this.opts.memoryBytes) this.saveOldest();
  }

  private compactLive(): void {
    for (const id of this.live) {
      const h = this.held.get(id);
      if (!h?.trace) continue;
      const line = this.opts.save(h.trace);
      const bytes = lineBytes(line);
      this.heldBytes += bytes - h.bytes;
      h.trace = undefined;
      h.line = line;
      h.bytes = bytes;
    }
    this.live.clear();
  }

  /** A printed trace, from memory or back from disk; undefined for a trace never printed. */
  get(traceId: string): T | undefined {
    const hit = this.held.get(traceId);
    if (hit) return hit.trace ?? this.revive(traceId, hit.line!);
    if (!this.parts || !this.saved.has(traceId)) return undefined;
    const i = this.parts.partition(traceId);
    this.parts.flush(i);
    // The last block saved of it is its latest state (a trace can leave and come back).
    let last: string | undefined;
    for (const [id, payload] of this.parts.read(i)) if (id === traceId) last = payload;
    if (last === undefined) return undefined;
    return this.revive(traceId, last);
  }

  private revive(traceId: string, line: string): T {
    const trace = this.opts.load(traceId, line);
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
    for (const [id, h] of this.held) {
      if (this.heldBytes <= target) break;
      this.parts.add(id, h.line ?? this.opts.save(h.trace!));
      this.saved.add(id);
      this.held.delete(id);
      this.live.delete(id);
      this.heldBytes -= h.bytes;
      this.savedCount++;
    }
  }

  close(): void {
    this.parts?.close();
    this.dir?.remove();
    this.parts = undefined;
  }
}

/**
 * Calls held until the end of a run: model spans without usage, which coding agents' log events
 * or metrics may count instead (cost/run.ts). Every failed call of the input is one, so they are
 * held within a budget: past it they go to disk, partitioned by trace id like evicted traces
 * (spill/partitions.ts), and each partition is read back alone at the end.
 *
 * A call is held (sign 1) or let go (sign −1: its trace's decision was taken back) by trace and
 * span id; a later hold of the same id replaces the earlier one, as a Map's `set` does.
 */
import { deserialize, serialize } from 'node:v8';
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import type { AttributedCall } from './attribution.js';

/** What one held call takes in memory, about: the call, its inherited values and its key (docs/architecture.md, "Usage from log events and metrics"). */
const BYTES_PER_CALL = 1024;

export interface HeldCallsOptions {
  /** Bytes of calls held in memory before they all go to disk. */
  memoryBytes: number;
  spillParent?: string;
}

export class HeldCalls {
  private readonly calls = new Map<string, AttributedCall>();
  private readonly limit: number;
  private spill: { dir: SpillDir; parts: Partitions } | undefined;

  constructor(private readonly opts: HeldCallsOptions) {
    this.limit = Math.max(1, Math.floor(opts.memoryBytes / BYTES_PER_CALL));
  }

  /** True once calls went to disk. */
  get spilled(): boolean {
    return this.spill !== undefined;
  }

  hold(call: AttributedCall, sign: 1 | -1): void {
    if (this.spill) {
      // In add order: read back, a partition's lines replay the holds and releases as they came.
      const payload = sign === 1 ? `+${serialize(call).toString('base64')}` : `-${Buffer.from(call.spanId).toString('base64')}`;
      this.spill.parts.add(call.traceId, payload);
      return;
    }
    const id = `${call.traceId}\u0000${call.spanId}`;
    if (sign === 1) this.calls.set(id, call);
    else this.calls.delete(id);
    if (this.calls.size > this.limit) this.toDisk();
  }

  private toDisk(): void {
    const dir = SpillDir.create(this.opts.spillParent);
    this.spill = { dir, parts: new Partitions(dir, { count: 64, name: 'held-calls' }) };
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) this.hold(call, 1);
  }

  /** Every call still held, once: from memory, or partition by partition from disk. */
  *values(): Generator<AttributedCall> {
    if (!this.spill) {
      yield* this.calls.values();
      return;
    }
    const { dir, parts } = this.spill;
    try {
      parts.close();
      for (let i = 0; i < parts.count; i++) {
        for (const group of parts.groups(i, this.opts.memoryBytes)) {
          const held = new Map<string, AttributedCall>();
          for (const [traceId, payload] of group) {
            const bytes = Buffer.from(payload.slice(1), 'base64');
            if (payload[0] === '+') {
              const call = deserialize(bytes) as AttributedCall;
              held.set(`${traceId}\u0000${call.spanId}`, call);
            } else held.delete(`${traceId}\u0000${bytes.toString()}`);
          }
          yield* held.values();
        }
      }
    } finally {
      dir.remove();
      this.spill = undefined;
    }
  }

  /** Removes the spill directory (a run that ends early). */
  close(): void {
    this.spill?.dir.remove();
  }
}

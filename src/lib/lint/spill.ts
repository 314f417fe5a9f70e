/**
 * Lint's trace state on disk, for inputs whose state does not fit the memory budget: a hybrid
 * hash join's build side. Trace ids hash to SPILL_PARTITIONS partitions; when the engine moves a
 * partition to disk, the state of each of its traces is written frozen, and from then on
 * every span of a trace in that partition — of a trace seen before or a new one — is appended
 * as a span record instead of being held. Records of one trace stay in one file in the order
 * written, so after the input each file can be read alone and its traces finished exactly.
 */
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import type { SourceTable, SpanRecord } from './trace-state.js';

/** A trace's state frozen (trace-state.ts freeze), or one span of it written on its own. */
export type SpillRecord = string | SpanRecord;

export const SPILL_PARTITIONS = 64;

export class LintSpill {
  private readonly dir: SpillDir;
  private readonly parts: Partitions;
  private readonly onDisk = new Uint8Array(SPILL_PARTITIONS);

  /**
   * @param sources the table span records number their sources by (shared with frozen traces)
   * @param parent where the temporary directory is made (default LLMTRACE_TMPDIR, else TMPDIR)
   */
  constructor(
    readonly sources: SourceTable,
    parent?: string,
  ) {
    this.dir = SpillDir.create(parent);
    this.parts = new Partitions(this.dir, { count: SPILL_PARTITIONS, name: 'traces' });
  }

  /** Bytes handed to the files so far. */
  get bytes(): number {
    return this.parts.written;
  }

  partitionOf(traceId: string): number {
    return this.parts.partition(traceId);
  }

  /** Whether the trace's partition is on disk (its spans go there). */
  holds(traceId: string): boolean {
    return this.onDisk[this.parts.partition(traceId)] === 1;
  }

  isOnDisk(partition: number): boolean {
    return this.onDisk[partition] === 1;
  }

  /** From now on the partition's spans are written, not held; the caller writes its traces' states. */
  moveToDisk(partition: number): void {
    this.onDisk[partition] = 1;
  }

  /** A trace's frozen state (as a JSON string: the packed ids may hold any character). */
  writeFrozen(traceId: string, frozen: string): void {
    this.parts.add(traceId, JSON.stringify(frozen));
  }

  writeSpan(traceId: string, r: SpanRecord): void {
    this.parts.add(traceId, JSON.stringify(r));
  }

  /**
   * After the last span: the records of each partition in turn (a partition larger than
   * `budget` bytes is split by another hash first, so one is read at a time within the budget).
   * Each partition's file is deleted once its records were taken.
   */
  *partitions(budget: number): Generator<Iterable<[traceId: string, record: SpillRecord]>> {
    this.parts.close();
    for (let i = 0; i < this.parts.count; i++) for (const group of this.parts.groups(i, budget)) yield records(group);
  }

  /** Deletes the directory (also done at exit and on SIGINT/SIGTERM by SpillDir). */
  remove(): void {
    this.dir.remove();
  }
}

function* records(group: Iterable<[string, string]>): Generator<[string, SpillRecord]> {
  for (const [traceId, payload] of group) yield [traceId, JSON.parse(payload) as SpillRecord];
}

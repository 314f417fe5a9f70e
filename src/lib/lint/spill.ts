/**
 * Lint's trace state on disk, for inputs whose state does not fit the memory budget. When the
 * engine moves a trace to disk, its state is written frozen and its id goes into a filter; from
 * then on every span of a trace the engine does not hold and the filter names is appended as a
 * span record instead of being held. Trace ids hash to SPILL_PARTITIONS files, and the records of
 * one trace stay in one file in the order written, so after the input each file can be read
 * alone and its traces finished exactly (a hybrid hash join's build side).
 */
import { Partitions } from '../spill/partitions.js';
import { SpillDir } from '../spill/temp-dir.js';
import { TraceFilter } from '../spill/trace-filter.js';
import type { SourceTable, SpanRecord } from './trace-state.js';

/** A trace's state frozen (trace-state.ts freeze), or one span of it written on its own. */
export type SpillRecord = string | SpanRecord;

const SPILL_PARTITIONS = 64;

export class LintSpill {
  private readonly dir: SpillDir;
  private readonly parts: Partitions;
  private readonly moved = new TraceFilter();

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

  /**
   * Whether spans of a trace the engine does not hold go here: true for every trace moved to
   * disk, and for a few never seen (the filter's false positives), which are then on disk whole.
   */
  holds(traceId: string): boolean {
    return this.moved.mayHold(traceId);
  }

  /** Moves a trace the engine no longer holds to disk: its frozen state, and its later spans. */
  moveToDisk(traceId: string, frozen: string): void {
    this.moved.add(traceId);
    // As a JSON string: the packed ids may hold any character.
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

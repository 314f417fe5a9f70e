/**
 * Which held traces a settle check decides (attribution.ts `settleQuiet`), without walking every
 * held trace at every check: traces are filed by the check interval of their last span, and a
 * check reads only the intervals old enough to hold quiet ones (docs/architecture.md "Per-span
 * overhead (small spans)"). What a check returns, and in what order, is what a walk over all
 * held traces in the order first held gives, so calls are emitted, and summed, in that order.
 */

/** The fields of a held trace the lists read and write. */
export interface Settling {
  /** Sequence number of its last span. */
  lastSeq: number;
  /** The check that last looked at it. */
  checkedSeq: number;
  /** When it was first held: the order quiet traces are decided in. */
  order: number;
  /** The interval in whose list it waits (−1: in none). */
  interval: number;
  /** Decided: never settled again. */
  decided: boolean;
}

export class QuietTraces<T extends Settling> {
  private readonly lists: Array<{ interval: number; ids: string[]; traces: T[] }> = [];

  /** `every`: spans between checks; `settle`: spans without one of its own before a trace is quiet. */
  constructor(
    private readonly every: number,
    private readonly settle: number,
  ) {}

  /** A span of the trace arrived (after `t.lastSeq` was set); a decided trace is not filed. */
  touched(id: string, t: T): void {
    if (t.decided) return;
    const interval = Math.floor(t.lastSeq / this.every);
    if (t.interval === interval) return;
    t.interval = interval;
    let last = this.lists[this.lists.length - 1];
    if (last === undefined || last.interval !== interval) this.lists.push((last = { interval, ids: [], traces: [] }));
    last.ids.push(id);
    last.traces.push(t);
  }

  /**
   * The traces a check at `seq` looks at: undecided, still held (`held`), quiet for `settle`
   * spans and not checked since their last span; in the order first held. They leave their list;
   * one the check does not decide is filed again by its next span.
   */
  quiet(seq: number, held: (id: string, t: T) => boolean): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    let done = 0;
    for (; done < this.lists.length && this.lists[done]!.interval * this.every <= seq - this.settle; done++) {
      const { interval, ids, traces } = this.lists[done]!;
      let kept = 0;
      for (let i = 0; i < ids.length; i++) {
        const t = traces[i]!;
        // Filed again later, decided, or no longer held (spilled): not this list's any more.
        if (t.interval !== interval || t.decided || !held(ids[i]!, t)) continue;
        if (seq - t.lastSeq < this.settle) {
          ids[kept] = ids[i]!;
          traces[kept++] = t;
          continue;
        }
        t.interval = -1;
        if (t.checkedSeq < t.lastSeq) out.push([ids[i]!, t]);
      }
      ids.length = kept;
      traces.length = kept;
      // A trace not yet quiet: every later list is newer still.
      if (kept > 0) break;
    }
    this.lists.splice(0, done);
    return out.sort((a, b) => a[1].order - b[1].order);
  }

  clear(): void {
    this.lists.length = 0;
  }
}

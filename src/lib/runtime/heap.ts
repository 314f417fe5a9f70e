/**
 * Streaming commands keep little live data (tens of MB: open traces, aggregates) but allocate
 * fast, and V8 lets the old generation grow to 4× the live data before a full collection, so
 * peak memory rose with the input's length although nothing grew. A smaller growth factor keeps
 * it flat for a little more CPU (full collections come sooner): `cost`, `lint` and `tree` use a
 * factor of 2 (heap-growing-percent 100), `tail` 2.5 (150). The measurements behind each are in
 * docs/architecture.md "Measurements behind constants".
 * The flag is process-wide: worker threads started afterwards have it too.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export function boundHeapGrowth(percent: 100 | 150 | 200): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

let fullGc: (() => void) | undefined;
let scheduled = false;
let lastAt = 0;

/** Bodies at least this large are followed by collectGarbageSoon (the receiver, the store worker). */
export const COLLECT_AFTER_BODY_BYTES = 4 * 1024 * 1024;
/** At most one such collection per thread in this many ms: a flood of large bodies costs little. */
const MIN_INTERVAL_MS = 250;

/**
 * A full collection of this thread's heap once the current task is done, for a thread that has
 * just finished with a large request body. V8 frees a SharedArrayBuffer's memory only once every
 * thread that saw it collected its handle, and a thread whose own heap barely grows (the
 * receiving thread; the store worker between bodies) collects rarely: a burst of 19 MB bodies
 * stayed held long after their requests were answered (docs/architecture.md, "Burst memory").
 * `--expose-gc` set at run time only makes `gc` available to new contexts.
 */
export function collectGarbageSoon(): void {
  if (scheduled) return;
  scheduled = true;
  const wait = Math.max(0, lastAt + MIN_INTERVAL_MS - Date.now());
  setTimeout(() => {
    scheduled = false;
    lastAt = Date.now();
    if (!fullGc) {
      v8.setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    }
    fullGc();
  }, wait).unref();
}

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

export function boundHeapGrowth(percent: 100 | 150 | 200): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

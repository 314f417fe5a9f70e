/**
 * Streaming commands keep little live data (tens of MB: open traces, aggregates) but allocate
 * fast, and V8 lets the old generation grow to 4× the live data before a full collection, so
 * peak memory rose with the input's length although nothing grew. A growth factor of 2.5
 * (heap-growing-percent 150) keeps it flat for a few percent more CPU: measured from 100k to 1M
 * spans, `cost` 1.45× → 1.16×, `lint` 1.25× → 1.11×. A factor of 2 (100) was flatter still
 * (~1.1×) but cost `lint` 10% more time in full collections.
 * The flag is process-wide: worker threads started afterwards have it too. Not for `tree`, which
 * holds whole traces in memory (more full collections for nothing).
 */
import v8 from 'node:v8';

export function boundHeapGrowth(): void {
  v8.setFlagsFromString('--heap-growing-percent=150');
}

/**
 * Streaming commands keep little live data (tens of MB: open traces, aggregates) but allocate
 * fast, and V8 lets the old generation grow to 4× the live data before a full collection, so
 * peak memory rose with the input's length although nothing grew. A smaller growth factor keeps
 * it flat for a little more CPU (full collections come sooner). Measured from 100k to 1M spans:
 * `cost` 1.45× → ~1.1× with a factor of 2 (heap-growing-percent 100; its time has room);
 * `lint` 2 as well (100): once exact at any order it holds more (shuffled 1M spans: 358 →
 * 281 MB peak with 3 → 2), and its time has room (1.18× the floor); `tail` 2.5 (150): its
 * 5-minute soak ×1.27 → ×1.15, ingest rate kept.
 * `tree` 2 (100): with the traces it holds bounded by --memory, the rest of its peak was
 * garbage (1M spans: 736 → 471 MB).
 * The flag is process-wide: worker threads started afterwards have it too.
 */
import v8 from 'node:v8';

export function boundHeapGrowth(percent: 100 | 150 | 200): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Exact nearest-rank percentiles (docs/architecture.md, "stats"): the p-th percentile of n values
 * is the smallest value with at least p% of the values at or below it, i.e. the value at rank
 * ⌈p·n/100⌉ (1-based) of the sorted values. Always one of the values, never interpolated.
 *
 * Values are held as a multiset that accepts take-backs: the Attributor may emit a trace's calls
 * and later take them back (sign −1) when late spans change its decision. A take-back removes
 * exactly a value that was added before, so the final multiset is the sorted difference of the
 * values added and the values taken back.
 */

export const PERCENTILE_DEFINITION = 'nearest-rank';

/** The percentiles every value column reports (a renderer shows the ones it needs). */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** `sorted` ascending, non-empty; `p` an integer percent in 1..100. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  // p·n is an exact integer, so the rank has no floating-point error.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}

/** The summary of ascending values; null when there are none. */
export function summarize(sorted: ArrayLike<number>): Summary | null {
  if (sorted.length === 0) return null;
  return { count: sorted.length, p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), p99: nearestRank(sorted, 99), max: sorted[sorted.length - 1]! };
}

/** A growable Float64Array: 8 bytes a value, nothing for the garbage collector to trace. */
export class Float64List {
  private data = new Float64Array(16);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  /** Appends every value of `values`. */
  pushAll(values: Float64Array): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.values());
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /** Bytes held (capacity). */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** The values (a view while nothing else is pushed). */
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  clear(): void {
    this.data = new Float64Array(16);
    this.length = 0;
  }
}

/** Sorts both (in place) and returns `added` minus `removed` as a multiset, ascending. */
export function sortedDifference(added: Float64Array, removed: Float64Array): Float64Array {
  added.sort();
  if (removed.length === 0) return added;
  removed.sort();
  const out = new Float64Array(added.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < added.length; i++) {
    const v = added[i]!;
    while (j < removed.length && removed[j]! < v) j++; // taken back but never added: cannot happen
    if (j < removed.length && removed[j] === v) {
      j++;
      continue;
    }
    out[n++] = v;
  }
  return out.subarray(0, n);
}

/** A multiset of values with take-backs, summarized once at the end. */
export class ValueColumn {
  readonly added = new Float64List();
  readonly removed = new Float64List();

  add(v: number, sign: 1 | -1): void {
    (sign === 1 ? this.added : this.removed).push(v);
  }

  get bytes(): number {
    return this.added.bytes + this.removed.bytes;
  }

  get size(): number {
    return this.added.length + this.removed.length;
  }

  summary(): Summary | null {
    return summarize(sortedDifference(this.added.values(), this.removed.values()));
  }

  clear(): void {
    this.added.clear();
    this.removed.clear();
  }
}

/**
 * Values as text for a spill file: their IEEE-754 bytes in base64. Exact for every double
 * (NaN payloads and -0 included), and written and read natively instead of number by number
 * (docs/architecture.md, "stats").
 */
export function valuesToText(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** The values `valuesToText` wrote; undefined when the text is not such values. */
export function valuesFromText(text: string): Float64Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) return undefined;
  // A copy: the decoded bytes may sit at an offset a Float64Array cannot start at.
  const values = new Float64Array(bytes.length / 8);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

/**
 * Which traces went to disk, in about 1.5 bytes a trace: a Bloom filter (no false negatives, a
 * few false positives). A false positive sends a trace never held to disk whole, which is as
 * exact as holding it: a caller asks only about traces it does not hold, so a trace is still
 * wholly in memory or wholly on disk (docs/architecture.md "Exact at any order → lint").
 * Segments double in size as traces are added, so a small input keeps a small filter and a
 * large one keeps its false-positive rate near 1%.
 */

/** Bits of the first segment; each next segment has twice as many. */
const FIRST_SEGMENT_BITS = 1 << 20;
/** Bits set per trace, and traces per segment bit (≈ 1% false positives at a segment's capacity). */
const PROBES = 7;
const BITS_PER_TRACE = 10;

export class TraceFilter {
  private readonly segments: Uint32Array[] = [];
  /** Traces added to the newest segment. */
  private filled = 0;

  add(traceId: string): void {
    let segment = this.segments[this.segments.length - 1];
    if (segment === undefined || this.filled >= (segment.length * 32) / BITS_PER_TRACE) {
      segment = new Uint32Array((FIRST_SEGMENT_BITS << this.segments.length) / 32);
      this.segments.push(segment);
      this.filled = 0;
    }
    this.filled++;
    const [h1, h2] = hashes(traceId);
    const bits = segment.length * 32;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      segment[(bit % bits) >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** Whether the trace may have been added (always true when it was). */
  mayHold(traceId: string): boolean {
    if (this.segments.length === 0) return false;
    const [h1, h2] = hashes(traceId);
    for (const segment of this.segments) {
      const bits = segment.length * 32;
      let all = true;
      for (let i = 0; i < PROBES && all; i++) {
        const bit = (h1 + Math.imul(i, h2)) >>> 0;
        all = (segment[(bit % bits) >>> 5]! & (1 << (bit & 31))) !== 0;
      }
      if (all) return true;
    }
    return false;
  }

  /** Heap bytes of the filter. */
  get bytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.byteLength;
    return n;
  }
}

const pair: [number, number] = [0, 0];

/** Two independent 32-bit hashes of the id (FNV-1a and a multiply-xorshift), for double hashing. */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 13;
  pair[0] = a >>> 0;
  // Odd, so the probes of one id never repeat a bit within a segment of 2^k bits.
  pair[1] = (b | 1) >>> 0;
  return pair;
}

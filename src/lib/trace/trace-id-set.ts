/**
 * A set of trace ids in 16 bytes each: commands remember one id per trace they decided early
 * (to recognise its late spans), and over tens of millions of spans a Set of 32-character
 * strings (~85 bytes each) became the largest thing they kept. An id of 32 lowercase hex digits
 * (what the decoders produce) is stored as its 128 bits in an open-addressing table, exactly:
 * no hashing of ids into fewer bits, so no false match. Anything else goes to a plain Set.
 */
const EMPTY_TABLE_SLOTS = 1024;

export class TraceIdSet {
  /** 4 words per slot; an all-zero slot is empty (an all-zero id is kept in `others`). */
  private words = new Uint32Array(EMPTY_TABLE_SLOTS * 4);
  private mask = EMPTY_TABLE_SLOTS - 1;
  private packed = 0;
  private readonly others = new Set<string>();
  private readonly id = new Uint32Array(4);

  get size(): number {
    return this.packed + this.others.size;
  }

  has(traceId: string): boolean {
    if (!this.pack(traceId)) return this.others.has(traceId);
    return this.find() >= 0;
  }

  add(traceId: string): void {
    if (!this.pack(traceId)) {
      this.others.add(traceId);
      return;
    }
    if (this.find() >= 0) return;
    if ((this.packed + 1) * 2 > this.mask + 1) this.grow();
    this.insert(this.id, 0);
    this.packed++;
  }

  private pack(traceId: string): boolean {
    return packTraceId(traceId, this.id);
  }

  /** The home slot of the id at `src[at…at+3]`. */
  private slotOf(src: Uint32Array, at: number): number {
    // Trace ids are random: mixing their words is enough to spread them.
    return (Math.imul(src[at]! ^ src[at + 2]!, 0x9e3779b1) ^ src[at + 1]! ^ src[at + 3]!) & this.mask;
  }

  /** The slot holding `this.id`, or -1. */
  private find(): number {
    const { words, id } = this;
    for (let s = this.slotOf(id, 0); ; s = (s + 1) & this.mask) {
      const p = s * 4;
      const a = words[p]!, b = words[p + 1]!, c = words[p + 2]!, d = words[p + 3]!;
      if ((a | b | c | d) === 0) return -1;
      if (a === id[0] && b === id[1] && c === id[2] && d === id[3]) return s;
    }
  }

  /** Puts the id at `src[at…at+3]` (known absent) in its slot. */
  private insert(src: Uint32Array, at: number): void {
    const words = this.words;
    let s = this.slotOf(src, at);
    while ((words[s * 4]! | words[s * 4 + 1]! | words[s * 4 + 2]! | words[s * 4 + 3]!) !== 0) s = (s + 1) & this.mask;
    words.set(src.subarray(at, at + 4), s * 4);
  }

  private grow(): void {
    const old = this.words;
    this.words = new Uint32Array(old.length * 2);
    this.mask = old.length / 2 - 1;
    for (let p = 0; p < old.length; p += 4) {
      if ((old[p]! | old[p + 1]! | old[p + 2]! | old[p + 3]!) === 0) continue;
      this.insert(old, p);
    }
  }
}

/**
 * Parses a 32-digit lowercase-hex, not all-zero trace id into four words of `out`; false for
 * anything else (kept apart by the callers, exactly).
 */
export function packTraceId(traceId: string, out: Uint32Array): boolean {
  if (traceId.length !== 32) return false;
  let any = 0;
  for (let w = 0; w < 4; w++) {
    let v = 0;
    for (let i = w * 8; i < w * 8 + 8; i++) {
      const c = traceId.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) return false;
      v = (v << 4) | d;
    }
    out[w] = v;
    any |= v;
  }
  return any !== 0;
}

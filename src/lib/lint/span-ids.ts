/**
 * The span ids of one trace, with the kind of the first span of each id: what the engine must
 * keep for every trace until the input ends (a later span may name any of them as its parent,
 * or repeat one). While a trace is receiving spans they live in a Map; `pack()` (called for
 * traces that went quiet) moves them into two flat strings — the 16-hex-digit ids sorted and
 * concatenated, and one character per id for its kind — about a quarter of the Map's memory.
 * Lookups in the packed part are a binary search. New ids for a packed trace go to a small Map
 * again and are merged at the next pack, so an interleaved input never thrashes.
 */

const WIDTH = 16;

function compareAt(packed: string, pos: number, id: string): number {
  for (let i = 0; i < WIDTH; i++) {
    const d = packed.charCodeAt(pos + i) - id.charCodeAt(i);
    if (d !== 0) return d;
  }
  return 0;
}

export class SpanIds {
  private hot: Map<string, number> | undefined = new Map();
  private packed = '';
  private kinds = '';

  get size(): number {
    return this.kinds.length + (this.hot?.size ?? 0);
  }

  /** The kind recorded for `id`, or undefined when the id was not seen. */
  get(id: string): number | undefined {
    const h = this.hot?.get(id);
    if (h !== undefined) return h;
    if (id.length !== WIDTH || this.kinds.length === 0) return undefined;
    let lo = 0;
    let hi = this.kinds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareAt(this.packed, mid * WIDTH, id);
      if (c === 0) return this.kinds.charCodeAt(mid) - 48;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Records an id not seen before. */
  set(id: string, kind: number): void {
    (this.hot ??= new Map()).set(id, kind);
  }

  /** Moves the Map's ids into the packed strings (ids of another width stay in the Map). */
  pack(): void {
    if (this.hot === undefined || this.hot.size === 0) return;
    const entries: Array<[string, number]> = [];
    for (let i = 0; i < this.kinds.length; i++) entries.push([this.packed.slice(i * WIDTH, (i + 1) * WIDTH), this.kinds.charCodeAt(i) - 48]);
    let odd: Map<string, number> | undefined;
    for (const [id, kind] of this.hot) {
      // Kinds are small enums (0–5); anything outside a printable range stays in the Map.
      if (id.length === WIDTH && kind >= 0 && kind < 64) entries.push([id, kind]);
      else (odd ??= new Map()).set(id, kind);
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.packed = entries.map((e) => e[0]).join('');
    let kinds = '';
    // In chunks: spreading a huge array into fromCharCode would overflow the stack.
    for (let i = 0; i < entries.length; i += 4096) kinds += String.fromCharCode(...entries.slice(i, i + 4096).map((e) => e[1] + 48));
    this.kinds = kinds;
    this.hot = odd;
  }
}

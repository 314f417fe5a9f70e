/**
 * The span ids of one trace, with the kind of the first span of each id: what the engine must
 * keep for every trace until the input ends (a later span may name any of them as its parent,
 * or repeat one). While a trace is receiving spans they live in a Map; `pack()` (called for
 * traces that went quiet) moves them into two flat strings — the 16-hex-digit ids sorted and
 * concatenated, and one character per id for its kind — about a quarter of the Map's memory.
 * Lookups in the packed part are a binary search. New ids for a packed trace go to a small Map
 * again and are merged into the packed strings at the next pack, so an interleaved input never
 * thrashes.
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
    const hot = this.hot;
    const fresh: string[] = [];
    let odd: Map<string, number> | undefined;
    for (const [id, kind] of hot) {
      // Kinds are small enums (0–5); anything outside a printable range stays in the Map.
      if (id.length === WIDTH && kind >= 0 && kind < 64) fresh.push(id);
      else (odd ??= new Map()).set(id, kind);
    }
    this.hot = odd;
    if (fresh.length === 0) return;
    // The default sort orders strings by UTF-16 code units, as compareAt does.
    fresh.sort();
    // Merge into the packed ids, which are sorted already: the runs of packed ids between two
    // new ones are copied as they are (a trace packed again after each quiet period is not
    // taken apart and sorted again).
    const ids: string[] = [];
    const kinds: string[] = [];
    let from = 0;
    for (const id of fresh) {
      const kind = hot.get(id)!;
      const at = this.insertionPoint(id, from);
      if (at > from) {
        ids.push(this.packed.slice(from * WIDTH, at * WIDTH));
        kinds.push(this.kinds.slice(from, at));
      }
      ids.push(id);
      kinds.push(String.fromCharCode(kind + 48));
      from = at;
    }
    if (from < this.kinds.length) {
      ids.push(this.packed.slice(from * WIDTH));
      kinds.push(this.kinds.slice(from));
    }
    this.packed = ids.join('');
    this.kinds = kinds.join('');
  }

  /** Index of the first packed id at or after `from` that sorts after `id` (ids are never equal). */
  private insertionPoint(id: string, from: number): number {
    let lo = from;
    let hi = this.kinds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.packed, mid * WIDTH, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The span ids of one trace, with the kind of the first span of each id: what the engine must
 * keep for every trace until the input ends (a later span may name any of them as its parent,
 * or repeat one). While a trace is receiving spans they live in a Map; `pack()` (called for
 * traces that went quiet) moves them into two flat strings — the ids' 8 bytes as 8 characters,
 * sorted and concatenated, and one character per id for its kind — 9 bytes an id instead of
 * the Map's ~80. Lookups in the packed part are a binary search. New ids for a packed trace go
 * to a small Map again and are merged into the packed strings at the next pack, so an
 * interleaved input never thrashes. Ids that are not 16 lowercase hex digits (decoders
 * normalize them; tests and other callers may not) stay in the Map.
 */

/** Characters of a packed id: one per byte. */
export const PACKED_WIDTH = 8;

/** The id being looked up, as bytes (one lookup at a time: no allocation per lookup). */
const probe = new Uint8Array(PACKED_WIDTH);

/**
 * The places the last pack() gave the ids it packed, by their hex id: a caller that packs its
 * own per-id data right after (parent-links.ts) finds them without parsing or searching.
 */
const packedPlaces = new Map<string, number>();

function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/** Writes the bytes of a 16-lowercase-hex-digit id into `out`; false for any other id. */
function idBytes(id: string, out: Uint8Array): boolean {
  if (id.length !== 2 * PACKED_WIDTH) return false;
  for (let i = 0; i < PACKED_WIDTH; i++) {
    const hi = hexDigit(id.charCodeAt(2 * i));
    const lo = hexDigit(id.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) return false;
    out[i] = (hi << 4) | lo;
  }
  return true;
}

/** The packed form of an id (idBytes must have accepted it into `probe`). */
function packedOf(bytes: Uint8Array): string {
  return String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!, bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
}

/** Compares the packed id at `pos` with the bytes in `probe` (byte order is hex order). */
function compareAt(packed: string, pos: number, bytes: Uint8Array): number {
  for (let i = 0; i < PACKED_WIDTH; i++) {
    const d = packed.charCodeAt(pos + i) - bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** A 16-lowercase-hex-digit id as its 8 packed characters (as SpanIds packs it), or undefined for any other id. */
export function packId(id: string): string | undefined {
  return idBytes(id, probe) ? packedOf(probe) : undefined;
}

/** The hex id packed at `pos` of `packed` (packId's inverse). */
export function unpackId(packed: string, pos: number): string {
  let id = '';
  for (let i = 0; i < PACKED_WIDTH; i++) id += packed.charCodeAt(pos + i).toString(16).padStart(2, '0');
  return id;
}

export class SpanIds {
  private hot: Map<string, number> | undefined = new Map();
  private packed = '';
  private kinds = '';

  get size(): number {
    return this.kinds.length + (this.hot?.size ?? 0);
  }

  /** Ids in the Map (not packed yet): what pack() would shrink. */
  get hotSize(): number {
    return this.hot?.size ?? 0;
  }

  /** The packed ids (sorted, concatenated) and their kinds, one character each: see fromPacked. */
  get packedIds(): string {
    return this.packed;
  }

  get packedKinds(): string {
    return this.kinds;
  }

  /** The ids still in the Map (after pack(): only those pack() cannot pack). */
  *hotEntries(): Generator<[id: string, kind: number]> {
    if (this.hot) yield* this.hot;
  }

  /** Ids packed by another SpanIds (packedIds, packedKinds): a trace's state read back. */
  static fromPacked(packed: string, kinds: string): SpanIds {
    const ids = new SpanIds();
    ids.hot = undefined;
    ids.packed = packed;
    ids.kinds = kinds;
    return ids;
  }

  /** How many ids are packed (their places: 0 … packedCount − 1, in id order). */
  get packedCount(): number {
    return this.kinds.length;
  }

  /** The kind recorded for `id`, or undefined when the id was not seen. */
  get(id: string): number | undefined {
    const h = this.hot?.get(id);
    if (h !== undefined) return h;
    if (this.kinds.length === 0 || !idBytes(id, probe)) return undefined;
    const at = this.search();
    return at < 0 ? undefined : this.kinds.charCodeAt(at) - 48;
  }

  /** The place of a packed id given as hex, or −1 when it is not packed. */
  placeOf(id: string): number {
    return this.kinds.length !== 0 && idBytes(id, probe) ? this.search() : -1;
  }

  /** placeOf right after pack(): the ids it packed are looked up by their hex id, the rest searched. */
  placeAfterPack(id: string): number {
    return packedPlaces.get(id) ?? this.placeOf(id);
  }

  /** The place of the packed id at `pos` of another packed string (an earlier packedIds), or −1. */
  placeOfPacked(packed: string, pos: number): number {
    for (let i = 0; i < PACKED_WIDTH; i++) probe[i] = packed.charCodeAt(pos + i);
    return this.search();
  }

  /** The packed id at `place` (8 characters). */
  packedAt(place: number): string {
    return this.packed.slice(place * PACKED_WIDTH, (place + 1) * PACKED_WIDTH);
  }

  /** Binary search of the id in `probe` among the packed ids: its place, or −1. */
  private search(): number {
    let lo = 0;
    let hi = this.kinds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareAt(this.packed, mid * PACKED_WIDTH, probe);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Records an id not seen before. */
  set(id: string, kind: number): void {
    (this.hot ??= new Map()).set(id, kind);
  }

  /** Moves the Map's ids into the packed strings (ids pack() cannot pack stay in the Map). */
  pack(): void {
    packedPlaces.clear();
    if (this.hot === undefined || this.hot.size === 0) return;
    const fresh: Array<[packed: string, kind: number, hex: string]> = [];
    let odd: Map<string, number> | undefined;
    for (const [id, kind] of this.hot) {
      // Kinds are small enums (0–5); anything outside a printable range stays in the Map.
      if (kind >= 0 && kind < 64 && idBytes(id, probe)) fresh.push([packedOf(probe), kind, id]);
      else (odd ??= new Map()).set(id, kind);
    }
    this.hot = odd;
    if (fresh.length === 0) return;
    // Code-unit order, as compareAt compares.
    fresh.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    // Merge into the packed ids, which are sorted already: the runs of packed ids between two
    // new ones are copied as they are (a trace packed again after each quiet period is not
    // taken apart and sorted again).
    const ids: string[] = [];
    const kinds: string[] = [];
    let from = 0;
    for (const [id, kind, hex] of fresh) {
      const at = this.insertionPoint(id, from);
      if (at > from) {
        ids.push(this.packed.slice(from * PACKED_WIDTH, at * PACKED_WIDTH));
        kinds.push(this.kinds.slice(from, at));
      }
      packedPlaces.set(hex, at + packedPlaces.size);
      ids.push(id);
      kinds.push(String.fromCharCode(kind + 48));
      from = at;
    }
    if (from < this.kinds.length) {
      ids.push(this.packed.slice(from * PACKED_WIDTH));
      kinds.push(this.kinds.slice(from));
    }
    this.packed = ids.join('');
    this.kinds = kinds.join('');
  }

  /** Index of the first packed id at or after `from` that sorts after `id` (ids are never equal). */
  private insertionPoint(id: string, from: number): number {
    for (let i = 0; i < PACKED_WIDTH; i++) probe[i] = id.charCodeAt(i);
    let lo = from;
    let hi = this.kinds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.packed, mid * PACKED_WIDTH, probe) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The parent links of one trace, kept for `parent-cycle` at the end (trace-state.ts
 * `parentCycles`). A cycle can close with the last span of the input, so no link can be dropped
 * before the end; a link is kept from when both its spans are in (a span whose parent has not
 * arrived waits as an orphan, which holds the parent's id, and its link is added when the parent
 * comes: a link to a span that never comes leads out of every cycle anyway).
 *
 * Once the trace's ids are packed (span-ids.ts), a link is its parent's place among the packed
 * ids, written beside its child's place: a column of one to four bytes a packed id (one for
 * traces of under 255 ids) instead of the two 8-byte ids of each link. A repeated id's further
 * links go to `extra` as pairs of packed ids, and links with an id that does not pack stay as
 * strings (docs/architecture.md "Exact at any order → lint").
 */
import { PACKED_WIDTH, packId, type SpanIds, unpackId } from './span-ids.js';

/** Estimated heap bytes of each kind of link (trace-state.ts STATE_BYTES holds the rest). */
export const LINK_BYTES = {
  /** A link not packed yet: two array slots and the parent id's string. */
  hot: 40,
  /** A repeated id's further link: two packed ids. */
  extra: 2 * PACKED_WIDTH,
  /** A link with an id that is not 16 hex digits: a pair and its strings. */
  odd: 120,
} as const;

/** Bytes of a column slot: enough for the largest value written, the number of ids. */
export function columnWidth(ids: number): number {
  return ids < 0xff ? 1 : ids < 0xffff ? 2 : ids < 0xffffff ? 3 : 4;
}

/** How many packed ids a frozen trace holds, from the characters its ids, kinds and column take. */
export function packedIdsIn(chars: number): number {
  for (let width = 1; width <= 4; width++) {
    const ids = chars / (PACKED_WIDTH + 1 + width);
    if (Number.isInteger(ids) && columnWidth(ids) === width) return ids;
  }
  throw new Error(`a frozen trace's packed part of ${chars} characters does not divide into ids`);
}

export class ParentLinks {
  /** Per packed id, in place order: its parent's place + 1 (0: no link), big-endian bytes as characters. */
  column = '';
  /** Further links of packed children (a repeated id's copies): pairs of packed ids. */
  extra = '';
  /** Links since the last pack, as they came (span id, parent id, …). */
  hot: string[] | undefined;
  odd: Array<[spanId: string, parentSpanId: string]> | undefined;

  push(spanId: string, parentSpanId: string): void {
    (this.hot ??= []).push(spanId, parentSpanId);
  }

  /**
   * Rewrites the links by place after `ids.pack()`, given the packed ids from before it (places
   * move when new ids are merged in). Returns the estimated bytes freed.
   */
  pack(ids: SpanIds, before: string, countBefore: number): number {
    const count = ids.packedCount;
    if (this.hot === undefined && count === countBefore) return 0;
    if (scratch.length < count) scratch = new Float64Array(Math.max(count, 2 * scratch.length));
    const parentOf = scratch;
    parentOf.fill(0, 0, count);
    const widthBefore = columnWidth(countBefore);
    for (let i = 0; i < countBefore && this.column !== ''; i++) {
      const value = read(this.column, i, widthBefore);
      if (value === 0) continue;
      const child = count === countBefore ? i : ids.placeOfPacked(before, i * PACKED_WIDTH);
      const parent = count === countBefore ? value - 1 : ids.placeOfPacked(before, (value - 1) * PACKED_WIDTH);
      parentOf[child] = parent + 1;
    }
    let freed = this.column.length;
    if (this.hot !== undefined) {
      const extra = [this.extra];
      for (let i = 0; i < this.hot.length; i += 2) {
        const spanId = this.hot[i]!, parentSpanId = this.hot[i + 1]!;
        const child = ids.placeAfterPack(spanId);
        const parent = child < 0 ? -1 : ids.placeAfterPack(parentSpanId);
        freed += LINK_BYTES.hot;
        if (parent < 0) {
          (this.odd ??= []).push([spanId, parentSpanId]);
          freed -= LINK_BYTES.odd;
        } else if (parentOf[child] === 0) {
          parentOf[child] = parent + 1;
        } else {
          extra.push(ids.packedAt(child), ids.packedAt(parent));
          freed -= LINK_BYTES.extra;
        }
      }
      this.extra = extra.join('');
      this.hot = undefined;
    }
    this.column = write(parentOf, count, columnWidth(count));
    return freed - this.column.length;
  }

  /**
   * Whether the links cannot go round: true when every link is in the column (no repeated id's
   * further link, none unpacked) and following parents from every span ends. The usual trace
   * answers here, without the keyed graph parentCycles builds (trace-state.ts).
   */
  acyclic(ids: SpanIds): boolean {
    if (this.extra !== '' || this.hot !== undefined || this.odd !== undefined) return false;
    const count = ids.packedCount;
    const width = columnWidth(count);
    if (this.column.length !== count * width) return this.column === '';
    // 0 unseen, 1 on the walk being followed, 2 known to end.
    if (scratch.length < count) scratch = new Float64Array(Math.max(count, 2 * scratch.length));
    const state = scratch;
    state.fill(0, 0, count);
    for (let start = 0; start < count; start++) {
      let at = start;
      while (at >= 0 && state[at] === 0) {
        state[at] = 1;
        at = read(this.column, at, width) - 1;
      }
      if (at >= 0 && state[at] === 1) return false;
      for (at = start; at >= 0 && state[at] === 1; at = read(this.column, at, width) - 1) state[at] = 2;
    }
    return true;
  }

  /** Every link as parentCycles keys its spans: packed ids as they are, others marked by linkKey. */
  *pairs(ids: SpanIds): Generator<[child: string, parent: string]> {
    const width = columnWidth(ids.packedCount);
    for (let i = 0; i < this.column.length / width; i++) {
      const value = read(this.column, i, width);
      if (value !== 0) yield [ids.packedAt(i), ids.packedAt(value - 1)];
    }
    for (let i = 0; i < this.extra.length; i += 2 * PACKED_WIDTH) yield [this.extra.slice(i, i + PACKED_WIDTH), this.extra.slice(i + PACKED_WIDTH, i + 2 * PACKED_WIDTH)];
    if (this.hot) for (let i = 0; i < this.hot.length; i += 2) yield [linkKey(this.hot[i]!), linkKey(this.hot[i + 1]!)];
    for (const [child, parent] of this.odd ?? []) yield [linkKey(child), linkKey(parent)];
  }

  /** Links a frozen trace writes in its JSON header: those not packed, and those with odd ids. */
  unpackedPairs(): Array<[string, string]> {
    const pairs: Array<[string, string]> = [...(this.odd ?? [])];
    if (this.hot) for (let i = 0; i < this.hot.length; i += 2) pairs.push([this.hot[i]!, this.hot[i + 1]!]);
    return pairs;
  }

  /** Estimated heap bytes (the column and extra links as their characters). */
  get bytes(): number {
    return this.column.length + this.extra.length + (this.hot?.length ?? 0) / 2 * LINK_BYTES.hot + (this.odd?.length ?? 0) * LINK_BYTES.odd;
  }
}

function read(column: string, place: number, width: number): number {
  let value = 0;
  for (let b = place * width; b < (place + 1) * width; b++) value = value * 256 + column.charCodeAt(b);
  return value;
}

/** Shared by pack() and acyclic(), which never run at once (one thread, no await between). */
let scratch = new Float64Array(256);

function write(values: Float64Array, count: number, width: number): string {
  if (width === 1 && count <= 64) return String.fromCharCode(...values.subarray(0, count));
  const bytes = Buffer.allocUnsafe(count * width);
  for (let i = 0; i < count; i++) {
    let value = values[i]!;
    for (let b = (i + 1) * width - 1; b >= i * width; b--) {
      bytes[b] = value % 256;
      value = Math.floor(value / 256);
    }
  }
  // latin1: one character a byte, so the string stays one byte a character in V8.
  return bytes.toString('latin1');
}

/** A span id as parentCycles keys it: packed when it packs; else marked by a character no packed id has. */
const UNPACKED_KEY = '\u0100';
export function linkKey(id: string): string {
  return packId(id) ?? UNPACKED_KEY + id;
}
export function idOfLinkKey(key: string): string {
  return key.startsWith(UNPACKED_KEY) ? key.slice(1) : unpackId(key, 0);
}

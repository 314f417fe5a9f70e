/**
 * Records spilled to disk, partitioned by trace id (docs/architecture.md, "Exact at any
 * order"): like a hash join's build side, every record of one trace lands in the same file, so
 * each file can later be read alone and its traces finished exactly. Lines are
 * `<traceId> <payload>`; payloads are single-line text (JSON), never containing a newline.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import type { SpillDir } from './temp-dir.js';

/** FNV-1a over the id's characters, mixed with a seed, so a re-split spreads a full partition. */
export function partitionOf(traceId: string, count: number, seed = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < traceId.length; i++) {
    h ^= traceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  return (h >>> 0) % count;
}

export interface PartitionsOptions {
  /** Number of files. */
  count: number;
  /** File name prefix (unique within the directory). */
  name: string;
  /** Hash seed: a split of a partition uses another one. */
  seed?: number;
  /** Bytes buffered per partition before a write (default 64 KiB). */
  bufferBytes?: number;
}

export class Partitions {
  readonly count: number;
  readonly seed: number;
  private readonly files: string[];
  private readonly fds: Array<number | undefined>;
  private readonly pending: string[][];
  private readonly pendingBytes: number[];
  private readonly bufferBytes: number;
  private readonly sizes: number[];
  /** Bytes written to disk so far (after flush: every byte added). */
  written = 0;
  /** Records added. */
  records = 0;

  constructor(
    private readonly dir: SpillDir,
    private readonly opts: PartitionsOptions,
  ) {
    this.count = opts.count;
    this.seed = opts.seed ?? 0;
    this.bufferBytes = opts.bufferBytes ?? 64 * 1024;
    this.files = Array.from({ length: opts.count }, (_, i) => dir.file(`${opts.name}-${i}`));
    this.fds = new Array(opts.count).fill(undefined);
    this.pending = Array.from({ length: opts.count }, () => []);
    this.pendingBytes = new Array(opts.count).fill(0);
    this.sizes = new Array(opts.count).fill(0);
  }

  partition(traceId: string): number {
    return partitionOf(traceId, this.count, this.seed);
  }

  add(traceId: string, payload: string): void {
    const i = this.partition(traceId);
    const line = `${traceId} ${payload}\n`;
    this.pending[i]!.push(line);
    // Characters, not bytes: close enough to bound the buffer (payloads are mostly ASCII).
    this.pendingBytes[i]! += line.length;
    this.records++;
    if (this.pendingBytes[i]! >= this.bufferBytes) this.flushOne(i);
  }

  private flushOne(i: number): void {
    const lines = this.pending[i]!;
    if (!lines.length) return;
    const buf = Buffer.from(lines.join(''));
    let fd = this.fds[i];
    if (fd === undefined) this.fds[i] = fd = openSync(this.files[i]!, 'a');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    this.sizes[i]! += buf.length;
    this.written += buf.length;
    this.pending[i] = [];
    this.pendingBytes[i] = 0;
  }

  /** Writes partition i's buffered lines, so read(i) sees every record added so far. */
  flush(i: number): void {
    this.flushOne(i);
  }

  /** Writes every buffered line and closes the files (they can be read afterwards). */
  close(): void {
    for (let i = 0; i < this.count; i++) {
      this.flushOne(i);
      const fd = this.fds[i];
      if (fd !== undefined) closeSync(fd);
      this.fds[i] = undefined;
    }
  }

  /** Bytes in partition i (after close). */
  size(i: number): number {
    return this.sizes[i]!;
  }

  /**
   * The records of partition i as [traceId, payload], in the order they were added. Read whole:
   * callers split a partition that is too large for their budget first (split()).
   */
  *read(i: number): Generator<[string, string]> {
    if (this.sizes[i] === 0) return;
    // Each part is decoded into a string of its own. Slices of the whole file's text would be
    // V8 sliced strings that keep all of it alive: a trace id kept by a call (cost/run.ts holds
    // calls without usage until the end) held its partition's megabytes (docs/architecture.md,
    // "Spill reads copy their strings").
    const bytes = readFileSync(this.files[i]!);
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(0x0a, start);
      if (nl === -1) break;
      const sp = bytes.indexOf(0x20, start);
      yield [bytes.toString('utf8', start, sp), bytes.toString('utf8', sp + 1, nl)];
      start = nl + 1;
    }
  }

  /**
   * Partition i's records in groups of at most about `budget` bytes of text, each read whole
   * (callers hold a group's traces at once). A larger partition is split by another seed first,
   * at most three times: a split keeps every record of a trace together, so what is left then is
   * one trace (or a few) larger than the budget, held whole anyway to be finished. A group's
   * file is deleted once the next group is asked for; below 1 MiB nothing is split.
   */
  *groups(i: number, budget: number, depth = 0): Generator<Iterable<[traceId: string, payload: string]>> {
    const size = this.sizes[i]!;
    if (size === 0) return;
    if (size > budget && size > 1 << 20 && depth < 3) {
      const sub = this.split(i, Math.min(256, Math.ceil((2 * size) / budget)));
      for (let j = 0; j < sub.count; j++) yield* sub.groups(j, budget, depth + 1);
      return;
    }
    yield this.read(i);
    this.drop(i);
  }

  /** Moves partition i's records into `count` new partitions (another seed) and deletes it. */
  split(i: number, count: number): Partitions {
    const sub = new Partitions(this.dir, { ...this.opts, count, name: `${this.opts.name}.${i}`, seed: this.seed + 1 });
    for (const [traceId, payload] of this.read(i)) sub.add(traceId, payload);
    sub.close();
    this.drop(i);
    return sub;
  }

  /** Deletes partition i's file (its records were finished). */
  drop(i: number): void {
    rmSync(this.files[i]!, { force: true });
    this.sizes[i] = 0;
  }

  /** Size check for callers that need it before reading: the file's size on disk. */
  fileSize(i: number): number {
    try {
      return statSync(this.files[i]!).size;
    } catch {
      return 0;
    }
  }
}

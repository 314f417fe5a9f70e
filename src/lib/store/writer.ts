/**
 * The local store writer (docs/architecture.md "Local store layout"): one line of OTLP JSON per accepted request,
 * appended to `<signal>-YYYYMMDDTHH.jsonl` for the UTC hour of receipt.
 *
 * Group commit: while one write is in flight, lines appended to the same file wait in its queue;
 * when the write completes they all go out in the next single writev(2) (at most
 * MAX_BATCH_LINES lines or MAX_BATCH_BYTES bytes, a longer line goes alone). One syscall and one
 * threadpool round trip per batch instead of per request (docs/architecture.md "Measurements
 * behind constants"). Lines never interleave and reach the file in append order.
 *
 * Crash safety: every write is on an O_APPEND descriptor, so a kill -9 can cut at most one line,
 * the last one the interrupted write reached; readers skip such a line with a warning. `append`
 * resolves once the kernel has all the bytes of the write holding its line (no fsync: the
 * guarantee is against the process dying, not the machine), so every acknowledged line is
 * complete. When an existing file does not end in a newline (a previous run died mid-line), the
 * next write starts with one, so the cut line never swallows new data.
 *
 * Write failures (docs/architecture.md "Write failure recovery"): a write that fails, also
 * partway (disk full, quota, I/O error), rejects exactly the lines it held, and what it wrote is
 * cut back off the file, so the file holds only complete lines and none of the rejected ones
 * (the client resends them: no duplicates). Later lines are written by later writes, once
 * space returns. Cutting back assumes one writer per file: the store lock (lock.ts) keeps other
 * processes out, and `tail` appends from one thread (its store worker, or the receiving thread
 * when there is none or it failed).
 */
import { fstatSync } from 'node:fs';
import { mkdir, open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { storeFileName, type Signal } from './layout.js';
import { leaveStore, restoreStore, type LockRecord, type StoreLock } from './lock.js';
import { SpanIndexWriter, spanIndexFile } from './span-index.js';
import type { SpanStarts } from '../span.js';

const NEWLINE = Buffer.from('\n');

export interface StoreWriter {
  /**
   * Appends one line (one request as OTLP JSON) to the signal's current hourly file: a string
   * without its newline, or the line's UTF-8 bytes ending in their newline. A trace line's
   * `starts` go into the file's span index (span-index.ts); a trace line without them is left
   * for readers to scan.
   */
  append(signal: Signal, jsonLine: string | Uint8Array, receivedAt: Date, starts?: SpanStarts): Promise<void>;
  /** True when nothing is kept (`--no-store`): no line needs to be made. */
  readonly discards?: boolean;
  /** Writes not yet completed: the receiver answers 503 + Retry-After above a threshold. */
  readonly pending: number;
  /** The store's lock, for the other writers of this process (the store worker). */
  readonly lock?: LockRecord;
  close(): Promise<void>;
}

/** Bounds of one combined write, so a backlog never becomes one huge buffer list. */
export const MAX_BATCH_LINES = 256;
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

interface QueuedLine {
  /** The line with its newline. */
  readonly bytes: Uint8Array;
  readonly starts: SpanStarts | undefined;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * One store file: an fd opened on first write, and a queue of lines that one loop writes in
 * batches, so its lines never interleave.
 */
class AppendFile {
  private handle: FileHandle | undefined;
  private needsNewline = false;
  private watchesLinks = false;
  private queue: QueuedLine[] = [];
  private closeWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private running = false;

  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly ready: () => Promise<void>,
    /** A trace file's span index (span-index.ts), written after the data it covers. */
    private readonly index?: SpanIndexWriter,
  ) {}

  append(line: string | Uint8Array, starts: SpanStarts | undefined): Promise<void> {
    const bytes = typeof line === 'string' ? Buffer.from(`${line}\n`, 'utf8') : line;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ bytes, starts, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** Waits for every queued line (also those appended meanwhile), then closes the fd. */
  close(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.closeWaiters.push({ resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** The one loop touching the fd; it never throws (every failure settles the lines it concerns). */
  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        if (this.queue.length > 0) {
          await this.writeNext();
        } else if (this.closeWaiters.length > 0) {
          const waiters = this.closeWaiters;
          this.closeWaiters = [];
          const h = this.handle;
          this.handle = undefined;
          try {
            await this.index?.close();
            await h?.close();
            for (const w of waiters) w.resolve();
          } catch (e) {
            for (const w of waiters) w.reject(e);
          }
        } else {
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async writeNext(): Promise<void> {
    let handle = this.handle;
    if (!handle) {
      // Opened inside the queue so a failed open (disk, permissions) fails the lines waiting for
      // it and is retried by the next ones; lines queued meanwhile join the first write.
      const waiting = this.queue.length;
      try {
        handle = await this.open();
      } catch (e) {
        for (const l of this.queue.splice(0, waiting)) l.reject(e);
        return;
      }
    }
    const batch = this.takeBatch();
    const bufs = batch.map((l) => l.bytes);
    if (this.needsNewline) bufs.unshift(NEWLINE);
    try {
      await this.writeAll(handle, bufs);
      if (this.watchesLinks && fstatSync(handle.fd).nlink === 0) {
        // The file was deleted under us (`rm -rf .llmtrace`, README "Local store"): what went
        // into it is gone, so the batch is acknowledged only once written again into a new file.
        this.handle = undefined;
        await handle.close().catch(() => {});
        this.queue.unshift(...batch);
        return;
      }
    } catch (e) {
      // The index goes on from where the data file now ends (cut back, or not: then a reader
      // finds the cut bytes uncovered, and reads the file).
      await this.index?.resync(sizeOf(handle));
      for (const l of batch) l.reject(e);
      return;
    }
    if (this.index) {
      let bytes = 0;
      for (const b of bufs) bytes += b.byteLength;
      this.index.written(batch.map((l) => l.starts), bytes);
      if (this.index.due(this.queue.length === 0)) await this.index.record();
    }
    for (const l of batch) l.resolve();
  }

  private async open(): Promise<FileHandle> {
    await this.ready();
    // a+ (read and append): the last byte tells whether a previous run left a cut line.
    const handle = await open(this.file, 'a+', 0o600);
    try {
      const { size, nlink } = await handle.stat();
      this.needsNewline = !(await endsWithNewline(handle, size));
      // A file system that reports no links for a file just opened cannot say it was deleted.
      this.watchesLinks = nlink > 0;
      await this.index?.open(size);
    } catch (e) {
      await handle.close();
      throw e;
    }
    this.handle = handle;
    return handle;
  }

  /** The next lines up to the bounds; the first one always (a line over the bounds goes alone). */
  private takeBatch(): QueuedLine[] {
    let n = 1;
    let bytes = this.queue[0]!.bytes.byteLength;
    while (n < this.queue.length && n < MAX_BATCH_LINES) {
      const next = this.queue[n]!.bytes.byteLength;
      if (bytes + next > MAX_BATCH_BYTES) break;
      bytes += next;
      n++;
    }
    return this.queue.splice(0, n);
  }

  /**
   * Writes every byte of `bufs`: regular files take it all in one call unless the disk is full.
   * A write that fails after writing some bytes is cut back off the end of the file.
   */
  private async writeAll(handle: FileHandle, bufs: Uint8Array[]): Promise<void> {
    let total = 0;
    for (const b of bufs) total += b.byteLength;
    let done = 0;
    let rest = bufs;
    try {
      while (done < total) {
        const { bytesWritten } = rest.length === 1 ? await handle.write(rest[0]!) : await handle.writev(rest);
        done += bytesWritten;
        if (done < total) rest = unwritten(bufs, done);
      }
    } catch (e) {
      if (done > 0) await this.cutBack(handle, bufs, done);
      throw e;
    }
    this.needsNewline = false;
  }

  /**
   * Removes the `done` bytes a failed write left at the end of the file (O_APPEND and one
   * writer: they are its last bytes), so the file is as it was before. Should that fail too
   * (an I/O error on both), the cut line stays and the next write starts on a new line.
   */
  private async cutBack(handle: FileHandle, bufs: Uint8Array[], done: number): Promise<void> {
    try {
      const { size } = await handle.stat();
      await handle.truncate(size - done);
    } catch {
      this.needsNewline = byteAt(bufs, done - 1) !== 0x0a;
    }
  }
}

function sizeOf(handle: FileHandle): number | undefined {
  try {
    return fstatSync(handle.fd).size;
  } catch {
    return undefined;
  }
}

/** What is left of `bufs` after the first `skip` bytes. */
function unwritten(bufs: Uint8Array[], skip: number): Uint8Array[] {
  let i = 0;
  while (skip >= bufs[i]!.byteLength) skip -= bufs[i++]!.byteLength;
  return [bufs[i]!.subarray(skip), ...bufs.slice(i + 1)];
}

function byteAt(bufs: Uint8Array[], at: number): number {
  let i = 0;
  while (at >= bufs[i]!.byteLength) at -= bufs[i++]!.byteLength;
  return bufs[i]![at]!;
}

async function endsWithNewline(handle: FileHandle, size: number): Promise<boolean> {
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

export class FileStoreWriter implements StoreWriter {
  private current = new Map<Signal, AppendFile>();
  private closing = new Set<Promise<void>>();
  private pendingCount = 0;
  private closed = false;
  /** Set once another process holds the store's lock: nothing more is written (see ready). */
  private takenBy: Error | undefined;

  /**
   * `lock`: the store's, put back when a file is opened in a store made again; a StoreLock (this
   * thread took it) is released once every file is closed. `warn`: told once if another process
   * took the store meanwhile.
   */
  readonly lock?: LockRecord;
  private readonly release?: () => void;

  constructor(
    readonly dir: string,
    lock?: LockRecord | StoreLock,
    private readonly warn?: (message: string) => void,
  ) {
    // Plain data only: it is handed to the store worker.
    this.lock = lock && { file: lock.file, content: lock.content, left: lock.left };
    if (lock && 'release' in lock) this.release = () => lock.release();
  }

  get pending(): number {
    return this.pendingCount;
  }

  append(signal: Signal, jsonLine: string | Uint8Array, receivedAt: Date, starts?: SpanStarts): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    // Callers pass JSON text, which never contains a raw newline (bytes: only the last one), so
    // lines are not scanned for one (docs/architecture.md "Measurements behind constants").
    this.pendingCount++;
    return this.fileFor(signal, storeFileName(signal, receivedAt))
      .append(jsonLine, starts)
      .finally(() => this.pendingCount--);
  }

  /** The file for this hour; moving to another hour closes the previous one once it drains. */
  private fileFor(signal: Signal, name: string): AppendFile {
    const cur = this.current.get(signal);
    if (cur?.name === name) return cur;
    if (cur) {
      const closing = cur.close().catch(() => {});
      this.closing.add(closing);
      void closing.then(() => this.closing.delete(closing));
    }
    const index = signal === 'traces' ? new SpanIndexWriter(spanIndexFile(this.dir, name)) : undefined;
    const next = new AppendFile(name, path.join(this.dir, name), () => this.ready(), index);
    this.current.set(signal, next);
    return next;
  }

  /**
   * Before a file is opened (once an hour per signal, and after a deletion): creates the directory
   * and our lock again if they were deleted. A store deleted and then taken by another `tail`
   * is left to it: every later append is refused (the client gets 503, so nothing is
   * acknowledged unstored), and that is said once (docs/architecture.md "A store deleted while
   * `tail` runs").
   */
  private async ready(): Promise<void> {
    if (this.takenBy) throw this.takenBy;
    if (!this.lock) {
      await createStoreDir(this.dir);
      return;
    }
    const holder = await restoreStore(this.dir, this.lock);
    if (holder === undefined) return;
    leaveStore(this.lock);
    if (!this.takenBy) {
      this.takenBy = new Error(`the store ${this.dir} was made again by ${holder}, after it was deleted; this tail writes nothing more there`);
      this.warn?.(`llmtrace: the store ${this.dir} was deleted and ${holder} has started on it since: this tail stores nothing more (exports are answered 503); restart it with its own --store DIR, or --no-store`);
    }
    throw this.takenBy;
  }

  async close(): Promise<void> {
    this.closed = true;
    const files = [...this.current.values()];
    this.current.clear();
    await Promise.all([...this.closing, ...files.map((f) => f.close().catch(() => {}))]);
    this.release?.();
  }
}

/** Creates the store directory if needed; a directory we create gets a `.gitignore` of `*`. */
export async function createStoreDir(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
    // A file in the store's place: mkdir would say EEXIST, as if the store were there already.
    throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Prompts and completions are sensitive: a new store must never be committed by accident.
  await writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

/** A writer appending to `dir`; with `lock`, it keeps the store's lock (see FileStoreWriter). */
export function createStoreWriter(dir: string, lock?: LockRecord | StoreLock, warn?: (message: string) => void): StoreWriter {
  return new FileStoreWriter(dir, lock, warn);
}

/** `--no-store`: accepts everything, keeps nothing. */
export function createNullStoreWriter(): StoreWriter {
  return {
    pending: 0,
    discards: true,
    append: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/**
 * The local store writer (DESIGN §4 "Local store"): one line of OTLP JSON per accepted request,
 * appended to `<signal>-YYYYMMDDTHH.jsonl` for the UTC hour of receipt.
 *
 * Crash safety: each line goes out in one write(2) on an O_APPEND descriptor, so a kill -9 can
 * cut at most the line being written; readers skip such a line with a warning. When an
 * existing file does not end in a newline (a previous run died mid-line), the next line starts
 * with one, so the cut line never swallows new data. `append` resolves once the kernel has the
 * bytes (no fsync: the guarantee is against the process dying, not the machine).
 */
import { mkdir, open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { StoreWriter } from '../receiver/types.js';
import { storeFileName, type Signal } from './layout.js';

const NEWLINE = Buffer.from('\n');

/** One store file: an fd opened on first write, and a queue so its lines never interleave. */
class AppendFile {
  private handle: FileHandle | undefined;
  private needsNewline = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly ready: () => Promise<void>,
  ) {}

  append(line: string | Uint8Array): Promise<void> {
    const run = this.tail.then(() => this.write(line));
    this.tail = run.catch(() => {});
    return run;
  }

  private async write(line: string | Uint8Array): Promise<void> {
    if (!this.handle) {
      await this.ready();
      // Opened inside the queue so a failed open (disk, permissions) is retried by the next line.
      // a+ (read and append): the last byte tells whether a previous run left a cut line.
      const handle = await open(this.file, 'a+', 0o600);
      try {
        this.needsNewline = !(await endsWithNewline(handle));
      } catch (e) {
        await handle.close();
        throw e;
      }
      this.handle = handle;
    }
    const buf =
      typeof line === 'string'
        ? Buffer.from(`${this.needsNewline ? '\n' : ''}${line}\n`, 'utf8')
        : this.needsNewline
          ? Buffer.concat([NEWLINE, line])
          : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
    let { bytesWritten } = await this.handle.write(buf);
    // Regular files take the whole buffer in one write unless the disk is full; finish it if not.
    while (bytesWritten < buf.length) bytesWritten += (await this.handle.write(buf, bytesWritten)).bytesWritten;
    this.needsNewline = false;
  }

  close(): Promise<void> {
    const done = this.tail.then(async () => {
      const h = this.handle;
      this.handle = undefined;
      await h?.close();
    });
    this.tail = done.catch(() => {});
    return done;
  }
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

export class FileStoreWriter implements StoreWriter {
  private current = new Map<Signal, AppendFile>();
  private closing = new Set<Promise<void>>();
  private readyPromise: Promise<void> | undefined;
  private pendingCount = 0;
  private closed = false;

  constructor(readonly dir: string) {}

  get pending(): number {
    return this.pendingCount;
  }

  append(signal: Signal, jsonLine: string | Uint8Array, receivedAt: Date): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    // Callers pass JSON text, which never contains a raw newline (bytes: only the last one):
    // scanning every 150 KB line for one cost 7% of ingest time.
    this.pendingCount++;
    return this.fileFor(signal, storeFileName(signal, receivedAt))
      .append(jsonLine)
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
    const next = new AppendFile(name, path.join(this.dir, name), () => this.ready());
    this.current.set(signal, next);
    return next;
  }

  /** Creates the directory on first use; a directory we create gets a `.gitignore` of `*`. */
  private ready(): Promise<void> {
    this.readyPromise ??= createStoreDir(this.dir).catch((e: unknown) => {
      this.readyPromise = undefined; // let the next write try again
      throw e;
    });
    return this.readyPromise;
  }

  async close(): Promise<void> {
    this.closed = true;
    const files = [...this.current.values()];
    this.current.clear();
    await Promise.all([...this.closing, ...files.map((f) => f.close().catch(() => {}))]);
  }
}

async function createStoreDir(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Prompts and completions are sensitive: a new store must never be committed by accident.
  await writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

export function createStoreWriter(dir: string): StoreWriter {
  return new FileStoreWriter(dir);
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

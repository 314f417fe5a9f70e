/**
 * The store lock (docs/architecture.md "Store lock"): one writing process per store, so that a
 * store file has one writer and a failed write can be cut back off the file's end. `tail` (and
 * `demo --store`) hold `<store>/tail.lock`, which names the holder's pid, host and boot; readers
 * (`cost`, `tree`, `lint`) never need it. A lock whose holder is gone (same host, and written in
 * an earlier boot or its pid not running) is taken over with a note on stderr; any other holder
 * is refused (exit 2). A held lock is put back within a second or two when the store is deleted
 * (docs/architecture.md "A store deleted while `tail` runs").
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LlmtraceError } from '../errors.js';
import { createStoreDir } from './writer.js';

export const LOCK_FILE = 'tail.lock';

interface Holder {
  pid: number;
  host: string;
  since: string;
  /** The kernel's boot id (Linux); absent elsewhere, and in locks written before it was recorded. */
  boot?: string;
}

/** A lock as plain data (it crosses to the store worker): its file and the text that makes it ours. */
export interface LockRecord {
  readonly file: string;
  readonly content: string;
  /**
   * 1 once this process left the store to another `tail` that took it after a deletion. Shared
   * memory, so that every thread of the process sees it: the lock is then never put back by one
   * thread while another found the store taken (docs/architecture.md "A store deleted while `tail` runs").
   */
  readonly left: Int32Array;
}

/** This process leaves the store to the process that took it. */
export const leaveStore = (lock: LockRecord): void => void Atomics.store(lock.left, 0, 1);
const hasLeft = (lock: LockRecord): boolean => Atomics.load(lock.left, 0) === 1;

export interface StoreLock extends LockRecord {
  /** Removes the lock file if it is still ours; idempotent, synchronous (runs at process exit). */
  release(): void;
}

export interface LockOptions {
  /** The hint when the store is held by someone else: what to do instead. */
  inUseHint: string;
  /** The hint when the store cannot be written. */
  unwritableHint: string;
  /** Where a taken-over stale lock is reported. */
  warn(message: string): void;
}

/**
 * Creates the store directory and its lock, in one check order: a store that cannot be written
 * is refused first (making the lock is the write probe), then one held by a running process.
 */
export async function lockStore(dir: string, o: LockOptions): Promise<StoreLock> {
  const file = path.join(dir, LOCK_FILE);
  const unwritable = (e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    return new LlmtraceError(`cannot write to the store ${dir}: ${err.code ?? err.message}`, o.unwritableHint);
  };
  try {
    await createStoreDir(dir);
  } catch (e) {
    throw unwritable(e);
  }
  const me: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), boot: bootId() };
  const content = `${JSON.stringify(me)}\n`;
  let tookOver: string | undefined;
  // Three rounds: a lock released or taken over by someone else between our steps is looked at again.
  for (let round = 0; ; round++) {
    try {
      await writeFile(file, content, { flag: 'wx', mode: 0o600 });
      if (tookOver) o.warn(`llmtrace: took over the store lock ${file} from ${tookOver}`);
      return heldLock(dir, file, content);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(e);
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && round < 2) continue; // released meanwhile
      throw unwritable(e);
    }
    const holder = parseHolder(text);
    const gone = holder && staleHolder(holder, me, file);
    if (!gone || round >= 2) throw inUse(dir, file, holder, o.inUseHint);
    try {
      if (!(await removeStale(file, text))) continue;
    } catch (e) {
      throw unwritable(e);
    }
    tookOver = gone;
  }
}

/** Lock files this process holds: a lock naming our own pid is ours only if it is one of them. */
const heldHere = new Set<string>();

/**
 * Why the holder is gone (the end of the take-over note), or undefined when it may be running. On
 * this host only: written in an earlier boot, whose pids say nothing now (containers and VMs
 * reuse low pids after a reboot); or its pid is not running; or it is our own pid, which no other
 * running process can have: a `tail` restarted in a container gets the pid its killed predecessor
 * had (often 1), and that lock must not be taken for a live one (docs/architecture.md "Store lock").
 * A lock without a boot id (written elsewhere than on Linux, or by an older llmtrace) is judged
 * by its pid alone.
 */
function staleHolder(holder: Holder, me: Holder, file: string): string | undefined {
  if (holder.host !== me.host) return undefined;
  if (holder.boot !== undefined && me.boot !== undefined && holder.boot !== me.boot) return `pid ${holder.pid}, written before this machine last started`;
  const running = holder.pid === me.pid ? heldHere.has(file) : isRunning(holder.pid);
  return running ? undefined : `pid ${holder.pid}, which is no longer running`;
}

/**
 * This boot of the machine: Linux's random id, made anew at every boot (a container sees its
 * host's). Elsewhere none: the boot time or a process's start time derive from the wall clock,
 * which a clock stepped after boot moves (docs/architecture.md "Store lock").
 */
function bootId(): string | undefined {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

function heldLock(dir: string, file: string, content: string): StoreLock {
  let held = true;
  heldHere.add(file);
  const removeIfOurs = () => {
    try {
      // Someone may have taken over a lock they judged stale: theirs stays.
      if (readFileSync(file, 'utf8') === content) unlinkSync(file);
    } catch {
      // Gone already, or the store went away: nothing is held any more.
    }
  };
  const left = new Int32Array(new SharedArrayBuffer(4));
  const stopWatching = watchLock(dir, { file, content, left }, () => held, removeIfOurs);
  const release = () => {
    if (!held) return;
    held = false;
    stopWatching();
    heldHere.delete(file);
    process.off('exit', release);
    removeIfOurs();
  };
  // An exit that skips the orderly stop (an uncaught error, a second Ctrl-C) still releases it;
  // only SIGKILL or a machine crash leave it behind, for the next start to find stale.
  process.on('exit', release);
  return { file, content, left, release };
}

/** How often a held lock is looked at (docs/architecture.md "A store deleted while `tail` runs"). */
export const LOCK_CHECK_MS = 1000;

/**
 * Puts a held lock back soon after the store was deleted (`rm -rf .llmtrace`), not only at this
 * process's next write, which may be hours away when nothing is exported: until then a second
 * `tail` could take the store. A deletion still under way (the directory there, its lock gone) is
 * given one more period, so that a lock made meanwhile does not make the deleting `rm` fail on a
 * directory it could not empty. A lock found to be another's, here or by the writer (`left`), ends
 * the watch: the store is theirs, and the writer says so. Returns the stop.
 */
function watchLock(dir: string, lock: LockRecord, held: () => boolean, removeIfOurs: () => void): () => void {
  let seenMissing = false;
  let busy = false;
  const check = async () => {
    if (hasLeft(lock)) return stop();
    let text: string | undefined;
    try {
      text = await readFile(lock.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return;
    }
    if (text !== undefined) {
      seenMissing = false;
      if (text !== lock.content) {
        leaveStore(lock);
        stop();
      }
      return;
    }
    const deleting = await stat(dir).then(() => true, () => false);
    if (deleting && !seenMissing) {
      seenMissing = true;
      return;
    }
    seenMissing = false;
    if (!held()) return;
    const holder = await restoreStore(dir, lock).catch(() => undefined);
    if (holder !== undefined) {
      leaveStore(lock);
      stop();
    }
    // Released while it was being put back: the lock made meanwhile goes too.
    if (!held()) removeIfOurs();
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check().finally(() => (busy = false));
  }, LOCK_CHECK_MS);
  // Never what keeps the process running.
  timer.unref();
  const stop = () => clearInterval(timer);
  return stop;
}

/**
 * Makes a deleted store again with our lock: its directory (and `.gitignore`), then the lock.
 * Undefined when the lock is ours; otherwise the holder that took the store meanwhile.
 */
export async function restoreStore(dir: string, lock: LockRecord): Promise<string | undefined> {
  await createStoreDir(dir);
  return retakeLock(lock);
}

/**
 * Puts our lock back in a store that was deleted and made again (writer.ts; docs/architecture.md
 * "A store deleted while `tail` runs"). Undefined when the lock is ours (again, or still);
 * otherwise the holder that took the store meanwhile, as messages name it.
 */
async function retakeLock(lock: LockRecord): Promise<string | undefined> {
  for (let round = 0; ; round++) {
    try {
      await writeFile(lock.file, lock.content, { flag: 'wx', mode: 0o600 });
      return undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text: string;
    try {
      text = await readFile(lock.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && round < 2) continue; // released meanwhile
      throw e;
    }
    if (text === lock.content) return undefined;
    const holder = parseHolder(text);
    return holder ? describeHolder(holder) : `${lock.file}, which does not say by whom`;
  }
}

const describeHolder = (h: Holder) => `another llmtrace (pid ${h.pid} on ${h.host}, since ${h.since})`;

/**
 * Moves the stale lock aside and checks that what moved is the lock judged stale: another
 * process taking over at the same moment may have replaced it with its own, which goes back.
 * False when the lock is to be looked at again.
 */
async function removeStale(file: string, staleText: string): Promise<boolean> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== staleText) {
    await rename(aside, file);
    return false;
  }
  await unlink(aside);
  return true;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (Number.isSafeInteger(h.pid) && h.pid! > 0 && typeof h.host === 'string') {
      return { pid: h.pid!, host: h.host, since: String(h.since ?? '?'), ...(typeof h.boot === 'string' ? { boot: h.boot } : {}) };
    }
  } catch {
    // Unreadable: someone else's file, or a holder that died while writing it; never taken over.
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function inUse(dir: string, file: string, holder: Holder | undefined, hint: string): LlmtraceError {
  if (!holder) return new LlmtraceError(`the store ${dir} is locked by ${file}, which does not say by whom`, `${hint}; if no llmtrace tail uses this store, delete ${file}`);
  return new LlmtraceError(
    `the store ${dir} is in use by ${describeHolder(holder)}`,
    `${hint}; if that process is not an llmtrace tail any more, delete ${file}`,
  );
}

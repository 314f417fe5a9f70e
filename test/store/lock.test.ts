/**
 * The store lock: one writing process per store; a lock whose holder is gone (same host, and an
 * earlier boot or a pid not running) is taken over with a note, any other is refused with the holder named; the lock file
 * goes when released, unless someone else has taken it over meanwhile.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LlmtraceError } from '../../src/lib/errors.js';
import { LOCK_FILE, lockStore } from '../../src/lib/store/lock.js';
import { tempDir } from '../helpers/read-all.js';

const hints = { inUseHint: 'use --store DIR or --no-store', unwritableHint: 'choose a writable one' };

function lock(dir: string, warnings: string[] = []) {
  return lockStore(dir, { ...hints, warn: (m) => warnings.push(m) });
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

/** This boot's id (Linux), as the lock records it. */
const thisBoot = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;

const holderFile = (dir: string, holder: object) => writeFileSync(path.join(dir, LOCK_FILE), `${JSON.stringify(holder)}\n`);

async function refusal(p: Promise<unknown>): Promise<LlmtraceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LlmtraceError);
  return e as LlmtraceError;
}

describe('store lock', () => {
  it('creates the store and a lock naming this process; release removes it', async () => {
    const dir = path.join(tempDir(), 'new', 'store');
    const held = await lock(dir);
    expect(held.file).toBe(path.join(dir, LOCK_FILE));
    expect(JSON.parse(readFileSync(held.file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('*\n');
    held.release();
    expect(existsSync(held.file)).toBe(false);
    held.release(); // twice is harmless
  });

  it('a store held by a running process is refused, naming it, with the hint; the lock stays', async () => {
    const dir = tempDir();
    const held = await lock(dir);
    const e = await refusal(lock(dir));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(`the store ${dir} is in use by another llmtrace (pid ${process.pid} on ${os.hostname()}, since `);
    expect(e.hint).toContain('use --store DIR or --no-store');
    expect(e.hint).toContain(`delete ${held.file}`);
    expect(existsSync(held.file)).toBe(true);
    held.release();
    (await lock(dir)).release(); // free again
  });

  it('a lock whose holder is no longer running is taken over, and that is said', async () => {
    const dir = tempDir();
    const gone = deadPid();
    holderFile(dir, { pid: gone, host: os.hostname(), since: '2026-12-01T00:00:00.000Z' });
    const warnings: string[] = [];
    const held = await lock(dir, warnings);
    expect(warnings).toEqual([`llmtrace: took over the store lock ${held.file} from pid ${gone}, which is no longer running`]);
    expect(JSON.parse(readFileSync(held.file, 'utf8')).pid).toBe(process.pid);
    expect(existsSync(`${held.file}.stale-${process.pid}`)).toBe(false);
    held.release();
  });

  it('a lock naming our own pid on this host is a predecessor\'s (a restarted container gets its pid): taken over', async () => {
    const dir = tempDir();
    holderFile(dir, { pid: process.pid, host: os.hostname(), since: '2026-12-01T00:00:00.000Z' });
    const warnings: string[] = [];
    const held = await lock(dir, warnings);
    expect(warnings).toEqual([`llmtrace: took over the store lock ${held.file} from pid ${process.pid}, which is no longer running`]);
    expect(JSON.parse(readFileSync(held.file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(JSON.parse(readFileSync(held.file, 'utf8')).since).not.toBe('2026-12-01T00:00:00.000Z');
    held.release();
    expect(existsSync(held.file)).toBe(false);
  });

  it('a lock written before this machine last started is taken over, though its pid now runs (pids are reused after a reboot)', async () => {
    if (!thisBoot) return; // no boot id outside Linux: the pid decides, as below
    const dir = tempDir();
    const reused = process.ppid; // running, and not ours
    holderFile(dir, { pid: reused, host: os.hostname(), since: '2026-12-01T00:00:00.000Z', boot: 'f0e9c2a4-0000-4000-8000-000000000000' });
    const warnings: string[] = [];
    const held = await lock(dir, warnings);
    expect(warnings).toEqual([`llmtrace: took over the store lock ${held.file} from pid ${reused}, written before this machine last started`]);
    expect(JSON.parse(readFileSync(held.file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname(), boot: thisBoot });
    held.release();
  });

  it('a lock of this boot whose pid runs is refused; so is one without a boot id (an older llmtrace\'s), judged by its pid', async () => {
    for (const boot of [thisBoot, undefined]) {
      const dir = tempDir();
      holderFile(dir, { pid: process.ppid, host: os.hostname(), since: '2026-12-01T00:00:00.000Z', ...(boot ? { boot } : {}) });
      const e = await refusal(lock(dir));
      expect(e.message).toContain(`in use by another llmtrace (pid ${process.ppid} on ${os.hostname()}, since 2026-12-01T00:00:00.000Z)`);
    }
  });

  it('a lock from another host is refused even if its pid is free here: its process cannot be checked', async () => {
    const dir = tempDir();
    holderFile(dir, { pid: deadPid(), host: 'elsewhere.example', since: '2026-12-01T00:00:00.000Z' });
    const e = await refusal(lock(dir));
    expect(e.message).toMatch(/in use by another llmtrace \(pid \d+ on elsewhere\.example/);
  });

  it('a lock that does not name its holder is refused, never taken over', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOCK_FILE), '');
    const e = await refusal(lock(dir));
    expect(e.message).toBe(`the store ${dir} is locked by ${path.join(dir, LOCK_FILE)}, which does not say by whom`);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe('');
  });

  it('release leaves a lock that someone else took over', async () => {
    const dir = tempDir();
    const held = await lock(dir);
    const theirs = { pid: 1, host: os.hostname(), since: '2026-12-01T00:00:00.000Z' };
    holderFile(dir, theirs);
    held.release();
    expect(JSON.parse(readFileSync(held.file, 'utf8'))).toEqual(theirs);
  });

  it('a store that cannot be written is refused as such, before any lock is looked at', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, '');
    const dir = path.join(file, 'store');
    const e = await refusal(lock(dir));
    expect(e.message).toBe(`cannot write to the store ${dir}: ENOTDIR`);
    expect(e.hint).toBe('choose a writable one');
  });

  it('a store path that is a file is refused as not a directory (never EEXIST, which reads as if the store were there)', async () => {
    const file = path.join(tempDir(), 'store');
    writeFileSync(file, 'my notes');
    const e = await refusal(lock(file));
    expect(e.message).toBe(`cannot write to the store ${file}: ENOTDIR`);
    expect(readFileSync(file, 'utf8')).toBe('my notes');
  });
});

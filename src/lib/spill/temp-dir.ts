/**
 * Temporary directories for spilled state (docs/architecture.md, "Exact at any order"): made
 * under `TMPDIR` (or a given parent), removed when the run ends — normally, on an error, and on
 * SIGINT/SIGTERM/SIGHUP, after which the signal is raised again so the exit code stays the
 * signal's. Nothing here is kept between runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LlmtraceError } from '../errors.js';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooked = false;

function removeAll(): void {
  for (const dir of live) {
    try {
      // Retries: a thread may still be writing a file into it (ENOTEMPTY on the first try).
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // best effort: a failed removal must not hide the run's own outcome
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  // Then the signal's default effect: the exit code says which signal ended the run.
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', removeAll);
  // A program that handles a signal itself (tail's orderly stop) ends through exit, or
  // removes its directories: only where a signal would kill the process at once is it caught.
  for (const s of SIGNALS) if (process.listenerCount(s) === 0) process.on(s, onSignal);
}

/** The parent of spill directories: `LLMTRACE_TMPDIR`, else the system's (`TMPDIR`). */
export function spillParent(env: NodeJS.ProcessEnv = process.env): string {
  return env.LLMTRACE_TMPDIR || tmpdir();
}

export class SpillDir {
  private removed = false;

  private constructor(readonly path: string) {}

  /** Makes a new directory `llmtrace-XXXXXX` under `parent`; an LlmtraceError (exit 2) naming it when it cannot. */
  static create(parent: string = spillParent()): SpillDir {
    // Hooked before the directory exists: a signal that arrives in between then waits for the
    // event loop, by which time the directory is in `live` (else it would kill the process first).
    hook();
    let dir: string;
    try {
      dir = mkdtempSync(path.join(parent, 'llmtrace-'));
    } catch (e) {
      throw new LlmtraceError(`cannot make a temporary directory under ${parent}: ${(e as Error).message}`, 'set TMPDIR (or LLMTRACE_TMPDIR) to a writable directory, or raise --memory');
    }
    live.add(dir);
    return new SpillDir(dir);
  }

  file(name: string): string {
    return path.join(this.path, name);
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    live.delete(this.path);
    rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * Running a command and measuring it: wall time (hrtime around the process), peak RSS (GNU time's
 * %M, when /usr/bin/time exists), exit code, and stdout either captured, sent to a file, or
 * discarded. Bounded by a timeout, after which the process group is killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = existsSync(GNU_TIME);

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: object, cwd?: string, stdout?: 'capture' | 'ignore' | string, timeoutMs?: number, input?: string }} [o]
 * @returns {Promise<{ code: number|null, signal: string|null, seconds: number, maxRssMB: number|undefined, cpuSeconds: number|undefined, stdout: string, stderr: string, timedOut: boolean }>}
 */
export async function run(cmd, args, o = {}) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmtrace-bench-'));
  const timeFile = path.join(tmp, 'time');
  const argv = hasGnuTime ? [GNU_TIME, '-f', '%M %e %U %S', '-o', timeFile, cmd, ...args] : [cmd, ...args];
  let outFd;
  let stdio;
  if (o.stdout === undefined || o.stdout === 'capture') stdio = ['ignore', 'pipe', 'pipe'];
  else if (o.stdout === 'ignore') stdio = ['ignore', 'ignore', 'pipe'];
  else {
    outFd = openSync(o.stdout, 'w');
    stdio = ['ignore', outFd, 'pipe'];
  }
  const started = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d) => {
    if (stdout.length < 64 << 20) stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  let timedOut = false;
  const timer = o.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, o.timeoutMs)
    : undefined;
  const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(timer);
  if (outFd !== undefined) closeSync(outFd);
  let maxRssMB;
  let cpuSeconds;
  if (hasGnuTime && existsSync(timeFile)) {
    const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [kb, , user, sys] = line.split(' ').map(Number);
    if (Number.isFinite(kb)) maxRssMB = kb / 1024;
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user + sys;
    // GNU time reports "Command exited with non-zero status N" on an extra line; keep the code we saw.
  }
  rmSync(tmp, { recursive: true, force: true });
  return { code, signal, seconds, maxRssMB, cpuSeconds, stdout, stderr, timedOut };
}

export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function percentile(values, p) {
  const v = [...values].sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

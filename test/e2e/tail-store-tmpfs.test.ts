/**
 * `tail` (built binary) on a store that really fills up: a 256 KiB tmpfs, mounted for the test
 * (skipped where mounting is not permitted); and on one mounted read-only. Exports that do not fit are answered 503; the store
 * file then holds only complete lines (a write that got partway is cut back); once space returns
 * the resent exports are stored, and the store holds every acknowledged export exactly once.
 * docs/architecture.md "Write failure recovery".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { runCli } from '../helpers/cli.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';
import { startTail } from '../helpers/tail-process.js';
import { JSON_CT, request } from '../receiver/helpers.js';

const canMount = process.platform === 'linux' && process.getuid?.() === 0;
const mounts: string[] = [];

/** A fresh tmpfs of `size`, or undefined where mounting is not permitted (a container without CAP_SYS_ADMIN). */
function mountTmpfs(size: string): string | undefined {
  const at = path.join(tempDir(), 'tmpfs');
  mkdirSync(at);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'ignore' }).status !== 0) return undefined;
  mounts.push(at);
  return at;
}

const remountReadOnly = (at: string) => expect(spawnSync('mount', ['-o', 'remount,ro', at]).status).toBe(0);

afterAll(() => {
  for (const at of mounts) spawnSync('umount', ['-l', at], { stdio: 'ignore' });
});

/** Each export one span with ~6 KB of attributes: a line spans pages, so a write can end partway. */
const body = (name: string) => JSON.stringify(encodeOtlpJsonTraces([span({ id: name, name, attrs: { pad: name.repeat(6000 / name.length) } })]));

/** Every line of every store file parses; the files end in a newline. */
function onlyCompleteLines(store: string): void {
  for (const f of readdirSync(store).filter((n) => n.endsWith('.jsonl'))) {
    const text = readFileSync(path.join(store, f), 'utf8');
    if (text === '') continue;
    expect(text.endsWith('\n'), `${f} ends inside a line`).toBe(true);
    for (const l of text.slice(0, -1).split('\n')) expect(() => JSON.parse(l)).not.toThrow();
  }
}

describe('tail on a disk that fills up (real tmpfs)', () => {
  it.skipIf(!canMount)('503 while full, only complete lines, every acknowledged export stored once after space returns', async (ctx) => {
    const mountPoint = mountTmpfs('256k');
    if (!mountPoint) return ctx.skip();
    const store = path.join(mountPoint, 'store');
    const { tail, listening } = await startTail(['--store', store, '--no-grpc']);
    try {
      const send = (name: string) => request(listening.http.port, { headers: JSON_CT, body: body(name) });
      // Leave ~40 KB: a few exports fit, then the disk is full.
      const { bavail, bsize } = statfsSync(mountPoint);
      const filler = path.join(mountPoint, 'filler');
      writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 40 * 1024)));

      const acknowledged: string[] = [];
      const refused: string[] = [];
      for (let i = 0; i < 40 && refused.length < 5; i++) {
        const name = `req${i}-`;
        const res = await send(name);
        expect([200, 503]).toContain(res.status);
        if (res.status === 200) acknowledged.push(name);
        else {
          expect(res.headers['retry-after']).toBeDefined();
          expect(res.body.toString()).toMatch(/ENOSPC/);
          refused.push(name);
        }
      }
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(refused).toHaveLength(5);
      onlyCompleteLines(store);

      rmSync(filler); // space returns
      for (const name of refused) expect((await send(name)).status).toBe(200);
      expect(await tail.stop('SIGINT')).toBe(0);

      onlyCompleteLines(store);
      const { spans, problems } = await readAll([store]);
      expect(problems).toEqual([]);
      expect(spans.map((s) => s.name).sort()).toEqual([...acknowledged, ...refused].sort());
    } finally {
      await tail.stop('SIGKILL');
    }
  }, 60_000);

  it.skipIf(!canMount)('a read-only store is refused as unwritable, also when it holds a stale lock (which cannot be taken over there, and stays)', async (ctx) => {
    const mountPoint = mountTmpfs('64k');
    if (!mountPoint) return ctx.skip();
    const store = path.join(mountPoint, 'store');
    mkdirSync(store);
    const lock = path.join(store, 'tail.lock');
    writeFileSync(lock, `${JSON.stringify({ pid: spawnSync(process.execPath, ['-e', '']).pid, host: os.hostname(), since: '2026-12-01T00:00:00.000Z' })}\n`);
    remountReadOnly(mountPoint);
    const r = await runCli(['tail', '--store', store, '--http-port', '0', '--grpc-port', '0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`cannot write to the store ${store}: EROFS`);
    expect(r.stderr).toMatch(/hint: .*--no-store/);
    expect(r.stderr).not.toContain('took over');
    expect(readFileSync(lock, 'utf8')).toContain('2026-12-01');
  }, 30_000);
});

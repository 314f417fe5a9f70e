/**
 * `tail` (built binary) on a store that really fills up: a 256 KiB tmpfs, mounted for the test
 * (skipped where mounting is not permitted). Exports that do not fit are answered 503; the store
 * file then holds only complete lines (a write that got partway is cut back); once space returns
 * the resent exports are stored, and the store holds every acknowledged export exactly once.
 * docs/architecture.md "Write failure recovery".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOtlpJsonTraces } from '../../src/lib/otlp/json-encode.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';
import { startTail } from '../helpers/tail-process.js';
import { JSON_CT, request } from '../receiver/helpers.js';

let mountPoint = '';
let mounted = false;
beforeAll(() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return;
  mountPoint = path.join(tempDir(), 'tmpfs');
  mkdirSync(mountPoint);
  mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], { stdio: 'ignore' }).status === 0;
});
afterAll(() => {
  if (mounted) spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
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
  it.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)('503 while full, only complete lines, every acknowledged export stored once after space returns', async (ctx) => {
    if (!mounted) ctx.skip(); // mounting not permitted here (a container without CAP_SYS_ADMIN)
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
});

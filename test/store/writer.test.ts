/**
 * The store writer: directory and `.gitignore` on first use, one file per signal and UTC hour
 * of receipt, one complete line per append in call order, crash leftovers (a cut last line)
 * skipped by the reader without swallowing what is written after them; lines appended while a
 * write is in flight go out together in the next write (group commit); a write that fails
 * partway is cut back off the file; a store deleted while open is made again with its lock, or
 * left alone once another process holds it.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { MAX_BATCH_BYTES, MAX_BATCH_LINES, createNullStoreWriter, createStoreWriter } from '../../src/lib/store/writer.js';
import { LOCK_FILE, lockStore } from '../../src/lib/store/lock.js';
import { INDEX_DIR } from '../../src/lib/store/span-index.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { diskFull, fileHandlePrototype, interceptWrites } from '../helpers/write-faults.js';
import { span } from '../helpers/span-factory.js';

const line = (id: string, name = id) => JSON.stringify(encodeOtlpJsonTraces([span({ id, name })]));
const at = (iso: string) => new Date(iso);

const linesIn = (b: Buffer) => b.toString('utf8').split('\n').filter((l) => l !== '');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('store writer', () => {
  it('creates a new store directory (nested) with a .gitignore of *', async () => {
    const dir = path.join(tempDir(), 'a', 'b', '.llmtrace');
    const w = createStoreWriter(dir);
    expect(existsSync(dir)).toBe(false); // nothing happens before the first write
    await w.append('traces', line('s1'), at('2026-11-22T02:15:00Z'));
    await w.close();
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('*\n');
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', INDEX_DIR, 'traces-20261122T02.jsonl']);
  });

  it('leaves an existing directory without a .gitignore alone', async () => {
    const dir = tempDir();
    const w = createStoreWriter(dir);
    await w.append('logs', '{"resourceLogs":[]}', at('2026-11-22T02:15:00Z'));
    await w.close();
    expect(readdirSync(dir)).toEqual(['logs-20261122T02.jsonl']);
  });

  it('rotates at the UTC hour of receipt, per signal', async () => {
    const dir = tempDir();
    const w = createStoreWriter(dir);
    await w.append('traces', line('a'), at('2026-11-22T23:59:59.999Z'));
    await w.append('traces', line('b'), at('2026-11-23T00:00:00.000Z'));
    await w.append('metrics', '{"resourceMetrics":[]}', at('2026-11-23T00:30:00Z'));
    await w.append('traces', line('c'), at('2026-11-23T00:59:00.000Z'));
    // Receipt time, not local time: +05:00 is still 19:xx UTC.
    await w.append('traces', line('d'), new Date('2026-11-23T01:00:00+05:00'));
    await w.close();
    expect(readdirSync(dir).sort()).toEqual([
      INDEX_DIR,
      'metrics-20261123T00.jsonl',
      'traces-20261122T20.jsonl',
      'traces-20261122T23.jsonl',
      'traces-20261123T00.jsonl',
    ]);
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    expect(read('traces-20261122T23.jsonl')).toBe(`${line('a')}\n`);
    expect(read('traces-20261123T00.jsonl')).toBe(`${line('b')}\n${line('c')}\n`);
    const { spans, problems } = await readAll([dir]);
    expect(problems).toEqual([]);
    expect(spans.map((s) => s.name)).toEqual(['d', 'a', 'b', 'c']); // the reader goes by file hour
  });

  it('concurrent appends become whole lines in call order; pending counts them', async () => {
    const dir = tempDir();
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    const big = 'x'.repeat(200_000);
    const writes = Array.from({ length: 200 }, (_, i) => w.append('logs', JSON.stringify({ i, pad: i % 10 === 0 ? big : '' }), when));
    expect(w.pending).toBe(200);
    await Promise.all(writes);
    expect(w.pending).toBe(0);
    await w.close();
    const lines = readFileSync(path.join(dir, 'logs-20261122T02.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('appends issued together go out in fewer writes, whole and in order, each acknowledged once in the file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'logs-20261122T02.jsonl');
    const calls = await interceptWrites();
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    const texts = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, s: 'ü'.repeat(i % 7), pad: 'x'.repeat((i * 37) % 500) }));
    let expectedEnd = 0;
    const seen: number[] = [];
    const writes = texts.map((t, i) => {
      // Every other line as bytes with its newline (made on a worker thread), the others as text.
      const input = i % 2 === 0 ? t : Buffer.from(`${t}\n`);
      expectedEnd += Buffer.byteLength(`${t}\n`);
      const end = expectedEnd;
      return w.append('logs', input, when).then(() => {
        // Acknowledged only once the kernel has the line and everything before it.
        expect(statSync(file).size).toBeGreaterThanOrEqual(end);
        seen.push(i);
      });
    });
    expect(w.pending).toBe(300);
    await Promise.all(writes);
    expect(w.pending).toBe(0);
    await w.close();
    const expected = texts.map((t) => `${t}\n`).join('');
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(seen).toEqual(texts.map((_, i) => i));
    // Group commit: a handful of writes, none over the line bound, together exactly the file.
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.length).toBeLessThanOrEqual(4);
    for (const c of calls) expect(linesIn(c).length).toBeLessThanOrEqual(MAX_BATCH_LINES);
    expect(Buffer.concat(calls).toString('utf8')).toBe(expected);
  });

  it('a combined write stays within the byte bound; a line longer than the bound goes alone', async () => {
    const dir = tempDir();
    const calls = await interceptWrites();
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    const MiB = 1024 * 1024;
    const texts = [
      ...Array.from({ length: 5 }, (_, i) => JSON.stringify({ i })),
      JSON.stringify({ huge: 'h'.repeat(MAX_BATCH_BYTES + 10) }),
      ...Array.from({ length: 4 }, (_, i) => JSON.stringify({ big: i, pad: 'b'.repeat(3 * MiB) })),
      ...Array.from({ length: 5 }, (_, i) => JSON.stringify({ i: i + 5 })),
    ];
    await Promise.all(texts.map((t) => w.append('logs', t, when)));
    await w.close();
    const expected = texts.map((t) => `${t}\n`).join('');
    expect(readFileSync(path.join(dir, 'logs-20261122T02.jsonl'), 'utf8')).toBe(expected);
    expect(Buffer.concat(calls).toString('utf8')).toBe(expected);
    for (const c of calls) {
      const n = linesIn(c).length;
      if (n > 1) expect(c.length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    const huge = calls.find((c) => c.length > MAX_BATCH_BYTES);
    expect(huge && linesIn(huge).length).toBe(1);
    expect(calls.length).toBeLessThan(texts.length);
  });

  it('a failed write rejects exactly the lines it held; lines appended meanwhile and later are written', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    await w.append('traces', line('warm'), when); // the file is open: the next append writes at once
    const meanwhile: Array<Promise<unknown>> = [];
    const calls = await interceptWrites((call) => {
      if (call !== 1) return undefined;
      // While this write is in flight, more lines arrive; they must not share its fate.
      for (const id of ['m1', 'm2', 'm3']) meanwhile.push(w.append('traces', line(id), when));
      return { writeOnly: 0, thenFail: Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }) };
    });
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const results = await Promise.allSettled(ids.map((id) => w.append('traces', line(id), when)));
    expect(await Promise.all(meanwhile)).toHaveLength(3);
    const rejected = ids.filter((_, i) => results[i]!.status === 'rejected');
    const written = ids.filter((_, i) => results[i]!.status === 'fulfilled');
    // The lines of the failed (second) write, no more and no fewer, and with its error.
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.map((id) => line(id))).toEqual(linesIn(calls[1]!));
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/EIO/);
    // The writer keeps going.
    await w.append('traces', line('later'), when);
    expect(w.pending).toBe(0);
    await w.close();
    const all = ['warm', ...written, 'm1', 'm2', 'm3', 'later'];
    expect(readFileSync(file, 'utf8')).toBe(all.map((id) => `${line(id)}\n`).join(''));
  });

  it('a write that fails partway (disk full) is cut back off the file: only complete lines, none of the rejected ones', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    await w.append('traces', line('warm'), when);
    let noSpace = true;
    let sizeAfterShortWrite = 0;
    // As write(2) does when the disk fills up: a short write (half a line), then an error for the rest.
    const fill = diskFull(() => noSpace);
    const calls = await interceptWrites((call, bytes) => {
      if (call === 1) sizeAfterShortWrite = statSync(file).size;
      return fill(call, bytes);
    });
    // Several lines in flight: the first write holds one, the next one the others.
    const full = await Promise.allSettled(['lost1', 'lost2', 'lost3'].map((id) => w.append('traces', line(id), when)));
    expect(full.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of full) expect(String((r as PromiseRejectedResult).reason)).toMatch(/ENOSPC/);
    expect(sizeAfterShortWrite).toBeGreaterThan(Buffer.byteLength(`${line('warm')}\n`)); // half a line was there
    expect(readFileSync(file, 'utf8')).toBe(`${line('warm')}\n`);
    // Space returns: writes resume on the same descriptor, no newline needed.
    noSpace = false;
    await w.append('traces', line('next'), when);
    await w.append('traces', line('last'), when);
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe(`${line('warm')}\n${line('next')}\n${line('last')}\n`);
    expect(calls.at(-1)!.toString('utf8')).toBe(`${line('last')}\n`);
    const r = await readAll([dir]);
    expect(r.spans.map((s) => s.name)).toEqual(['warm', 'next', 'last']);
    expect(r.problems).toEqual([]);
  });

  it('a failed write after a cut line from a previous run is cut back with its newline; the next write brings one again', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    const before = `${line('before')}\n{"resourceSpans":[`;
    writeFileSync(file, before);
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    let fail = true;
    // write(2) reports an error only when it wrote nothing: a short write first, then the error.
    await interceptWrites((call, bytes) => {
      if (!fail) return undefined;
      return call === 0 ? { writeOnly: bytes.length - 3 } : { writeOnly: 0, thenFail: Object.assign(new Error('EDQUOT: disk quota exceeded, write'), { code: 'EDQUOT' }) };
    });
    await expect(w.append('traces', line('lost'), when)).rejects.toThrow(/EDQUOT/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    fail = false;
    await w.append('traces', line('next'), when);
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe(`${before}\n${line('next')}\n`);
  });

  it('when the failed write cannot be cut back either, the next write starts on a new line', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    await w.append('traces', line('warm'), when);
    const truncate = vi.spyOn(await fileHandlePrototype(), 'truncate').mockRejectedValue(Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' }));
    let cut = '';
    let fail = true;
    await interceptWrites((call, bytes) => {
      if (!fail) return undefined;
      if (call > 0) return { writeOnly: 0, thenFail: Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }) };
      cut = bytes.subarray(0, 10).toString('utf8');
      return { writeOnly: 10 };
    });
    await expect(w.append('traces', line('lost'), when)).rejects.toThrow(/EIO/);
    expect(truncate).toHaveBeenCalled();
    fail = false;
    await w.append('traces', line('next'), when);
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe(`${line('warm')}\n${cut}\n${line('next')}\n`);
  });

  it('short writes are completed, also when they end inside a line or a multi-byte character', async () => {
    const dir = tempDir();
    const calls = await interceptWrites(() => ({ writeOnly: 999 }));
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    const texts = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, s: 'é€😀'.repeat(50 + i * 13) }));
    await Promise.all(texts.map((t, i) => w.append('logs', i % 3 === 0 ? Buffer.from(`${t}\n`) : t, when)));
    expect(w.pending).toBe(0);
    await w.close();
    const expected = texts.map((t) => `${t}\n`).join('');
    expect(readFileSync(path.join(dir, 'logs-20261122T02.jsonl'), 'utf8')).toBe(expected);
    expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(Buffer.byteLength(expected) / 999));
  });

  it('a cut line from a previous run gets one newline before the first combined write, none later', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    const before = `${line('before')}\n{"resourceSpans":[`;
    writeFileSync(file, before);
    const calls = await interceptWrites();
    const w = createStoreWriter(dir);
    const when = at('2026-11-22T02:00:00Z');
    const first = Array.from({ length: 30 }, (_, i) => `a${i}`);
    const second = Array.from({ length: 30 }, (_, i) => `b${i}`);
    await Promise.all(first.map((id, i) => w.append('traces', i % 2 ? Buffer.from(`${line(id)}\n`) : line(id), when)));
    await Promise.all(second.map((id) => w.append('traces', line(id), when)));
    await w.close();
    const lines = [...first, ...second].map((id) => `${line(id)}\n`).join('');
    expect(readFileSync(file, 'utf8')).toBe(`${before}\n${lines}`);
    expect(calls.length).toBeLessThan(first.length + second.length);
    const r = await readAll([dir]);
    expect(r.spans.map((s) => s.name)).toEqual(['before', ...first, ...second]);
    expect(r.problems).toHaveLength(1);
  });

  it('a cut last line (a kill -9 mid-write) is skipped with a warning; lines written later are read', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    const full = line('after');
    writeFileSync(file, `${line('before')}\n${full.slice(0, full.length / 2)}`);

    // What a reader sees right after the crash.
    let r = await readAll([dir]);
    expect(r.spans.map((s) => s.name)).toEqual(['before']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ source: file, line: 2 });

    // A new run appends to the same hour: the cut line stays alone on its line.
    const w = createStoreWriter(dir);
    await w.append('traces', line('next'), at('2026-11-22T02:30:00Z'));
    await w.append('traces', line('last'), at('2026-11-22T02:31:00Z'));
    await w.close();
    r = await readAll([dir]);
    expect(r.spans.map((s) => s.name)).toEqual(['before', 'next', 'last']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/invalid JSON/) });
    expect(readFileSync(file, 'utf8').endsWith(`${line('last')}\n`)).toBe(true);
  });

  it('takes a line as UTF-8 bytes with its newline (made on a worker thread), also after a cut line', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    writeFileSync(file, `${line('before')}\n{"resourceSpans":[`);
    const w = createStoreWriter(dir);
    await w.append('traces', Buffer.from(`${line('bytes — ünïcode')}\n`), at('2026-11-22T02:30:00Z'));
    await w.append('traces', line('text'), at('2026-11-22T02:31:00Z'));
    await w.close();
    const r = await readAll([dir]);
    expect(r.spans.map((s) => s.name)).toEqual(['before', 'bytes — ünïcode', 'text']);
    expect(r.problems).toHaveLength(1);
  });

  it('refuses appends after close', async () => {
    const dir = tempDir();
    const w = createStoreWriter(dir);
    await w.close();
    await expect(w.append('traces', '{}', new Date())).rejects.toThrow(/closed/);
    expect(w.pending).toBe(0);
  });

  it('a store path that cannot be a directory rejects the append (the receiver answers 503) and later ones retry', async () => {
    const parent = tempDir();
    const dir = path.join(parent, 'store');
    writeFileSync(dir, 'not a directory');
    const w = createStoreWriter(dir);
    await expect(w.append('traces', line('x'), new Date())).rejects.toThrow();
    expect(w.pending).toBe(0);
    // Once the obstacle is gone the next write goes through.
    rmSync(dir);
    mkdirSync(dir);
    await w.append('traces', line('y'), at('2026-11-22T02:00:00Z'));
    await w.close();
    expect((await readAll([dir])).spans.map((s) => s.name)).toEqual(['y']);
  });

  // rm -rf .llmtrace while tail runs (the README's way to delete what was recorded), then lines
  // in the same hour and in the next one: each is in the store made again, once.
  it.each([
    ['within the hour: in a new file, not the deleted one', ['02:20', '02:21', '02:22'], ['traces-20261122T02.jsonl']],
    ['into the next hour: the directory is made again for its file', ['03:05'], ['traces-20261122T03.jsonl']],
  ])('a store deleted while open has what is appended after it %s', async (_, times, files) => {
    const dir = path.join(tempDir(), '.llmtrace');
    const w = createStoreWriter(dir);
    await w.append('traces', line('before'), at('2026-11-22T02:10:00Z'));
    rmSync(dir, { recursive: true });
    await w.append('traces', line(`after-${times[0]}`), at(`2026-11-22T${times[0]}:00Z`));
    await Promise.all(times.slice(1).map((t) => w.append('traces', line(`after-${t}`), at(`2026-11-22T${t}:00Z`))));
    await w.close();
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('*\n');
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', INDEX_DIR, ...files]);
    // The span index is made again with the store (store/span-index.ts).
    expect(readdirSync(path.join(dir, INDEX_DIR))).toEqual(files.map((f) => `${f}.index`));
    expect((await readAll([dir])).spans.map((s) => s.name)).toEqual(times.map((t) => `after-${t}`));
  });

  it('a store deleted while open gets its lock back when made again (a second tail is refused, as before the deletion)', async () => {
    const dir = path.join(tempDir(), '.llmtrace');
    const lock = await lockStore(dir, { inUseHint: 'elsewhere', unwritableHint: 'elsewhere', warn: () => {} });
    const w = createStoreWriter(dir, lock);
    await w.append('traces', line('before'), at('2026-11-22T02:10:00Z'));
    rmSync(dir, { recursive: true });
    await w.append('traces', line('after'), at('2026-11-22T02:20:00Z'));
    expect(readFileSync(lock.file, 'utf8')).toBe(lock.content);
    await expect(lockStore(dir, { inUseHint: 'elsewhere', unwritableHint: 'elsewhere', warn: () => {} })).rejects.toThrow(`the store ${dir} is in use by another llmtrace (pid ${process.pid}`);
    await w.close();
    expect(existsSync(lock.file)).toBe(false); // released, as before
    expect((await readAll([dir])).spans.map((s) => s.name)).toEqual(['after']);
  });

  it('a store deleted and taken by another tail meanwhile is left to it: appends are refused (503), said once', async () => {
    const dir = path.join(tempDir(), '.llmtrace');
    const lock = await lockStore(dir, { inUseHint: 'elsewhere', unwritableHint: 'elsewhere', warn: () => {} });
    const warnings: string[] = [];
    const w = createStoreWriter(dir, { file: lock.file, content: lock.content, left: lock.left }, (m) => warnings.push(m));
    await w.append('traces', line('before'), at('2026-11-22T02:10:00Z'));
    rmSync(dir, { recursive: true });
    // The other tail starts on the deleted store: it makes it again, with its lock.
    const theirs = `${JSON.stringify({ pid: 4242, host: 'box', since: '2026-11-22T02:15:00.000Z' })}\n`;
    mkdirSync(dir);
    writeFileSync(lock.file, theirs);
    const refused = `the store ${dir} was made again by another llmtrace (pid 4242 on box, since 2026-11-22T02:15:00.000Z), after it was deleted; this tail writes nothing more there`;
    await expect(w.append('traces', line('same hour'), at('2026-11-22T02:20:00Z'))).rejects.toThrow(refused);
    await expect(w.append('traces', line('next hour'), at('2026-11-22T03:20:00Z'))).rejects.toThrow(refused);
    await expect(w.append('logs', line('another file'), at('2026-11-22T03:20:00Z'))).rejects.toThrow(refused);
    await w.close();
    expect(warnings).toEqual([
      `llmtrace: the store ${dir} was deleted and another llmtrace (pid 4242 on box, since 2026-11-22T02:15:00.000Z) has started on it since: this tail stores nothing more (exports are answered 503); restart it with its own --store DIR, or --no-store`,
    ]);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    expect(readFileSync(lock.file, 'utf8')).toBe(theirs);
    lock.release(); // theirs stays
    expect(readFileSync(lock.file, 'utf8')).toBe(theirs);
  });

  it('appending to an existing file keeps what was there', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'traces-20261122T02.jsonl');
    appendFileSync(file, `${line('old')}\n`);
    const w = createStoreWriter(dir);
    await w.append('traces', line('new'), at('2026-11-22T02:59:59Z'));
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe(`${line('old')}\n${line('new')}\n`);
  });

  it('--no-store: the null writer accepts and keeps nothing', async () => {
    const w = createNullStoreWriter();
    await w.append('traces', line('x'), new Date());
    expect(w.pending).toBe(0);
    await w.close();
  });
});

/**
 * The store writer: directory and `.gitignore` on first use, one file per signal and UTC hour
 * of receipt, one complete line per append in call order, crash leftovers (a cut last line)
 * skipped by the reader without swallowing what is written after them.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonTraces } from '../../src/lib/otlp/json-encode.js';
import { createNullStoreWriter, createStoreWriter } from '../../src/lib/store/writer.js';
import { readAll, tempDir } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';

const line = (id: string, name = id) => JSON.stringify(encodeOtlpJsonTraces([span({ id, name })]));
const at = (iso: string) => new Date(iso);

describe('store writer', () => {
  it('creates a new store directory (nested) with a .gitignore of *', async () => {
    const dir = path.join(tempDir(), 'a', 'b', '.llmtrace');
    const w = createStoreWriter(dir);
    expect(existsSync(dir)).toBe(false); // nothing happens before the first write
    await w.append('traces', line('s1'), at('2026-11-22T02:15:00Z'));
    await w.close();
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('*\n');
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'traces-20261122T02.jsonl']);
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

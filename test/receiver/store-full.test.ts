/**
 * A full disk under the receiver (injected: a short write, then ENOSPC, as write(2) does): every
 * export that could not be stored is answered 503 with Retry-After, none acknowledged is lost,
 * and once space returns the resent exports are stored, each once, in files holding only
 * complete lines. docs/architecture.md "Write failure recovery".
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeOtlpJsonTraces } from '../helpers/otlp-json-oracle.js';
import { readAll } from '../helpers/read-all.js';
import { span } from '../helpers/span-factory.js';
import { diskFull, interceptWrites } from '../helpers/write-faults.js';
import { JSON_CT, request, startReceivers, type TestReceivers } from './helpers.js';

let r: TestReceivers | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await r?.close();
  r = undefined;
});

const body = (name: string) => JSON.stringify(encodeOtlpJsonTraces([span({ id: name, name, attrs: { pad: 'p'.repeat(2000) } })]));

describe('receiver on a full disk', () => {
  it('answers 503 (retryable) while the disk is full; resent once space returns, every export is stored once, in whole lines', async () => {
    r = await startReceivers({ grpc: false });
    const send = (name: string) => request(r!.http.port, { headers: JSON_CT, body: body(name) });
    expect((await send('before')).status).toBe(200);

    let noSpace = true;
    await interceptWrites(diskFull(() => noSpace));
    const names = Array.from({ length: 30 }, (_, i) => `full-${i}`);
    const answers = await Promise.all(names.map(send));
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.headers['retry-after']).toBe('1');
      expect(JSON.parse(a.body.toString()).message).toMatch(/could not write to the store: ENOSPC/);
    }
    expect(r.exports.map((e) => e.spans[0]!.name)).toEqual(['before']);

    noSpace = false;
    // The client resends what was not acknowledged.
    const resent = await Promise.all(names.map(send));
    expect(resent.map((a) => a.status)).toEqual(names.map(() => 200));
    expect((await send('after')).status).toBe(200);
    await r.store.close();

    const files = readdirSync(r.storeDir).filter((n) => n.endsWith('.jsonl'));
    for (const f of files) {
      const text = readFileSync(path.join(r.storeDir, f), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const l of text.slice(0, -1).split('\n')) expect(() => JSON.parse(l)).not.toThrow();
    }
    const { spans, problems } = await readAll([r.storeDir]);
    expect(problems).toEqual([]);
    expect(spans.map((s) => s.name).sort()).toEqual(['before', ...names, 'after'].sort());
  });
});

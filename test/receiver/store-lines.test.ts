/**
 * The store on worker threads (tail's default with two cores or more): the lines a worker
 * appends must be exactly the lines the receiver thread makes. The worker runs the sources
 * (test/setup/ts-hooks.mjs).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { decodeExport, decodeFailure } from '../../src/lib/receiver/decode.js';
import { openStoreLines } from '../../src/lib/receiver/store-lines.js';
import { LOCK_FILE, lockStore } from '../../src/lib/store/lock.js';

import { cat, fLen, SPAN, spanBytes } from '../otlp/wire-arbitraries.js';

const CAPTURES = 'fixtures/shared/captures';
const AT = new Date('2026-11-22T07:30:00Z');
const FILE = 'traces-20261122T07.jsonl';

describe('store lines kept by worker threads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmtrace-test-lines-'));
  const lines = openStoreLines({ dir }, { start: true })!;
  afterAll(async () => {
    await lines.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('append exactly the lines made in-thread for every capture (protobuf and JSON), in order', async () => {
    const files = ['manual-agent-http-proto.bin', 'manual-agent-grpc.bin', 'official-agent-http-proto.bin', 'manual-stream-http-proto.bin', 'manual-agent-http-json.json', 'official-agent-http-json.json', 'manual-error-http-json.json'];
    const expected: string[] = [];
    for (const f of files) {
      const body = new Uint8Array(readFileSync(path.join(CAPTURES, f)));
      const encoding = f.endsWith('.json') ? 'json' : 'protobuf';
      expected.push(Buffer.from(decodeExport('traces', encoding, body).storeLine as Uint8Array).toString('utf8'));
      expect(await lines.keep('traces', encoding, body, AT), f).toMatchObject({ kind: 'kept', stored: true, rejected: 0, warning: '' });
      // The body is shared or copied for the worker: the caller's bytes stay usable.
      expect(body.byteLength, f).toBeGreaterThan(0);
    }
    expect(readFileSync(path.join(dir, FILE), 'utf8')).toBe(expected.join(''));
    expect(lines.pending).toBe(0);
  });

  it('a body with nothing to store keeps nothing; garbage is invalid (the receiver then decides)', async () => {
    const before = readFileSync(path.join(dir, FILE), 'utf8');
    expect(await lines.keep('traces', 'json', Buffer.from('{"resourceSpans":[]}'), AT)).toEqual({ kind: 'kept', stored: false, itemCount: 0, rejected: 0, warning: '' });
    for (const [encoding, body] of [
      ['protobuf', Uint8Array.from([0x0a, 0xff, 0xff])],
      ['json', Buffer.from('{"resourceSpans":')],
    ] as const) {
      let message = '';
      try {
        decodeExport('traces', encoding, body);
      } catch (e) {
        message = decodeFailure('traces', e);
      }
      expect(message).not.toBe('');
      expect(await lines.keep('traces', encoding, body, AT)).toEqual({ kind: 'invalid', message });
    }
    expect(readFileSync(path.join(dir, FILE), 'utf8')).toBe(before);
  });

  it('the answer\'s numbers are the decoder\'s: items, spans skipped for bad ids and why', async () => {
    const cases: Array<['protobuf' | 'json', Uint8Array]> = [];
    for (const f of ['manual-agent-http-proto.bin', 'official-agent-http-proto.bin', 'manual-agent-http-json.json']) cases.push([f.endsWith('.json') ? 'json' : 'protobuf', new Uint8Array(readFileSync(path.join(CAPTURES, f)))]);
    // A span with a bad trace id beside a good one, in protobuf and in JSON.
    const good = spanBytes(fLen(5, 'ok'));
    const bad = cat(fLen(1, Uint8Array.of(1, 2, 3)), fLen(2, SPAN), fLen(5, 'bad'));
    cases.push(['protobuf', fLen(1, fLen(2, cat(fLen(2, bad), fLen(2, good))))]);
    cases.push(['json', Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01","name":"bad"},{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"ok"}]}]}]}')]);
    for (const [encoding, body] of cases) {
      const here = decodeExport('traces', encoding, body);
      expect(await lines.keep('traces', encoding, body, AT)).toEqual({ kind: 'kept', stored: true, itemCount: here.itemCount, rejected: here.rejected, warning: here.warning });
    }
    for (const [encoding, body] of cases.slice(-2)) expect(decodeExport('traces', encoding, body).rejected).toBe(1);
  });

  it('a store deleted and taken by another tail: the worker stops writing there and says so once, through the main thread', async () => {
    const own = path.join(dir, 'taken');
    const lock = await lockStore(own, { inUseHint: '', unwritableHint: '', warn: () => {} });
    const warnings: string[] = [];
    const worker = openStoreLines({ dir: own, lock: { file: lock.file, content: lock.content, left: lock.left } }, { start: true, warn: (m) => warnings.push(m) })!;
    try {
      const body = new Uint8Array(readFileSync(path.join(CAPTURES, 'manual-agent-http-proto.bin')));
      expect(await worker.keep('traces', 'protobuf', body, AT)).toMatchObject({ kind: 'kept', stored: true });
      rmSync(own, { recursive: true });
      mkdirSync(own);
      writeFileSync(lock.file, '{"pid":4242,"host":"box","since":"2026-11-22T07:35:00.000Z"}\n');
      for (let i = 0; i < 2; i++) {
        const outcome = await worker.keep('traces', 'protobuf', body, AT);
        expect(outcome).toEqual({ kind: 'failed', message: `the store ${own} was made again by another llmtrace (pid 4242 on box, since 2026-11-22T07:35:00.000Z), after it was deleted; this tail writes nothing more there` });
      }
      expect(warnings).toEqual([expect.stringContaining(`llmtrace: the store ${own} was deleted and another llmtrace (pid 4242 on box`)]);
      expect(readdirSync(own)).toEqual([LOCK_FILE]);
    } finally {
      await worker.close();
      lock.release();
    }
  });

  it('a store that cannot be written says failed, with the reason', async () => {
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, 'x');
    const broken = openStoreLines({ dir: notADir }, { start: true })!;
    try {
      const body = new Uint8Array(readFileSync(path.join(CAPTURES, 'manual-agent-http-proto.bin')));
      const outcome = await broken.keep('traces', 'protobuf', body, AT);
      expect(outcome.kind).toBe('failed');
      expect(outcome.kind === 'failed' && outcome.message).toMatch(/EEXIST|ENOTDIR|file/);
    } finally {
      await broken.close();
    }
  });
});

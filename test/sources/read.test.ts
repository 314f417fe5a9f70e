import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { readAll, writeTemp } from '../helpers/read-all.js';

const CAPTURES = 'fixtures/shared/captures';
const json = readFileSync(`${CAPTURES}/manual-agent-http-json.json`, 'utf8');
const proto = readFileSync(`${CAPTURES}/manual-agent-http-proto.bin`);
const AGENT_SPANS = ['agent.research', 'chat gpt-4o', 'chat gpt-4o-mini', 'embeddings text-embedding-3-small', 'execute_tool search_docs'];

function frame(msg: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(msg.length);
  return Buffer.concat([head, msg]);
}

async function* inChunks(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

const names = (spans: { name: string }[]) => spans.map((s) => s.name).sort();

describe('format sniffing', () => {
  it.each([
    ['OTLP JSON object', 'a.json', json],
    ['OTLP JSON pretty-printed', 'a.json', JSON.stringify(JSON.parse(json), null, 2)],
    ['OTLP JSON array', 'a.json', `[${json},\n${json}]`],
    ['Jaeger api_v3 result', 'a.json', JSON.stringify({ result: JSON.parse(json) })],
    ['OTLP protobuf message', 'a.bin', proto],
    ['length-prefixed protobuf stream', 'a.pb', Buffer.concat([frame(proto), frame(proto)])],
    ['gzipped JSON', 'a.json.gz', gzipSync(json)],
    ['gzipped protobuf with a misleading name', 'a.json', gzipSync(proto)],
    ['JSON Lines with a UTF-8 byte-order mark', 'a.jsonl', `\ufeff${json.trim()}\n`],
  ])('reads %s', async (_label, file, content) => {
    const r = await readAll([writeTemp(file, content)]);
    expect(r.problems).toEqual([]);
    expect(new Set(names(r.spans))).toEqual(new Set(AGENT_SPANS));
  });

  it('reads Jaeger UI and Zipkin fixtures of the same trace', async () => {
    for (const f of ['fixtures/agent-jaeger.json', 'fixtures/agent-zipkin.json']) {
      const r = await readAll([f]);
      expect(r.problems).toEqual([]);
      expect(names(r.spans)).toEqual(AGENT_SPANS);
    }
  });

  it('reads stdin', async () => {
    const r = await readAll(['-'], json);
    expect(names(r.spans)).toEqual(AGENT_SPANS);
  });
});

describe('JSON Lines (the Collector file exporter and the store)', () => {
  it('reports bad lines with their line number and reads the rest', async () => {
    const lines = [json, 'garbage', '', '{"resourceSpans": 5}', '{"hello":1}', json.slice(0, 100)].join('\n');
    const file = writeTemp('dump.jsonl', `${lines}\n${json}\n`);
    const r = await readAll([file]);
    expect(r.spans).toHaveLength(10);
    expect(r.problems.map((p) => [p.source, p.line])).toEqual([
      [file, 2],
      [file, 4],
      [file, 5],
      [file, 6],
    ]);
    expect(r.problems[2]!.message).toContain('"hello"');
    expect(r.stats).toMatchObject({ records: 6, badRecords: 4, spans: 10 });
  });

  it('sniffs JSON Lines even when the first line is garbled', async () => {
    const r = await readAll([writeTemp('d.jsonl', `{"resourceSpans":[\n${json}\n${json}\n`)]);
    expect(r.spans).toHaveLength(10);
    expect(r.problems.map((p) => p.line)).toEqual([1]);
  });

  it('reads JSON Lines cut at the start, inside the first record', async () => {
    const r = await readAll([writeTemp('d.jsonl', `${json.slice(json.length / 2).trim()}\n${json}\n${json}\n`)]);
    expect(r.spans).toHaveLength(10);
    expect(r.problems.map((p) => [p.line, p.message.slice(0, 13)])).toEqual([[1, 'invalid JSON:']]);
  });

  it('handles CRLF line ends and a missing final newline', async () => {
    const r = await readAll([writeTemp('d.jsonl', `${json}\r\n${json}`)]);
    expect(r.spans).toHaveLength(10);
    expect(r.problems).toEqual([]);
  });
});

describe('bad input', () => {
  it('names a missing file and counts it unreadable', async () => {
    const r = await readAll(['/nonexistent/dump.jsonl']);
    expect(r.problems).toEqual([{ source: '/nonexistent/dump.jsonl', message: 'no such file' }]);
    expect(r.stats.unreadableInputs).toBe(1);
  });

  it('names a directory given as a source that holds no store files', async () => {
    const { tempDir } = await import('../helpers/read-all.js');
    const dir = tempDir();
    const r = await readAll([dir]);
    expect(r.problems).toEqual([{ source: dir, message: expect.stringMatching(/no store files/) }]);
    expect(r.stats.unreadableInputs).toBe(1);
  });

  it('rejects binary garbage with one clear problem', async () => {
    const r = await readAll([writeTemp('x.bin', Buffer.from([0xff, 0xfe, 1, 2, 3]))]);
    expect(r.spans).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/unrecognized format/);
    // Nothing in it could be read: an unusable input (exit 2), like a missing file.
    expect(r.stats.unreadableInputs).toBe(1);
    expect(r.stats.badRecords).toBe(0);
  });

  it('keeps what came before a truncated gzip stream', async () => {
    const gz = gzipSync(`${json}\n${json}\n${json}\n`);
    const r = await readAll([writeTemp('d.jsonl.gz', gz.subarray(0, gz.length - 30))]);
    expect(r.spans.length).toBeGreaterThanOrEqual(5);
    expect(r.problems.at(-1)!.message).toMatch(/gzip/);
  });

  it('reports a truncated protobuf frame and keeps earlier frames', async () => {
    const stream = Buffer.concat([frame(proto), frame(proto)]);
    const r = await readAll([writeTemp('d.pb', stream.subarray(0, stream.length - 10))]);
    expect(r.spans).toHaveLength(5);
    expect(r.problems[0]!.message).toMatch(/frame 2 .*truncated/);
  });

  it('reports a truncated JSON array after reading its complete elements', async () => {
    const r = await readAll([writeTemp('a.json', `[\n${json},\n${json.slice(0, 50)}`)]);
    expect(r.spans).toHaveLength(5);
    expect(r.problems.at(-1)!.message).toMatch(/truncated/);
  });

  it('reports an empty file', async () => {
    const r = await readAll([writeTemp('e.json', '')]);
    expect(r.problems[0]!.message).toMatch(/empty/);
  });

  it('reports a file of zero bytes (NULs) as empty, as it does an empty file', async () => {
    // 1000 NULs read as 250 empty length-prefixed frames: no spans, and nothing said.
    const r = await readAll([writeTemp('zeros.json', Buffer.alloc(1000))]);
    expect(r.spans).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^empty input: no spans \(250 empty protobuf frames/)]);
    // Empty frames among others are no problem: only a stream of nothing else is.
    const some = await readAll([writeTemp('d.pb', Buffer.concat([frame(new Uint8Array()), frame(proto)]))]);
    expect(some.spans).toHaveLength(5);
    expect(some.problems).toEqual([]);
  });

  it('limits one line without holding it', async () => {
    const { ByteReader } = await import('../../src/lib/sources/byte-reader.js');
    const { Readable } = await import('node:stream');
    const reader = ByteReader.from(Readable.from([Buffer.from('a'.repeat(1000)), Buffer.from('b'.repeat(1000) + '\nok\n')]));
    expect(await reader.readLine(100)).toEqual({ tooLong: true, length: 2000 });
    expect((await reader.readLine(100))?.toString()).toBe('ok');
  });

  it('counts a skipped scopeSpans or resourceSpans as input left out, not only as a printed line', async () => {
    // A `spans` object instead of an array dropped its whole scope: the problem was printed, but
    // no count said input was skipped, so `cost -f json` had no `skipped` field.
    const doc = JSON.parse(json);
    const good = doc.resourceSpans[0];
    const bad = { ...doc, resourceSpans: [good, { ...good, scopeSpans: [{ spans: { oops: 1 } }] }, 'not an object'] };
    const r = await readAll([writeTemp('a.json', JSON.stringify(bad))]);
    expect(names(r.spans)).toEqual(AGENT_SPANS);
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^scopeSpans skipped: expected an array/),
      expect.stringMatching(/^resourceSpans skipped: expected an object/),
    ]);
    expect(r.stats).toMatchObject({ records: 1, spans: 5, badRecords: 2, skippedSpans: 0 });
  });

  it('counts the spans a Jaeger or Zipkin file leaves out, as it counts OTLP ones', async () => {
    // They were printed ('…; span skipped') but not counted: no `invalidSpans` in the reports.
    const id = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const jaeger = { data: [{ traceID: id(1, 32), processes: { p1: { serviceName: 'svc', tags: [] } }, spans: [
      { traceID: id(1, 32), spanID: id(1, 16), operationName: 'ok', startTime: 1_700_000_000_000_000, duration: 5, tags: [], processID: 'p1' },
      { traceID: id(1, 32), spanID: id(2, 16), operationName: 'bad', startTime: 'yesterday', duration: 5, tags: [], processID: 'p1' },
    ] }] };
    const zipkin = [
      { traceId: id(1, 32), id: id(3, 16), name: 'ok', timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 'svc' } },
      { traceId: id(1, 32), id: id(4, 16), name: 'bad', timestamp: 1_700_000_000_000_000, duration: 'long', localEndpoint: { serviceName: 'svc' } },
    ];
    for (const [name, doc] of [['jaeger.json', jaeger], ['zipkin.json', zipkin]] as const) {
      const r = await readAll([writeTemp(name, JSON.stringify(doc))]);
      expect(r.spans.map((s) => s.name), name).toEqual(['ok']);
      expect(r.problems, name).toHaveLength(1);
      expect(r.problems[0]!.message, name).toMatch(/^span skipped: /);
      expect(r.stats, name).toMatchObject({ spans: 1, skippedSpans: 1, badRecords: 0 });
    }
  });

  it('counts every span left out of a record, past the 100 problems it prints', async () => {
    // 150 invalid spans in one record were counted as 100 (the length of the capped problem list).
    const id = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const otlp = { resourceSpans: [{ scopeSpans: [{ spans: [
      ...Array.from({ length: 150 }, (_, i) => ({ traceId: id(1, 32), spanId: id(i + 1, 16), name: 'bad', startTimeUnixNano: 'x', endTimeUnixNano: '1' })),
      { traceId: id(1, 32), spanId: id(999, 16), name: 'ok', startTimeUnixNano: '1', endTimeUnixNano: '2' },
    ] }] }] };
    const zipkin = [
      ...Array.from({ length: 150 }, (_, i) => ({ traceId: id(1, 32), id: id(i + 1, 16), name: 'bad', timestamp: 1, duration: 'long' })),
      { traceId: id(1, 32), id: id(999, 16), name: 'ok', timestamp: 1, duration: 1 },
    ];
    const jaeger = { data: [{ traceID: id(1, 32), processes: {}, spans: zipkin.map((z) => ({ traceID: z.traceId, spanID: z.id, operationName: z.name, startTime: z.duration === 1 ? 1 : 'x', duration: 1 })) }] };
    for (const [name, doc] of [['otlp.json', otlp], ['zipkin.json', zipkin], ['jaeger.json', jaeger]] as const) {
      const r = await readAll([writeTemp(name, JSON.stringify(doc))]);
      expect(r.spans.map((s) => s.name), name).toEqual(['ok']);
      expect(r.problems.length, name).toBe(101);
      expect(r.stats, name).toMatchObject({ spans: 1, skippedSpans: 150 });
    }
  });

  it('copies a line that spans many chunks once, not once per chunk', async () => {
    // A 20 MiB record (tail's default --max-body) in the store's 16 KiB gzip chunks took a minute:
    // every chunk re-copied the part of the line read so far (quadratic in the line's length).
    const { ByteReader } = await import('../../src/lib/sources/byte-reader.js');
    const chunk = Buffer.alloc(4096, 0x61);
    const chunks = [Buffer.from('first\n'), ...Array.from({ length: 256 }, () => chunk), Buffer.from('\r\nlast')];
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const reader = ByteReader.from(inChunks(chunks));
      expect((await reader.readLine(1 << 30))?.toString()).toBe('first');
      const long = await reader.readLine(1 << 30);
      expect(Buffer.isBuffer(long) && long.length === 256 * 4096 && long.every((b) => b === 0x61)).toBe(true);
      expect((await reader.readLine(1 << 30))?.toString()).toBe('last');
      expect(await reader.readLine(1 << 30)).toBeUndefined();
      expect(reader.consumed).toBe(chunks.reduce((n, c) => n + c.length, 0));
      const copied = concat.mock.results.reduce((n, r) => n + (r.value as Buffer).length, 0);
      expect(copied).toBeLessThanOrEqual(2 * 256 * 4096);
    } finally {
      concat.mockRestore();
    }
  });

  it('limits a line that spans many chunks, and reads the next one whole', async () => {
    const { ByteReader } = await import('../../src/lib/sources/byte-reader.js');
    const chunks = [...Array.from({ length: 10 }, () => Buffer.from('x'.repeat(30))), Buffer.from('yy\r'), Buffer.from('\nz'), Buffer.from('z\n')];
    const reader = ByteReader.from(inChunks(chunks));
    expect(await reader.readLine(100)).toEqual({ tooLong: true, length: 303 });
    expect((await reader.readLine(100))?.toString()).toBe('zz');
    expect(await reader.readLine(100)).toBeUndefined();
  });

  it('never throws on arbitrary bytes or text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)))), async (bytes) => {
        const r = await readAll(['-'], Buffer.from(bytes));
        expect(r.spans.length + r.problems.length).toBeGreaterThanOrEqual(bytes.length === 0 ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('pathological nesting', () => {
  it('reports a deeply nested record as bad input instead of failing', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const r = await readAll([writeTemp('deep.json', deep)]);
    expect(r.spans).toEqual([]);
    expect(r.problems).toHaveLength(1);
    const attr = { key: 'x', value: JSON.parse(`${'{"arrayValue":{"values":['.repeat(200)}${']}}'.repeat(200)}`) };
    const doc = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'n', attributes: [attr] }] }] }] };
    const nested = await readAll([writeTemp('nested.json', JSON.stringify(doc))]);
    expect(nested.spans).toHaveLength(1); // the span is kept, the absurd attribute dropped
    expect(nested.problems[0]!.message).toMatch(/nested too deeply/);
  });
});

/**
 * Reads inputs into span batches, sniffing each by content: gzip, OTLP JSON (one object, an
 * array, JSON Lines — the Collector file exporter and the store), Jaeger api_v3, Jaeger UI,
 * Zipkin v2, OTLP protobuf (one message or the 4-byte length-prefixed stream). Streaming: only
 * JSON Lines records, array elements or frames are held, except single JSON documents and single
 * protobuf messages, which are read whole up to a limit. Bad records are reported with their
 * place and skipped; the rest is read.
 */
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { DecodeError, type Problem } from '../errors.js';
import type { DecodeResult, SpanLogEvent } from '../otlp/decode-result.js';
import { dropPlaceholderSpans } from '../otlp/placeholder-spans.js';
import { decodeOtlpProtoTraces } from '../otlp/proto-traces.js';
import { protobufSignalOf } from '../otlp/signals.js';
import type { Span } from '../span.js';
import { ByteReader } from './byte-reader.js';
import { decodeRecord, recognize } from './documents.js';
import type { Input } from './inputs.js';
import { splitJsonArray } from './json-array.js';
import { decodeZipkinV2, isZipkinV2 } from './zipkin.js';

export interface SpanBatch {
  spans: Span[];
  source: string;
  /** 1-based line of the record (JSON Lines, JSON array element) when known: lint locations. */
  line?: number;
  /** Log records tied to spans (GenAI events), from OTLP logs records. */
  logEvents?: SpanLogEvent[];
}

export interface ReadStats {
  inputs: number;
  unreadableInputs: number;
  records: number;
  badRecords: number;
  spans: number;
  skippedSpans: number;
  /** OTLP metrics requests seen (not decoded: `stats` reads them again only when there were any). */
  metricsRequests: number;
  /** OTLP logs requests seen (agents' usage events are read from them in a pass of their own). */
  logsRequests: number;
}

export function newReadStats(): ReadStats {
  return { inputs: 0, unreadableInputs: 0, records: 0, badRecords: 0, spans: 0, skippedSpans: 0, metricsRequests: 0, logsRequests: 0 };
}

export interface ReadOptions {
  onProblem: (p: Problem) => void;
  stats?: ReadStats;
  /** Largest single JSON document or protobuf message read whole (default 512 MiB). */
  maxDocumentBytes?: number;
  /** Largest JSON Lines line or length-prefixed frame (default 256 MiB). */
  maxRecordBytes?: number;
  /** Hands JSON Lines lines to worker threads instead of decoding them here (sources/mapped.ts). */
  offload?: LineOffload;
}

export interface LineOffload {
  /** Whether this line (and from then on every JSON Lines line) goes to the workers. */
  takes(lineBytes: number): boolean;
  /** Adds a line; returns a chunk handed off when this line filled one. */
  add(label: string, lineNo: number, line: Buffer): Offloaded | undefined;
  /** Hands off the lines gathered so far (end of an input). */
  flush(): Offloaded | undefined;
}

/** Lines decoded elsewhere: their results, problems and counts arrive with the promise. */
export interface Offloaded {
  offloaded: Promise<unknown>;
  /** Decoded on this thread after all (the workers were busy): already settled. */
  local?: boolean;
}

export type ReadItem = SpanBatch | Offloaded;

const MiB = 1024 * 1024;
const SNIFF_BYTES = 8 * MiB;

export function readSpanBatches(inputs: Input[], opts: ReadOptions): AsyncGenerator<SpanBatch> {
  // Without an offload every item is a decoded batch.
  return readItems(inputs, { ...opts, offload: undefined }) as AsyncGenerator<SpanBatch>;
}

/** Batches decoded here, and with `opts.offload` chunks of JSON Lines decoded by workers, in input order. */
export async function* readItems(inputs: Input[], opts: ReadOptions): AsyncGenerator<ReadItem> {
  const stats = opts.stats ?? newReadStats();
  for (const input of inputs) {
    stats.inputs++;
    yield* readInput(input, opts, stats);
  }
}

/** Decodes records of one input, reporting and counting what is wrong with them. */
export class InputReader {
  constructor(
    readonly label: string,
    readonly opts: ReadOptions,
    readonly stats: ReadStats,
  ) {}

  problem(p: Omit<Problem, 'source'>) {
    this.opts.onProblem({ source: this.label, ...p });
  }

  /** Counts one record's outcome and turns its decode result into a batch (or nothing). */
  accept(decoded: DecodeResult, line?: number): SpanBatch | undefined {
    const result = dropPlaceholderSpans(decoded);
    this.stats.records++;
    this.stats.spans += result.spans.length;
    if (result.metricsRequest) this.stats.metricsRequests++;
    if (result.logsRequest) this.stats.logsRequests++;
    // Problems are capped per record: the decoders that count the spans they met tell how many
    // they left out however many problems there were.
    const counted = decoded.spansOnWire !== undefined;
    if (counted) this.stats.skippedSpans += decoded.spansOnWire! - decoded.spans.length;
    for (const p of result.problems) {
      if (!counted && p.message.startsWith('span skipped')) this.stats.skippedSpans++;
      // A skipped scope or resource is a part of the record that could not be decoded: counted,
      // so every format says input was left out (its spans are not known to be counted).
      else if (p.message.startsWith('scopeSpans skipped') || p.message.startsWith('resourceSpans skipped')) this.stats.badRecords++;
      this.problem({ line, field: p.field, message: p.message });
    }
    const logEvents = result.logEvents?.length ? result.logEvents : undefined;
    if (!result.spans.length && !logEvents) return undefined;
    const batch: SpanBatch = { spans: result.spans, source: this.label };
    if (line !== undefined) batch.line = line;
    if (logEvents) batch.logEvents = logEvents;
    return batch;
  }

  reject(e: unknown, line?: number): void {
    // A pathologically nested record can exhaust the stack in a decoder: a bad record, not a crash.
    if (e instanceof RangeError) e = new DecodeError(`record cannot be decoded: ${e.message}`);
    if (!(e instanceof DecodeError)) throw e;
    this.stats.records++;
    this.stats.badRecords++;
    this.problem({ line, field: e.field, message: e.message });
  }

  /** Decodes one record; a bad record is reported and counted, never thrown. */
  decode(run: () => DecodeResult, line?: number, where?: string): SpanBatch | undefined {
    try {
      return this.accept(run(), line);
    } catch (e) {
      this.reject(where && e instanceof DecodeError ? new DecodeError(`${where}: ${e.message}`, e.field) : e, line);
      return undefined;
    }
  }

  /** JSON.parse + decode of one record; a failure is reported, never thrown. */
  decodeJsonText(text: string, line?: number): SpanBatch | undefined {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      this.reject(new DecodeError(`invalid JSON: ${(e as Error).message}`), line);
      return undefined;
    }
    return this.decode(() => decodeRecord(doc), line);
  }
}

/** An input's bytes, gunzipped when gzip, past a UTF-8 byte-order mark; `head` is its first byte (none: empty). */
export interface OpenedInput {
  raw: ByteReader;
  reader: ByteReader;
  head: Buffer;
}

export async function openInputBytes(raw: ByteReader): Promise<OpenedInput> {
  let reader = raw;
  let head = await raw.peek(2);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    Readable.from(raw.rest()).pipe(gunzip);
    reader = ByteReader.from(gunzip);
    head = await reader.peek(1);
  }
  // Windows tools often start UTF-8 text with a byte-order mark, which JSON.parse rejects.
  const bom = await reader.peek(3);
  if (bom[0] === 0xef && bom[1] === 0xbb && bom[2] === 0xbf) {
    await reader.skip(3);
    head = await reader.peek(1);
  }
  return { raw, reader, head };
}

async function* readInput(input: Input, opts: ReadOptions, stats: ReadStats): AsyncGenerator<ReadItem> {
  const ctx = new InputReader(input.label, opts, stats);
  // Made outside the try: a read failure is kept on it and reported after.
  const raw = ByteReader.from(input.open());
  let opened: OpenedInput = { raw, reader: raw, head: Buffer.alloc(0) };
  try {
    opened = await openInputBytes(raw);
    const { reader, head } = opened;
    if (head.length === 0 && !raw.failure && !reader.failure) ctx.problem({ message: 'empty input: no spans' });
    else if (head.length > 0) yield* input.jsonLines ? readJsonLines(reader, ctx) : readByFormat(reader, ctx);
  } catch (e) {
    ctx.reject(e); // rethrows anything that is not about the input
  }
  const rest = opts.offload?.flush();
  if (rest) yield rest;
  const failure = raw.failure ?? opened.reader.failure;
  if (failure !== undefined) reportFailure(ctx, failure);
}

export function reportFailure(ctx: Pick<InputReader, 'problem' | 'stats'>, failure: unknown): void {
  const err = failure as NodeJS.ErrnoException;
  if (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR') {
    ctx.problem({ message: `gzip data is truncated or corrupt (${err.message}); what came before it was read` });
    ctx.stats.badRecords++;
    return;
  }
  const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };
  ctx.problem({ message: reasons[err.code ?? ''] ?? `cannot read: ${err.message ?? String(failure)}` });
  ctx.stats.unreadableInputs++;
}

async function* readByFormat(reader: ByteReader, ctx: InputReader): AsyncGenerator<ReadItem> {
  const head = await reader.peek(SNIFF_BYTES);
  const first = firstNonSpace(head);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    if (looksLikeJsonLines(head)) yield* readJsonLines(reader, ctx);
    else if (first === 0x5b) yield* readJsonArray(reader, ctx);
    else yield* readJsonDocument(reader, ctx);
  } else if (head[0] === 0x0a) {
    yield* readProtoMessage(reader, ctx);
  } else if (head[0] === 0x00) {
    yield* readProtoFrames(reader, ctx);
  } else if (looksLikeJsonLines(head)) {
    // A dump cut at its start (a copied tail, a rotated log) begins inside a record: that line
    // is reported, the complete lines after it are read.
    yield* readJsonLines(reader, ctx);
  } else {
    // Nothing in it can be read: an unusable input (exit 2), like a missing file, not one bad record.
    ctx.problem({ message: 'unrecognized format (expected OTLP JSON or JSON Lines, OTLP protobuf, Jaeger or Zipkin JSON, optionally gzipped)' });
    ctx.stats.unreadableInputs++;
  }
}

export function firstNonSpace(b: Buffer): number | undefined {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return undefined;
}

/**
 * JSON Lines when one of the first lines is, on its own, a complete record we recognize. A
 * pretty-printed document never has that; the check survives a garbled first line.
 */
function looksLikeJsonLines(head: Buffer): boolean {
  let start = 0;
  for (let checked = 0; checked < 3 && start < head.length; ) {
    const nl = head.indexOf(10, start);
    if (nl === -1) return false; // one line fills the window: read as a document (with a fallback)
    const line = head.subarray(start, nl).toString('utf8').trim();
    start = nl + 1;
    if (line === '') continue;
    checked++;
    try {
      if (recognize(JSON.parse(line)) !== undefined) return true;
    } catch {
      /* not a complete record on one line */
    }
  }
  return false;
}

async function* readJsonLines(reader: ByteReader, ctx: InputReader): AsyncGenerator<ReadItem> {
  const max = ctx.opts.maxRecordBytes ?? 256 * MiB;
  const offload = ctx.opts.offload;
  let lineNo = 0;
  for (;;) {
    const line = await reader.readLine(max);
    if (line === undefined) break;
    lineNo++;
    if ('tooLong' in line) {
      ctx.reject(new DecodeError(`line of ${line.length} bytes exceeds the ${max}-byte limit`), lineNo);
      continue;
    }
    if (isBlank(line)) continue;
    if (offload?.takes(line.length)) {
      const chunk = offload.add(ctx.label, lineNo, line);
      if (chunk) yield chunk;
      continue;
    }
    const batch = ctx.decodeJsonText(line.toString('utf8'), lineNo);
    if (batch) yield batch;
  }
}

function isBlank(b: Buffer): boolean {
  return firstNonSpace(b) === undefined;
}

async function* readJsonDocument(reader: ByteReader, ctx: InputReader): AsyncGenerator<SpanBatch> {
  const max = ctx.opts.maxDocumentBytes ?? 512 * MiB;
  const all = await reader.readAll(max);
  if ('tooLarge' in all) {
    throw new DecodeError(
      `a single JSON document larger than ${Math.round(max / MiB)} MiB cannot be read; write it as JSON Lines (one request per line), which is streamed`,
    );
  }
  const text = all.toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // JSON Lines whose first line was too long (or too broken) to sniff: read it line by line.
    if (/\n\s*[[{]/.test(text)) {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.trim() === '') continue;
        const batch = ctx.decodeJsonText(line, i + 1);
        if (batch) yield batch;
      }
      return;
    }
    ctx.reject(new DecodeError(`invalid JSON: ${(e as Error).message}`));
    return;
  }
  const batch = ctx.decode(() => decodeRecord(doc));
  if (batch) yield batch;
}

/** A top-level JSON array, streamed element by element: OTLP requests, or Zipkin spans. */
async function* readJsonArray(reader: ByteReader, ctx: InputReader): AsyncGenerator<SpanBatch> {
  const max = ctx.opts.maxRecordBytes ?? 256 * MiB;
  let zipkin: unknown[] = [];
  let zipkinLine = 1;
  const flushZipkin = () => {
    const records = zipkin;
    const batch = records.length ? ctx.decode(() => decodeZipkinV2(records), zipkinLine) : undefined;
    zipkin = [];
    return batch;
  };
  for await (const el of splitJsonArray(reader.rest(), max)) {
    if ('error' in el) {
      ctx.reject(new DecodeError(el.error), el.line);
      if (el.fatal) break;
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(el.text);
    } catch (e) {
      ctx.reject(new DecodeError(`invalid JSON in array element: ${(e as Error).message}`), el.line);
      continue;
    }
    if (recognize(doc) === undefined && isZipkinV2([doc])) {
      // Zipkin elements are single spans: decode them in groups so they share resources.
      if (zipkin.length === 0) zipkinLine = el.line;
      zipkin.push(doc);
      if (zipkin.length >= 1000) {
        const batch = flushZipkin();
        if (batch) yield batch;
      }
      continue;
    }
    const batch = ctx.decode(() => decodeRecord(doc), el.line);
    if (batch) yield batch;
  }
  const batch = flushZipkin();
  if (batch) yield batch;
}

async function* readProtoMessage(reader: ByteReader, ctx: InputReader): AsyncGenerator<SpanBatch> {
  const max = ctx.opts.maxDocumentBytes ?? 512 * MiB;
  const all = await reader.readAll(max);
  if ('tooLarge' in all) throw new DecodeError(`a single protobuf message larger than ${Math.round(max / MiB)} MiB cannot be read`);
  const batch = ctx.decode(() => {
    try {
      return decodeOtlpProtoTraces(all);
    } catch (e) {
      // A logs or metrics request dumped to a file (coding agents' usage): read in a pass of its own.
      const signal = e instanceof DecodeError ? protobufSignalOf(all) : undefined;
      if (signal === undefined) throw e;
      return { spans: [], problems: [], ...(signal === 'logs' ? { logsRequest: true } : { metricsRequest: true }) };
    }
  });
  if (batch) yield batch;
}

/** The Collector's `format: proto` file: each message preceded by its 4-byte big-endian length. */
async function* readProtoFrames(reader: ByteReader, ctx: InputReader): AsyncGenerator<SpanBatch> {
  const max = ctx.opts.maxRecordBytes ?? 256 * MiB;
  let emptyFrames = 0;
  for (let frame = 1; ; frame++) {
    const offset = reader.consumed;
    const header = await reader.readExact(4);
    if (header.length === 0) {
      // Only empty frames: a file of zero bytes (preallocated, or a crash's hole), said as an empty file is.
      if (emptyFrames === frame - 1 && emptyFrames > 0) ctx.problem({ message: `empty input: no spans (${emptyFrames} empty protobuf frames: a file of zero bytes?)` });
      return;
    }
    const where = `frame ${frame} at byte ${offset}`;
    if (header.length < 4) {
      ctx.reject(new DecodeError(`${where}: truncated length prefix`));
      return;
    }
    const size = header.readUInt32BE(0);
    if (size === 0) emptyFrames++;
    if (size > max) {
      ctx.reject(new DecodeError(`${where}: frame of ${size} bytes exceeds the ${max}-byte limit`));
      await reader.skip(size);
      continue;
    }
    const body = await reader.readExact(size);
    if (body.length < size) {
      ctx.reject(new DecodeError(`${where}: truncated (${body.length} of ${size} bytes)`));
      return;
    }
    const batch = ctx.decode(() => decodeOtlpProtoTraces(body), undefined, where);
    if (batch) yield batch;
  }
}

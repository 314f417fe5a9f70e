/**
 * The span index of a store trace file (docs/architecture.md "Span index"): what `--since`/`--until`
 * need to leave a file unread exactly. `tail`'s writer appends, after the data it covers, one
 * JSON line per stretch of the data file: its byte range, the earliest and latest span start,
 * whether a span has no start, and the trace ids. A reader trusts a record only for the bytes it
 * names; bytes no record covers (not yet indexed, or after a crash) are scanned here, so an
 * index behind its data file is never taken for the whole of it.
 *
 * Kept in `<store>/index/traces-YYYYMMDDTHH.jsonl.index`, out of the store's own file names.
 */
import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { nanosToMs, type SpanStarts } from '../span.js';

export const INDEX_DIR = 'index';

/** A window of span starts, epoch ms: [sinceMs, untilMs), either end open (cost/window.ts TimeWindow). */
export interface StartWindow {
  sinceMs?: number;
  untilMs?: number;
}

export function spanIndexFile(dir: string, dataName: string): string {
  return path.join(dir, INDEX_DIR, `${dataName}.index`);
}

const TRACE_ID_KEY = Buffer.from('"traceId":"');
const START_KEY = Buffer.from('"startTimeUnixNano":"');
const LINE_START = Buffer.from('{"resourceSpans":');
const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * What some store lines hold: from the spans the encoder wrote (the writer), or from the lines'
 * bytes as llmtrace's encoder writes them (a reader, for bytes no record covers: every span has
 * `"traceId":"…"` and `"startTimeUnixNano":"…"`; links' trace ids are taken too, which can only
 * make a reader read more).
 */
export class SpanStretch {
  /** The earliest and latest start after 0, ns; undefined: no span with a start. */
  minStart: bigint | undefined;
  maxStart: bigint | undefined;
  /** A span without a start (0): it must be read under any window, as an untimed call. */
  untimed = false;
  /** Bytes that are not whole store lines (a cut line, a NUL block): a reader must read them. */
  broken = false;
  readonly traceIds = new Set<string>();

  /** One line (its bytes, with or without its newline). */
  addLine(line: Uint8Array): void {
    const buf = Buffer.isBuffer(line) ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
    const whole = eachValue(buf, TRACE_ID_KEY, (id) => this.traceIds.add(id)) && eachValue(buf, START_KEY, (ns) => this.addStart(ns));
    if (!whole) this.broken = true;
  }

  private addStart(ns: string): void {
    // 0 is an unset start (span.ts timeKnown); a sign or anything but digits is read as one too.
    if (!/^[1-9]\d*$/.test(ns)) this.untimed = true;
    else this.add({ traceIds: [], minNs: BigInt(ns), maxNs: BigInt(ns), untimed: false });
  }

  /** The spans of a line, as the encoder that wrote it summed them up. */
  add(s: SpanStarts): void {
    for (const id of s.traceIds) this.traceIds.add(id);
    this.untimed ||= s.untimed;
    if (s.minNs !== undefined && (this.minStart === undefined || s.minNs < this.minStart)) this.minStart = s.minNs;
    if (s.maxNs !== undefined && (this.maxStart === undefined || s.maxNs > this.maxStart)) this.maxStart = s.maxNs;
  }

  /** Whether a span of these lines can start in the window, or has no start (then it counts as untimed). */
  touches(w: StartWindow): boolean {
    if (this.untimed || this.broken) return true;
    if (this.minStart === undefined || this.maxStart === undefined) return false;
    // nanosToMs is monotonic: every span's start in ms lies between these two (cost/window.ts inWindow).
    const lo = nanosToMs(this.minStart);
    const hi = nanosToMs(this.maxStart);
    return (w.sinceMs === undefined || hi >= w.sinceMs) && (w.untilMs === undefined || lo < w.untilMs);
  }
}

/** Hands each string value of `key` in the line to `take`; false when one is cut off. */
function eachValue(buf: Buffer, key: Buffer, take: (value: string) => void): boolean {
  for (let at = buf.indexOf(key); at >= 0; at = buf.indexOf(key, at)) {
    const s = at + key.length;
    const e = buf.indexOf(QUOTE, s);
    if (e < 0) return false;
    take(buf.toString('latin1', s, e));
    at = e;
  }
  return true;
}

/** One index line. `traceIds`: the ids, 32 hex digits each, end to end (one string, not an array of them). */
interface IndexRecord {
  from: number;
  to: number;
  minStart?: string;
  maxStart?: string;
  untimed?: boolean;
  traceIds: string;
}

const ID_CHARS = 32;
/** Records are written after at most this long since the last one, once the file's queue is empty. */
const RECORD_EVERY_MS = 1000;
/** ... and whatever the time once this many trace ids wait, so the writer's memory stays small. */
const RECORD_AT_TRACE_IDS = 4_096;

/**
 * What the writer gathers for the next record: the ids go into one buffer as text, so holding
 * thousands of them makes no objects for the collector to move (docs/architecture.md "Span index").
 */
class PendingRecord {
  private ids = Buffer.allocUnsafe(RECORD_AT_TRACE_IDS * ID_CHARS);
  idCount = 0;
  private lastId = '';
  minStart: bigint | undefined;
  maxStart: bigint | undefined;
  untimed = false;

  add(s: SpanStarts): void {
    for (const id of s.traceIds) {
      // A line's spans come trace by trace, and often the next line's too: ids repeat in a row.
      if (id === this.lastId) continue;
      // One line with more traces than a record waits for: room for all (none is ever left out).
      if ((this.idCount + 1) * ID_CHARS > this.ids.length) this.ids = Buffer.concat([this.ids, Buffer.allocUnsafe(this.ids.length)]);
      this.ids.write(id, this.idCount++ * ID_CHARS, 'latin1');
      this.lastId = id;
    }
    this.untimed ||= s.untimed;
    if (s.minNs !== undefined && (this.minStart === undefined || s.minNs < this.minStart)) this.minStart = s.minNs;
    if (s.maxNs !== undefined && (this.maxStart === undefined || s.maxNs > this.maxStart)) this.maxStart = s.maxNs;
  }

  /** The index line for bytes [from, to) of the data file; empties this. */
  take(from: number, to: number): string {
    const r: IndexRecord = {
      from,
      to,
      minStart: this.minStart?.toString(),
      maxStart: this.maxStart?.toString(),
      untimed: this.untimed || undefined,
      traceIds: this.ids.toString('latin1', 0, this.idCount * ID_CHARS),
    };
    this.idCount = 0;
    this.lastId = '';
    this.minStart = this.maxStart = undefined;
    this.untimed = false;
    return `${JSON.stringify(r)}\n`;
  }
}


/**
 * The writer's side, one per trace file `tail` appends to. Never fails a data write: a record
 * that cannot be written leaves its bytes to be scanned by readers.
 */
export class SpanIndexWriter {
  private handle: FileHandle | undefined;
  private readonly pending = new PendingRecord();
  private from = 0;
  private to = 0;
  private lastRecordMs = 0;
  private needsNewline = false;
  /** Records made, not yet written. */
  private outbox: string[] = [];

  constructor(private readonly file: string) {}

  /** With the data file opened at `size`: a new (empty) data file starts a new index. */
  async open(size: number): Promise<void> {
    await this.close();
    this.from = this.to = size;
    this.lastRecordMs = Date.now();
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.handle = await open(this.file, size === 0 ? 'w' : 'a+', 0o600);
      const { size: indexSize } = await this.handle.stat();
      this.needsNewline = false;
      if (indexSize > 0) {
        const last = Buffer.alloc(1);
        await this.handle.read(last, 0, 1, indexSize - 1);
        this.needsNewline = last[0] !== NEWLINE;
      }
    } catch {
      await this.dropHandle();
    }
  }

  /**
   * One write just went into the data file, `bytes` long in all (with a leading newline, if
   * any), holding lines with these spans. A line whose spans are not known (undefined) leaves
   * the write out of every record, for readers to scan.
   */
  written(lines: ReadonlyArray<SpanStarts | undefined>, bytes: number): void {
    for (const l of lines) {
      // An id of another length than 16 bytes' hex would not fit the record's layout: scanned too.
      if (l === undefined || l.traceIds.some((id) => id.length !== ID_CHARS)) {
        this.closeStretch();
        this.from = this.to += bytes;
        return;
      }
    }
    for (const l of lines) this.pending.add(l!);
    this.to += bytes;
  }

  /** Whether a record is due; `idle`: nothing waits to be written to the data file. */
  due(idle: boolean): boolean {
    if (this.outbox.length > 0) return true;
    if (this.to === this.from) return false;
    return this.pending.idCount >= RECORD_AT_TRACE_IDS || (idle && Date.now() - this.lastRecordMs >= RECORD_EVERY_MS);
  }

  /** The pending spans become a record for [from, to), to be written by the next `record`. */
  private closeStretch(): void {
    if (this.to === this.from) return;
    this.outbox.push(this.pending.take(this.from, this.to));
    this.from = this.to;
    this.lastRecordMs = Date.now();
  }

  /** Writes what is pending as a record, and any record waiting. */
  async record(): Promise<void> {
    this.closeStretch();
    if (this.outbox.length === 0) return;
    const text = this.outbox.join('');
    this.outbox = [];
    if (!this.handle) return;
    try {
      await this.handle.write(this.needsNewline ? `\n${text}` : text);
      this.needsNewline = false;
    } catch {
      // Part of the line may be there: the next record starts on a line of its own.
      this.needsNewline = true;
    }
  }

  /**
   * After a failed data write: what was recorded stands; the next record starts where the data
   * file now ends (unknown: no more records, readers scan the rest).
   */
  async resync(size: number | undefined): Promise<void> {
    await this.record();
    if (size === undefined) await this.dropHandle();
    else this.from = this.to = size;
  }

  /** The last record (the data file is closing, or moving on), then the index file's fd. */
  async close(): Promise<void> {
    await this.record();
    await this.dropHandle();
  }

  private async dropHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => {});
  }
}

/**
 * What a reader knows of one trace file: the spans of all of it (records and scanned bytes), or
 * undefined when its index is missing or cannot be trusted (read it, and skip nothing: its trace
 * ids are unknown).
 */
export async function fileSpans(indexFile: string, dataFile: string): Promise<SpanStretch | undefined> {
  // The index first, then the data file's size: `tail` writes a record after its data, so every
  // record read covers bytes the size includes.
  let text: string | undefined;
  try {
    text = await readFile(indexFile, 'latin1');
  } catch {
    /* no index */
  }
  const size = (await stat(dataFile)).size;
  if (text === undefined) return size === 0 ? new SpanStretch() : undefined;
  const all = new SpanStretch();
  const gaps: Array<[number, number]> = [];
  let covered = 0;
  for (const line of text.split('\n')) {
    const r = parseRecord(line);
    // A torn or foreign line covers nothing: its bytes are a gap, scanned below.
    if (r === undefined) continue;
    // Records go forward through the file; one that does not (the data file was replaced, or cut) voids the index.
    if (r.from < covered || r.to > size) return undefined;
    if (r.from > covered) gaps.push([covered, r.from]);
    covered = r.to;
    const ids: string[] = [];
    for (let i = 0; i < r.traceIds.length; i += ID_CHARS) ids.push(r.traceIds.slice(i, i + ID_CHARS));
    all.add({ traceIds: ids, minNs: r.minStart === undefined ? undefined : BigInt(r.minStart), maxNs: r.maxStart === undefined ? undefined : BigInt(r.maxStart), untimed: r.untimed === true });
  }
  if (covered < size) gaps.push([covered, size]);
  if (gaps.length > 0) await scanGaps(dataFile, gaps, all);
  return all;
}

function parseRecord(line: string): IndexRecord | undefined {
  if (line === '') return undefined;
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null) return undefined;
  const { from, to, minStart, maxStart, untimed, traceIds } = r as Record<string, unknown>;
  const decimal = (v: unknown) => typeof v === 'string' && /^[1-9]\d*$/.test(v);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || (from as number) < 0 || (to as number) <= (from as number)) return undefined;
  if ((minStart === undefined) !== (maxStart === undefined) || (minStart !== undefined && !(decimal(minStart) && decimal(maxStart)))) return undefined;
  if (untimed !== undefined && typeof untimed !== 'boolean') return undefined;
  if (typeof traceIds !== 'string' || traceIds.length % ID_CHARS !== 0) return undefined;
  return { from: from as number, to: to as number, minStart: minStart as string | undefined, maxStart: maxStart as string | undefined, untimed: untimed as boolean | undefined, traceIds };
}

/**
 * Bytes of the data file no record covers, summed up from the lines themselves. Each must be a
 * whole store line (starting as the encoder starts one, ending in a newline); anything else (a
 * line cut by a crash, one still being written, a zero-filled block) makes the file be read,
 * so its bad lines are reported as when every file is read.
 */
async function scanGaps(dataFile: string, gaps: Array<[number, number]>, into: SpanStretch): Promise<void> {
  let h: FileHandle;
  try {
    h = await open(dataFile, 'r');
  } catch {
    into.broken = true;
    return;
  }
  try {
    for (const [from, to] of gaps) await scanGap(h, from, to, into);
  } finally {
    await h.close();
  }
}

const SCAN_CHUNK = 4 * 1024 * 1024;

async function scanGap(h: FileHandle, from: number, to: number, into: SpanStretch): Promise<void> {
  let carry = Buffer.alloc(0);
  let at = from;
  while (at < to) {
    const chunk = Buffer.alloc(Math.min(SCAN_CHUNK, to - at));
    const { bytesRead } = await h.read(chunk, 0, chunk.length, at);
    if (bytesRead === 0) break;
    at += bytesRead;
    const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let s = 0;
    for (let e = buf.indexOf(NEWLINE); e >= 0; e = buf.indexOf(NEWLINE, s)) {
      // A lone newline: the one a writer puts before its first line after a cut one.
      if (e > s) {
        const line = buf.subarray(s, e);
        if (line.indexOf(LINE_START) !== 0 || line[line.length - 1] !== 0x7d) into.broken = true;
        else into.addLine(line);
      }
      s = e + 1;
    }
    carry = Buffer.from(buf.subarray(s));
  }
  // What follows the last newline (or the file ended early) is no whole line.
  if (carry.length > 0 || at < to) into.broken = true;
}

/**
 * The trace files (names of `dir`, oldest first) that the window needs, exactly: those with a
 * span that can start in it or has no start, then every file sharing a trace id with them (a
 * call's ancestors give its feature and inherited dimensions, a copy or a usage span elsewhere in
 * its trace decides how it counts: docs/architecture.md "Span index"). A trace with no span in
 * the window and none without a start adds nothing to any figure, so the rest can stay unread.
 * A file without a trustworthy index (a Collector's, an older store's, a compressed one) could
 * hold any trace: then every file is read.
 */
export async function traceFilesForWindow(dir: string, names: readonly string[], window: StartWindow): Promise<{ read: string[]; unreadWithSpans: number }> {
  const all = { read: [...names], unreadWithSpans: 0 };
  if (window.sinceMs === undefined && window.untilMs === undefined) return all;
  const known = await Promise.all(
    names.map(async (name) => {
      if (!name.endsWith('.jsonl')) return undefined;
      try {
        return await fileSpans(spanIndexFile(dir, name), path.join(dir, name));
      } catch {
        return undefined;
      }
    }),
  );
  if (known.some((k) => k === undefined)) return all;
  const read = known.map((k) => k!.touches(window));
  const needed = new Set<string>();
  known.forEach((k, i) => {
    if (read[i]) for (const id of k!.traceIds) needed.add(id);
  });
  known.forEach((k, i) => {
    if (read[i]) return;
    for (const id of k!.traceIds) {
      if (needed.has(id)) {
        read[i] = true;
        return;
      }
    }
  });
  return {
    read: names.filter((_, i) => read[i]),
    unreadWithSpans: known.filter((k, i) => !read[i] && k!.traceIds.size > 0).length,
  };
}

/**
 * JSON Lines in chunks: the main thread gathers whole lines (with their line numbers) into one
 * buffer that is transferred to a worker, which JSON.parses and decodes them exactly as the
 * in-thread reader does and maps each batch; problems and read counts travel back with the
 * results and are applied in input order, so the output does not depend on the thread count.
 */
import type { Problem } from '../errors.js';
import { InputReader, newReadStats, type ReadStats } from './read.js';
import type { BatchMapper } from './mapper.js';

export interface LineChunk {
  label: string;
  bytes: Uint8Array;
  /** Per line: end offset in `bytes` (each line starts where the previous ended). */
  ends: Int32Array;
  /** Per line: its 1-based line number in the input. */
  lineNos: Int32Array;
}

export interface ChunkResult<R> {
  results: R[];
  problems: Problem[];
  /** Per problem: how many results came before it (problems are told in input order with results). */
  problemsAt: number[];
  stats: ReadStats;
}

/** Decodes and maps one chunk (runs in a worker; also callable in-thread). */
export function decodeLineChunk<R>(chunk: LineChunk, map: BatchMapper<R>): ChunkResult<R> {
  const problems: Problem[] = [];
  const problemsAt: number[] = [];
  const stats = newReadStats();
  const results: R[] = [];
  const ctx = new InputReader(chunk.label, { onProblem: (p) => (problems.push(p), problemsAt.push(results.length)) }, stats);
  const buf = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
  let start = 0;
  for (let i = 0; i < chunk.ends.length; i++) {
    const end = chunk.ends[i]!;
    const batch = ctx.decodeJsonText(buf.toString('utf8', start, end), chunk.lineNos[i]);
    start = end;
    if (batch) results.push(map(batch));
  }
  return { results, problems, problemsAt, stats };
}

/** Collects lines until a chunk is big enough to be worth a message. */
export class LineChunker {
  private parts: Buffer[] = [];
  private ends: number[] = [];
  private lineNos: number[] = [];
  private size = 0;
  private label = '';

  constructor(private readonly targetBytes: number) {}

  /** Adds a line; returns a full chunk when this line completes one. */
  add(label: string, lineNo: number, line: Buffer): LineChunk | undefined {
    if (label !== this.label && this.parts.length) throw new Error('flush a chunk before starting another input');
    this.label = label;
    this.parts.push(line);
    this.size += line.length;
    this.ends.push(this.size);
    this.lineNos.push(lineNo);
    return this.size >= this.targetBytes ? this.flush() : undefined;
  }

  flush(): LineChunk | undefined {
    if (!this.parts.length) return undefined;
    // One copy into a buffer of its own: it is transferred, and lines point into shared reads.
    const bytes = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const chunk: LineChunk = { label: this.label, bytes, ends: Int32Array.from(this.ends), lineNos: Int32Array.from(this.lineNos) };
    this.parts = [];
    this.ends = [];
    this.lineNos = [];
    this.size = 0;
    return chunk;
  }
}

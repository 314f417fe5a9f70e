/**
 * Reading with a batch mapper: every decoded batch becomes the command's compact result, in
 * input order. Once an input has shown itself to be large JSON Lines, its lines go in chunks
 * to worker threads, which parse, decode and map them in parallel; only the small results come
 * back (handing Spans back would cost the main thread as much as decoding them). Problems are
 * queued in the same order as results, so what is printed does not depend on the worker count.
 */
import type { Problem } from '../errors.js';
import { LineChunker, decodeLineChunk, type ChunkResult, type LineChunk } from './line-chunk.js';
import type { BatchMapper, MapperSpec } from './mapper.js';
import { WorkerPool } from '../parallel/pool.js';
import type { Input } from './inputs.js';
import { newReadStats, readItems, type LineOffload, type Offloaded, type ReadOptions, type ReadStats } from './read.js';

/** JSON Lines read in-thread before workers start: small inputs never pay for them. */
const START_AFTER_BYTES = 8 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
/** Chunks in flight per worker: enough to keep them busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 2;

const WORKER_SCRIPT = new URL('./line-worker.js', import.meta.url);

export interface MappedReadOptions extends Omit<ReadOptions, 'offload' | 'stats'> {
  stats?: ReadStats;
  workers: number;
  /** JSON Lines bytes decoded here before workers start (default 8 MiB; tests use less). */
  startAfterBytes?: number;
  /** Bytes of lines per chunk sent to a worker (default 1 MiB). */
  chunkBytes?: number;
}

type Entry<R> = { result: R } | { problem: Problem } | { chunk: Promise<ChunkResult<R>>; settled: boolean };

/** Entries held in order at most: results decoded here while a worker's chunk is still out. */
const MAX_QUEUED = 8;

export async function* readMapped<C, R>(inputs: Input[], opts: MappedReadOptions, spec: MapperSpec<C, R>): AsyncGenerator<R> {
  const stats = opts.stats ?? newReadStats();
  const map = spec.create(spec.config);
  const fifo: Entry<R>[] = [];
  const workers = opts.workers;
  const offload = workers > 0 ? new PoolOffload(spec, workers, map, opts.startAfterBytes ?? START_AFTER_BYTES, opts.chunkBytes ?? CHUNK_BYTES) : undefined;
  const items = readItems(inputs, { ...opts, stats, offload, onProblem: (p) => fifo.push({ problem: p }) });
  try {
    for (;;) {
      const next = await items.next();
      if (!next.done) {
        const item = next.value;
        if ('offloaded' in item) {
          const entry = { chunk: item.offloaded as Promise<ChunkResult<R>>, settled: item.local === true };
          if (!entry.settled) entry.chunk.then(() => (entry.settled = true), () => (entry.settled = true));
          fifo.push(entry);
        } else {
          fifo.push({ result: map(item) });
        }
      }
      // Hand out what is ready at the head. A worker's chunk is waited for only at the end or
      // when the queue is full: meanwhile this thread reads on and decodes chunks itself.
      while (fifo.length) {
        const head = fifo[0]!;
        if ('chunk' in head) {
          if (!next.done && !head.settled && fifo.length < MAX_QUEUED) break;
          const done = await head.chunk;
          fifo.shift();
          addStats(stats, done.stats);
          let p = 0;
          for (let i = 0; i < done.results.length; i++) {
            for (; p < done.problems.length && done.problemsAt[p]! <= i; p++) opts.onProblem(done.problems[p]!);
            yield done.results[i]!;
          }
          for (; p < done.problems.length; p++) opts.onProblem(done.problems[p]!);
        } else {
          fifo.shift();
          if ('problem' in head) opts.onProblem(head.problem);
          else yield head.result;
        }
      }
      if (next.done) return;
    }
  } finally {
    await offload?.close();
  }
}

function addStats(into: ReadStats, d: ReadStats): void {
  into.records += d.records;
  into.badRecords += d.badRecords;
  into.spans += d.spans;
  into.skippedSpans += d.skippedSpans;
  into.unreadableInputs += d.unreadableInputs;
  into.metricsRequests += d.metricsRequests;
  into.logsRequests += d.logsRequests;
}

class PoolOffload<C, R> implements LineOffload {
  private pool: WorkerPool | undefined;
  private seen = 0;
  private readonly chunker: LineChunker;

  constructor(
    private readonly spec: MapperSpec<C, R>,
    readonly workers: number,
    private readonly map: BatchMapper<R>,
    private readonly startAfterBytes: number,
    chunkBytes: number,
  ) {
    this.chunker = new LineChunker(chunkBytes);
  }

  takes(lineBytes: number): boolean {
    if (this.pool) return true;
    this.seen += lineBytes;
    if (this.seen <= this.startAfterBytes) return false;
    // A small young generation: each worker only holds the chunk it parses (peak memory).
    this.pool = new WorkerPool(WORKER_SCRIPT, this.workers, { module: this.spec.module, config: this.spec.config }, { maxYoungGenerationSizeMb: 16 });
    return true;
  }

  add(label: string, lineNo: number, line: Buffer): Offloaded | undefined {
    return this.send(this.chunker.add(label, lineNo, line));
  }

  flush(): Offloaded | undefined {
    return this.send(this.chunker.flush());
  }

  private send(chunk: LineChunk | undefined): Offloaded | undefined {
    if (!chunk || !this.pool) return undefined;
    // The main thread is a worker too: when the pool has its fill, it decodes the chunk itself.
    if (this.pool.inFlight >= this.workers * IN_FLIGHT_PER_WORKER) {
      return { offloaded: Promise.resolve(decodeLineChunk(chunk, this.map)), local: true };
    }
    const offloaded = this.pool.run<ChunkResult<R>>(chunk, [chunk.bytes.buffer as ArrayBuffer, chunk.ends.buffer as ArrayBuffer, chunk.lineNos.buffer as ArrayBuffer]);
    // Awaited in order later; until then a failure must not count as unhandled.
    offloaded.catch(() => {});
    return { offloaded };
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/**
 * Collects the traces a `tree` run prints, holding no more than it must:
 *
 * - `--trace ID`: only the traces matching the id prefix are kept (a large input does not fill
 *   memory with unrelated traces).
 * - All traces: what is held is bounded by `--memory`; beyond it traces spill to disk
 *   (tree-collect.ts), and the output is the same.
 * - `--last N`: only the N traces printed are held. The input is read twice: once keeping per
 *   trace its earliest start alone (TraceStarts, ~40 bytes a trace; the batches reduced to
 *   (id, start) pairs where they are decoded, on worker threads for large inputs), which picks
 *   the newest N; then again, collecting the spans of those N only. Files, directories and the
 *   store are simply opened again. Stdin cannot be read twice: it is first copied to a
 *   temporary file (raw bytes, gzip included), which both passes read. Copying it whole before
 *   the first pass, rather than while the first pass reads it, keeps one code path for both
 *   passes and cannot leave the copy short when a reader stops early (nothing can be printed
 *   before stdin ends anyway). Alternatives considered: collecting everything and spilling
 *   (holds up to the budget, not N traces), or keeping the newest N while reading (a trace's
 *   earliest start is only known at the end, so a trace dropped early could turn out newer).
 *   Problems in the input are reported by the first pass; the second is read quietly.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LlmtraceError } from '../errors.js';
import type { OpenedSources } from '../sources/open.js';
import { SpillDir } from '../spill/temp-dir.js';
import { startMapper } from './start-mapper.js';
import { TraceStarts } from './trace-starts.js';
import { TreeCollector } from './tree-collect.js';

export interface SelectOptions {
  /** Full trace id or a prefix (case-insensitive). */
  trace?: string;
  last?: number;
  /** Bytes of spans held before traces spill to disk (`--memory`; default no limit). */
  memoryBytes?: number;
  /** Where temporary files go (default: LLMTRACE_TMPDIR or TMPDIR). */
  spillParent?: string;
  /** The sources include stdin (`-`), read from this stream: with `last`, it is copied to a file first. */
  stdin?: NodeJS.ReadableStream;
}

/** Opens the sources; `stdin` replaces the process's stdin, `diagnostic` takes problem lines. */
export type OpenFn = (o: { stdin?: NodeJS.ReadableStream; diagnostic?: (line: string) => void }) => Promise<OpenedSources>;

export interface Selection {
  /** Holds the selected traces; `collector.rendered()` prints them. */
  collector: TreeCollector;
  /** How many traces were read in total (after the --trace filter). */
  matched: number;
  /** The sources as opened for the pass that reported problems (label, store or not). */
  opened: OpenedSources;
  /** That pass's `finish()`: the problem summary, and whether the input was unusable. */
  read: ReturnType<OpenedSources['finish']>;
}

export function normalizeTracePrefix(prefix: string): string {
  const p = prefix.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(p)) {
    throw new LlmtraceError(`--trace must be a trace id or a prefix of one (hex), got ${JSON.stringify(prefix)}`);
  }
  return p;
}

const quiet = (): void => {};

export async function selectTraces(open: OpenFn, opts: SelectOptions): Promise<Selection> {
  const prefix = opts.trace === undefined ? undefined : normalizeTracePrefix(opts.trace);
  const matches = prefix ? (id: string) => id.startsWith(prefix) : () => true;
  const collectorOpts = { memoryBytes: opts.memoryBytes, spillParent: opts.spillParent };

  if (opts.last === undefined) {
    const opened = await open({ stdin: opts.stdin });
    const collector = new TreeCollector({ ...collectorOpts, accept: matches });
    try {
      for await (const batch of opened.batches) collector.add(batch);
    } catch (e) {
      collector.close();
      throw e;
    }
    return { collector, matched: collector.size, opened, read: opened.finish() };
  }

  let copy: SpillDir | undefined;
  try {
    let stdin: (() => NodeJS.ReadableStream) | undefined;
    if (opts.stdin) {
      copy = SpillDir.create(opts.spillParent);
      stdin = await copyStdin(opts.stdin, copy.file('stdin'));
    }
    // Pass 1: earliest start per trace.
    const opened = await open({ stdin: stdin?.() });
    const starts = new TraceStarts();
    for await (const f of opened.mapped(startMapper)) {
      for (let i = 0; i < f.ids.length; i++) if (matches(f.ids[i]!)) starts.note(f.ids[i]!, f.starts[i]!);
    }
    const read = opened.finish();
    const order = starts.ordered();
    const keep = new Set<string>();
    for (let i = Math.max(0, order.length - opts.last); i < order.length; i++) keep.add(starts.traceId(order[i]!));
    // Pass 2: the spans (and log events) of the traces kept.
    const collector = new TreeCollector({ ...collectorOpts, accept: (id) => keep.has(id) });
    if (keep.size) {
      try {
        const again = await open({ stdin: stdin?.(), diagnostic: quiet });
        for await (const batch of again.batches) collector.add(batch);
      } catch (e) {
        collector.close();
        throw e;
      }
    }
    return { collector, matched: starts.size, opened, read };
  } finally {
    copy?.remove();
  }
}

/**
 * Copies stdin to `file`; returns a way to read the copy again (each call a new stream). A read
 * error of stdin is not thrown here: it ends each reading of the copy, where the reader reports
 * it like any unreadable input, after what came before it.
 */
async function copyStdin(stdin: NodeJS.ReadableStream, file: string): Promise<() => NodeJS.ReadableStream> {
  let failure: unknown;
  try {
    await pipeline(stdin, createWriteStream(file));
  } catch (e) {
    failure = e;
  }
  return () => Readable.from(readCopy(file, failure));
}

async function* readCopy(file: string, failure: unknown): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
  if (failure !== undefined) throw failure;
}

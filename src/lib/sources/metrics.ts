/**
 * Reads OTLP metrics and logs requests (`stats` from metrics; `cost` and `stats` usage from agents'
 * log events and metrics): the store's `metrics-*.jsonl` and `logs-*.jsonl` files that `tail`
 * writes, and such records in dumps given as sources. Each record is decoded by the one decoder
 * of its signal (otlp/signals.ts, as `tail` stores it).
 *
 * The span reader (read.ts) reads the same dumps for spans and already reports their bad
 * records; here a dump's lines that are not metrics requests are passed over without a word, so
 * nothing is reported twice. Store metrics files are read by this reader alone: every bad line
 * in them is reported with its file and line. Not read for metrics: stdin (read once, for
 * spans) and protobuf (the store writes JSON; a protobuf dump's signal cannot be told apart).
 */
import { access, stat } from 'node:fs/promises';
import { DecodeError, type Problem } from '../errors.js';
import { typeName } from '../otlp/ids.js';
import type { PbMessage } from '../otlp/pb-json.js';
import { decodeSignalJson, decodeSignalProtobuf, protobufSignalOf, type OtherSignal } from '../otlp/signals.js';
import { resolveStoreDir } from '../store/layout.js';
import { ByteReader } from './byte-reader.js';
import { recognize } from './documents.js';
import { directoryInputs, fileInput, type Input } from './inputs.js';
import { firstNonSpace, openInputBytes, reportFailure, type ReadStats } from './read.js';

const MiB = 1024 * 1024;
const MAX_LINE_BYTES = 256 * MiB;
const MAX_DOCUMENT_BYTES = 512 * MiB;
/** A line that names neither key holds no request of the signal: not worth parsing. */
const SIGNAL_KEYS: Record<OtherSignal, Buffer[]> = {
  metrics: [Buffer.from('"resourceMetrics"'), Buffer.from('"resource_metrics"')],
  logs: [Buffer.from('"resourceLogs"'), Buffer.from('"resource_logs"')],
};

export interface MetricsInput extends Input {
  /** A store metrics (logs) file: every line must be a request of the signal. Else a dump read for spans too. */
  metricsOnly: boolean;
  /** Which requests are read (default metrics). */
  signal?: OtherSignal;
}

export interface MetricsReadStats {
  inputs: number;
  requests: number;
  badRecords: number;
  unreadableInputs: number;
}

export interface MetricsRecord {
  msg: PbMessage;
  source: string;
  line?: number;
}

/**
 * The metrics inputs for the same sources the spans come from (none: the store). With
 * `dumpsHaveMetrics` false (the span reader saw no metrics request in them), files given as
 * sources are not read again: a trace dump costs one pass, as before.
 */
export async function metricsInputs(
  sources: readonly string[],
  store: string | undefined,
  dumpsHaveMetrics = true,
  signal: OtherSignal = 'metrics',
): Promise<MetricsInput[]> {
  // Every store file (inputs.ts directoryInputs): a point's time says nothing of its hour of
  // receipt, and a cumulative series' baseline is its last point before the window, however old.
  const storeFiles = async (dir: string) => (await directoryInputs(dir, signal)).map((i) => ({ ...i, metricsOnly: true, signal }));
  if (sources.length === 0) {
    const dir = resolveStoreDir(store);
    try {
      await access(dir);
    } catch {
      return []; // openSources has said so already
    }
    return storeFiles(dir);
  }
  const out: MetricsInput[] = [];
  for (const src of sources) {
    if (src === '-') continue;
    let isDir = false;
    try {
      isDir = (await stat(src)).isDirectory();
    } catch {
      continue; // the span reader reports a missing source
    }
    if (isDir) out.push(...(await storeFiles(src)));
    else if (dumpsHaveMetrics) out.push({ ...fileInput(src), metricsOnly: false, signal });
  }
  return out;
}

/** Every metrics request of the inputs, in order; problems reported with file and line, the rest read. */
export async function* readMetricsRequests(inputs: readonly MetricsInput[], onProblem: (p: Problem) => void, stats: MetricsReadStats): AsyncGenerator<MetricsRecord> {
  for (const input of inputs) {
    stats.inputs++;
    const problem = (p: Omit<Problem, 'source'>) => onProblem({ source: input.label, ...p });
    const bad = (p: Omit<Problem, 'source'>) => {
      stats.badRecords++;
      problem(p);
    };
    const raw = ByteReader.from(input.open());
    let reader = raw;
    try {
      const opened = await openInputBytes(raw);
      reader = opened.reader;
      const first = firstNonSpace(await reader.peek(1024));
      if (first === undefined) continue;
      // A store file is JSON Lines by its name (inputs.ts): bytes a crash left at its start are a bad line, not the end of it.
      if (first !== 0x7b && first !== 0x5b && !input.metricsOnly) {
        yield* readProtobuf(reader, input, stats);
        continue;
      }
      yield* readLines(reader, input, bad, stats);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      bad({ field: e.field, message: e.message });
    } finally {
      const failure = raw.failure ?? reader.failure;
      if (failure !== undefined) reportFailure({ problem, stats: stats as unknown as ReadStats }, failure);
    }
  }
}

/**
 * A dump holding one protobuf request (as an agent sent it): read when it is a request of the
 * signal. The span reader has reported it already when it is none of the three.
 */
async function* readProtobuf(reader: ByteReader, input: MetricsInput, stats: MetricsReadStats): AsyncGenerator<MetricsRecord> {
  const signal = input.signal ?? 'metrics';
  const all = await reader.readAll(MAX_DOCUMENT_BYTES);
  if ('tooLarge' in all || protobufSignalOf(all) !== signal) return;
  stats.requests++;
  yield { msg: decodeSignalProtobuf(signal, all), source: input.label };
}

/** JSON Lines, or a single (pretty-printed) document when the first line is not a whole record. */
async function* readLines(reader: ByteReader, input: MetricsInput, bad: (p: Omit<Problem, 'source'>) => void, stats: MetricsReadStats): AsyncGenerator<MetricsRecord> {
  let lineNo = 0;
  let sawRecord = false;
  for (;;) {
    const line = await reader.readLine(MAX_LINE_BYTES);
    if (line === undefined) return;
    lineNo++;
    if ('tooLong' in line) {
      if (input.metricsOnly) bad({ line: lineNo, message: `line of ${line.length} bytes exceeds the ${MAX_LINE_BYTES}-byte limit` });
      continue;
    }
    if (firstNonSpace(line) === undefined) continue;
    // The first record is always parsed: when it is not whole, the input is one document.
    const keys = SIGNAL_KEYS[input.signal ?? 'metrics'];
    if (sawRecord && !input.metricsOnly && !keys.some((k) => line.includes(k))) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line.toString('utf8'));
    } catch (e) {
      if (!sawRecord && !input.metricsOnly) {
        // Not JSON Lines: one document over many lines (a dump written by hand or by jq).
        yield* readDocument(Buffer.concat([line, Buffer.from('\n'), await restOf(reader)]), input, bad, stats);
        return;
      }
      // A dump's broken line is the span reader's to report.
      if (input.metricsOnly) bad({ line: lineNo, message: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    sawRecord = true;
    if (!input.metricsOnly && !keys.some((k) => line.includes(k))) continue;
    yield* decodeDocument(doc, input, lineNo, bad, stats);
  }
}

async function restOf(reader: ByteReader): Promise<Buffer> {
  const all = await reader.readAll(MAX_DOCUMENT_BYTES);
  if ('tooLarge' in all) throw new DecodeError(`a single JSON document larger than ${MAX_DOCUMENT_BYTES / MiB} MiB cannot be read; write it as JSON Lines`);
  return all;
}

function* readDocument(text: Buffer, input: MetricsInput, bad: (p: Omit<Problem, 'source'>) => void, stats: MetricsReadStats): Generator<MetricsRecord> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.toString('utf8'));
  } catch {
    return; // the span reader reports the dump's invalid JSON
  }
  yield* decodeDocument(doc, input, undefined, bad, stats);
}

function* decodeDocument(doc: unknown, input: MetricsInput, line: number | undefined, bad: (p: Omit<Problem, 'source'>) => void, stats: MetricsReadStats): Generator<MetricsRecord> {
  const docs = recognize(doc) === 'otlp-array' ? (doc as unknown[]) : [doc];
  const signal = input.signal ?? 'metrics';
  for (const d of docs) {
    if (recognize(d) !== `otlp-${signal}`) {
      if (input.metricsOnly) bad({ line, message: `not an OTLP ${signal} request (expected an object with ${SIGNAL_KEYS[signal][0]!.toString().slice(1, -1)}, got ${typeName(d)})` });
      continue;
    }
    try {
      const msg = decodeSignalJson(signal, d);
      stats.requests++;
      yield { msg, source: input.label, line };
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      bad({ line, field: e.field, message: e.message });
    }
  }
}

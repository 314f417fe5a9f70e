/**
 * Where spans come from: files, stdin (`-`), directories and the local store. An Input is a
 * label for messages plus a way to open it as a byte stream, so readers never care which.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { LlmtraceError } from '../errors.js';
import { storeFiles, type Signal } from '../store/layout.js';
import { traceFilesForWindow, type StartWindow } from '../store/span-index.js';

export interface Input {
  label: string;
  open(): AsyncIterable<Buffer | string | Uint8Array>;
  /**
   * A store file (`traces-YYYYMMDDTHH.jsonl`): JSON Lines by its name, so it is read line by line
   * without sniffing. Bytes a crash left at its start (a NUL-filled block) are then one bad line,
   * not a protobuf stream that hides every line after them.
   */
  jsonLines?: true;
}

export function fileInput(file: string): Input {
  return { label: file, open: () => createReadStream(file, { highWaterMark: 256 * 1024 }) };
}

export function stdinInput(stdin: NodeJS.ReadableStream = process.stdin): Input {
  return { label: '-', open: () => stdin as AsyncIterable<Buffer> };
}

/**
 * Resolves command-line sources: `-` is stdin, a directory is read like a store (its signal
 * files in time order), anything else a file. Missing paths become inputs whose open() fails,
 * so the reader reports them with the rest instead of aborting before any output.
 */
export async function resolveInputs(sources: string[], stdin?: NodeJS.ReadableStream, withLogs = false, window?: StoreWindow): Promise<Input[]> {
  if (sources.filter((s) => s === '-').length > 1) throw new LlmtraceError('stdin (-) can be given only once');
  const inputs: Input[] = [];
  for (const src of sources) {
    if (src === '-') {
      inputs.push(stdinInput(stdin));
      continue;
    }
    let isDir = false;
    try {
      isDir = (await stat(src)).isDirectory();
    } catch {
      /* reported when opened */
    }
    if (isDir) {
      // A store given alone may leave files out under a window; beside other sources, whose
      // traces it cannot know, it is read whole.
      const files = await storeInputs(src, withLogs, sources.length === 1 ? window : undefined);
      // A directory given by name that holds no store files is a mistake, not an empty result.
      if (files.length === 0 && storeFiles(await readdir(src), 'traces').length === 0) inputs.push(failingInput(src, 'no store files (traces-YYYYMMDDTHH.jsonl) in this directory'));
      inputs.push(...files);
    }
    else inputs.push(fileInput(src));
  }
  return inputs;
}

/** `cost`/`stats`: the window a store's trace files are chosen for, and how many holding spans were left unread. */
export interface StoreWindow {
  window: StartWindow;
  unreadFiles: number;
}

/**
 * A store directory's files of one signal, oldest first. A file's hour is when its lines were
 * received, and a span's start says nothing about that (an exporter's clock ahead, a batch sent
 * late), so no file is chosen by its name (docs/architecture.md "Local store layout"). With a
 * `window`, trace files that their span index shows can add nothing to it are left out
 * (store/span-index.ts); logs and metrics files are all read ("Span index").
 */
export async function directoryInputs(dir: string, signal: Signal = 'traces', window?: StoreWindow): Promise<Input[]> {
  let names = storeFiles(await readdir(dir), signal).map((f) => f.name);
  if (window && signal === 'traces') {
    const chosen = await traceFilesForWindow(dir, names, window.window);
    names = chosen.read;
    window.unreadFiles += chosen.unreadWithSpans;
  }
  return names.map((name): Input => ({ ...fileInput(path.join(dir, name)), jsonLines: true }));
}

/** A store's trace files (for `window`, see directoryInputs), and with `withLogs` its logs files too (GenAI events for `tree`). */
export async function storeInputs(dir: string, withLogs = false, window?: StoreWindow): Promise<Input[]> {
  const traces = await directoryInputs(dir, 'traces', window);
  return withLogs ? [...traces, ...(await directoryInputs(dir, 'logs'))] : traces;
}

/** An input that fails when read, so the problem is reported in order with the others. */
function failingInput(label: string, message: string): Input {
  return {
    label,
    open: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error(message)) }),
    }),
  };
}

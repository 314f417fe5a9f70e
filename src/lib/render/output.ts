/**
 * Writes results to stdout and diagnostics to stderr, each through the rules of its kind (see
 * terminal.ts): nothing else in llmtrace writes to either stream. Chunks stream with backpressure,
 * so huge outputs stream and `| head` ends quietly.
 */
import { once } from 'node:events';
import { oneLine, safeChunk, toTerminal, type OutputKind } from './terminal.js';

/** How each output format is made safe: JSON by its own escapes, text for people by the terminal writer. */
export function outputKind(format: string): OutputKind {
  if (format === 'json' || format === 'sarif') return 'json';
  if (format === 'csv' || format === 'markdown') return 'plain';
  return 'terminal';
}

export async function writeOut(
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  kind: OutputKind,
  stream: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  let buffer = '';
  const flush = async () => {
    if (buffer && !stream.write(safeChunk(buffer, kind))) await once(stream, 'drain');
    buffer = '';
  };
  const add = async (chunk: string | Uint8Array) => {
    if (typeof chunk !== 'string') {
      // Bytes (rendered on a worker thread) go out after what came before them.
      await flush();
      if (chunk.length && !stream.write(safeChunk(chunk, kind))) await once(stream, 'drain');
    } else {
      buffer += chunk;
      if (buffer.length >= 64 * 1024) await flush();
    }
  };
  if (Symbol.asyncIterator in chunks) for await (const chunk of chunks) await add(chunk);
  else for (const chunk of chunks) await add(chunk);
  await flush();
}

/**
 * One diagnostic line on stderr (`llmtrace: ` is the caller's). A line break inside it would let a
 * file or model name forge a line of its own, so it is shown as `⏎`: several lines are several calls.
 */
export function writeDiagnostic(line: string, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(`${toTerminal(oneLine(line))}\n`);
}

/**
 * Output held until `started()` says real input was read, so a command whose input turns out
 * unusable leaves stdout empty. At most `limitBytes` is held; past it (a flood of decode problems)
 * output goes out as it comes.
 */
export class HeldOutput {
  private held: (string | Uint8Array)[] = [];
  private heldBytes = 0;
  holding = true;

  constructor(
    private readonly kind: OutputKind,
    private readonly started: () => boolean,
    private readonly limitBytes = 1024 * 1024,
  ) {}

  async write(chunks: Iterable<string | Uint8Array>): Promise<void> {
    if (!this.holding) return writeOut(chunks, this.kind);
    for (const c of chunks) {
      this.held.push(c);
      this.heldBytes += c.length;
    }
    if (this.started() || this.heldBytes > this.limitBytes) await this.release();
  }

  async release(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    const held = this.held;
    this.held = [];
    await writeOut(held, this.kind);
  }
}

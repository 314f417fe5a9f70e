/**
 * Pull-style reading over a stream of Buffer chunks: peek at the start (format sniffing), then
 * read lines, fixed-size frames or the rest. Only the unread part of one chunk (plus a partial
 * line or frame) is ever held, so memory stays flat however large the input is.
 */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private done = false;
  /** Bytes consumed so far, for progress and error offsets. */
  consumed = 0;
  /**
   * The error that ended the input early (unreadable file, corrupt gzip). Reading stops there
   * as if at the end, so everything before it is still processed; callers report it after.
   */
  failure: unknown;

  constructor(private readonly chunks: AsyncIterator<Buffer | Uint8Array | string>) {}

  static from(stream: AsyncIterable<Buffer | Uint8Array | string>): ByteReader {
    return new ByteReader(stream[Symbol.asyncIterator]());
  }

  private get available(): number {
    return this.buf.length - this.pos;
  }

  /** The next raw chunk, or undefined at the end (or at a read error, kept in `failure`). */
  private async nextChunk(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    let next: IteratorResult<Buffer | Uint8Array | string>;
    try {
      next = await this.chunks.next();
    } catch (e) {
      this.failure = e;
      this.done = true;
      return undefined;
    }
    if (next.done) {
      this.done = true;
      return undefined;
    }
    const v = next.value;
    return typeof v === 'string' ? Buffer.from(v) : Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }

  /** Appends the next chunk; false at end of input. */
  private async fill(): Promise<boolean> {
    const chunk = await this.nextChunk();
    if (!chunk) return false;
    this.buf = this.available === 0 ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
    return true;
  }

  /** Up to n bytes from the current position, without consuming them. */
  async peek(n: number): Promise<Buffer> {
    if (this.available < n) {
      // Gather the chunks first and copy once: appending chunk by chunk would copy the window
      // over and over (quadratic in the sniff window).
      const parts = [this.buf.subarray(this.pos)];
      let total = this.available;
      while (total < n) {
        const chunk = await this.nextChunk();
        if (!chunk) break;
        parts.push(chunk);
        total += chunk.length;
      }
      this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
      this.pos = 0;
    }
    return this.buf.subarray(this.pos, this.pos + n);
  }

  /**
   * The next line without its `\n` (and `\r`), or undefined at end of input. A line longer than
   * maxBytes is consumed and returned as `{ tooLong: true }` so one absurd line cannot exhaust memory.
   */
  async readLine(maxBytes: number): Promise<Buffer | { tooLong: true; length: number } | undefined> {
    const nl = this.buf.indexOf(10, this.pos);
    if (nl !== -1) {
      const line = withoutCr(this.buf.subarray(this.pos, nl));
      this.advance(nl + 1 - this.pos);
      return line;
    }
    // The line goes on past this chunk: its parts are gathered and copied once. Appending chunk
    // by chunk copied the line read so far again for every chunk (quadratic in its length: a
    // 20 MiB record in 16 KiB gzip chunks took a minute).
    const parts: Buffer[] = [];
    let held = 0;
    let dropped = 0;
    for (;;) {
      if (this.available > 0) {
        parts.push(this.buf.subarray(this.pos));
        held += this.available;
        this.advance(this.available);
      }
      if (held > maxBytes) {
        // Drop what we have of the over-long line and keep scanning for its end.
        dropped += held;
        held = 0;
        parts.length = 0;
      }
      const chunk = await this.nextChunk();
      if (!chunk) {
        if (dropped) return { tooLong: true, length: dropped + held };
        return held === 0 ? undefined : Buffer.concat(parts, held);
      }
      this.buf = chunk;
      this.pos = 0;
      const end = chunk.indexOf(10);
      if (end === -1) continue;
      this.advance(end + 1);
      if (dropped || held + end > maxBytes) return { tooLong: true, length: dropped + held + end };
      parts.push(chunk.subarray(0, end));
      return withoutCr(Buffer.concat(parts, held + end));
    }
  }

  /** Exactly n bytes, or fewer when the input ends first (a truncated frame). */
  async readExact(n: number): Promise<Buffer> {
    while (this.available < n && (await this.fill()));
    const out = this.buf.subarray(this.pos, this.pos + Math.min(n, this.available));
    this.advance(out.length);
    return out;
  }

  /** Skips n bytes without holding them (an oversize frame). Returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.available === 0 && !(await this.fill())) break;
      const step = Math.min(left, this.available);
      this.advance(step);
      left -= step;
    }
    return n - left;
  }

  /** The rest of the input, or `{ tooLarge }` once it exceeds maxBytes (the rest is drained). */
  async readAll(maxBytes: number): Promise<Buffer | { tooLarge: true }> {
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      if (this.available > 0) {
        total += this.available;
        if (total > maxBytes) {
          this.advance(this.available);
          while (await this.fill()) this.advance(this.available);
          return { tooLarge: true };
        }
        parts.push(this.buf.subarray(this.pos));
        this.advance(this.available);
      }
      if (!(await this.fill())) break;
    }
    return Buffer.concat(parts);
  }

  /** The unread bytes as a chunk stream (to hand the rest of the input to a decompressor). */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.available > 0) {
      const head = this.buf.subarray(this.pos);
      this.advance(this.available);
      yield head;
    }
    while (await this.fill()) {
      const chunk = this.buf.subarray(this.pos);
      this.advance(this.available);
      yield chunk;
    }
  }

  async atEnd(): Promise<boolean> {
    return this.available === 0 && !(await this.fill());
  }

  private advance(n: number) {
    this.pos += n;
    this.consumed += n;
  }
}

/** A line's trailing `\r` (CRLF line ends) removed. */
function withoutCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}

/**
 * Output bytes built in place: rendered findings are copied into one growing buffer (cached
 * pieces as bytes, the rest UTF-8 encoded once) instead of being joined as strings and encoded
 * afterwards — a large dump renders about a gigabyte of findings, and joining that many small
 * strings costs more than copying their bytes.
 *
 * What is built is handed out in a buffer of its own and of its exact size: the building
 * buffer is reused for the next piece while the last one is still being written out.
 */

const INITIAL_BYTES = 256 * 1024;

export class ByteBuilder {
  private buf = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  length = 0;

  /** Appends bytes. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Appends `s` as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  /** Appends one byte (an ASCII character). */
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  /** Appends a copy of bytes already written (at `start`, `length` long). */
  again(start: number, length: number): void {
    this.room(length);
    this.buf.copyWithin(this.length, start, start + length);
    this.length += length;
  }

  /** What was built, in a new buffer of its exact size; the builder starts over. */
  take(): Uint8Array {
    const out = Buffer.allocUnsafeSlow(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

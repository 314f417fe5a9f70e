/** Buffered synchronous writer to a temp file, renamed into place when complete (so a killed run leaves no half file). */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

export class FileOut {
  constructor(file) {
    this.file = file;
    this.tmp = `${file}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
    this.parts = [];
    this.size = 0;
    this.bytes = 0;
  }
  write(chunk) {
    this.parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.size += chunk.length;
    if (this.size > 8 << 20) this.flush();
  }
  flush() {
    const buf = Buffer.concat(this.parts);
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.file);
  }
}

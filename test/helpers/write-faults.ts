/**
 * Injected write faults: watches (and can disturb) every FileHandle write and writev of this
 * thread, as a full disk or a failing device would, without filling a real disk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { vi } from 'vitest';
import { tempDir } from './read-all.js';

/**
 * What one write call on a store file should do: write only the first `writeOnly` bytes, then
 * fail with `thenFail`. A real write(2) does one or the other (a short count, or an error with
 * nothing written); both at once stands for a write whose count never reaches the caller.
 */
export interface WritePlan {
  writeOnly?: number;
  thenFail?: Error;
}

/**
 * Watches (and can disturb) every FileHandle write and writev: `calls` holds the bytes each call
 * was asked to write, in order. Undone by vi.restoreAllMocks().
 */
export async function interceptWrites(plan: (call: number, bytes: Buffer) => WritePlan | undefined = () => undefined) {
  const proto = await fileHandlePrototype();
  type Write = (this: FileHandle, ...args: unknown[]) => Promise<{ bytesWritten: number }>;
  const methods = proto as unknown as { write: Write; writev: Write };
  const origWrite = methods.write;
  const calls: Buffer[] = [];
  const perform = async (h: FileHandle, bytes: Buffer): Promise<number> => {
    const call = calls.push(bytes) - 1;
    const p = plan(call, bytes) ?? {};
    const n = Math.min(bytes.length, p.writeOnly ?? bytes.length);
    const { bytesWritten } = n > 0 ? await origWrite.call(h, bytes, 0, n) : { bytesWritten: 0 };
    if (p.thenFail) throw p.thenFail;
    return bytesWritten;
  };
  vi.spyOn(methods, 'write').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
    const [buf, offset, length] = args as [unknown, number | undefined, number | undefined];
    if (!(buf instanceof Uint8Array)) return origWrite.apply(this, args);
    const from = offset ?? 0;
    const bytes = Buffer.from(buf.subarray(from, length === undefined ? undefined : from + length));
    return { bytesWritten: await perform(this, bytes), buffer: buf };
  });
  vi.spyOn(methods, 'writev').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
    const bufs = args[0] as Uint8Array[];
    return { bytesWritten: await perform(this, Buffer.concat(bufs)), buffers: bufs };
  });
  return calls;
}

/** The error a full disk gives write(2). */
export const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/**
 * A disk that fills up while `full()` says so: the first write call that meets it writes half
 * of its bytes (a short write, as write(2) does when the last blocks run out), every later one
 * fails with ENOSPC.
 */
export function diskFull(full: () => boolean): (call: number, bytes: Buffer) => WritePlan | undefined {
  let halfWritten = false;
  return (_call, bytes) => {
    if (!full()) return undefined;
    if (halfWritten) return { writeOnly: 0, thenFail: enospc() };
    halfWritten = true;
    return { writeOnly: Math.floor(bytes.length / 2) + 1 };
  };
}

/** The prototype every FileHandle shares, for spying on its methods. */
export async function fileHandlePrototype(): Promise<FileHandle> {
  const probe = await open(path.join(tempDir(), 'probe'), 'w');
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

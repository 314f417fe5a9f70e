/**
 * A body received in pieces (chunked, or inflating) goes straight into one growing shared
 * buffer (receiver/limits.ts GrowingBody): the bytes as sent, shared with worker threads, never
 * held twice, and refused (false) past what a Buffer can hold.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GrowingBody } from '../../src/lib/receiver/limits.js';

describe('GrowingBody', () => {
  it('holds the pieces as one shared Buffer, across several growth steps', () => {
    const pieces = [randomBytes(10), randomBytes(64 * 1024), randomBytes(3 << 20), randomBytes(1), randomBytes((1 << 20) + 7)];
    const g = new GrowingBody(20 << 20);
    for (const p of pieces) expect(g.append(p)).toBe(true);
    const body = g.body();
    expect(body.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(body.equals(Buffer.concat(pieces))).toBe(true);
    expect(body.length).toBe(pieces.reduce((n, p) => n + p.length, 0));
  });

  it('an empty body is empty', () => {
    expect(new GrowingBody(1024).body().length).toBe(0);
  });

  it('refuses a piece that would pass its limit, keeping what it had', () => {
    const g = new GrowingBody(100);
    expect(g.append(Buffer.alloc(60, 1))).toBe(true);
    expect(g.append(Buffer.alloc(41, 2))).toBe(false);
    expect(g.append(Buffer.alloc(40, 3))).toBe(true);
    expect(g.body()).toEqual(Buffer.concat([Buffer.alloc(60, 1), Buffer.alloc(40, 3)]));
  });

  it('a limit beyond what a Buffer can hold (--max-body up to 1 TiB) is capped, not a crash', () => {
    const g = new GrowingBody(2 ** 40);
    expect(g.append(Buffer.from('ok'))).toBe(true);
    expect(g.body().toString()).toBe('ok');
  });
});

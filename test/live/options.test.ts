import { describe, expect, it } from 'vitest';
import { isLoopback, parseByteSize } from '../../src/lib/live/options.js';

describe('tail option values', () => {
  it('reads sizes with decimal and binary units', () => {
    expect(parseByteSize('20MiB')).toBe(20 * 1024 * 1024);
    expect(parseByteSize('512KiB')).toBe(512 * 1024);
    expect(parseByteSize('1048576')).toBe(1048576);
    expect(parseByteSize('10MB')).toBe(10_000_000);
    expect(parseByteSize('1.5 gib')).toBe(1.5 * 1024 ** 3);
    for (const bad of ['', 'MiB', '-1', '0', '12 parsecs', '1e6']) expect(parseByteSize(bad), bad).toBeUndefined();
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { hostAddress, isLoopback } from '../../src/lib/live/options.js';
import { parseSize } from '../../src/lib/sizes.js';

describe('tail option values', () => {
  it('reads --max-body as the other sizes, and a bare number as bytes', () => {
    const maxBody = (v: string) => parseSize('--max-body', v, { bareBytes: true });
    expect(maxBody('20MiB')).toBe(20 * 1024 * 1024);
    expect(maxBody('512KiB')).toBe(512 * 1024);
    expect(maxBody('1048576')).toBe(1048576);
    expect(maxBody('10MB')).toBe(10_000_000);
    expect(maxBody('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    for (const bad of ['', 'MiB', '-1', '0', '12 parsecs', '1e6']) expect(() => maxBody(bad), bad).toThrow(/--max-body must be a size/);
  });

  it('reads --max-in-flight the same way; garbage, negative and huge sizes are usage errors', () => {
    const maxInFlight = (v: string) => parseSize('--max-in-flight', v, { bareBytes: true });
    expect(maxInFlight('64MiB')).toBe(64 * 1024 * 1024);
    expect(maxInFlight('100000000')).toBe(1e8);
    for (const bad of ['lots', '-64MiB', '0', '2TiB', '5000GB', '64 MiBs']) expect(() => maxInFlight(bad), bad).toThrow(/--max-in-flight must be a size/);
  });

  it('refuses an empty or blank --host (Node listened on every address and gRPC failed with a stack trace)', () => {
    const host = hostAddress('--host');
    for (const bad of ['', ' ', '\t', 'a b', '127.0.0.1\n', 'a\u0000b']) expect(() => host(bad), JSON.stringify(bad)).toThrow(/--host must be an address or a host name/);
    for (const good of ['127.0.0.1', '::1', '0.0.0.0', 'localhost', 'my-host.local']) expect(host(good)).toBe(good);
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});

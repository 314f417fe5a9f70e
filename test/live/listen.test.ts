import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmtraceError } from '../../src/lib/errors.js';
import { listenWithFallback, type Listening, type ListenSpec } from '../../src/lib/live/listen.js';

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

function listen(port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      servers.push(s);
      resolve({ port: (s.address() as net.AddressInfo).port, close: () => new Promise((r) => s.close(() => r())) });
    });
  });
}

async function busyPort(): Promise<number> {
  return (await listen(0)).port;
}

const spec = (port: number): ListenSpec => ({ label: 'OTLP/HTTP', flag: '--http-port', host: '127.0.0.1', port, start: listen });

describe('listenWithFallback', () => {
  it('starts on the port asked for, 0 included', async () => {
    const l = await listenWithFallback(spec(0), { interactive: false, confirm: async () => true });
    expect(l.port).toBeGreaterThan(0);
  });

  it('without a terminal, a busy port is a usage error (exit 2) with a hint', async () => {
    const port = await busyPort();
    const err = await listenWithFallback(spec(port), { interactive: false, confirm: async () => true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmtraceError);
    expect((err as LlmtraceError).exitCode).toBe(2);
    expect((err as LlmtraceError).message).toBe(`OTLP/HTTP port ${port} on 127.0.0.1 is already in use`);
    expect((err as LlmtraceError).hint).toMatch(/--http-port \d+ \(free now\), or --http-port 0/);
  });

  it('in a terminal, offers the next free port and uses it when accepted', async () => {
    const port = await busyPort();
    const asked: string[] = [];
    const l = await listenWithFallback(spec(port), { interactive: true, confirm: async (m) => (asked.push(m), true) });
    expect(l.port).toBeGreaterThan(port);
    expect(asked[0]).toBe(`OTLP/HTTP port ${port} on 127.0.0.1 is already in use. Listen on ${l.port} instead?`);
  });

  it('in a terminal, declining the offer is the same clear error', async () => {
    const port = await busyPort();
    await expect(listenWithFallback(spec(port), { interactive: true, confirm: async () => false })).rejects.toThrow(/already in use/);
  });
});

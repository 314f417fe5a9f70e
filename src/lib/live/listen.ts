/**
 * Starting a listener on a port that may be busy: in a terminal, offer the next free port
 * (@clack/prompts); elsewhere a clear error with exit code 2.
 */
import net from 'node:net';
import { LlmtraceError } from '../errors.js';

export interface Listening {
  port: number;
  close(): Promise<void>;
}

export interface ListenSpec {
  /** `OTLP/HTTP`, `OTLP/gRPC`: for messages. */
  label: string;
  /** `--http-port`: for the hint. */
  flag: string;
  host: string;
  port: number;
  /** Ports never to offer or suggest (the other protocol's). */
  reserved?: number[];
  start(port: number): Promise<Listening>;
}

export interface ListenIo {
  /** A person can answer a question (stdin and stderr are terminals). */
  interactive: boolean;
  /** Asks yes/no; resolves false when declined or cancelled. */
  confirm(message: string): Promise<boolean>;
}

export function isAddressInUse(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; details?: unknown };
  if (err?.code === 'EADDRINUSE') return true;
  const text = `${String(err?.message ?? '')} ${String(err?.details ?? '')}`;
  return /EADDRINUSE|address already in use/i.test(text);
}

/** The first port above `from` that can be bound on `host` and is not reserved (up to 100 tries). */
export async function nextFreePort(host: string, from: number, reserved: number[] = []): Promise<number | undefined> {
  for (let p = from + 1; p <= Math.min(65535, from + 100); p++) {
    if (!reserved.includes(p) && (await canBind(host, p))) return p;
  }
  return undefined;
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export async function listenWithFallback(spec: ListenSpec, io: ListenIo): Promise<Listening> {
  let port = spec.port;
  for (;;) {
    try {
      return await spec.start(port);
    } catch (e) {
      if (!isAddressInUse(e)) throw startError(spec, port, e);
      const busy = `${spec.label} port ${port} on ${spec.host} is already in use`;
      const free = await nextFreePort(spec.host, port, spec.reserved);
      if (free === undefined || !io.interactive || !(await io.confirm(`${busy}. Listen on ${free} instead?`))) {
        const choose = free === undefined ? '' : `${spec.flag} ${free} (free now), or `;
        throw new LlmtraceError(busy, `stop the other listener (another llmtrace tail, or a Collector?), or choose a port: ${choose}${spec.flag} 0 for any free port`, 2);
      }
      port = free;
    }
  }
}

function startError(spec: ListenSpec, port: number, e: unknown): Error {
  if (e instanceof LlmtraceError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EACCES') {
    return new LlmtraceError(`not allowed to listen on ${spec.host}:${port} (${spec.label})`, `ports below 1024 need privileges: choose another with ${spec.flag}`, 2);
  }
  if (err?.code === 'EADDRNOTAVAIL' || err?.code === 'ENOTFOUND') {
    return new LlmtraceError(`cannot listen on ${spec.host}: no such local address (${spec.label})`, 'use --host 127.0.0.1, or an address of this machine', 2);
  }
  return e as Error;
}

/**
 * `--forward <url>`: relays every accepted request to another OTLP/HTTP endpoint. The receiver
 * only enqueues (it never waits), so a slow or dead target cannot slow the app's exporters: the
 * queue is bounded (the oldest request is dropped and counted when full), each send has a
 * timeout, and failures are reported on stderr at most every few seconds, never fatal.
 */
import { Agent, request } from 'undici';
import { LlmtraceError } from '../errors.js';
import type { Signal } from '../store/layout.js';

export interface ForwardItem {
  signal: Signal;
  body: Uint8Array;
  contentType: string;
}

/** Sends one request; resolves to the HTTP status. Injectable for tests. */
export type SendFn = (url: string, item: ForwardItem, abort: AbortSignal) => Promise<number>;

export interface ForwarderOptions {
  url: string;
  report: (message: string) => void;
  maxQueue?: number;
  maxQueueBytes?: number;
  concurrency?: number;
  timeoutMs?: number;
  reportEveryMs?: number;
  now?: () => number;
  send?: SendFn;
}

export interface ForwardStats {
  forwarded: number;
  failed: number;
  dropped: number;
}

const SIGNAL_PATH = /\/v1\/(traces|logs|metrics)$/;

/** The URL must be http(s); checked at start-up so a typo is a usage error (exit 2). */
export function checkForwardUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LlmtraceError(`--forward ${JSON.stringify(url)} is not a URL`, 'give an OTLP/HTTP endpoint, e.g. --forward http://localhost:4318');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new LlmtraceError(`--forward needs an http:// or https:// URL, got ${JSON.stringify(url)}`, 'OTLP/gRPC targets are not supported; use the target\'s OTLP/HTTP port (usually 4318)');
  }
  return url;
}

/**
 * Where a signal goes: `<url>/v1/<signal>`; a URL that already ends with a signal path is that
 * signal's endpoint (as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), used as is and for that signal only.
 */
export function forwardTarget(url: string, signal: Signal): string | undefined {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  const m = SIGNAL_PATH.exec(path);
  if (m) return m[1] === signal ? url : undefined;
  u.pathname = `${path}/v1/${signal}`;
  return u.toString();
}

/** Reports the first failure at once, then at most one message per interval with a count. */
export class RateLimitedReporter {
  private last = -Infinity;
  private suppressed = 0;
  constructor(
    private readonly write: (message: string) => void,
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {}

  report(message: string): void {
    const t = this.now();
    if (t - this.last < this.everyMs) {
      this.suppressed++;
      return;
    }
    this.last = t;
    const more = this.suppressed ? ` (and ${this.suppressed} more since the last report)` : '';
    this.suppressed = 0;
    this.write(message + more);
  }

  /** The count of failures not yet reported, once at the end. */
  finish(): void {
    if (this.suppressed) this.write(`${this.suppressed} more forward failures not shown`);
    this.suppressed = 0;
  }
}

export class Forwarder {
  readonly stats: ForwardStats = { forwarded: 0, failed: 0, dropped: 0 };
  private readonly queue: Array<{ url: string; item: ForwardItem }> = [];
  private queueBytes = 0;
  private readonly inFlight = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  private readonly reporter: RateLimitedReporter;
  private readonly agent: Agent | undefined;
  private readonly send: SendFn;
  private closed = false;

  constructor(private readonly o: ForwarderOptions) {
    this.reporter = new RateLimitedReporter(o.report, o.reportEveryMs ?? 5000, o.now ?? Date.now);
    if (o.send) this.send = o.send;
    else {
      const agent = new Agent({ connections: o.concurrency ?? 4 });
      this.agent = agent;
      this.send = async (url, item, abort) => {
        const res = await request(url, {
          method: 'POST',
          body: item.body,
          headers: { 'content-type': item.contentType },
          dispatcher: agent,
          signal: abort,
        });
        await res.body.dump();
        return res.statusCode;
      };
    }
  }

  enqueue(item: ForwardItem): void {
    if (this.closed) return;
    const url = forwardTarget(this.o.url, item.signal);
    if (url === undefined) return; // the URL names another signal's endpoint
    this.queue.push({ url, item });
    this.queueBytes += item.body.byteLength;
    const maxQueue = this.o.maxQueue ?? 1000;
    const maxBytes = this.o.maxQueueBytes ?? 64 * 1024 * 1024;
    while (this.queue.length > 1 && (this.queue.length > maxQueue || this.queueBytes > maxBytes)) {
      this.queueBytes -= this.queue.shift()!.item.body.byteLength;
      this.stats.dropped++;
      this.reporter.report(`forward: ${this.o.url} is not keeping up; dropped the oldest queued request`);
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight.size < (this.o.concurrency ?? 4) && this.queue.length) {
      const next = this.queue.shift()!;
      this.queueBytes -= next.item.body.byteLength;
      const ac = new AbortController();
      this.inFlight.add(ac);
      const timer = setTimeout(() => ac.abort(new Error(`no answer within ${(this.o.timeoutMs ?? 10_000) / 1000}s`)), this.o.timeoutMs ?? 10_000);
      this.send(next.url, next.item, ac.signal)
        .then(
          (status) => {
            if (status >= 200 && status < 300) this.stats.forwarded++;
            else this.fail(next.url, `HTTP ${status}`);
          },
          (e: unknown) => this.fail(next.url, ac.signal.aborted ? String((ac.signal.reason as Error)?.message ?? 'aborted') : errorText(e)),
        )
        .finally(() => {
          clearTimeout(timer);
          this.inFlight.delete(ac);
          this.pump();
          if (!this.inFlight.size && !this.queue.length) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private fail(url: string, why: string): void {
    this.stats.failed++;
    this.reporter.report(`forward to ${url} failed: ${why}`);
  }

  /** Shutdown: lets queued requests go out for up to `graceMs`, then drops the rest. */
  async close(graceMs = 3000): Promise<void> {
    this.closed = true;
    if (this.inFlight.size || this.queue.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
    for (const ac of this.inFlight) ac.abort(new Error('shutting down'));
    this.reporter.finish();
    await this.agent?.destroy();
  }
}

function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return err?.cause?.code ?? err?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

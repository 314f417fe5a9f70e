import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkForwardUrl, forwardTarget, Forwarder, RateLimitedReporter, type ForwardItem } from '../../src/lib/live/forward.js';

const item = (signal: ForwardItem['signal'] = 'traces', size = 10): ForwardItem => ({ signal, body: new Uint8Array(size), contentType: 'application/x-protobuf' });

describe('forward targets', () => {
  it('appends the signal path to a base URL, and uses a signal endpoint as is for its signal only', () => {
    expect(forwardTarget('http://c:4318', 'traces')).toBe('http://c:4318/v1/traces');
    expect(forwardTarget('http://c:4318/', 'logs')).toBe('http://c:4318/v1/logs');
    expect(forwardTarget('https://c/otlp/', 'metrics')).toBe('https://c/otlp/v1/metrics');
    expect(forwardTarget('http://c:4318/v1/traces', 'traces')).toBe('http://c:4318/v1/traces');
    expect(forwardTarget('http://c:4318/v1/traces', 'logs')).toBeUndefined();
  });

  it('accepts http(s) URLs only', () => {
    expect(checkForwardUrl('http://localhost:4318')).toBe('http://localhost:4318');
    expect(() => checkForwardUrl('localhost:4318x')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => checkForwardUrl('not a url')).toThrow(/not a URL/);
  });
});

describe('Forwarder', () => {
  it('never waits for the target: a full queue drops the oldest request and counts it', async () => {
    const sent: number[] = [];
    const release: Array<() => void> = [];
    const f = new Forwarder({
      url: 'http://t',
      report: () => {},
      maxQueue: 2,
      concurrency: 1,
      send: (_url, it) => new Promise((r) => release.push(() => (sent.push(it.body.length), r(200)))),
    });
    for (let i = 1; i <= 5; i++) f.enqueue(item('traces', i)); // 1 in flight, 2 queued, 2 dropped
    expect(f.stats.dropped).toBe(2);
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(sent).toEqual([1, 4, 5]);
    expect(f.stats).toEqual({ forwarded: 3, failed: 0, dropped: 2 });
    await f.close(0);
  });

  it('times out a slow target, counts failures and non-2xx answers, and reports them rate-limited', async () => {
    const reports: string[] = [];
    let n = 0;
    const f = new Forwarder({
      url: 'http://t',
      report: (m) => reports.push(m),
      timeoutMs: 20,
      send: (_u, _i, abort) =>
        ++n === 1 ? Promise.resolve(503) : new Promise((_r, reject) => abort.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    f.enqueue(item());
    f.enqueue(item());
    f.enqueue(item());
    await f.close(500);
    expect(f.stats).toEqual({ forwarded: 0, failed: 3, dropped: 0 });
    expect(reports[0]).toBe('forward to http://t/v1/traces failed: HTTP 503');
    expect(reports.slice(1)).toEqual(['2 more forward failures not shown']);
  });

  it('relays the body and content type with undici', async () => {
    const got: Array<{ url?: string; type?: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ url: req.url, type: req.headers['content-type'], body });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const f = new Forwarder({ url: `http://127.0.0.1:${port}`, report: (m) => got.push({ body: m }) });
    f.enqueue({ signal: 'logs', body: new TextEncoder().encode('{"resourceLogs":[]}'), contentType: 'application/json' });
    await f.close(2000);
    server.close();
    expect(got).toEqual([{ url: '/v1/logs', type: 'application/json', body: '{"resourceLogs":[]}' }]);
    expect(f.stats.forwarded).toBe(1);
  });
});

describe('RateLimitedReporter', () => {
  it('reports at once, then at most once per interval with the count in between', () => {
    let now = 0;
    const out: string[] = [];
    const r = new RateLimitedReporter((m) => out.push(m), 5000, () => now);
    r.report('a');
    r.report('b');
    r.report('c');
    now = 5000;
    r.report('d');
    r.report('e');
    r.finish();
    expect(out).toEqual(['a', 'd (and 2 more since the last report)', '1 more forward failures not shown']);
  });
});

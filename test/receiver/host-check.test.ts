/**
 * DNS rebinding: a web page whose name is made to resolve to 127.0.0.1 posts to the listener
 * same-origin, with its own site in the Host header. Bound to loopback, the listener answers only
 * loopback names (any port) and what --allow-host adds; everything else gets 403 and nothing is
 * stored or shown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK_HOSTS, hostAllowed, hostName } from '../../src/lib/receiver/headers.js';
import { makeSdkSpans, sdkJson } from '../helpers/sdk-spans.js';
import { JSON_CT, request, startReceivers, type TestReceivers } from './helpers.js';
import { runCli } from '../helpers/cli.js';
import { startTail } from '../helpers/tail-process.js';

describe('Host names', () => {
  it('reads host[:port], IPv6 in brackets, any case', () => {
    expect(hostName('localhost:4318')).toBe('localhost');
    expect(hostName('LOCALHOST')).toBe('localhost');
    expect(hostName('[::1]:4318')).toBe('[::1]');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    for (const bad of ['', 'a b', 'evil.example:port', '[::1', 'x:99999999']) expect(hostName(bad), bad).toBeUndefined();
  });

  it('allows loopback names and refuses the rest', () => {
    for (const ok of ['localhost', 'localhost:4318', '127.0.0.1:4318', '[::1]:4318', undefined]) expect(hostAllowed(ok, LOOPBACK_HOSTS), String(ok)).toBe(true);
    for (const bad of ['evil.example', 'evil.example:4318', 'localhost.evil.example', '127.0.0.1.nip.io', '']) expect(hostAllowed(bad, LOOPBACK_HOSTS), bad).toBe(false);
    expect(hostAllowed('evil.example', undefined)).toBe(true);
  });
});

describe('the HTTP receiver', () => {
  let r: TestReceivers | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('answers 403 to a foreign Host, stores nothing, and still serves loopback names', async () => {
    r = await startReceivers({ grpc: false, allowedHosts: [...LOOPBACK_HOSTS, 'otel.internal'] });
    const body = sdkJson(makeSdkSpans());
    const evil = await request(r.http.port, { headers: { ...JSON_CT, host: 'attacker.example:4318' }, body });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body.toString()).code).toBe(7);
    expect(r.exports).toHaveLength(0);
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:4318', 'OTEL.internal']) {
      const ok = await request(r.http.port, { headers: { ...JSON_CT, host }, body });
      expect(ok.status, host).toBe(200);
    }
    expect(r.exports).toHaveLength(4);
  });
});

describe('llmtrace tail (built binary)', () => {
  it('refuses a foreign Host on loopback unless --allow-host names it', async () => {
    const body = sdkJson(makeSdkSpans());
    for (const [args, want] of [[[], 403], [['--allow-host', 'otel.internal,evil.example'], 200], [['--allow-host', '*'], 200]] as const) {
      const { tail, listening } = await startTail(['--no-store', '--no-grpc', ...args]);
      const res = await request(listening.http.port, { headers: { ...JSON_CT, host: 'evil.example' }, body });
      expect(res.status, args.join(' ')).toBe(want);
      expect(await tail.stop()).toBe(0);
    }
  }, 30_000);

  it('says so in --help', async () => {
    const h = await runCli(['tail', '--help']);
    expect(h.stdout).toMatch(/--allow-host <names>/);
  });
});

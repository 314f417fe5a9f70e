import { describe, expect, it } from 'vitest';
import { LlmtraceError } from '../../src/lib/errors.js';
import { isClickHouseSource, parseClickHouseUrl, redact } from '../../src/lib/sources/clickhouse/url.js';

describe('clickhouse:// URLs', () => {
  it('defaults: user default, port 8123, table otel_traces, HTTP', () => {
    const t = parseClickHouseUrl('clickhouse://ch.internal/otel', {});
    expect(t).toEqual({ httpUrl: 'http://ch.internal:8123', username: 'default', password: '', database: 'otel', table: 'otel_traces', secure: false, label: 'clickhouse://ch.internal/otel' });
  });

  it('secure=1 is HTTPS on 8443; an explicit port wins', () => {
    expect(parseClickHouseUrl('clickhouse://ch/otel?secure=1', {}).httpUrl).toBe('https://ch:8443');
    expect(parseClickHouseUrl('clickhouse://ch:9443/otel?secure=true', {}).httpUrl).toBe('https://ch:9443');
    expect(parseClickHouseUrl('clickhouse://[::1]:8124/otel', {}).httpUrl).toBe('http://[::1]:8124');
  });

  it('user and password from the URL (percent-decoded), else LLMTRACE_CLICKHOUSE_PASSWORD; the label never shows it', () => {
    const t = parseClickHouseUrl('clickhouse://reader:p%40ss%3Aword@ch/otel?table=spans', {});
    expect([t.username, t.password, t.table]).toEqual(['reader', 'p@ss:word', 'spans']);
    expect(t.label).toBe('clickhouse://reader:***@ch/otel?table=spans');
    expect(parseClickHouseUrl('clickhouse://reader@ch/otel', { LLMTRACE_CLICKHOUSE_PASSWORD: 'env-pw' }).password).toBe('env-pw');
    expect(parseClickHouseUrl('clickhouse://reader:url-pw@ch/otel', { LLMTRACE_CLICKHOUSE_PASSWORD: 'env-pw' }).password).toBe('url-pw');
    expect(redact('clickhouse://u:secret@h/db')).toBe('clickhouse://u:***@h/db');
  });

  it('takes every name ClickHouse takes: dashes, dots, backticks, spaces, quotes, any script (percent-decoded)', () => {
    const names = (url: string) => {
      const t = parseClickHouseUrl(url, {});
      return [t.database, t.table];
    };
    expect(names('clickhouse://h/my-db')).toEqual(['my-db', 'otel_traces']);
    expect(names('clickhouse://h/a.b?table=spans.v2')).toEqual(['a.b', 'spans.v2']);
    expect(names('clickhouse://h/we`ird?table=a;drop')).toEqual(['we`ird', 'a;drop']);
    expect(names(`clickhouse://h/${encodeURIComponent("ünï cödé/'x'")}?table=${encodeURIComponent('täble-1 `q`')}`)).toEqual(["ünï cödé/'x'", 'täble-1 `q`']);
    expect(names('clickhouse://h/123?table=.')).toEqual(['123', '.']);
  });

  it('is recognized by its scheme only', () => {
    expect(isClickHouseSource('clickhouse://h/db')).toBe(true);
    expect(isClickHouseSource('CLICKHOUSE://h/db')).toBe(true);
    expect(isClickHouseSource('./clickhouse:/x')).toBe(false);
    expect(isClickHouseSource('dump.jsonl')).toBe(false);
  });

  it.each([
    ['clickhouse://h', 'exactly one database name'],
    ['clickhouse://h/', 'exactly one database name'],
    ['clickhouse://h/a/b', 'exactly one database name'],
    ['clickhouse:///db', 'no host'],
    ['clickhouse://h/db?tabel=x', 'unknown parameter "tabel"'],
    ['clickhouse://h/db?secure=yes', 'secure must be 0 or 1'],
    ['clickhouse://h/db?secure=1&secure=0', 'parameter "secure" is given more than once'],
    ['clickhouse://h/db?table=a&table=a', 'parameter "table" is given more than once'],
    ['clickhouse://h/db?table=', 'table "" is empty'],
    ['clickhouse://h/a%00b', 'database "a\\u0000b" holds a NUL character'],
    ['clickhouse://h/db?table=t%00', 'table "t\\u0000" holds a NUL character'],
    ['clickhouse://h/db%ZZ', 'bad %-escape'],
    ['clickhouse://h/db#x', 'fragment'],
    [`clickhouse://h/${'a'.repeat(5000)}`, 'longer than 4096'],
  ])('refuses %s', (url, why) => {
    let err: unknown;
    try {
      parseClickHouseUrl(url, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LlmtraceError);
    expect((err as LlmtraceError).message).toContain(why);
    expect((err as LlmtraceError).exitCode).toBe(2);
  });

  it('hides the whole password when it holds an unescaped @, /, ? or #', () => {
    // WHATWG URLs end the user info at the last @ (a password "p@ss" parses), and a / ? or #
    // ends the authority (the URL does not parse): the message must still show none of it.
    for (const password of ['p@ssw0rd', 'pa/ssw0rd', 'pa?ss#w0rd', 'a@b/c']) {
      const url = `clickhouse://reader:${password}@ch.internal:8123/otel`;
      expect(redact(url)).toBe('clickhouse://reader:***@ch.internal:8123/otel');
      let message = '';
      try {
        message = parseClickHouseUrl(url, {}).label;
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toContain('w0rd');
      expect(message).not.toContain(password.slice(2));
    }
    expect(redact('clickhouse://reader@ch/otel')).toBe('clickhouse://reader@ch/otel');
    expect(redact('clickhouse:/u:secret@h/db')).toBe('clickhouse:/u:***@h/db');
    expect(redact('clickhouse://us/er:secret@h/db')).not.toContain('secret');
  });

  it('names a clickhouse: source with a slash too few, instead of looking for a file of that name', () => {
    for (const url of ['clickhouse:/ch/otel', 'clickhouse:ch/otel', 'ClickHouse:/u:secret@ch/otel']) {
      expect(isClickHouseSource(url)).toBe(true);
      expect(() => parseClickHouseUrl(url, {})).toThrow(/the scheme must be clickhouse:\/\/ \(two slashes\)/);
      expect(() => parseClickHouseUrl(url, {})).not.toThrow(/secret/);
    }
  });

  it('never echoes a password in an error', () => {
    expect(() => parseClickHouseUrl('clickhouse://u:topsecret@h/a/b', {})).toThrow(/clickhouse:\/\/u:\*\*\*@h\/a\/b/);
    expect(() => parseClickHouseUrl('clickhouse://u:topsecret@h/a/b', {})).not.toThrow(/topsecret/);
  });
});

/**
 * The error llmtrace makes of one query against a server that misbehaves, the query given
 * `timeoutMs` of its own (an abort signal, as the layout probe has); `stop` closes what the server holds.
 */
async function errorAgainst(srv: import('node:net').Server, timeoutMs: number, stop: () => void = () => {}): Promise<{ err: unknown; port: number }> {
  const { connect, clickHouseError } = await import('../../src/lib/sources/clickhouse/client.js');
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const target = parseClickHouseUrl(`clickhouse://127.0.0.1:${port}/otel`, {});
  const client = connect(target);
  let err: unknown;
  try {
    await client.query({ query: 'SELECT 1', abort_signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.text());
  } catch (e) {
    err = clickHouseError(e, target, 'reading spans', timeoutMs);
  } finally {
    await client.close();
    stop();
    srv.close();
  }
  expect(err).toBeInstanceOf(LlmtraceError);
  return { err, port };
}

describe('a server that never answers', () => {
  it('names an HTTP error with an empty body (a proxy, a URL too long) instead of printing nothing', async () => {
    const { createServer } = await import('node:http');
    // Scenario: a proxy in front of ClickHouse that answers 414 with no body.
    const srv = createServer((req, res) => {
      res.writeHead(414, { Connection: 'close' });
      res.end();
    });
    const { err, port } = await errorAgainst(srv, 5_000);
    expect((err as LlmtraceError).message).toBe(`ClickHouse clickhouse://127.0.0.1:${port}/otel: the server refused the request with an empty answer while reading spans`);
    expect((err as LlmtraceError).hint).toMatch(/URL size/);
  });

  it('times out with a message naming the source', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const srv = createServer((s) => held.push(s)); // accepts, reads nothing, says nothing
    const { err, port } = await errorAgainst(srv, 300, () => held.forEach((s) => s.destroy()));
    expect((err as LlmtraceError).message).toBe(`ClickHouse clickhouse://127.0.0.1:${port}/otel: no answer within 0.3 s while reading spans`);
  });
});

describe('opening a source whose server never answers', () => {
  it('gives up after the short probe timeout, not the long one of the queries', async () => {
    // Scenario: a load balancer in front of a stopped ClickHouse accepts and says nothing. The
    // first request (DESCRIBE) answers at once on a live server: waiting 300 s for it was silence.
    const { createServer } = await import('node:net');
    const { openClickHouse, PROBE_TIMEOUT_MS } = await import('../../src/lib/sources/clickhouse/source.js');
    const { REQUEST_TIMEOUT_MS } = await import('../../src/lib/sources/clickhouse/client.js');
    expect(PROBE_TIMEOUT_MS).toBeLessThan(REQUEST_TIMEOUT_MS);
    const held: import('node:net').Socket[] = [];
    const srv = createServer((s) => held.push(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    let err: unknown;
    try {
      await openClickHouse(`clickhouse://127.0.0.1:${port}/otel`, {}, 300);
    } catch (e) {
      err = e;
    } finally {
      held.forEach((s) => s.destroy());
      srv.close();
    }
    expect(err).toBeInstanceOf(LlmtraceError);
    // The probe's query is aborted on the run's one client: one connection, given up on, exit 2.
    expect((err as LlmtraceError).message).toBe(`ClickHouse clickhouse://127.0.0.1:${port}/otel: no answer within 0.3 s while reading the table layout`);
    expect((err as LlmtraceError).exitCode).toBe(2);
    expect(held).toHaveLength(1);
  });
});

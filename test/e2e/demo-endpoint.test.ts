/**
 * `demo` sending to an endpoint that is not a tail it can use (README "llmtrace init and llmtrace
 * demo"): port 4318 taken by another server, or a tail that wants a token. Exit 2 with a hint
 * that says which, never a bare status and a page of HTML.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnTail, type TailProcess } from '../helpers/tail-process.js';

const running: TailProcess[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
  for (const s of servers.splice(0)) s.close();
});

describe('demo to an endpoint that refuses it', () => {
  it('another server on the port (a web server answering 404 in HTML): the hint says it is not tail', async () => {
    const server = http.createServer((_, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const r = await runCli(['demo', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`http://127.0.0.1:${port}/v1/traces answered 404`);
    expect(r.stderr).toContain('hint: something other than llmtrace tail answers there');
  });

  it('a tail started with --token: the hint says to pass the same token', async () => {
    const tail = spawnTail(['--http-port', '0', '--no-grpc', '--no-store', '--json', '--token', 's3cret']);
    running.push(tail);
    const listening = await tail.waitFor((e) => e.event === 'listening');
    const port = (listening.http as { port: number }).port;
    const r = await runCli(['demo', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('answered 401');
    expect(r.stderr).toContain('hint: tail runs with --token: pass the same one with --token (or LLMTRACE_TOKEN)');
    const ok = await runCli(['demo', '--endpoint', `http://127.0.0.1:${port}`], { env: { LLMTRACE_TOKEN: 's3cret' } });
    expect(ok.code, ok.stderr).toBe(0);
  });
});

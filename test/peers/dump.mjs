// Start the mock server, run emit.mjs for one library in a child process, return the OTLP bodies.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from './openai-server.mjs';

const EMIT = fileURLToPath(new URL('./emit.mjs', import.meta.url));

/**
 * @param {string} lib a library of scenario.mjs LIBS or run-libs.mjs MORE_LIBS
 * @param {{ scenario?: 'agent' | 'error', timeoutMs?: number }} [opts]
 */
export async function dumpPeer(lib, { scenario = 'agent', timeoutMs = 60_000 } = {}) {
  const server = await startOpenAIServer();
  const dir = await mkdtemp(join(tmpdir(), `llmtrace-peer-${lib}-`));
  const json = join(dir, 'spans.json');
  const proto = join(dir, 'spans.bin');
  try {
    const args = [EMIT, lib, '--url', server.url, '--json', json, '--proto', proto, '--scenario', scenario];
    await new Promise((resolve, reject) => {
      execFile(process.execPath, args, { timeout: timeoutMs }, (err, _stdout, stderr) =>
        err ? reject(new Error(`emit.mjs ${lib} failed: ${err.message}\n${stderr}`)) : resolve(undefined),
      );
    });
    return { json: await readFile(json), proto: await readFile(proto), requests: server.requests };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

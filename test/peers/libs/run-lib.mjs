// Run one library driver (./<lib>.mjs) in a child process against the mock LLM server and an
// OTLP capture receiver; write what its exporter sent to files `llmtrace` reads: OTLP/JSON
// requests as JSON Lines, protobuf requests as the Collector's length-prefixed stream.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from '../openai-server.mjs';
import { startCapture } from './capture.mjs';

export const DRIVERS = Object.freeze(['langfuse', 'logfire', 'langsmith', 'openlit', 'sentry']);

/**
 * @param {string} lib one of DRIVERS
 * @param {string} dir where to write the files
 * @param {{ timeoutMs?: number, otlpOrigin?: string }} [opts] `otlpOrigin`: export there (e.g. a
 *   running `llmtrace tail`) instead of to the capture receiver; then no files are written.
 */
export async function runLib(lib, dir, { timeoutMs = 90_000, otlpOrigin } = {}) {
  if (!DRIVERS.includes(lib)) throw new Error(`unknown driver ${lib}`);
  const llm = await startOpenAIServer();
  const otlp = await startCapture();
  try {
    const driver = fileURLToPath(new URL(`./${lib}.mjs`, import.meta.url));
    // The libraries read their settings from the environment too: none may leak in from outside.
    const env = { ...process.env, PEER_ORIGIN: llm.url.replace(/\/v1$/, ''), PEER_OTLP: otlpOrigin ?? otlp.url };
    for (const k of Object.keys(env)) if (/^(OTEL_|LANGSMITH_|LANGCHAIN_|LANGFUSE_|LOGFIRE_|SENTRY_|OPENLIT_)/.test(k)) delete env[k];
    const stdout = await new Promise((resolve, reject) => {
      execFile(process.execPath, [driver], { env, timeout: timeoutMs }, (err, out, stderr) =>
        err ? reject(new Error(`driver ${lib} failed: ${err.message}\n${stderr}`)) : resolve(out),
      );
    });
    const files = [];
    const json = otlp.bodies.filter((b) => b.json);
    const proto = otlp.bodies.filter((b) => !b.json);
    if (json.length > 0) {
      const f = join(dir, `${lib}.jsonl`);
      await writeFile(f, json.map((b) => JSON.stringify(JSON.parse(b.body.toString('utf8')))).join('\n') + '\n');
      files.push(f);
    }
    if (proto.length > 0) {
      const f = join(dir, `${lib}.otlp.bin`);
      await writeFile(f, Buffer.concat(proto.flatMap((b) => [u32(b.body.length), b.body])));
      files.push(f);
    }
    return { files, requests: llm.requests, exports: otlp.bodies.length, stdout: String(stdout) };
  } finally {
    await llm.close();
    await otlp.close();
  }
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

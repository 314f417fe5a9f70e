/**
 * The Node setup `llmtrace init` prints runs as shown (issue #16): its otel.mjs, copied from the
 * printed guide, instruments a real OpenAI client (ESM app, `node --import ./otel.mjs app.mjs`)
 * against a local mock server, and the call arrives in `tail` with its service name and tokens.
 */
import { spawn } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { startTail } from '../helpers/tail-process.js';
import { startOpenAIServer, TOKEN_TABLE } from '../peers/openai-server.mjs';
import { codingAgentsGuide } from '../../src/lib/init/coding-agents.js';

describe('init prints a Node setup that runs as shown', () => {
  it('otel.mjs from the guide sends an instrumented OpenAI call to tail', async () => {
    const dir = tempDir();
    const guide = await runCli(['init', '--yes'], { cwd: dir });
    expect(guide.code).toBe(0);
    const start = guide.stdout.indexOf('// otel.mjs');
    const end = guide.stdout.indexOf('\n\n', start);
    expect(start).toBeGreaterThan(-1);
    writeFileSync(path.join(dir, 'otel.mjs'), guide.stdout.slice(start, end + 1));
    // The packages the guide installs, resolved as an app's own node_modules would.
    symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
    const server = await startOpenAIServer();
    writeFileSync(
      path.join(dir, 'app.mjs'),
      `import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'test', baseURL: ${JSON.stringify(server.url)} });
const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
console.log(r.usage.prompt_tokens);
`,
    );
    const { tail, listening } = await startTail(['--no-store', '--no-grpc']);
    try {
      const code = await new Promise<number | null>((resolve) => {
        const app = spawn(process.execPath, ['--import', './otel.mjs', 'app.mjs'], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${listening.http.port}`, OTEL_SERVICE_NAME: 'guide-app' },
          stdio: 'inherit',
        });
        app.on('close', resolve);
      });
      expect(code).toBe(0);
      const span = (await tail.waitFor((e) => e.event === 'span' && e.kind === 'llm')) as Record<string, unknown>;
      expect(span.service).toBe('guide-app');
      expect(span.model).toBe('gpt-4o');
      expect(span.inputTokens).toBe(TOKEN_TABLE['gpt-4o'].prompt);
    } finally {
      await tail.stop();
      await server.close();
    }
  });

  it('prints each coding agent’s setup for tail’s default ports (issue #19)', async () => {
    const guide = await runCli(['init', '--yes'], { cwd: tempDir() });
    expect(guide.code).toBe(0);
    expect(guide.stdout).toContain(codingAgentsGuide('http://127.0.0.1:4318', 'http://127.0.0.1:4317'));
    expect(guide.stdout).toContain('export CLAUDE_CODE_ENABLE_TELEMETRY=1');
  });
});

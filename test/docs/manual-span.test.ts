/**
 * The README's "Instrumenting by hand" example runs as shown: the code block between the
 * manual-span markers, with the tracer set up by init's otel.mjs (without the OpenAI
 * instrumentation: this is the by-hand way), calls a local OpenAI-compatible server; `tail` stores
 * the span, and `lint` finds nothing wrong with it while `cost` prices it.
 */
import { spawn } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OTEL_MJS } from '../../src/lib/init/instructions.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { startTail } from '../helpers/tail-process.js';
import { startOpenAIServer, TOKEN_TABLE } from '../peers/openai-server.mjs';

function readmeExample(): string {
  const readme = readFileSync('README.md', 'utf8');
  const block = readme.slice(readme.indexOf('<!-- manual-span:start -->'), readme.indexOf('<!-- manual-span:end -->'));
  return block.slice(block.indexOf('```js\n') + 6, block.lastIndexOf('```'));
}

describe('README: instrumenting by hand', () => {
  it('the example sends one clean, priced GenAI span', async () => {
    const dir = tempDir();
    symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'otel.mjs'), OTEL_MJS.replace(/^registerInstrumentations.*$/m, ''));
    writeFileSync(path.join(dir, 'manual.mjs'), readmeExample());
    const server = await startOpenAIServer();
    const store = path.join(dir, 'store');
    const { tail, listening } = await startTail(['--store', store, '--no-grpc']);
    try {
      const code = await new Promise<number | null>((resolve) => {
        const app = spawn(process.execPath, ['--import', './otel.mjs', 'manual.mjs'], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${listening.http.port}`, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' },
          stdio: 'inherit',
        });
        app.on('close', resolve);
      });
      expect(code).toBe(0);
      await tail.waitFor((e) => e.event === 'span' && e.kind === 'llm');
    } finally {
      await tail.stop();
      await server.close();
    }
    const lint = await runCli(['lint', '--store', store, '--format', 'json']);
    const findings = (JSON.parse(lint.stdout) as { findings: { rule: string }[] }).findings;
    expect(findings.map((f) => f.rule)).toEqual([]);
    const cost = JSON.parse((await runCli(['cost', '--store', store, '--format', 'json', '--by', 'feature,model'])).stdout) as { rows: Record<string, unknown>[] };
    expect(cost.rows).toHaveLength(1);
    const t = TOKEN_TABLE['gpt-4o'];
    expect(cost.rows[0]).toMatchObject({ feature: 'support-chat', calls: 1, inputTokens: t.prompt, cacheReadTokens: t.cached, outputTokens: t.completion });
  });
});

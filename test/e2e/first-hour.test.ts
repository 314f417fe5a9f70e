/**
 * Mistakes a new user makes in the first hour, caught when made (issue #16): setup errors name
 * the file at fault, unusable input leaves stdout empty, and start-up errors say what to do.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnTail } from '../helpers/tail-process.js';
import { tempDir } from '../helpers/read-all.js';

describe('setup mistakes', () => {
  it('a typo in llmtrace.config.json is an error naming the file, the key and the fix', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ featurekeys: ['app.feature'] }));
    const r = await runCli(['cost', 'x.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('llmtrace.config.json: featurekeys: unknown key (did you mean featureKeys?)');
  });

  it('an unknown key under lint is an error too', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ lint: { rule: {} } }));
    const r = await runCli(['lint', 'x.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('llmtrace.config.json: lint.rule: unknown key');
  });

  it('init --pricing with a missing file writes nothing and says why', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--yes', '--pricing', 'prices.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prices.json');
    expect(r.stderr).toContain('llmtrace.config.json was not written');
    expect(existsSync(path.join(dir, 'llmtrace.config.json'))).toBe(false);
  });

  it('init --pricing with a valid file writes the config', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'prices.json'), JSON.stringify({ models: { 'my-model': { input: 1, output: 2 } } }));
    const r = await runCli(['init', '--yes', '--pricing', 'prices.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'llmtrace.config.json'))).toBe(true);
  });

  it('a config naming a pricing file that is gone: the error names the config', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ pricing: ['gone.json'] }));
    const r = await runCli(['cost', 'x.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/llmtrace\.config\.json: pricing: .*gone\.json does not exist/);
  });

  it('permission and path errors in init and demo are the user\'s setup, not a bug to report', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'llmtrace.config.json')); // a directory where the file goes
    const init = await runCli(['init', '--yes', '--force'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/cannot \w+ .*llmtrace\.config\.json: is a directory/);
    expect(init.stderr).not.toContain('unexpected error');
    writeFileSync(path.join(dir, 'file'), '');
    const demo = await runCli(['demo', '--store', path.join(dir, 'file', 'store')], { cwd: dir });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/cannot write to the store .*ENOTDIR/);
    expect(demo.stderr).not.toContain('please report');
  });
});

describe('unusable input leaves stdout empty and names the file', () => {
  const inputs: [string, string | undefined][] = [
    ['missing.json', undefined],
    ['empty.json', '{"resourceSpans":[]}'],
    ['garbage.jsonl', 'not json at all\n{"also":"not otlp"\n'],
  ];
  for (const cmd of ['cost', 'lint', 'tree', 'stats']) {
    for (const [name, content] of inputs) {
      it(`${cmd} ${name}`, async () => {
        const dir = tempDir();
        if (content !== undefined) writeFileSync(path.join(dir, name), content);
        const r = await runCli([cmd, name], { cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`no usable trace data in ${name}`);
      });
    }
  }
});

describe('rough edges', () => {
  it('llmtrace alone prints the help on stderr and exits 2, nothing else', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: llmtrace');
    expect(r.stderr).not.toContain('outputHelp');
  });

  it('a busy gRPC port: our message, a hint with a free port that is not the HTTP port', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['tail', '--no-store', '--http-port', String(port + 1), '--grpc-port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`OTLP/gRPC port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).not.toContain('No address added');
      const suggested = Number(/--grpc-port (\d+) \(free now\)/.exec(r.stderr)?.[1]);
      expect(suggested).toBeGreaterThan(port + 1);
    } finally {
      busy.close();
    }
  });

  it('tail --token shows how to send it', async () => {
    const tail = spawnTail(['--http-port', '0', '--no-grpc', '--no-store', '--token', 's3cret tok']);
    const end = Date.now() + 10_000;
    while (!tail.stderr().includes('OTEL_EXPORTER_OTLP_HEADERS') && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    await tail.stop('SIGINT');
    expect(tail.stderr()).toContain('OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20s3cret%20tok');
  });

  it('wording: one call has no price; the total share reads like the rows', async () => {
    const dir = tempDir();
    const doc = {
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [
        { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'chat x', kind: 3, startTimeUnixNano: '1795315098000000000', endTimeUnixNano: '1795315099000000000',
          attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.request.model', value: { stringValue: 'mystery-model' } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '5' } }] },
        { traceId: '0af7651916cd43dd8448eb211c80319d', spanId: 'b7ad6b7169203332', name: 'chat gpt-4o', kind: 3, startTimeUnixNano: '1795315098000000000', endTimeUnixNano: '1795315099000000000',
          attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '5' } }] },
      ] }] }],
    };
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify(doc));
    const r = await runCli(['cost', 'd.json', '--by', 'model'], { cwd: dir });
    expect(r.stderr).toContain('warning: 1 call of 1 model has no price and is not in the cost: mystery-model (1 call)');
    expect(r.stdout).toMatch(/100\.0%/);
    expect(r.stdout).not.toMatch(/ 100% /);
    const strict = await runCli(['cost', 'd.json', '--strict'], { cwd: dir });
    expect(strict.stderr).toContain('15 tokens of 1 call are unpriced (mystery-model)');
  });

  it('lint does not say a call cannot be priced when cost prices it by its response model', async () => {
    const dir = tempDir();
    const doc = {
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans: [
        { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'chat', kind: 3, startTimeUnixNano: '1795315098000000000', endTimeUnixNano: '1795315099000000000',
          attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } }, { key: 'gen_ai.response.model', value: { stringValue: 'gpt-4o-2024-08-06' } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '5' } }] },
      ] }] }],
    };
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify(doc));
    const lint = await runCli(['lint', 'd.json'], { cwd: dir });
    expect(lint.stdout).toMatch(/has no gen_ai.request.model \([a-z ]+\): priced by its response model only/);
    expect(lint.stdout).not.toContain('cannot be priced');
    const cost = await runCli(['cost', 'd.json', '--format', 'json'], { cwd: dir });
    expect((JSON.parse(cost.stdout) as { total: { cost: number } }).total.cost).toBeGreaterThan(0);
  });
});

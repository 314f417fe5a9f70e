/**
 * A newcomer's first run, as the README tells it: init without a terminal, demo into tail and
 * into a store, then tree, cost and lint on what demo made. Expected costs are computed here
 * from the demo's token counts and the built-in prices, independently of the cost module.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { startTail, type TailProcess } from '../helpers/tail-process.js';

const running: TailProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
});

// USD per 1M tokens (built-in table): gpt-4o 2.5 / cached 1.25 / out 10; claude-sonnet-4 3 / 0.3 / 3.75 / 15;
// text-embedding-3-small 0.02.
const GPT_4O = ((1240 - 1024) * 2.5 + 1024 * 1.25 + 156 * 10 + (2100 - 1280) * 2.5 + 1280 * 1.25 + 380 * 10) / 1e6;
const CLAUDE = ((3400 - 2048 - 512) * 3 + 2048 * 0.3 + 512 * 3.75 + 410 * 15) / 1e6;
const EMBED = (512 * 0.02) / 1e6;

describe('first run', () => {
  it('init --yes without a terminal writes a valid config, never prompts, and refuses to overwrite', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--yes', '--feature-key', 'gen_ai.agent.name', '--relax', 'root-missing-context'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Node\.js[\s\S]*Python[\s\S]*Go/);
    const config = JSON.parse(readFileSync(path.join(dir, 'llmtrace.config.json'), 'utf8'));
    expect(config).toEqual({ store: '.llmtrace', featureKeys: ['gen_ai.agent.name'], pricing: [], lint: { rules: { 'root-missing-context': 'off' } } });
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    const plain = await runCli(['init'], { cwd: tempDir() }); // no --yes, no terminal: defaults, no hang
    expect(plain.code).toBe(0);
  });

  it('demo into a store, then tree, cost and lint read it; the config steers cost', async () => {
    const dir = tempDir();
    const demo = await runCli(['demo', '--store', '.llmtrace', '--runs', '2'], { cwd: dir });
    expect(demo.code).toBe(0);
    const tree = await runCli(['tree'], { cwd: dir });
    expect(tree.code).toBe(0);
    expect(tree.stdout.match(/^invoke_agent research-assistant .*∑ 7,252 → 946 tok \(4,352 cached, 512 to cache\)/gm)).toHaveLength(2);
    expect(tree.stdout).toMatch(/chat gpt-4o-mini .*✗ 429/);

    const cost = await runCli(['cost', '--format', 'json', '--by', 'model'], { cwd: dir });
    expect(cost.code).toBe(0);
    const report = JSON.parse(cost.stdout);
    const byModel = Object.fromEntries(report.rows.map((r: { model: string; cost: number }) => [r.model, r.cost]));
    expect(byModel['gpt-4o']).toBeCloseTo(2 * GPT_4O, 12);
    expect(byModel['claude-sonnet-4']).toBeCloseTo(2 * CLAUDE, 12);
    expect(byModel['text-embedding-3-small']).toBeCloseTo(2 * EMBED, 12);
    expect(report.total.cost).toBeCloseTo(2 * (GPT_4O + CLAUDE + EMBED), 12);
    expect(report.unpriced).toEqual([]);

    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ featureKeys: ['gen_ai.agent.name'] }));
    const byFeature = JSON.parse((await runCli(['cost', '--format', 'json', '--by', 'feature'], { cwd: dir })).stdout);
    expect(byFeature.rows.map((r: { feature: string }) => r.feature)).toEqual(['research-assistant']);

    const lint = await runCli(['lint'], { cwd: dir });
    expect(lint.code).toBe(0);
    expect(lint.stdout).toMatch(/no problems/);
  });

  it('a broken config is an error naming the file and field (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'llmtrace.config.json'), JSON.stringify({ featureKeys: 'app.feature' }));
    const r = await runCli(['cost', '--store', dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/llmtrace\.config\.json: featureKeys: expected a list/);
  });

  it('demo sends to a running tail, which shows and stores the run', async () => {
    const dir = tempDir();
    const { tail, listening } = await startTail(['--store', path.join(dir, 'store')], { cwd: dir });
    running.push(tail);
    const demo = await runCli(['demo', '--endpoint', `http://127.0.0.1:${listening.http.port}`]);
    expect(demo.code).toBe(0);
    const done = await tail.waitFor((e) => e.event === 'trace');
    expect(done).toMatchObject({ spans: 8, inputTokens: 7_252, outputTokens: 946 });
    expect(done.cost as number).toBeCloseTo(GPT_4O + CLAUDE + EMBED, 12);
    expect(await tail.stop('SIGINT')).toBe(0);
    const unreachable = await runCli(['demo', '--endpoint', 'http://127.0.0.1:9']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot reach/);
  });
});

/**
 * `init` run again, as scripts and READMEs of other projects do (README "llmtrace init and
 * llmtrace demo"): the same answers leave the file as it is (exit 0, the guide printed again);
 * other answers never overwrite a user's file unasked; a bad flag is said of the flag.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

describe('init run again', () => {
  it('init --yes twice: the second run changes nothing, says so, prints the guide and exits 0', async () => {
    const dir = tempDir();
    const args = ['init', '--yes', '--feature-key', 'app.feature', '--relax', 'root-missing-context'];
    const first = await runCli(args, { cwd: dir });
    expect(first.code).toBe(0);
    const file = path.join(dir, 'llmtrace.config.json');
    const written = readFileSync(file, 'utf8');
    const mtime = statSync(file).mtimeMs;
    const again = await runCli(args, { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${file} already holds this configuration; left unchanged`);
    expect(again.stdout).toBe(first.stdout);
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('a user\'s own config is never overwritten without --force, whatever its content', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'llmtrace.config.json');
    const mine = '{ "store": "traces", "featureKeys": ["team.feature"] }\n';
    writeFileSync(file, mine);
    const r = await runCli(['init', '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('llmtrace.config.json already exists and differs from what init would write');
    expect(r.stderr).toContain('hint: pass --force to overwrite it');
    expect(readFileSync(file, 'utf8')).toBe(mine);
  });

  it('init --store "" is refused as a flag, not reported as a broken llmtrace.config.json', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--yes', '--store', ''], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--store must not be empty');
    expect(r.stderr).not.toContain('fix or delete llmtrace.config.json');
  });

  it('an empty --pricing, --relax or --feature-key is refused as a flag, not dropped silently', async () => {
    // `init --yes --pricing ''` wrote a config with "pricing": [] and exited 0.
    for (const flag of ['--pricing', '--relax', '--feature-key']) {
      for (const value of ['', ' , ']) {
        const dir = tempDir();
        const r = await runCli(['init', '--yes', flag, value], { cwd: dir });
        expect(r.code, `${flag} ${JSON.stringify(value)}`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^llmtrace: option '${flag} <[^>]+>' argument '${value}' is invalid\\. expected a comma-separated list`));
        expect(existsSync(path.join(dir, 'llmtrace.config.json'))).toBe(false);
      }
    }
  });
});

/**
 * llmtrace.config.json as users write it by hand (README "llmtrace init and llmtrace demo"):
 * what every command reads, or a clear error naming the file and the field (exit 2).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

describe('llmtrace.config.json', () => {
  it('saved with a UTF-8 byte-order mark (Windows editors): read like any other', async () => {
    const dir = tempDir();
    expect((await runCli(['demo', '--store', 'kept-here'], { cwd: dir })).code).toBe(0);
    writeFileSync(path.join(dir, 'llmtrace.config.json'), `\uFEFF${JSON.stringify({ store: 'kept-here', featureKeys: ['gen_ai.agent.name'] })}\n`);
    const r = await runCli(['cost', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { total: { calls: number }; rows: { feature: string }[] };
    expect(report.total.calls).toBe(5);
    expect(new Set(report.rows.map((row) => row.feature))).toEqual(new Set(['research-assistant']));
  });

  // Every command reads the config first: one that cannot be read quickly must be refused, not read.
  it.each([
    ['a link to /dev/zero (would be read forever)', (file: string) => symlinkSync('/dev/zero', file), 'not a regular file'],
    ['a directory', (file: string) => mkdirSync(file), 'not a regular file'],
    ['a 3 MB file', (file: string) => writeFileSync(file, `{"store": "x"${' '.repeat(3_000_000)}}`), '3000014 bytes; a config is at most 1048576 bytes'],
  ])('%s: exit 2 naming the file', async (_, make, why) => {
    const dir = tempDir();
    make(path.join(dir, 'llmtrace.config.json'));
    const r = await runCli(['cost', '--store', dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`llmtrace: llmtrace.config.json: (file): ${why}`);
    expect(r.stderr).toContain('hint: fix or delete llmtrace.config.json');
  }, 20_000);
});

/**
 * llmtrace.config.json as users write it by hand (README "llmtrace init and llmtrace demo"):
 * what every command reads, or a clear error naming the file and the field (exit 2).
 */
import { writeFileSync } from 'node:fs';
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
});

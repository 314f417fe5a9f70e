/**
 * Spilling needs a writable temporary directory: when it has none, `cost`, `lint` and `tree`
 * stop with exit 2, name the directory and say what to do — never a stack trace, never a
 * report that looks complete.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';
import { DATE_SWITCH, generateDump } from '../cost/generate.js';

describe('no writable spill directory', () => {
  const dump = generateDump(tempDir(), 3, { traces: 40, files: 2, fromMs: DATE_SWITCH, spanDays: 1, layout: 'shuffled' });
  it.each(['cost', 'tree', 'lint'])('%s exits 2 naming it, with nothing on stdout', async (command) => {
    const r = await runCli([command, ...dump.files, '--memory', '1B'], { env: { LLMTRACE_TMPDIR: '/nonexistent-llmtrace-tmp' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot make a temporary directory under \/nonexistent-llmtrace-tmp/);
    expect(r.stderr).toMatch(/hint: set TMPDIR/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });
});

/**
 * A store `tail` cannot write is refused at start-up (exit 2, the store named, a hint), in every
 * mode — never a listener that answers 503 to every export afterwards. The path lies below a
 * regular file, which not even root can write into.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/read-all.js';

describe('tail on a store it cannot write', () => {
  it.each([[[]], [['--quiet']], [['--json']]])('exits 2 at start-up %j', async (mode) => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, '');
    const store = path.join(file, 'store');
    const r = await runCli(['tail', '--store', store, '--http-port', '0', '--grpc-port', '0', ...mode]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot write to the store ${store}`);
    expect(r.stderr).toMatch(/hint: .*--no-store/);
  }, 20_000);
});

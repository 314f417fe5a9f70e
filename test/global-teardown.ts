/**
 * Removes the temporary directories tests made (test/helpers/read-all.ts tempDir) that their
 * worker process could not remove itself (a worker ended without its 'exit' event). Only those
 * created since this run started: another run's directories are left alone.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const startedAt = Date.now();
  return () => {
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith('llmtrace-test-')) continue;
      const dir = path.join(tmpdir(), name);
      try {
        if (statSync(dir).birthtimeMs >= startedAt - 1000) rmSync(dir, { recursive: true, force: true });
      } catch {
        // gone already, or not ours to remove
      }
    }
  };
}

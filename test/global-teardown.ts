/**
 * One directory for this run's temporary directories (test/helpers/read-all.ts tempDir), removed
 * at the end with whatever a worker could not remove itself (a worker ended without its 'exit'
 * event). Runs at the same time (other worktrees, CI) each have their own, so none removes
 * another's files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmtrace-test-run-'));
  // Test workers start after global setup and inherit the environment.
  process.env.LLMTRACE_TEST_TMP = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

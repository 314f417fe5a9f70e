import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Problem } from '../../src/lib/errors.js';
import { resolveInputs } from '../../src/lib/sources/inputs.js';
import { newReadStats, readSpanBatches } from '../../src/lib/sources/read.js';
import type { Span } from '../../src/lib/span.js';

const made: string[] = [];
// Removed when the test file's process (vitest's worker) exits: tests never share them.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(process.env.LLMTRACE_TEST_TMP ?? tmpdir(), 'llmtrace-test-'));
  made.push(dir);
  return dir;
}

export function writeTemp(name: string, content: string | Uint8Array): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, content);
  return file;
}

/** Reads sources the way commands do and returns everything that came out. */
export async function readAll(sources: string[], stdin?: string | Buffer) {
  const problems: Problem[] = [];
  const stats = newReadStats();
  const spans: Span[] = [];
  const inputs = await resolveInputs(sources, stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]));
  for await (const b of readSpanBatches(inputs, { onProblem: (p) => problems.push(p), stats })) spans.push(...b.spans);
  return { spans, problems, stats };
}

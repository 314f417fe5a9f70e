/**
 * The README's example commands run from the repository root as shown, and print what the README
 * says they print (lines elided with `…` aside). Commands that read the local store are skipped.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

interface Example {
  args: string[];
  output: string[];
}

function examples(): Example[] {
  const out: Example[] = [];
  const blocks = readFileSync('README.md', 'utf8').split('```');
  for (let i = 1; i < blocks.length; i += 2) {
    const lines = blocks[i]!.split('\n').slice(1);
    if (!lines[0]?.startsWith('$ llmtrace ')) continue;
    out.push({ args: lines[0].slice('$ llmtrace '.length).split(/\s+/), output: lines.slice(1).filter((l) => l.trim() !== '') });
  }
  return out;
}

describe('README examples', () => {
  const all = examples();
  it('there are examples to check', () => expect(all.length).toBeGreaterThan(3));
  for (const ex of all) {
    // Without a file argument the command reads the local store, which a clone does not have.
    const readsFiles = ex.args.some((a) => a.startsWith('fixtures/'));
    it.skipIf(!readsFiles)(`llmtrace ${ex.args.join(' ')}`, async () => {
      // The timeline sample was drawn 110 columns wide; other output is not cut when piped.
      const r = await runCli(ex.args, { env: ex.args.includes('--timeline') ? { COLUMNS: '110' } : {} });
      expect(r.stderr).not.toMatch(/no such file/);
      const shown = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trimEnd());
      for (const line of ex.output) {
        if (line.includes('…')) continue; // elided in the README
        expect(shown, `README line not printed:\n${line}`).toContain(line.trimEnd());
      }
    });
  }
});

/** What `npm pack` ships: the built CLI, its license and readme; no sources, tests or source maps. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('npm pack', () => {
  // --ignore-scripts: `prepare` would build again; the test suite runs after `npm run build`.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);

  it('ships the binary, the built code, the license and the readme', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/llmtrace.js', 'dist/cli.js']) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')).length).toBeGreaterThan(50);
  });

  it('ships nothing else: no sources, tests, fixtures, bench data or source maps', () => {
    const other = files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json', 'bin/llmtrace.js'].includes(f));
    expect(other).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
  });

  it('every module the binary loads is in the package', () => {
    const shipped = new Set(files);
    for (const f of files.filter((p) => p.endsWith('.js'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:from |import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = new URL(m[1]!, `file:///${f}`).pathname.slice(1);
        expect(shipped.has(target), `${f} imports ${m[1]}`).toBe(true);
      }
    }
  });
});

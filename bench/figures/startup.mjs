/** Start-up: `llmtrace --version` against `node -e 0`, median of interleaved runs. Goal ≤ 2×. */
import { BIN, CLI_ENV } from '../lib/llmtrace.mjs';
import { median, run } from '../lib/measure.mjs';
import { fmt } from '../lib/table.mjs';

export async function startupFigure({ runs = 15 } = {}) {
  const cli = [];
  const bare = [];
  // Warm the file cache first; then alternate so drift hits both equally.
  await run(process.execPath, [BIN, '--version'], { env: CLI_ENV });
  await run(process.execPath, ['-e', '0']);
  for (let i = 0; i < runs; i++) {
    const a = await run(process.execPath, [BIN, '--version'], { env: CLI_ENV, timeoutMs: 30_000 });
    if (a.code !== 0) throw new Error(`llmtrace --version failed: ${a.stderr}`);
    cli.push(a.seconds);
    bare.push((await run(process.execPath, ['-e', '0'], { timeoutMs: 30_000 })).seconds);
  }
  const value = median(cli);
  const baseline = median(bare);
  const ratio = value / baseline;
  return {
    rows: [{ figure: 'start-up: llmtrace --version', value: fmt.s(value), baseline: `${fmt.s(baseline)} (node -e 0)`, ratio: fmt.ratio(ratio), goal: '≤ 2×', met: ratio <= 2 }],
    details: { runs, cliSeconds: cli, nodeSeconds: bare, medianCli: value, medianNode: baseline, ratio },
  };
}

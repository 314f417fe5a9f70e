import type { Command } from 'commander';
import { demoAgentRun } from '../lib/demo/agent-run.js';
import { sendToEndpoint, writeToStore } from '../lib/demo/send.js';
import { LlmtraceError } from '../lib/errors.js';
import { writeDiagnostic } from '../lib/render/output.js';
import { resolveStoreDir } from '../lib/store/layout.js';
import { positiveInt } from '../lib/cli-options.js';

interface DemoOptions {
  endpoint?: string;
  store?: string;
  runs: number;
  token?: string;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('emit a realistic agent run (GenAI conventions) to a running tail, or into a store')
    .option('-e, --endpoint <url>', 'OTLP/HTTP endpoint of a running `llmtrace tail` (default http://127.0.0.1:4318)')
    .option('--store <dir>', 'write straight into this store directory instead of sending to tail')
    .option('-r, --runs <n>', 'how many agent runs', positiveInt('--runs'), 1)
    .option('--token <token>', 'bearer token, when tail runs with --token (also LLMTRACE_TOKEN)')
    .addHelpText(
      'after',
      `
Examples:
  $ llmtrace tail                      # terminal 1: the listener
  $ llmtrace demo                      # terminal 2: one agent run sent to it
  $ llmtrace demo --store .llmtrace    # no listener: write the run straight into the store
  $ llmtrace demo --runs 5 && llmtrace cost`,
    )
    .action(async (opts: DemoOptions) => {
      if (opts.endpoint && opts.store) throw new LlmtraceError('give --endpoint or --store, not both');
      const token = opts.token ?? process.env.LLMTRACE_TOKEN;
      let spanCount = 0;
      for (let i = 0; i < opts.runs; i++) {
        // Each run ends a little later than the previous one, as consecutive runs would.
        const spans = demoAgentRun({ now: new Date(Date.now() - (opts.runs - 1 - i) * 10_000) });
        spanCount += spans.length;
        if (opts.store !== undefined) await writeToStore(spans, resolveStoreDir(opts.store), new Date(), (m) => process.stderr.write(`${m}\n`));
        else await sendToEndpoint(spans, opts.endpoint ?? 'http://127.0.0.1:4318', token);
      }
      const where = opts.store !== undefined ? resolveStoreDir(opts.store) : (opts.endpoint ?? 'http://127.0.0.1:4318');
      writeDiagnostic(`llmtrace: sent ${opts.runs} agent run${opts.runs === 1 ? '' : 's'} (${spanCount} spans) to ${where}`);
    });
}

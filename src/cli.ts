/**
 * Builds the commander program. Command modules are imported only when their command runs, so
 * `llmtrace --version` stays fast. Every error ends in handleError: a short message, a hint, no
 * stack unless --debug, and the exit code (0 ok, 1 gate/lint failed, 2 usage or unusable input).
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { LlmtraceError } from './lib/errors.js';
import { writeDiagnostic } from './lib/render/output.js';

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

export interface GlobalOptions {
  color?: boolean;
  debug?: boolean;
}

type Loader = () => Promise<{ register(program: Command): void }>;

const COMMANDS: Array<{ name: string; summary: string; load: Loader }> = [
  { name: 'tail', summary: 'local OTLP receiver: store and show every LLM call live', load: () => import('./commands/tail.js') },
  { name: 'tree', summary: 'draw agent runs as a tree with time, tokens and status per span', load: () => import('./commands/tree.js') },
  { name: 'cost', summary: 'token cost by model and feature, with budget and regression gates for CI', load: () => import('./commands/cost.js') },
  { name: 'stats', summary: 'latency, time to first token, errors and finish reasons per model, with SLO gates', load: () => import('./commands/stats.js') },
  { name: 'lint', summary: 'check traces against the GenAI conventions and the rollout checklist, for CI', load: () => import('./commands/lint.js') },
  { name: 'init', summary: 'write llmtrace.config.json and show how to point an app at tail', load: () => import('./commands/init.js') },
  { name: 'demo', summary: 'emit a realistic agent run to a running tail, or into a store', load: () => import('./commands/demo.js') },
];

export function buildProgram(): Command {
  const program = new Command('llmtrace')
    .description('Read OpenTelemetry traces of LLM applications: what did my app do, what did it cost, is it instrumented well enough.')
    .version(version, '-V, --version')
    .option('--no-color', 'disable colors (also NO_COLOR=1)')
    .option('--debug', 'show stack traces for unexpected errors')
    .exitOverride();
  program.configureOutput({ outputError: () => {} });
  program.addHelpText(
    'after',
    `
Examples:
  $ llmtrace tail                          listen on 127.0.0.1:4318 (HTTP) and :4317 (gRPC), show calls live
  $ llmtrace demo                          send a realistic agent run to it (no API key needed)
  $ llmtrace tree --last 1                 the newest agent run as a tree with tokens and cost
  $ llmtrace cost --since 24h --budget 5   cost by feature and model; exit 1 over budget
  $ llmtrace lint dump.jsonl               check instrumentation against the GenAI conventions

Run llmtrace <command> --help for each command's options.`,
  );
  return program;
}

/** Registers only the command being run (or all, for help), importing its module lazily. */
async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  // `llmtrace help tree` shows the real command's help, so load that command.
  const wanted = words[0] === 'help' ? words[1] : words[0];
  const match = COMMANDS.find((c) => c.name === wanted);
  if (match) {
    (await match.load()).register(program);
    return;
  }
  for (const c of COMMANDS) program.command(c.name).description(c.summary).allowUnknownOption().action(() => {
    throw new LlmtraceError(`internal: command ${c.name} was not loaded`);
  });
}

export async function main(argv: string[]): Promise<void> {
  // `llmtrace … | head`: the reader went away; stop quietly instead of dying on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const program = buildProgram();
  try {
    await registerCommands(program, argv);
    await program.parseAsync(argv);
  } catch (e) {
    handleError(e, argv.includes('--debug'));
  }
}

const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
};

export function handleError(e: unknown, debug: boolean): void {
  if (e instanceof CommanderError) {
    // Help and version exit through here with code 0; usage errors are exit 2.
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') {
      process.exitCode = 0;
      return;
    }
    // `llmtrace` alone: commander has printed the help on stderr; a usage error, with nothing to add.
    if (e.code === 'commander.help') {
      process.exitCode = 2;
      return;
    }
    writeDiagnostic(`llmtrace: ${e.message.replace(/^error: /, '')}`);
    writeDiagnostic('  hint: see llmtrace --help');
    process.exitCode = 2;
    return;
  }
  if (e instanceof LlmtraceError) {
    writeDiagnostic(`llmtrace: ${e.message}`);
    if (e.hint) writeDiagnostic(`  hint: ${e.hint}`);
    if (debug && e.stack) e.stack.split('\n').forEach((l) => writeDiagnostic(l));
    process.exitCode = e.exitCode;
    return;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return; // the reader went away (| head): not an error
  if (err?.code !== undefined && SYSTEM_ERRORS[err.code] && err.path) {
    // A file the user named or a directory they run in: their setup, not a bug to report.
    writeDiagnostic(`llmtrace: cannot ${err.syscall ?? 'use'} ${err.path}: ${SYSTEM_ERRORS[err.code]}`);
    if (debug && err.stack) err.stack.split('\n').forEach((l) => writeDiagnostic(l));
    process.exitCode = 2;
    return;
  }
  writeDiagnostic(`llmtrace: unexpected error: ${err?.message ?? String(e)}`);
  if (debug && err?.stack) err.stack.split('\n').forEach((l) => writeDiagnostic(l));
  else writeDiagnostic('  hint: run again with --debug for details, and please report it');
  process.exitCode = 2;
}

export { Option };

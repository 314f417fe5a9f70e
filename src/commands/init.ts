import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { commaList } from '../lib/cli-options.js';
import { CONFIG_FILE } from '../lib/config.js';
import { LlmtraceError } from '../lib/errors.js';
import { writeDiagnostic, writeOut } from '../lib/render/output.js';
import { buildConfig, configText, DEFAULT_ANSWERS, relaxedLevel, type InitAnswers } from '../lib/init/build-config.js';
import { codingAgentsGuide } from '../lib/init/coding-agents.js';
import { instrumentationGuide } from '../lib/init/instructions.js';

interface InitOptions {
  featureKey?: string[];
  pricing?: string[];
  relax?: string[];
  store?: string;
  yes?: boolean;
  force?: boolean;
}

/** Prompts only in a real terminal, and never with --yes or in CI. */
function interactive(opts: InitOptions): boolean {
  return !opts.yes && Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI;
}

export function register(program: Command): void {
  program
    .command('init')
    .description('write llmtrace.config.json (feature keys, pricing files, lint rules, store) and show how to point an app or a coding agent at tail')
    .option('--feature-key <key>', 'attribute naming the feature, tried in order (repeatable or comma-separated)', commaList)
    .option('--pricing <file|url>', 'pricing file layered over the built-in prices (repeatable)', commaList)
    .option('--relax <rule>', 'lint rule to relax: an error becomes a warning, a warning is turned off (repeatable)', commaList)
    .option('--store <dir>', `local store directory (default ${DEFAULT_ANSWERS.store})`)
    .option('-y, --yes', 'take the defaults for every question not given as a flag; never prompt')
    .option('--force', `overwrite an existing ${CONFIG_FILE}`)
    .addHelpText(
      'after',
      `
Without a terminal (CI, pipes) init never prompts: flags and defaults are used.

Examples:
  $ llmtrace init                                   answer a few questions
  $ llmtrace init --yes                             defaults, no questions
  $ llmtrace init --yes --feature-key app.feature --pricing prices.json --relax root-missing-context`,
    )
    .action(async (opts: InitOptions) => {
      const file = path.resolve(CONFIG_FILE);
      for (const id of opts.relax ?? []) relaxedLevel(id); // unknown rule ids fail before any question
      // Said of the flag: checked later, it would be reported as a broken llmtrace.config.json.
      if (opts.store?.trim() === '') throw new LlmtraceError('--store must not be empty', `leave it out for ${DEFAULT_ANSWERS.store}`);
      let answers: InitAnswers = {
        featureKeys: opts.featureKey ?? DEFAULT_ANSWERS.featureKeys,
        pricing: opts.pricing ?? DEFAULT_ANSWERS.pricing,
        relax: opts.relax ?? DEFAULT_ANSWERS.relax,
        store: opts.store ?? DEFAULT_ANSWERS.store,
      };
      if (interactive(opts)) {
        const { askAnswers } = await import('../lib/init/prompts.js');
        const asked = await askAnswers(answers, { exists: existsSync(file) && !opts.force, given: opts });
        if (asked === 'cancelled' || asked === 'declined') {
          // The prompt has said "Nothing written."; Ctrl-C ends as an interrupt does.
          if (asked === 'cancelled') process.exitCode = 130;
          return;
        }
        answers = asked;
      }
      const text = configText(buildConfig(answers));
      await checkPricingFiles(answers.pricing);
      // Without a terminal a user's file is never overwritten unasked; the same file again is no change.
      if (!interactive(opts) && !opts.force && existsSync(file)) {
        if (!(await holds(file, text))) {
          throw new LlmtraceError(`${CONFIG_FILE} already exists and differs from what init would write`, 'pass --force to overwrite it');
        }
        writeDiagnostic(`llmtrace: ${file} already holds this configuration; left unchanged`);
      } else {
        await writeFile(file, text);
        writeDiagnostic(`llmtrace: wrote ${file}`);
      }
      writeDiagnostic('');
      await writeOut([instrumentationGuide(), '\n', codingAgentsGuide()], 'terminal');
    });
}

/** Whether `file` is a regular file with exactly `text` (a pipe or a device is never read). */
async function holds(file: string, text: string): Promise<boolean> {
  try {
    const st = await stat(file);
    return st.isFile() && st.size === Buffer.byteLength(text) && (await readFile(file, 'utf8')) === text;
  } catch {
    return false;
  }
}

/** A config naming a pricing file that is missing or broken would fail every later command: refuse it now. */
async function checkPricingFiles(files: string[]): Promise<void> {
  const local = files.filter((f) => !/^https?:\/\//.test(f)).map((f) => path.resolve(f));
  if (!local.length) return;
  const { loadPricing } = await import('../lib/cost/pricing.js');
  try {
    await loadPricing({ files: local, builtin: false });
  } catch (e) {
    if (e instanceof LlmtraceError) throw new LlmtraceError(e.message, `${CONFIG_FILE} was not written: fix the pricing file, or leave it out`);
    throw e;
  }
}

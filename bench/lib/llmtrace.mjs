/** The built CLI, and whether a command (with the flags a figure needs) exists yet. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin/llmtrace.js');
export const DIST = path.join(REPO, 'dist');

/** Environment for every llmtrace run: no colors, UTC, the generator's clock. */
export const CLI_ENV = { NO_COLOR: '1', TZ: 'UTC', LLMTRACE_NOW: '2025-06-08T00:00:00Z', FORCE_COLOR: '' };

/**
 * `{ ok: true }` when `llmtrace <command> --help` shows that command with every flag in
 * `flags`; otherwise `{ ok: false, why }` (the figure is reported as "not available yet").
 */
export function commandAvailable(command, flags = []) {
  // BENCH_PRETEND_MISSING=cost,lint exercises the "not available yet" rows.
  if ((process.env.BENCH_PRETEND_MISSING ?? '').split(',').includes(command)) return { ok: false, why: `no \`${command}\` command yet (BENCH_PRETEND_MISSING)` };
  let help;
  try {
    help = execFileSync(process.execPath, [BIN, command, '--help'], { encoding: 'utf8', env: { ...process.env, ...CLI_ENV }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    return { ok: false, why: `\`llmtrace ${command} --help\` failed (${e.status ?? e.code})` };
  }
  if (!help.startsWith(`Usage: llmtrace ${command}`)) return { ok: false, why: `no \`${command}\` command yet` };
  const missing = flags.filter((f) => !new RegExp(`(^|[\\s,])${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(help));
  return missing.length ? { ok: false, why: `\`${command}\` lacks ${missing.join(', ')}` } : { ok: true };
}

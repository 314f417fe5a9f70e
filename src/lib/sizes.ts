/**
 * Sizes given on the command line, read one way for every flag: `--memory <size>` (how much
 * trace state a command holds before it spills to temporary files; docs/architecture.md,
 * "Exact at any order": results never depend on it, only peak memory and time do) and
 * `tail --max-body`.
 */
import { InvalidArgumentError } from 'commander';

/**
 * The default budget (cost, lint, tree, tail's printed traces). The budget bounds the trace
 * state, not the process: worker threads, batches in flight and the garbage collector's
 * headroom (V8 lets the heap grow to about twice what is live) come on top: the peaks measured
 * with it are in docs/architecture.md "Memory budget and measurements".
 */
export const DEFAULT_MEMORY_BUDGET = 24 * 1024 * 1024;

/** Larger than any machine this runs on: a typo (`1TB` for `1GB`), not a budget. */
const MAX_BUDGET = 2 ** 40;

const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
};

const EXAMPLES = 'e.g. 256MiB, 1GiB or 512MB';

/**
 * A size such as `256MiB`, `1.5GiB` or `512MB`, in bytes; a usage error (exit 2) for anything
 * else. With `bareBytes`, a number without a unit is bytes (`--max-body 1048576`).
 */
export function parseSize(flag: string, value: string, opts: { bareBytes?: boolean } = {}): number {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`${flag} must be a size with a unit (${EXAMPLES}); ${why}, got ${JSON.stringify(value)}`);
  };
  const m = /^\s*([+-]?)(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  if (!m) return fail('not a number and a unit');
  const [, sign, number, given] = m as unknown as [string, string, string, string];
  const unit = given === '' && opts.bareBytes ? 'B' : given;
  if (unit === '') return fail('the unit is missing');
  const scale = UNITS[unit];
  if (scale === undefined) return fail(`unknown unit ${JSON.stringify(unit)} (use B, kB, MB, GB, KiB, MiB or GiB)`);
  if (sign === '-') return fail('a size cannot be negative');
  const bytes = Math.floor(Number(number) * scale);
  if (bytes < 1) return fail('it must be at least 1 byte');
  if (bytes > MAX_BUDGET) return fail('more than 1 TiB');
  return bytes;
}

/** The option parser commander wants, for `.option('--memory <size>', …, sizeOption('--memory'))`. */
export function sizeOption(flag: string, opts: { bareBytes?: boolean } = {}): (value: string) => number {
  return (value) => parseSize(flag, value, opts);
}

/** 268435456 → "256 MiB" (for help texts and messages). */
export function formatMemorySize(bytes: number): string {
  for (const [unit, scale] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= scale && bytes % (scale / 4) === 0) return `${bytes / scale} ${unit}`;
  }
  return `${bytes} B`;
}

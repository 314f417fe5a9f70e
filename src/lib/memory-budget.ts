/**
 * `--memory <size>`: how much trace state a command holds in memory before it spills to
 * temporary files (docs/architecture.md, "Exact at any order"). Results never depend on it;
 * only peak memory and time do.
 */
import { InvalidArgumentError } from 'commander';

/**
 * The default budget (cost, lint, tree). The budget bounds the trace state, not the process:
 * worker threads, batches in flight and the garbage collector's headroom come on top. `lint`
 * holds ~22 MB for a time-ordered 1M-span input (peak RSS ~285 MB, nothing spilled) and ~80 MB
 * at most for the same spans shuffled (peak RSS ~450 MB, as before it was exact; a smaller
 * budget spills and saves less than it seems: 32 MiB still peaks at ~370 MB).
 */
export const DEFAULT_MEMORY_BUDGET = 128 * 1024 * 1024;

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

/** A size such as `256MiB`, `1.5GiB` or `512MB`, in bytes; a usage error (exit 2) for anything else. */
export function parseMemorySize(flag: string, value: string): number {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`${flag} must be a size with a unit (${EXAMPLES}); ${why}, got ${JSON.stringify(value)}`);
  };
  const m = /^\s*([+-]?)(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  if (!m) return fail('not a number and a unit');
  const [, sign, number, unit] = m as unknown as [string, string, string, string];
  if (unit === '') return fail('the unit is missing');
  const scale = UNITS[unit];
  if (scale === undefined) return fail(`unknown unit ${JSON.stringify(unit)} (use B, kB, MB, GB, KiB, MiB or GiB)`);
  if (sign === '-') return fail('a size cannot be negative');
  const bytes = Math.floor(Number(number) * scale);
  if (bytes < 1) return fail('the budget must be at least 1 byte');
  if (bytes > MAX_BUDGET) return fail('more than 1 TiB');
  return bytes;
}

/** The option parser commander wants, for `.option('--memory <size>', …, memoryOption('--memory'))`. */
export function memoryOption(flag: string): (value: string) => number {
  return (value) => parseMemorySize(flag, value);
}

/** 268435456 → "256 MiB" (for help texts and messages). */
export function formatMemorySize(bytes: number): string {
  for (const [unit, scale] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= scale && bytes % (scale / 4) === 0) return `${bytes / scale} ${unit}`;
  }
  return `${bytes} B`;
}

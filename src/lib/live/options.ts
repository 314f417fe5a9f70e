/** Option values of `tail`: sizes (`--max-body`), ports, hosts. Usage errors are exit 2. */
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A byte count, or a number with a decimal (KB, MB, GB) or binary (KiB, MiB, GiB) unit. */
export function parseByteSize(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase() || 'b'];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A commander parser for a size option. */
export function byteSize(name: string) {
  return (value: string): number => {
    const n = parseByteSize(value);
    if (n === undefined) {
      throw new InvalidArgumentError(`${name} must be a size such as 20MiB, 512KiB, 10MB or 1048576, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** A TCP port; 0 lets the system pick a free one. */
export function portNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`${name} must be a port from 0 to 65535, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** Loopback addresses: anything else exposes prompts to the network. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

/** Option values of `tail`: ports, hosts (sizes: ../sizes.ts). Usage errors are exit 2. */
import { InvalidArgumentError } from 'commander';

/** A TCP port; 0 lets the system pick a free one. */
export function portNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`${name} must be a port from 0 to 65535, got ${JSON.stringify(value)}`);
    return n;
  };
}

/**
 * A listen address: an empty one made Node listen on every address (while the warning printed
 * nothing) and gRPC fail with an internal error; a space or control character names no host.
 */
export function hostAddress(name: string) {
  return (value: string): string => {
    if (!/^[^\s\u0000-\u001f\u007f]+$/.test(value)) {
      throw new InvalidArgumentError(`${name} must be an address or a host name such as 127.0.0.1, ::1 or 0.0.0.0, got ${JSON.stringify(value)}`);
    }
    return value;
  };
}

/** Loopback addresses: anything else exposes prompts to the network. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

export const DRIVERS: readonly string[];
/** Run one library driver against the mock LLM server; the files hold what its exporter sent. */
export function runLib(
  lib: string,
  dir: string,
  opts?: { timeoutMs?: number; otlpOrigin?: string },
): Promise<{ files: string[]; requests: Array<{ path: string; body: any }>; exports: number; stdout: string }>;

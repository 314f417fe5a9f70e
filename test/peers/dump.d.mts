import type { MoreLib } from './run-libs.mjs';
import type { Lib } from './scenario.mjs';

export function dumpPeer(
  lib: Lib | MoreLib,
  opts?: { scenario?: 'agent' | 'error'; timeoutMs?: number },
): Promise<{ json: Buffer; proto: Buffer; requests: Array<{ path: string; body: any }> }>;

/**
 * The local store's layout (docs/architecture.md "Local store layout"): one file per signal and UTC hour of receipt,
 * `traces-YYYYMMDDTHH.jsonl`, each line one request as OTLP JSON. Shared by writer and reader.
 */
import path from 'node:path';

export type Signal = 'traces' | 'logs' | 'metrics';

export const DEFAULT_STORE_DIR = '.llmtrace';

/**
 * The store directory: `--store`, then `$LLMTRACE_STORE`, then `store` in llmtrace.config.json,
 * then ./.llmtrace (README "Local store"). An empty variable is unset, as in a shell's `${VAR}`
 * left empty: it must not make the working directory the store.
 */
export function resolveStoreDir(flag: string | undefined, configStore?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag ?? (env.LLMTRACE_STORE || undefined) ?? configStore ?? DEFAULT_STORE_DIR);
}

export function storeFileName(signal: Signal, when: Date): string {
  const iso = when.toISOString(); // 2026-11-22T02:00:00.000Z
  return `${signal}-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}.jsonl`;
}

const FILE_RE = /^(traces|logs|metrics)-(\d{4})(\d{2})(\d{2})T(\d{2})\.jsonl(\.gz)?$/;

export interface StoreFile {
  name: string;
  signal: Signal;
  /** Start of the hour the file covers, epoch ms (UTC). */
  hourStartMs: number;
}

/** The store files of one signal among directory entries, oldest first. */
export function storeFiles(names: string[], signal: Signal): StoreFile[] {
  const out: StoreFile[] = [];
  for (const name of names) {
    const m = FILE_RE.exec(name);
    if (!m || m[1] !== signal) continue;
    out.push({ name, signal, hourStartMs: Date.UTC(+m[2]!, +m[3]! - 1, +m[4]!, +m[5]!) });
  }
  return out.sort((a, b) => a.hourStartMs - b.hourStartMs || a.name.localeCompare(b.name));
}

/** What the figures were measured on: they only mean something next to this. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function tryRun(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(repo) {
  let cpuModel;
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim();
  } catch {
    /* not Linux */
  }
  const commit = tryRun('git', ['rev-parse', '--short', 'HEAD'], repo);
  const dirty = tryRun('git', ['status', '--porcelain', '--', 'src'], repo);
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    cpuModel: cpuModel ?? os.cpus()[0]?.model,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    jq: tryRun('jq', ['--version']),
    llmtraceCommit: commit ? `${commit}${dirty ? ' + uncommitted changes in src/' : ''}` : undefined,
  };
}

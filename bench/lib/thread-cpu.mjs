/**
 * Preloaded (`node --import`) by batch-ab.mjs: at exit, writes the CPU seconds of the main thread
 * and of the whole process (every thread, those already ended included) to $LLMTRACE_AB_CPU_FILE.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.LLMTRACE_AB_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const mainS = (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
    const u = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ mainS, allS: (u.user + u.system) / 1e6 }));
  });
}

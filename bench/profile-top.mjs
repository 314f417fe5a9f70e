#!/usr/bin/env node
/**
 * Top frames by self time of a V8 CPU profile (`node --cpu-prof`), with dist/ locations mapped
 * back to src/ through the source maps.
 *
 *   node bench/profile-top.mjs PROFILE.cpuprofile [N=25] [--inclusive]
 * --inclusive ranks by time with the frame anywhere on the stack (self + callees) instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const maps = new Map();
function original(url, line, column) {
  if (!url.startsWith('file://') || !url.endsWith('.js')) return undefined;
  const file = fileURLToPath(url);
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
  }
  const map = maps.get(file);
  if (!map) return undefined;
  const e = map.findEntry(line, column);
  if (!e?.originalSource) return undefined;
  const src = path.resolve(path.dirname(file), e.originalSource.replace(/^file:\/\//, ''));
  return `${path.relative(process.cwd(), src)}:${e.originalLine + 1}`;
}

export function topFrames(profile, n = 25, inclusive = false) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const keyOf = (cf) => `${cf.functionName}|${cf.url}|${cf.lineNumber}`;
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = inclusive ? parent.get(id) : undefined) {
      const cf = byId.get(id).callFrame;
      const key = keyOf(cf);
      if (seen.has(key)) continue;
      seen.add(key);
      const cur = self.get(key) ?? { ms: 0, cf };
      cur.ms += dt / 1000;
      self.set(key, cur);
    }
  }
  const rows = [...self.values()].sort((a, b) => b.ms - a.ms).slice(0, n);
  return {
    totalMs: total / 1000,
    rows: rows.map(({ ms, cf }) => {
      const where = original(cf.url, cf.lineNumber, cf.columnNumber) ?? (cf.url ? `${cf.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '')}:${cf.lineNumber + 1}` : '');
      return { selfMs: ms, share: ms / (total / 1000), fn: cf.functionName || '(anonymous)', where };
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inclusive = process.argv.includes('--inclusive');
  const [file, n] = process.argv.slice(2).filter((a) => a !== '--inclusive');
  const { totalMs, rows } = topFrames(JSON.parse(readFileSync(file, 'utf8')), Number(n ?? 25), inclusive);
  console.log(`total ${(totalMs / 1000).toFixed(2)} s sampled`);
  console.log(`${(inclusive ? 'incl ms' : 'self ms').padStart(9)}  ${'share'.padStart(6)}  function  (location)`);
  for (const r of rows) console.log(`${r.selfMs.toFixed(0).padStart(9)}  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.fn}  ${r.where}`);
}

/**
 * The import graph of src/ between folders (docs/architecture.md, "Data flow"): one way, no
 * cycles. An area is src/commands, the files directly in src/lib, or one folder of src/lib with
 * its subfolders (lint/rules and lint/render are parts of lint). Imports are read with a regex:
 * static and type-only imports, re-exports, dynamic import() and worker scripts
 * (`new URL('./x.js', import.meta.url)`), relative specifiers only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g;

interface Edge {
  from: string;
  to: string;
}

/** Every relative import of every .ts file under src/, as file → file (paths relative to src/). */
export function fileImports(srcDir: string = SRC): Edge[] {
  const edges: Edge[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(full, 'utf8');
        for (const m of text.matchAll(IMPORT)) {
          const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
          if (!spec.startsWith('.')) continue;
          edges.push({ from: path.relative(srcDir, full), to: path.relative(srcDir, path.resolve(dir, spec)) });
        }
      }
    }
  };
  walk(srcDir);
  return edges;
}

/** The area of a file: `commands`, `lib` (files directly in src/lib), `lib/<folder>`, or `.` (src/cli.ts). */
export function areaOf(file: string): string {
  const parts = file.split(path.sep);
  if (parts.length === 1) return '.';
  if (parts[0] === 'lib') return parts.length === 2 ? 'lib' : `lib/${parts[1]}`;
  return parts[0]!;
}

/**
 * Edges between areas that are allowed for now, each with the reason it goes. Nothing else may
 * close a cycle.
 */
const ALLOWED_FOR_NOW = new Set<string>([]);

function areaGraph(edges: Edge[]): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const e of edges) {
    const a = areaOf(e.from);
    const b = areaOf(e.to);
    if (a === b || ALLOWED_FOR_NOW.has(`${a} -> ${b}`)) continue;
    let out = graph.get(a);
    if (!out) graph.set(a, (out = new Map()));
    const why = out.get(b) ?? [];
    why.push(`${e.from} → ${e.to}`);
    out.set(b, why);
  }
  return graph;
}

/** The cycles of a graph, one per strongly connected component of more than one node (Tarjan). */
export function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The imports between the areas of a cycle, to name the files in the failure. */
function explain(graph: Map<string, Map<string, string[]>>, component: string[]): string[] {
  const inside = new Set(component);
  const lines: string[] = [];
  for (const a of component) for (const [b, why] of graph.get(a) ?? []) if (inside.has(b)) lines.push(`${a} -> ${b}: ${why.join(', ')}`);
  return lines;
}

/** Imports from files matching `from` into files matching `to`. */
function importsBetween(edges: Edge[], from: (file: string) => boolean, to: (file: string) => boolean): string[] {
  return edges.filter((e) => from(e.from) && to(e.to)).map((e) => `${e.from} → ${e.to}`);
}

const under = (...folders: string[]) => (file: string) => folders.some((f) => file.startsWith(`${f}/`));

describe('the import graph of src/', () => {
  const edges = fileImports();

  it('reads the imports it is meant to read', () => {
    // A regex that silently matched nothing would pass every check below.
    const found = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(found('cli.ts', 'commands/tail.js')).toBe(true); // dynamic import()
    expect(found('lib/sources/mapped.ts', 'lib/sources/line-worker.js')).toBe(true); // worker script URL
    expect(found('lib/store/writer.ts', 'lib/store/layout.js')).toBe(true); // static import
    expect(edges.length).toBeGreaterThan(500);
  });

  it('has no cycles between areas', () => {
    const graph = areaGraph(edges);
    expect(cycles(graph).map((c) => explain(graph, c))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = areaGraph([
      { from: 'lib/a/x.ts', to: 'lib/b/y.js' },
      { from: 'lib/b/y.ts', to: 'lib/c/z.js' },
      { from: 'lib/c/z.ts', to: 'lib/a/w.js' },
      { from: 'lib/c/z.ts', to: 'lib/span.js' },
    ]);
    expect(cycles(graph)).toEqual([['lib/a', 'lib/b', 'lib/c']]);
  });

  it('runs commands → lib: nothing in lib imports a command or the CLI', () => {
    expect(importsBetween(edges, under('lib'), (f) => f === 'cli.js' || f.startsWith('commands/'))).toEqual([]);
  });

  it('runs consumers → render only: no consumer imports a renderer', () => {
    // render may import the consumers' result types; rules and math return data.
    const consumer = (f: string) => under('lib/cost', 'lib/stats', 'lib/lint', 'lib/live', 'lib/trace', 'lib/genai')(f) && !f.startsWith('lib/lint/render/');
    const renderer = under('lib/render', 'lib/lint/render');
    expect(importsBetween(edges, consumer, renderer)).toEqual([]);
  });

  it('runs consumers → genai → span: genai imports only the span and its own files', () => {
    const consumers = under('lib/cost', 'lib/stats', 'lib/lint', 'lib/live', 'lib/trace', 'lib/render', 'lib/sources', 'lib/receiver', 'lib/otlp');
    expect(importsBetween(edges, under('lib/genai'), consumers)).toEqual([]);
    expect(importsBetween(edges, (f) => f === 'lib/span.ts', under('lib'))).toEqual([]);
  });
});

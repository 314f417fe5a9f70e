/**
 * Module hooks that run the TypeScript sources directly (registered by ts-loader.mjs): a
 * relative `./x.js` that does not exist resolves to `./x.ts` beside it, as tsc maps them, and a
 * `.ts` file is transpiled with the project's own TypeScript (types are stripped, not checked:
 * `npm run typecheck` does that). Used for the worker threads the code under test starts:
 * vitest transforms the test's own imports, but a Worker loads its script with Node's loader.
 */
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  inlineSourceMap: true,
  inlineSources: true,
};

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js')) throw e;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: new URL(url).pathname });
  return { format: 'module', source: outputText, shortCircuit: true };
}

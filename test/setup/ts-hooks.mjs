/**
 * Module hooks that run the TypeScript sources directly (registered by ts-loader.mjs): a
 * relative `./x.js` that does not exist resolves to `./x.ts` beside it, as tsc maps them, and a
 * `.ts` file is transpiled with the project's own TypeScript (types are stripped, not checked:
 * `npm run typecheck` does that). Used for the worker threads the code under test starts:
 * vitest transforms the test's own imports, but a Worker loads its script with Node's loader.
 */
import { readFile } from 'node:fs/promises';

/** TypeScript, loaded on the first .ts file: most test processes never start a worker. */
let compiler;
async function transpile(source, fileName) {
  compiler ??= (await import('typescript')).default;
  const compilerOptions = { module: compiler.ModuleKind.ESNext, target: compiler.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true };
  return compiler.transpileModule(source, { compilerOptions, fileName }).outputText;
}

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
  return { format: 'module', source: await transpile(source, new URL(url).pathname), shortCircuit: true };
}

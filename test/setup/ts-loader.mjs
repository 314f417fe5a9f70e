/**
 * `node --import ./test/setup/ts-loader.mjs`: runs the TypeScript sources as they are (see
 * ts-hooks.mjs). vitest.config.ts passes it to the test processes, and worker threads inherit it
 * (a Worker's execArgv defaults to its parent's), so the worker path runs from src/ in tests.
 */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);

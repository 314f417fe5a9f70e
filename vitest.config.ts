import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    env: { TZ: 'UTC', NO_COLOR: '1' },
    globalSetup: ['test/global-teardown.ts'],
    // Worker threads started by the code under test run its TypeScript sources too (they
    // inherit this); see test/setup/ts-hooks.mjs and docs/architecture.md "Worker threads in tests".
    execArgv: ['--import', fileURLToPath(new URL('./test/setup/ts-loader.mjs', import.meta.url))],
  },
});

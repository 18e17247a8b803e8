import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';

// The browser tests: Debian's Chromium driven by playwright-core against FlowLens started by run.sh.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    // run.sh builds the frontend and the backend before serving: minutes on a fresh machine.
    hookTimeout: 15 * 60_000,
    testTimeout: 120_000,
    fileParallelism: false,
  },
});

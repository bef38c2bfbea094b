import { defineConfig } from 'vitest/config';

/**
 * Real-browser tests (`npm run test:browser`): Debian's Chromium driven by playwright-core, axe-core
 * and the Nu Html Checker on Java. Kept out of `npm test`, which must run without a browser.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    // One browser and one server per file; files run one after another so two Chromiums do not
    // fight over two CPU cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Browser tests need Chromium and a Java runtime; they run with `npm run test:browser`.
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 20_000,
  },
});

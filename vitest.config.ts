import { defineConfig } from 'vitest/config';

// Real-QEMU tests are CPU-bound on 2 cores: run test files one at a time
// when they boot guests (they say so with a `qemu` in their file name)
// and let the pure ones run in parallel.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'reports/**', 'fixtures/guest/build/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

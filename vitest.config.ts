import { defineConfig } from 'vitest/config';

const exclude = ['node_modules/**', 'reports/**', 'guest/build/**'];

// Two projects: pure tests run in parallel; tests that boot real QEMU guests
// (`*.qemu.test.ts`) or a browser are CPU-bound on 2 cores, so their files run
// one at a time.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.qemu.test.ts', '**/*.browser.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'qemu',
          include: ['**/*.qemu.test.ts', '**/*.browser.test.ts'],
          exclude,
          fileParallelism: false,
          // A file may run two of its tests at once (describe.concurrent): the
          // wrapper runs, each one guest at a time, use the second core.
          maxConcurrency: 2,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

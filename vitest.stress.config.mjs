// `pnpm test:stress`: the full robustness runs (test/*.stress.test.ts), which `pnpm test` leaves out.
// Everything else (SWC with decorator metadata, the `source` condition) comes from vitest.config.ts.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The tiers of `pnpm test` are left out: the stress files are one set of their own.
const { projects: _tiers, ...test } = base.test;

export default defineConfig({
  ...base,
  test: {
    ...test,
    include: ['test/**/*.stress.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    typecheck: { enabled: false },
    // One file at a time: the machine is shared, and each file measures throughput and memory.
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 120_000,
  },
});

import { availableParallelism } from 'node:os';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The end-to-end tier: files that start browsers, child processes (the CLI, `pnpm dev`, the benchmark)
// or drive the whole system under load. They take most of the run's time, so they get their own tier
// (`pnpm test:e2e`) and start first: vitest orders files by tier name ('e2e' sorts first), then longest
// first by the last run's times (largest first on a fresh clone).
const END_TO_END = [
  'test/browser-*.test.ts',
  'test/bench-smoke.test.ts',
  'test/emulator-cli.test.ts',
  'test/sample-dev.test.ts',
  'test/robustness-*.test.ts',
];
const EXCLUDED = ['**/node_modules/**', '**/dist/**', '**/*.stress.test.ts'];

// esbuild (vitest's default transform) does not emit `design:*` decorator metadata; SWC with legacy
// decorators does, exactly as tsc with `emitDecoratorMetadata`. The canary test in
// packages/decorators/src/metadata-emit.spec.ts fails if this ever stops.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
        keepClassNames: true,
      },
    }),
  ],
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests need no build first.
    conditions: ['source'],
  },
  ssr: {
    resolve: { conditions: ['source'], externalConditions: ['source'] },
  },
  test: {
    exclude: EXCLUDED,
    setupFiles: ['test/fast-check-seed.setup.ts', 'test/byte-equality.setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every core: vitest's default leaves one free, which on a 2-core machine runs the files one by one.
    maxWorkers: availableParallelism(),
    // `pnpm test` runs the three tiers together; `pnpm test:unit` (or :integration, :e2e) runs one.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // The type tests (`*.test-d.ts`) are assertions the compiler checks: `pnpm typecheck` compiles them
          // with everything else, so the test run does not start a second `tsc` over the whole project.
          include: ['packages/*/src/**/*.spec.ts', 'samples/*/src/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...EXCLUDED, ...END_TO_END] },
      },
      { extends: true, test: { name: 'e2e', include: END_TO_END } },
    ],
  },
});

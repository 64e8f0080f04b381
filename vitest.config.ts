import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

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
    include: ['packages/*/src/**/*.spec.ts', 'test/**/*.test.ts', 'samples/*/src/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.stress.test.ts'],
    setupFiles: ['test/fast-check-seed.setup.ts'],
    typecheck: { enabled: true, include: ['**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});

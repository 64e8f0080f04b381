// Full form of the upstream fuzz run: at least 100,000 generated and mutated requests to the registered
// handler of a hub (see robustness-fuzz-harness.ts for what is generated and checked). Run with
// `pnpm test:stress`; FUZZ_COUNT and FUZZ_SEED override the count and the seed.
import { describe, expect, it } from 'vitest';
import { registerFuzzHub, runFuzz } from './robustness-fuzz-harness.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

describe('upstream fuzz (full)', () => {
  it(`answers ${COUNT} generated and mutated requests with 2xx/4xx, no leaks, and no hub call without a valid signature`, async () => {
    registerFuzzHub();
    const started = performance.now();
    const stats = await runFuzz(COUNT, SEED);
    const seconds = (performance.now() - started) / 1000;
    const byStatus = Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b));
    console.log(
      `upstream fuzz: seed ${SEED}, ${stats.requests} requests in ${seconds.toFixed(1)} s (${Math.round(stats.requests / seconds)}/s); ` +
        `answers by status ${JSON.stringify(byStatus)}; ${stats.pristine} unmutated; hub methods ran ${stats.handlerRuns} times; ` +
        `${stats.undeliverable} not deliverable as HTTP`,
    );
    expect(stats.failures).toEqual([]);
    expect(stats.requests).toBe(COUNT);
  });
});

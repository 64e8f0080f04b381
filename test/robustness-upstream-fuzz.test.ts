// Quick form of the upstream fuzz run (the full one, with over 100,000 requests, is
// upstream-fuzz.stress.test.ts): generated and mutated requests to the registered handler of a hub,
// checked as robustness-fuzz-harness.ts describes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerFuzzHub, runFuzz } from './robustness-fuzz-harness.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 1000);
// The seed of every property test (test/fast-check-seed.setup.ts): fixed in `pnpm test`, FC_SEED to change it.
const SEED = Number(process.env.FUZZ_SEED ?? fc.readConfigureGlobal().seed ?? Date.now() % 1_000_000);

describe('upstream fuzz (quick)', () => {
  it(`answers ${COUNT} generated and mutated requests with 2xx/4xx, no leaks, and no hub call without a valid signature`, async () => {
    registerFuzzHub();
    const stats = await runFuzz(COUNT, SEED);
    expect(stats.failures).toEqual([]);
    expect(stats.requests).toBe(COUNT);
    // The generators reach every layer: refusals of each kind, and hub methods that ran.
    for (const status of [200, 400, 401, 404, 415]) expect(stats.byStatus.get(status) ?? 0).toBeGreaterThan(0);
    expect(stats.handlerRuns).toBeGreaterThan(COUNT / 10);
    expect(stats.pristine).toBeGreaterThan(COUNT / 10);
  }, 120_000);
});

// Full form of the sustained load on the registered upstream handler (quick form in
// robustness-load.test.ts): 60 seconds at the highest rate the machine gives, no errors, resident memory
// growth under 10 %. Run with `pnpm test:stress`; SUSTAINED_SECONDS overrides the duration.
import { describe, expect, it } from 'vitest';
import { runSustained } from './robustness-load-harness.js';

const SECONDS = Number(process.env.SUSTAINED_SECONDS ?? 60);

describe('the registered upstream handler under sustained load (full)', () => {
  it(`answers every call for ${SECONDS} s with resident memory growth under 10 %`, async () => {
    const result = await runSustained(SECONDS * 1000, 32, 5000);
    const growth = (result.rssEndMb - result.rssStartMb) / result.rssStartMb;
    console.log(
      `sustained: ${result.requests} calls in ${result.seconds.toFixed(1)} s (${Math.round(result.requests / result.seconds)}/s, 32 in flight); ` +
        `RSS ${result.rssStartMb.toFixed(1)} → ${result.rssEndMb.toFixed(1)} MB (${(growth * 100).toFixed(1)} %), peak ${result.rssPeakMb.toFixed(1)} MB; errors ${result.errors.length}`,
    );
    expect(result.errors).toEqual([]);
    expect(growth).toBeLessThan(0.1);
  });
});

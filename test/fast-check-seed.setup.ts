// Property tests draw their inputs from one fixed seed, so `pnpm test` (and CI) sees the same inputs on
// every run and a failure is reproducible. Set FC_SEED to an integer to replay a reported seed, or to
// `random` to explore new inputs; `pnpm test:explore` runs the property tests that way, many rounds over.
import fc from 'fast-check';

const DEFAULT_SEED = 20_261_123;

function seedFromEnvironment(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return DEFAULT_SEED;
  if (value === 'random') return undefined;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(value)}.`);
  return seed;
}

const seed = seedFromEnvironment(process.env.FC_SEED);
if (seed !== undefined) fc.configureGlobal({ seed });

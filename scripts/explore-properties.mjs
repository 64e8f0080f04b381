// `pnpm test:explore [rounds]`: runs every property and fuzz test again and again, each round from a
// new random seed, to find inputs that the fixed seed of `pnpm test` never draws. A failing round
// prints its seed; `FC_SEED=<seed> pnpm vitest run <file>` replays it.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const rounds = Number(process.argv[2] ?? 20);
if (!Number.isSafeInteger(rounds) || rounds < 1) {
  console.error(`rounds must be a positive integer, got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}

const failedSeeds = [];
for (let round = 1; round <= rounds; round++) {
  const seed = randomInt(2 ** 31);
  console.log(`round ${round}/${rounds}: FC_SEED=${seed}`);
  const run = spawnSync('pnpm', ['exec', 'vitest', 'run', '--typecheck.enabled=false', 'property', 'fuzz', 'describe-value'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, FC_SEED: String(seed) },
  });
  if (run.status !== 0) failedSeeds.push(seed);
}
if (failedSeeds.length > 0) {
  console.error(`\n${failedSeeds.length} of ${rounds} rounds failed; replay with FC_SEED=${failedSeeds.join(' or ')}`);
  process.exit(1);
}
console.log(`\nall ${rounds} rounds passed`);

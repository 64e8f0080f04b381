// `pnpm bench --profile=<figure> [--count=N] [--baseline]`: runs one CPU benchmark's workload (the
// framework side, or the baseline) under the V8 profiler, prints CPU time per operation and the most
// expensive functions, and writes the profile to bench/results/<figure>.cpuprofile (for Chrome DevTools).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { profile, topFunctions } from './harness/cpu-profile.js';
import type { Work } from './harness/paired-cpu.js';
import { negotiateWorkloads } from './negotiate/negotiate-bench.js';
import { upstreamWorkloads } from './upstream/upstream-invoke.js';

const WORKLOADS: Readonly<Record<string, () => Promise<{ framework: Work<unknown>; baseline: Work<unknown> }>>> = {
  'upstream-invoke-json': () => upstreamWorkloads('json'),
  'upstream-invoke-msgpack': () => upstreamWorkloads('messagepack'),
  negotiate: () => negotiateWorkloads(),
};

const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    count: { type: 'string', default: '20000' },
    baseline: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    source: { type: 'boolean', default: false },
  },
  strict: true,
});

const name = values.profile ?? '';
const load = WORKLOADS[name];
if (load === undefined) {
  process.stderr.write(`--profile must name one of: ${Object.keys(WORKLOADS).join(', ')}.\n`);
  process.exit(2);
}
const count = Number(values.count);
const workloads = await load();
const work = values.baseline ? workloads.baseline : workloads.framework;

// Warm up, so the profile shows optimized code rather than the interpreter.
for (const input of await work.prepare(Math.min(2000, count))) await work.run(input);
const inputs = await work.prepare(count);
let cpuUs = 0;
const recorded = await profile(async () => {
  const start = process.cpuUsage();
  for (const input of inputs) await work.run(input);
  const used = process.cpuUsage(start);
  cpuUs = (used.user + used.system) / count;
});

const side = values.baseline ? 'baseline' : 'framework';
const file = resolve(import.meta.dirname, '..', 'results', `${name}${values.baseline ? '-baseline' : ''}.cpuprofile`);
writeFileSync(file, JSON.stringify(recorded));
const top = topFunctions(recorded, Number(values.top));
const lines = (costs: readonly { location: string; percent: number }[]): string =>
  costs.map((cost) => `${cost.percent.toFixed(1).padStart(6)}%  ${cost.location}`).join('\n');
process.stdout.write(`${name} (${side}): ${cpuUs.toFixed(1)} µs CPU per operation over ${count} (while profiling)\n\n`);
process.stdout.write(
  `self time:\n${lines(top.self)}\n\ninclusive time:\n${lines(top.inclusive)}\n\nprofile: ${file}\n`,
);
process.exit(0);

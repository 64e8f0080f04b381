// `pnpm bench [--quick] [--only=name,...] [--out=file]`: runs every benchmark with its baseline in the same
// process and run, prints the table and writes the results as JSON. Started by `bench/run.mjs`, which
// builds what is stale and sets the Node.js flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { coldStart } from './cold-start/cold-start.js';
import { e2eEcho } from './e2e/e2e-echo.js';
import { emulatorFanout } from './fanout/emulator-fanout.js';
import type { BenchResult } from './harness/bench-result.js';
import type { BenchContext, Benchmark, Scale } from './harness/benchmark.js';
import { formatTable } from './harness/table.js';
import { negotiateBench } from './negotiate/negotiate-bench.js';
import { restSend } from './rest-send/rest-send.js';
import { upstreamInvoke } from './upstream/upstream-invoke.js';

const BENCHMARKS: readonly Benchmark[] = [upstreamInvoke, negotiateBench, coldStart, restSend, emulatorFanout, e2eEcho];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    source: { type: 'boolean', default: false },
  },
  strict: true,
});

function scaleOf(): Scale {
  const scale = values.scale ?? (values.quick ? 'quick' : 'full');
  if (scale !== 'full' && scale !== 'quick' && scale !== 'tiny')
    throw new Error(`--scale must be full, quick or tiny, not ${scale}.`);
  return scale;
}

const scale = scaleOf();
const only = values.only
  ?.split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
const benchRoot = resolve(import.meta.dirname, '..');
const outFile = resolve(values.out ?? `${benchRoot}/results/${scale === 'full' ? 'latest' : scale}.json`);

const context: BenchContext = {
  scale,
  source: values.source,
  progress(message) {
    process.stderr.write(`  … ${message}\n`);
  },
};

const selected = BENCHMARKS.filter(
  (bench) => only === undefined || bench.figures.some((figure) => only.some((name) => figure.startsWith(name))),
);
if (selected.length === 0) {
  process.stderr.write(
    `No benchmark matches --only=${values.only ?? ''}; figures: ${BENCHMARKS.flatMap((bench) => bench.figures).join(', ')}.\n`,
  );
  process.exit(2);
}

process.stderr.write(
  `serverless-hub benchmarks: scale ${scale}, ${values.source ? 'TypeScript sources' : 'built packages'}, Node.js ${process.version}, ${process.platform}/${process.arch}\n`,
);
const started = performance.now();
const results: BenchResult[] = [];
const failures: string[] = [];
for (const bench of selected) {
  process.stderr.write(`${bench.figures.join(', ')}\n`);
  const benchStarted = performance.now();
  try {
    const produced = await bench.run(context);
    results.push(
      ...produced.filter((result) => only === undefined || only.some((name) => result.name.startsWith(name))),
    );
    process.stderr.write(`  … done in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push(`${bench.figures.join(', ')}: ${message}`);
    process.stderr.write(`  ✗ failed: ${message}\n`);
  }
}

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\n${formatTable(results)}\n\n`);
process.stdout.write(
  `${results.length} figures in ${((performance.now() - started) / 1000).toFixed(0)} s, written to ${outFile}\n`,
);
if (failures.length > 0) {
  process.stdout.write(
    `\n${failures.length} benchmark(s) failed to run:\n${failures.map((failure) => `- ${failure.split('\n')[0] ?? ''}`).join('\n')}\n`,
  );
  process.exit(1);
}
// Keep-alive sockets and pools would keep the process alive for their idle timeouts.
process.exit(0);

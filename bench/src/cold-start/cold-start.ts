import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { figure } from '../harness/bench-result.js';
import { byScale } from '../harness/benchmark.js';
import type { BenchContext, Benchmark } from '../harness/benchmark.js';
import { sampleEntry } from '../harness/sample-app.js';
import { median } from '../harness/statistics.js';

const SETTINGS = {
  full: { processes: 31 },
  quick: { processes: 10 },
  tiny: { processes: 2 },
} as const;

const BASELINE_ENTRY = fileURLToPath(new URL('./entry-functions.mjs', import.meta.url));
const APP_ENTRY = fileURLToPath(new URL('./entry-app.mjs', import.meta.url));
/** What the Functions worker provides before it imports an app: see the file. */
const WORKER_STAND_IN = fileURLToPath(new URL('./functions-core-stand-in.cjs', import.meta.url));

interface ProcessTime {
  /** `performance.now()` in the child once its imports are done: from process start, node's own start-up included. */
  readonly readyMs: number;
  /** Spawn to exit, seen by the parent. */
  readonly wallMs: number;
  readonly functions?: number;
}

function childFlags(context: BenchContext): string[] {
  // With --source both sides pay tsx's loader, so the ratio still compares like with like.
  const worker = ['--require', WORKER_STAND_IN];
  return context.source ? [...worker, '--conditions=source', '--import', 'tsx'] : worker;
}

function timeProcess(args: readonly string[]): Promise<ProcessTime> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    execFile(
      process.execPath,
      args,
      { cwd: process.cwd(), timeout: 60_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        const wallMs = performance.now() - started;
        if (error !== null) {
          reject(new Error(`${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          // The timing is the last line; what the app printed while starting comes before it.
          const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { readyMs: number; functions?: number };
          resolvePromise({ ...report, wallMs });
        } catch {
          reject(
            new Error(
              `${args.join(' ')} printed ${JSON.stringify(stdout.slice(0, 500))} instead of its timing; stderr: ${stderr.slice(0, 500)}`,
            ),
          );
        }
      },
    );
  });
}

/** `cold-start`: fresh processes importing the sample app (which registers its hubs) vs importing only @azure/functions. */
export const coldStart: Benchmark = {
  figures: ['cold-start'],
  async run(context) {
    const { processes } = byScale(context, SETTINGS);
    const entry = sampleEntry(context.source);
    if (!existsSync(entry))
      throw new Error(
        `The sample app entry ${entry} does not exist; build it (pnpm --filter @serverless-hub/sample-chat run build).`,
      );
    const flags = childFlags(context);
    const baselineArgs = [...flags, BASELINE_ENTRY];
    const appArgs = [...flags, APP_ENTRY, pathToFileURL(entry).href];

    // One untimed run of each fills the file system cache, as a warm host does.
    await timeProcess(baselineArgs);
    const warm = await timeProcess(appArgs);
    if (warm.functions === undefined || warm.functions === 0)
      throw new Error('Importing the sample app registered no function.');

    context.progress(`cold-start: ${processes} fresh processes per side, alternating`);
    const baseline: ProcessTime[] = [];
    const app: ProcessTime[] = [];
    for (let i = 0; i < processes; i++) {
      // Alternating, so that a burst of load from elsewhere hits both sides alike.
      if (i % 2 === 0) {
        baseline.push(await timeProcess(baselineArgs));
        app.push(await timeProcess(appArgs));
      } else {
        app.push(await timeProcess(appArgs));
        baseline.push(await timeProcess(baselineArgs));
      }
    }
    const appReady = median(app.map((time) => time.readyMs));
    const baselineReady = median(baseline.map((time) => time.readyMs));
    return [
      figure({
        name: 'cold-start',
        value: appReady,
        unit: 'ms to ready',
        baseline: baselineReady,
        goal: { kind: 'ratio-at-most', limit: 1.15 },
        details: {
          processes,
          registeredFunctions: warm.functions,
          wallMs: median(app.map((time) => time.wallMs)),
          baselineWallMs: median(baseline.map((time) => time.wallMs)),
          frameworkMs: appReady - baselineReady,
        },
      }),
    ];
  },
};

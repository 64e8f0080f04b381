import { median } from './statistics.js';

/** One side of a paired measurement: inputs built untimed, then `run` once per input, timed. */
export interface Work<TInput> {
  /** Builds the inputs of one batch; not timed (e.g. fresh `HttpRequest`s, whose bodies can be read once). */
  prepare(count: number): TInput[] | Promise<TInput[]>;
  run(input: TInput): unknown;
}

export interface PairedCpuOptions {
  readonly rounds: number;
  /** Operations per timed batch. */
  readonly batch: number;
  /** Untimed batches of each side first, so both are compiled by the optimizing JIT. */
  readonly warmupBatches: number;
}

/** Per-operation figures, medians over rounds. */
export interface PairedCpuResult {
  /** CPU microseconds (user + system, every thread of the process) per operation of the subject. */
  readonly subjectCpuUs: number;
  readonly baselineCpuUs: number;
  /** The median of the per-round ratios subject / baseline (robust to load drifting between rounds). */
  readonly ratio: number;
  readonly subjectWallUs: number;
  readonly baselineWallUs: number;
  readonly rounds: number;
}

interface BatchTime {
  readonly cpuUs: number;
  readonly wallUs: number;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

async function timeBatch<TInput>(work: Work<TInput>, count: number): Promise<BatchTime> {
  const inputs = await work.prepare(count);
  // Each batch starts with a clean heap, so one side does not pay for the other's garbage.
  collectGarbage?.();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (const input of inputs) await work.run(input);
  const wallUs = (performance.now() - wallStart) * 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { cpuUs: (cpu.user + cpu.system) / inputs.length, wallUs: wallUs / inputs.length };
}

/**
 * Measures the CPU time per operation of `subject` and `baseline` in the same process, in alternating
 * rounds (baseline first in even rounds, subject first in odd ones), after a warm-up of both. CPU time
 * rather than wall time: on a shared machine another process's load lengthens wall time but not the
 * CPU this process spends.
 */
export async function measurePairedCpu<TSubject, TBaseline>(
  subject: Work<TSubject>,
  baseline: Work<TBaseline>,
  options: PairedCpuOptions,
): Promise<PairedCpuResult> {
  for (let i = 0; i < options.warmupBatches; i++) {
    await timeBatch(baseline, options.batch);
    await timeBatch(subject, options.batch);
  }
  const subjectTimes: BatchTime[] = [];
  const baselineTimes: BatchTime[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let subjectTime: BatchTime;
    let baselineTime: BatchTime;
    if (round % 2 === 0) {
      baselineTime = await timeBatch(baseline, options.batch);
      subjectTime = await timeBatch(subject, options.batch);
    } else {
      subjectTime = await timeBatch(subject, options.batch);
      baselineTime = await timeBatch(baseline, options.batch);
    }
    subjectTimes.push(subjectTime);
    baselineTimes.push(baselineTime);
    ratios.push(subjectTime.cpuUs / baselineTime.cpuUs);
  }
  return {
    subjectCpuUs: median(subjectTimes.map((time) => time.cpuUs)),
    baselineCpuUs: median(baselineTimes.map((time) => time.cpuUs)),
    ratio: median(ratios),
    subjectWallUs: median(subjectTimes.map((time) => time.wallUs)),
    baselineWallUs: median(baselineTimes.map((time) => time.wallUs)),
    rounds: options.rounds,
  };
}

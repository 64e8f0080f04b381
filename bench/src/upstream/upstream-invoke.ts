import { InvocationContext } from '../harness/azure-functions.js';
import type { HttpRequest } from '@azure/functions';
import { figure } from '../harness/bench-result.js';
import type { BenchResult } from '../harness/bench-result.js';
import { byScale } from '../harness/benchmark.js';
import type { BenchContext, Benchmark } from '../harness/benchmark.js';
import { measurePairedCpu } from '../harness/paired-cpu.js';
import type { Work } from '../harness/paired-cpu.js';
import { registeredHandler } from '../hub/bench-hub.js';
import { createBaselineHandler } from './baseline-upstream-handler.js';
import { assertEchoCompletion } from './completion-check.js';
import { BENCH_ACCESS_KEY, ECHO_ARGUMENT, ServiceRequestFactory } from './service-request.js';
import type { WireProtocol } from './service-request.js';

const SETTINGS = {
  full: { rounds: 15, batch: 2000, warmupBatches: 3 },
  quick: { rounds: 7, batch: 800, warmupBatches: 2 },
  tiny: { rounds: 2, batch: 20, warmupBatches: 1 },
} as const;

const FIGURE_OF: Readonly<Record<WireProtocol, string>> = {
  json: 'upstream-invoke-json',
  messagepack: 'upstream-invoke-msgpack',
};

/** The registered function and the hand-written handler, on fresh service requests, each checked once. */
export async function upstreamWorkloads(
  protocol: WireProtocol,
): Promise<{ framework: Work<HttpRequest>; baseline: Work<HttpRequest> }> {
  // One invocation context for every call: the host makes it, so it is no part of the framework's cost.
  const invocation = new InvocationContext({ invocationId: 'bench', functionName: 'bench_echo', logHandler: () => {} });
  const framework = registeredHandler('upstream', 'echo');
  const baseline = createBaselineHandler(protocol, BENCH_ACCESS_KEY);
  const requests = new ServiceRequestFactory(protocol);
  assertEchoCompletion(
    `the registered function (${protocol})`,
    protocol,
    await framework(requests.next(), invocation),
    ECHO_ARGUMENT,
  );
  assertEchoCompletion(`the baseline handler (${protocol})`, protocol, await baseline(requests.next()), ECHO_ARGUMENT);
  return {
    framework: { prepare: (count) => requests.batch(count), run: (request) => framework(request, invocation) },
    baseline: { prepare: (count) => requests.batch(count), run: (request) => baseline(request) },
  };
}

async function measure(context: BenchContext, protocol: WireProtocol): Promise<BenchResult> {
  const name = FIGURE_OF[protocol];
  const settings = byScale(context, SETTINGS);
  const { framework, baseline } = await upstreamWorkloads(protocol);
  context.progress(`${name}: ${settings.rounds} rounds of ${settings.batch} invocations per side`);
  const result = await measurePairedCpu(framework, baseline, settings);
  return figure({
    name,
    value: result.subjectCpuUs,
    unit: 'µs CPU/op',
    baseline: result.baselineCpuUs,
    ratio: result.ratio,
    goal: { kind: 'ratio-at-most', limit: 1.15 },
    details: {
      rounds: result.rounds,
      batch: settings.batch,
      wallUs: result.subjectWallUs,
      baselineWallUs: result.baselineWallUs,
    },
  });
}

/** A registered echo whose argument is validated by a schema, against the registered echo without one. */
export async function validationWorkloads(): Promise<{ framework: Work<HttpRequest>; baseline: Work<HttpRequest> }> {
  const invocation = new InvocationContext({ invocationId: 'bench', functionName: 'bench_echo', logHandler: () => {} });
  const validated = registeredHandler('upstream', 'echoValidated');
  const plain = registeredHandler('upstream', 'echo');
  const validatedRequests = new ServiceRequestFactory('json', 64, 'echoValidated');
  const plainRequests = new ServiceRequestFactory('json');
  assertEchoCompletion(
    'the validated echo',
    'json',
    await validated(validatedRequests.next(), invocation),
    ECHO_ARGUMENT,
  );
  assertEchoCompletion('the unvalidated echo', 'json', await plain(plainRequests.next(), invocation), ECHO_ARGUMENT);
  return {
    framework: { prepare: (count) => validatedRequests.batch(count), run: (request) => validated(request, invocation) },
    baseline: { prepare: (count) => plainRequests.batch(count), run: (request) => plain(request, invocation) },
  };
}

async function measureValidation(context: BenchContext): Promise<BenchResult> {
  const settings = byScale(context, SETTINGS);
  const { framework, baseline } = await validationWorkloads();
  context.progress(`upstream-invoke-validated: ${settings.rounds} rounds of ${settings.batch} invocations per side`);
  const result = await measurePairedCpu(framework, baseline, settings);
  return figure({
    name: 'upstream-invoke-validated',
    value: result.subjectCpuUs,
    unit: 'µs CPU/op',
    baseline: result.baselineCpuUs,
    ratio: result.ratio,
    goal: { kind: 'reported' },
    details: {
      rounds: result.rounds,
      batch: settings.batch,
      validationCpuUs: result.subjectCpuUs - result.baselineCpuUs,
      wallUs: result.subjectWallUs,
      baselineWallUs: result.baselineWallUs,
    },
  });
}

/**
 * `upstream-invoke-json` and `upstream-invoke-msgpack`: CPU per upstream invoke, registered function vs
 * hand-written handler; `upstream-invoke-validated`: the registered echo with a valibot schema on its
 * argument vs the registered echo without (JSON), i.e. the per-call cost of validation.
 */
export const upstreamInvoke: Benchmark = {
  figures: [FIGURE_OF.json, FIGURE_OF.messagepack, 'upstream-invoke-validated'],
  async run(context) {
    return [await measure(context, 'json'), await measure(context, 'messagepack'), await measureValidation(context)];
  },
};

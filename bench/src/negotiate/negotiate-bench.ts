import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { HttpRequest as FunctionsHttpRequest, InvocationContext } from '../harness/azure-functions.js';

import { figure } from '../harness/bench-result.js';
import { byScale } from '../harness/benchmark.js';
import type { Benchmark } from '../harness/benchmark.js';
import { measurePairedCpu } from '../harness/paired-cpu.js';
import type { Work } from '../harness/paired-cpu.js';
import { registeredHandler } from '../hub/bench-hub.js';
import { BENCH_ACCESS_KEY, BENCH_HUB } from '../upstream/service-request.js';
import { describeBody } from '../upstream/completion-check.js';
import { createBaselineNegotiate } from './baseline-negotiate.js';

const SETTINGS = {
  full: { rounds: 15, batch: 1500, warmupBatches: 3 },
  quick: { rounds: 7, batch: 600, warmupBatches: 2 },
  tiny: { rounds: 2, batch: 20, warmupBatches: 1 },
} as const;

// The bench connection string: Endpoint=http://localhost;Port=8888.
const CLIENT_URL = `http://localhost:8888/client/?hub=${BENCH_HUB}`;
const AUDIENCE = `http://localhost/client/?hub=${BENCH_HUB}`;

let sequence = 0;

function negotiateRequests(count: number): HttpRequest[] {
  return Array.from({ length: count }, () => {
    const n = sequence++ % 1000;
    return new FunctionsHttpRequest({
      method: 'POST',
      url: `http://localhost:7071/api/${BENCH_HUB}/negotiate?negotiateVersion=1`,
      headers: {
        'x-ms-signalr-user-id': `user-${n}`,
        'x-tenant': `tenant-${n % 7}`,
        'x-requested-with': 'XMLHttpRequest',
      },
    });
  });
}

/** Checks an answer as the service would check its token: signature, audience, lifetime, user id and the two claims. */
function assertConnectionInfo(what: string, response: unknown): void {
  const init = response as HttpResponseInit;
  if ((init.status ?? 200) !== 200)
    throw new Error(`${what} answered ${String(init.status)}: ${describeBody(init.body)}`);
  const info = init.jsonBody as { url?: unknown; accessToken?: unknown } | undefined;
  if (info?.url !== CLIENT_URL || typeof info.accessToken !== 'string')
    throw new Error(`${what} answered ${JSON.stringify(info)}`);
  const [header, payload, signature] = info.accessToken.split('.');
  const expected = createHmac('sha256', BENCH_ACCESS_KEY)
    .update(`${header ?? ''}.${payload ?? ''}`)
    .digest();
  const presented = Buffer.from(signature ?? '', 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    throw new Error(`${what}: the token's signature does not verify`);
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const exp = claims['exp'];
  const iat = claims['iat'];
  if (
    claims['aud'] !== AUDIENCE ||
    typeof claims['asrs.s.uid'] !== 'string' ||
    claims['role'] !== 'member' ||
    typeof claims['tenant'] !== 'string' ||
    typeof exp !== 'number' ||
    typeof iat !== 'number' ||
    exp - iat !== 3600
  ) {
    throw new Error(`${what}: unexpected claims ${JSON.stringify(claims)}`);
  }
}

/** The registered negotiate function and the hand-written one, each checked once. */
export async function negotiateWorkloads(): Promise<{ framework: Work<HttpRequest>; baseline: Work<HttpRequest> }> {
  const invocation = new InvocationContext({
    invocationId: 'bench',
    functionName: 'bench_negotiate',
    logHandler: () => {},
  });
  const framework = registeredHandler('negotiate');
  const baseline = createBaselineNegotiate({ url: CLIENT_URL, audience: AUDIENCE, accessKey: BENCH_ACCESS_KEY });
  assertConnectionInfo('the registered negotiate function', await framework(negotiateRequests(1)[0]!, invocation));
  assertConnectionInfo('the baseline negotiate', await baseline(negotiateRequests(1)[0]!));
  return {
    framework: { prepare: negotiateRequests, run: (request) => framework(request, invocation) },
    baseline: { prepare: negotiateRequests, run: (request) => baseline(request) },
  };
}

/** `negotiate` (CPU per call, registered negotiate function vs hand-written HS256 signer) and `negotiate-rate`. */
export const negotiateBench: Benchmark = {
  figures: ['negotiate', 'negotiate-rate'],
  async run(context) {
    const settings = byScale(context, SETTINGS);
    const { framework, baseline } = await negotiateWorkloads();
    context.progress(`negotiate: ${settings.rounds} rounds of ${settings.batch} negotiates per side`);
    const result = await measurePairedCpu(framework, baseline, settings);
    const details = {
      rounds: result.rounds,
      batch: settings.batch,
      wallUs: result.subjectWallUs,
      baselineWallUs: result.baselineWallUs,
    };
    return [
      figure({
        name: 'negotiate',
        value: result.subjectCpuUs,
        unit: 'µs CPU/op',
        baseline: result.baselineCpuUs,
        ratio: result.ratio,
        goal: { kind: 'ratio-at-most', limit: 3 },
        details,
      }),
      // CPU time per call across all threads: the rate one core sustains.
      figure({
        name: 'negotiate-rate',
        value: 1e6 / result.subjectCpuUs,
        unit: 'negotiates/s/core',
        baseline: 1e6 / result.baselineCpuUs,
        goal: { kind: 'value-at-least', limit: 30_000 },
        details,
      }),
    ];
  },
};

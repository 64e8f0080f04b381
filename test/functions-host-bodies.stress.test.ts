// Large bodies through the local functions host, for an app without HTTP streams (the default): the host reads
// a body whole before the function runs, as azure-functions-host does for the gRPC worker (up to 100 MB), so a
// route's own limit (the upstream adapters' 1 MiB) applies after the read. What it may cost: each body once in
// the host, and the two copies @azure/functions makes while the function runs (`Buffer.from` of the bytes, then
// the Fetch `Request` it wraps), which its worker makes on Azure too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postConcurrently } from './large-body-harness.js';
import { startLoadStack } from './robustness-load-harness.js';
import type { LoadStack } from './robustness-load-harness.js';

const MB = 2 ** 20;
const SIZE_MB = Number(process.env.BODY_SIZE_MB ?? 95);
const POSTS = Number(process.env.BODY_POSTS ?? 8);

describe('large bodies, buffered as the Functions host buffers them', () => {
  let stack: LoadStack;

  beforeAll(async () => {
    stack = await startLoadStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  it(`${POSTS} concurrent ${SIZE_MB} MB POSTs to negotiate cost at most one host buffer and the library's two copies each`, async () => {
    const run = await postConcurrently(`${stack.host.url}/api/load/negotiate`, SIZE_MB * MB, POSTS);
    const growth = run.peakMb - run.baselineMb;
    console.log(
      `negotiate: ${POSTS} × ${SIZE_MB} MB in ${run.seconds.toFixed(1)} s; RSS ${run.baselineMb.toFixed(0)} → peak ${run.peakMb.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
    );
    expect(run.answers.map((answer) => answer.status)).toEqual(Array(POSTS).fill(200));
    expect(growth).toBeLessThan(POSTS * SIZE_MB * 3.25 + 64);
    expect(stack.problems).toEqual([]);
  });

  it(`a ${SIZE_MB} MB POST to an upstream route is refused with 413 after the host and the library read it`, async () => {
    const run = await postConcurrently(`${stack.host.url}/api/load/messages/echo`, SIZE_MB * MB, 1);
    const growth = run.peakMb - run.baselineMb;
    console.log(
      `upstream: ${SIZE_MB} MB in ${run.seconds.toFixed(1)} s; RSS ${run.baselineMb.toFixed(0)} → peak ${run.peakMb.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
    );
    expect(run.answers.map((answer) => answer.status)).toEqual([413]);
    expect(growth).toBeLessThan(SIZE_MB * 3.25 + 64);
  });
});

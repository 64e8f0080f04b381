// Large bodies through the local functions host, for an app with HTTP streams (`enableHttpStream`): the body
// is read only as far as the function reads it, so negotiate (which reads none) and the upstream adapters
// (which stop at 1 MiB) cost a few buffers, however large the upload. A file of its own: the setting holds
// for the whole process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '@azure/functions';
import { postConcurrently } from './large-body-harness.js';
import { startLoadStack } from './robustness-load-harness.js';
import type { LoadStack } from './robustness-load-harness.js';

const MB = 2 ** 20;
const SIZE_MB = Number(process.env.BODY_SIZE_MB ?? 95);
const POSTS = Number(process.env.BODY_POSTS ?? 8);
/** What streamed bodies may add to the process, whatever their size: socket and stream buffers. */
const STREAMED_BOUND_MB = 64;

describe('large bodies, streamed', () => {
  let stack: LoadStack;

  beforeAll(async () => {
    stack = await startLoadStack({}, () => {
      app.setup({ enableHttpStream: true });
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  it(`${POSTS} concurrent ${SIZE_MB} MB POSTs to negotiate are answered without reading the bodies`, async () => {
    const run = await postConcurrently(`${stack.host.url}/api/load/negotiate`, SIZE_MB * MB, POSTS);
    const growth = run.peakMb - run.baselineMb;
    console.log(
      `negotiate (streamed): ${POSTS} × ${SIZE_MB} MB in ${run.seconds.toFixed(1)} s; RSS ${run.baselineMb.toFixed(0)} → peak ${run.peakMb.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
    );
    expect(run.answers.map((answer) => answer.status)).toEqual(Array(POSTS).fill(200));
    expect(growth).toBeLessThan(STREAMED_BOUND_MB);
  });

  it(`a ${SIZE_MB} MB POST to an upstream route is refused with 413 at the adapter's 1 MiB`, async () => {
    const run = await postConcurrently(`${stack.host.url}/api/load/messages/echo`, SIZE_MB * MB, 1);
    const growth = run.peakMb - run.baselineMb;
    console.log(
      `upstream (streamed): ${SIZE_MB} MB in ${run.seconds.toFixed(1)} s; RSS ${run.baselineMb.toFixed(0)} → peak ${run.peakMb.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
    );
    expect(run.answers.map((answer) => answer.status)).toEqual([413]);
    expect(growth).toBeLessThan(STREAMED_BOUND_MB);
    expect(stack.problems).toEqual([]);
  });
});

import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { buildOnce, deferredHandler } from './deferred-handler.js';
import type { HandlerSlot } from './deferred-handler.js';

type Handler = (input: string, context: InvocationContext) => Promise<string>;

function gate(): { promise: Promise<void>; open: () => void; fail: (error: Error) => void } {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const context = new InvocationContext({ functionName: 'chat_echo' });

describe('deferredHandler', () => {
  it('holds requests that come before the build, then runs them through the built handler', async () => {
    const slot: HandlerSlot<Handler> = { handler: undefined };
    const build = gate();
    let builds = 0;
    const built = buildOnce(() => {
      builds += 1;
      return build.promise.then(() => {
        slot.handler = (input) => Promise.resolve(`built:${input}`);
      });
    });
    const handler = deferredHandler(slot, built);

    const first = handler('a', context);
    const second = handler('b', context);
    build.open();

    await expect(Promise.all([first, second])).resolves.toEqual(['built:a', 'built:b']);
    expect(builds).toBe(1);
  });

  it('calls the built handler directly once it is there, returning its own promise', async () => {
    const answer = Promise.resolve('direct');
    const slot: HandlerSlot<Handler> = { handler: () => answer };
    const handler = deferredHandler(slot, () => Promise.reject(new Error('no build expected')));

    const result = handler('x', context);

    expect(result).toBe(answer);
    await expect(result).resolves.toBe('direct');
  });

  it('fails the waiting requests when the build fails, and builds again for the next request', async () => {
    const slot: HandlerSlot<Handler> = { handler: undefined };
    const attempts = [gate(), gate()];
    let builds = 0;
    const built = buildOnce(() => {
      const attempt = attempts[builds];
      builds += 1;
      if (attempt === undefined) throw new Error('more builds than expected');
      return attempt.promise.then(() => {
        slot.handler = (input) => Promise.resolve(`second:${input}`);
      });
    });
    const handler = deferredHandler(slot, built);

    const waiting = handler('a', context);
    attempts[0]?.fail(new Error('EAGAIN: the file share did not answer'));
    await expect(waiting).rejects.toThrow('EAGAIN: the file share did not answer');

    const retried = handler('b', context);
    attempts[1]?.open();
    await expect(retried).resolves.toBe('second:b');
    expect(builds).toBe(2);
  });

  it('names the problem when a build completes without filling the slot', async () => {
    const slot: HandlerSlot<Handler> = { handler: undefined };
    const handler = deferredHandler(slot, () => Promise.resolve());

    await expect(handler('a', context)).rejects.toThrow('The hub functions were built without this handler.');
  });
});

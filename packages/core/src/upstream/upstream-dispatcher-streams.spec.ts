import { describe, expect, it } from 'vitest';
import { HubError } from './hub-error.js';
import { denyUpstream } from './deny-upstream.js';
import type { UpstreamStreamTarget } from './stream-to-client.js';
import { createUpstreamAuthenticator } from './upstream-authenticator.js';
import { UpstreamDispatcher } from './upstream-dispatcher.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-dispatcher.js';
import { computeUpstreamSignature } from './upstream-signature.js';

// A stream invocation upstream (type 4; Azure/azure-signalr issue #2132): the dispatcher feeds the client's
// stream through the stream API and answers the request when the stream has ended.

const KEY = 'dispatcher-streams-spec-key';
const encoder = new TextEncoder();

/** What a stream target was asked to do, in order. */
type Call = readonly ['item', string, unknown] | readonly ['complete', string, string | undefined];

function recordingTarget(options: { refuseAfter?: number } = {}): { target: UpstreamStreamTarget; calls: Call[] } {
  const calls: Call[] = [];
  let sent = 0;
  return {
    calls,
    target: {
      sendStreamItem: (streamId, item) => {
        calls.push(['item', streamId, item]);
        sent++;
        return Promise.resolve(options.refuseAfter === undefined || sent <= options.refuseAfter);
      },
      completeStream: (streamId, completeOptions) => {
        calls.push(['complete', streamId, completeOptions?.error]);
        return Promise.resolve(true);
      },
    },
  };
}

function dispatcherFor(handler: UpstreamHandler, target: UpstreamStreamTarget): UpstreamDispatcher {
  return new UpstreamDispatcher({
    authenticator: createUpstreamAuthenticator({ accessKeys: [KEY] }),
    logger: { log: () => undefined },
    handlers: [{ hub: 'chat', category: 'messages', event: 'run', handler, streams: () => target }],
  });
}

function message(type: 1 | 4, args: unknown[] = []): UpstreamRequest {
  return {
    headers: {
      'Content-Type': 'application/json',
      'X-ASRS-Connection-Id': 'c1',
      'X-ASRS-Hub': 'chat',
      'X-ASRS-Category': 'messages',
      'X-ASRS-Event': 'run',
      'X-ASRS-Signature': computeUpstreamSignature('c1', [KEY]),
    },
    body: encoder.encode(JSON.stringify({ type, invocationId: 's7', target: 'run', arguments: args })),
  };
}

describe('UpstreamDispatcher: stream invocations', () => {
  it('sends every item to the stream, completes it, and answers without a body', async () => {
    const { target, calls } = recordingTarget();
    const dispatcher = dispatcherFor(async function* feed(context) {
      expect(context.stream).toBe(true);
      for (const value of context.arguments as number[]) yield await Promise.resolve(value);
    }, target);
    expect(await dispatcher.dispatch(message(4, [3, 2, 1]))).toEqual({ kind: 'accepted' });
    expect(calls).toEqual([
      ['item', 's7', 3],
      ['item', 's7', 2],
      ['item', 's7', 1],
      ['complete', 's7', undefined],
    ]);
  });

  it("ends the stream with a HubError's message, or the generic text, as an invocation would be answered", async () => {
    for (const [error, text] of [
      [new HubError('the feed broke'), 'the feed broke'],
      [new Error('secret internals'), "An unexpected error occurred invoking 'run' on the server."],
    ] as const) {
      const { target, calls } = recordingTarget();
      const dispatcher = dispatcherFor(async function* broken() {
        yield await Promise.resolve(1);
        throw error;
      }, target);
      expect(await dispatcher.dispatch(message(4))).toEqual({ kind: 'accepted' });
      expect(calls).toEqual([
        ['item', 's7', 1],
        ['complete', 's7', text],
      ]);
    }
  });

  it('stops the iteration (its finally runs) when the stream is gone, and completes nothing', async () => {
    const { target, calls } = recordingTarget({ refuseAfter: 2 });
    let closed = false;
    const dispatcher = dispatcherFor(async function* endless() {
      try {
        for (let value = 0; ; value++) yield await Promise.resolve(value);
      } finally {
        closed = true;
      }
    }, target);
    expect(await dispatcher.dispatch(message(4))).toEqual({ kind: 'accepted' });
    expect(closed).toBe(true);
    expect(calls).toEqual([
      ['item', 's7', 0],
      ['item', 's7', 1],
      ['item', 's7', 2],
    ]);
  });

  it('says which call to use when a stream is invoked, or a value is streamed', async () => {
    const { target, calls } = recordingTarget();
    const streams = dispatcherFor(async function* feed() {
      yield await Promise.resolve(1);
    }, target);
    const invoked = await streams.dispatch(message(1));
    expect(invoked.kind).toBe('completion');
    expect(new TextDecoder().decode(invoked.kind === 'completion' ? invoked.body : new Uint8Array())).toContain(
      "'run' streams its result: call it with stream",
    );
    await dispatcherFor(() => 42, target).dispatch(message(4));
    expect(calls).toEqual([['complete', 's7', "'run' does not stream: call it with invoke or send, not stream."]]);
  });

  it('refuses a denied stream with 403 and sends nothing to the stream', async () => {
    const { target, calls } = recordingTarget();
    const outcome = await dispatcherFor(() => denyUpstream('not for you'), target).dispatch(message(4));
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'UPSTREAM_FORBIDDEN' });
    expect(calls).toEqual([]);
  });
});

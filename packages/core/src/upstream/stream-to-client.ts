/**
 * What a stream invocation needs of the service: one connection's stream API (REST API 2024-12-01). The
 * REST client's `clients.client(connectionId)` is one.
 *
 * @example
 * ```ts
 * const service = new ServiceHubClient(endpointFromSettings(), 'chat');
 * const dispatcher = new UpstreamDispatcher({
 *   handlers: [{
 *     hub: 'chat', category: 'messages', event: 'countdown',
 *     handler: (context) => countdown(context.arguments[0] as number), // an async iterable
 *     streams: (connectionId) => service.clients.client(connectionId), // where its items go
 *   }],
 * });
 * ```
 */
export interface UpstreamStreamTarget {
  /** Sends one item; resolves `false` when the connection or the stream is gone (the client cancelled). */
  sendStreamItem(streamId: string, item: unknown, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** Ends the stream, with an error when given. */
  completeStream(streamId: string, options?: { error?: string; signal?: AbortSignal }): Promise<boolean>;
}

/** Why a stream ended early: what its producer threw, or why an item could not be sent. */
export interface StreamFailure {
  readonly error: unknown;
  /** `true` when the failure is the stream API's: completing the stream would fail the same way. */
  readonly unsent: boolean;
}

/**
 * Sends each item of `items` to the client's stream `streamId` in order, then completes the stream.
 * Stops reading `items` (its `return()` runs, so a generator's `finally` blocks do) when the client is
 * gone or cancelled (an item is refused), or `signal` aborts. Resolves the failure when `items` throws
 * or an item cannot be sent, for the caller to turn into the stream's error; `undefined` otherwise.
 *
 * @example
 * ```ts
 * const failure = await streamToClient(service.clients.client(connectionId), streamId, countdown(3), signal);
 * if (failure !== undefined) await service.clients.client(connectionId).completeStream(streamId, { error: 'It failed.' });
 * ```
 */
export async function streamToClient(
  target: UpstreamStreamTarget,
  streamId: string,
  items: AsyncIterable<unknown>,
  signal: AbortSignal,
): Promise<StreamFailure | undefined> {
  let iterator: AsyncIterator<unknown>;
  try {
    iterator = items[Symbol.asyncIterator]();
  } catch (error) {
    return { error, unsent: false };
  }
  let finished = false;
  try {
    for (;;) {
      if (signal.aborted) return undefined;
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        finished = true;
        return { error, unsent: false };
      }
      if (next.done === true) {
        finished = true;
        await target.completeStream(streamId, { signal });
        return undefined;
      }
      // `false`: the connection is gone, or the client cancelled its stream; nobody reads further items.
      if (!(await target.sendStreamItem(streamId, next.value, { signal }))) return undefined;
    }
  } catch (error) {
    return { error, unsent: true };
  } finally {
    if (!finished) {
      try {
        await iterator.return?.();
      } catch {
        // A producer that throws while being closed has nothing more to say to a client that is gone.
      }
    }
  }
}

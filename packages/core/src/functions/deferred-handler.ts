import type { InvocationContext } from '@azure/functions';

/** Where a registered function finds its handler once it is built. */
export interface HandlerSlot<THandler> {
  handler: THandler | undefined;
}

/**
 * A registered function's handler: its slot's handler once the registration's handlers are built, and
 * until then, the build awaited first. Requests after the first pay one check, no promise.
 */
export function deferredHandler<TInput, TOutput>(
  slot: HandlerSlot<(input: TInput, context: InvocationContext) => Promise<TOutput>>,
  built: () => Promise<void>,
): (input: TInput, context: InvocationContext) => Promise<TOutput> {
  return (input, context) => {
    const handler = slot.handler;
    if (handler !== undefined) return handler(input, context);
    return built().then(() => {
      if (slot.handler === undefined) throw new Error('The hub functions were built without this handler.');
      return slot.handler(input, context);
    });
  };
}

/**
 * Runs `build` once, for every caller: registration starts it, so that the request-time code loads while
 * the host is still starting the app, and whichever request comes first awaits it. A failed build (the
 * host's files unreadable for a moment) fails the callers waiting for it, and the next call tries again.
 */
export function buildOnce(build: () => Promise<void>): () => Promise<void> {
  let building: Promise<void> | undefined;
  return () => {
    if (building === undefined) {
      const attempt = build();
      building = attempt;
      attempt.catch(() => {
        if (building === attempt) building = undefined;
      });
    }
    return building;
  };
}

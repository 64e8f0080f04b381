import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * Refuses the current upstream call: the handler (or filter) stops here, the service gets 403 and, for
 * an `invoke`, the client sees "Invocation failed, status code 403"; a refused `connected` event is the
 * C# extension's "connection refused". The reason goes to the log only. Throwing a
 * `ServerlessHubError` with code `UPSTREAM_FORBIDDEN` has the same effect.
 *
 * @example
 * ```ts
 * class Ops extends ServerlessHub {
 *   async shutdown() {
 *     if (this.context.claims.role !== 'admin') denyUpstream('only admins may shut down'); // the client gets 403
 *     await stopEverything();
 *   }
 * }
 * ```
 */
export function denyUpstream(reason = 'The call was denied.'): never {
  throw new ServerlessHubError('UPSTREAM_FORBIDDEN', reason);
}

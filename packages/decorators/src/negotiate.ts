import { recordNegotiate } from './metadata.js';

/**
 * Marks the method that answers the hub's negotiate function (`{hub}/negotiate`, POST and GET). It
 * receives the `HttpRequest` and the Functions `InvocationContext`, and returns connection info
 * (usually `this.negotiate(...)`) or an HTTP response. A hub has at most one; it is not an event.
 *
 * @example
 * ```ts
 * @Hub('chat')
 * class Chat extends ServerlessHub<ChatClient> {
 *   @Negotiate()
 *   connect(request: HttpRequest) {
 *     return this.negotiate(request.headers.get('x-ms-client-principal-id') ?? undefined);
 *   }
 * }
 * ```
 */
export function Negotiate(): MethodDecorator {
  return (target, member) => {
    recordNegotiate(target, member);
  };
}

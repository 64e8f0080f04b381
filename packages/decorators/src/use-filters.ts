import { recordFilters } from './metadata.js';
import type { FilterReference } from './metadata.js';

/**
 * Attaches filters to every event of a hub (on the class) or to one event (on a method). Filters run
 * before the method: global filters, then class filters, then method filters, each in declaration
 * order. A filter that throws or returns `false` denies the call: the method never runs and the
 * service gets 403, for connect and message events alike.
 *
 * @param filters filter classes (with `canActivate(context, signal)`, resolved from the DI container
 * when one is registered), filter instances, or filter functions
 * `(context, signal) => boolean | void | Promise<...>`.
 *
 * @example
 * ```ts
 * const signedIn = (context: HubInvocationContext) => context.userId !== undefined;
 *
 * @UseFilters(signedIn)
 * class Chat extends ServerlessHub<ChatClient> {
 *   @UseFilters(AdminOnly)
 *   async shutdown(reason: string) { await this.clientManager.closeConnections({ reason }); }
 * }
 * ```
 */
export function UseFilters(...filters: FilterReference[]): ClassDecorator & MethodDecorator {
  const decorator = (target: object, member?: string | symbol): void => {
    recordFilters(target, member, filters);
  };
  return decorator;
}

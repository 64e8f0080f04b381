import { recordFilters } from '@serverless-hub/decorators';
import type { HubFilterType } from './hub-filter.js';

/**
 * Attaches filters to every event of a hub (on the class) or to one event (on a method), typed with
 * core's filter types so that inline filter functions get a typed `HubInvocationContext`. Filters run
 * before the method — global, then class (base classes first), then method filters, each in declaration order — and a filter that returns `false` or throws
 * denies the call (403, for connect and message events alike; the method never runs).
 *
 * @param filters {@link HubFilter} classes (resolved from the DI container when one is registered, else
 * created once), {@link HubFilter} instances, or {@link HubFilterFunction}s.
 *
 * @example
 * ```ts
 * @Hub('chat')
 * @UseFilters((context) => context.userId !== undefined)   // signed-in users only
 * class Chat extends ServerlessHub<ChatClient> {
 *   @UseFilters(AdminOnly, new RequireClaim('scope', 'chat.admin'))
 *   async shutdown(reason: string) { await this.clientManager.closeConnections({ reason }); }
 * }
 * ```
 */
export function UseFilters(...filters: HubFilterType[]): ClassDecorator & MethodDecorator {
  return (target: object, member?: string | symbol) => {
    recordFilters(target, member, filters);
  };
}

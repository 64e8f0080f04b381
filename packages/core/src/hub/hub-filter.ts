import type { HubInvocationContext } from '../upstream/hub-invocation-context.js';

/**
 * What a filter returns: `false` denies the call; anything else (`true`, nothing) lets it through.
 *
 * @example
 * ```ts
 * @UseFilters((context) => context.claims.banned !== 'true')   // false denies; true or nothing lets through
 * class Chat extends ServerlessHub {}
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a filter that denies only by throwing returns nothing
export type HubFilterResult = boolean | undefined | void;

/**
 * A filter class. Its instances are created once per registration (`new`), or, when registration is
 * given a DI container, resolved from it for every invocation, so that they can have injected services.
 *
 * @example
 * ```ts
 * class AdminOnly implements HubFilter {
 *   canActivate(context: HubInvocationContext) {
 *     return context.claims.admin === 'true';
 *   }
 * }
 * ```
 */
export interface HubFilter {
  /**
   * Decides whether the call may proceed: return `false` or throw to deny (the service gets 403 and the
   * hub method never runs).
   */
  canActivate(context: HubInvocationContext, signal: AbortSignal): HubFilterResult | Promise<HubFilterResult>;
}

/**
 * A filter function: receives the invocation context and the invocation's `AbortSignal`; returns
 * `false` or throws to deny.
 *
 * @example
 * ```ts
 * @UseFilters((context) => context.userId !== undefined)   // a HubFilterFunction: signed-in users only
 * class Chat extends ServerlessHub {}
 * ```
 */
export type HubFilterFunction = (
  context: HubInvocationContext,
  signal: AbortSignal,
) => HubFilterResult | Promise<HubFilterResult>;

/**
 * Anything `@UseFilters(...)` and the `filters` option of `registerHubs` accept: a {@link HubFilter}
 * class, a {@link HubFilter} instance (for filters configured with values), or a {@link HubFilterFunction}.
 *
 * @example
 * ```ts
 * const filters: HubFilterType[] = [AdminOnly, (context) => context.userId !== undefined];
 * registerHubs(app, [Chat], { filters });
 * ```
 */
export type HubFilterType = (new (...args: never[]) => HubFilter) | HubFilter | HubFilterFunction;

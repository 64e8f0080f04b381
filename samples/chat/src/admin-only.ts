import type { HubInvocationContext } from '@serverless-hub/core';

/**
 * Lets a call through only when the connection's claims say `admin` = `true`. The claim comes from
 * the bearer token verified at negotiate, through the service's claims header, so it is a string;
 * `True` (as .NET writes booleans) is accepted too.
 *
 * @example
 * ```ts
 * @UseFilters(adminOnly)
 * async adminBroadcast(text: string) {}
 * ```
 */
export function adminOnly(context: HubInvocationContext): boolean {
  return context.claims.admin?.toLowerCase() === 'true';
}

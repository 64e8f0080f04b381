import type { NegotiateRequest } from '../negotiate/binding-expression.js';

/**
 * What an {@link EndpointRouter} knows about one negotiate: the hub, the user being connected when
 * known, and the HTTP request when there is one (to read a region header, a query parameter ...).
 *
 * @example
 * ```ts
 * const regionOf = (context: NegotiateRouteContext) => context.request?.headers.get('x-region') ?? undefined;
 * ```
 */
export interface NegotiateRouteContext {
  readonly hubName: string;
  readonly userId?: string;
  readonly request?: NegotiateRequest;
}

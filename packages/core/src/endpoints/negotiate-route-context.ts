import type { NegotiateRequest } from '../negotiate/binding-expression.js';

/**
 * What an {@link EndpointRouter} knows about one negotiate: the hub, the user being connected when
 * known, and the HTTP request when there is one (to read a region header, a query parameter ...).
 *
 * @example
 * ```ts
 * const byRegion: EndpointRouter = {
 *   getNegotiateEndpoint(context: NegotiateRouteContext, endpoints) {
 *     const region = context.request?.headers.get('x-region'); // the client's region, sent by the page
 *     return endpoints.find((e) => e.name === region) ?? defaultEndpointRouter.getNegotiateEndpoint(context, endpoints);
 *   },
 * };
 * registerHubs(app, [Chat], { endpointRouter: byRegion });
 * ```
 */
export interface NegotiateRouteContext {
  readonly hubName: string;
  readonly userId?: string;
  readonly request?: NegotiateRequest;
}

import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

/**
 * Chooses the service endpoint of each negotiating client when a hub has several
 * (`Azure__SignalR__Endpoints__*`, see {@link hubEndpointsFromSettings}); the role of
 * `IEndpointRouter.GetNegotiateEndpoint` in the official SDK. It receives every endpoint of the hub and
 * returns one of them (the same object); throw a `ServerlessHubError` to refuse the negotiate.
 * {@link DefaultEndpointRouter} is the official default rule; give yours to `registerHubs(app, hubs,
 * { endpointRouter })` or `signalRConnectionInfo({ endpointRouter })`.
 *
 * @example
 * ```ts
 * const byRegion: EndpointRouter = {
 *   getNegotiateEndpoint(context, endpoints) {
 *     const region = context.request?.headers.get('x-region');
 *     return endpoints.find((e) => e.name === region) ?? defaultEndpointRouter.getNegotiateEndpoint(context, endpoints);
 *   },
 * };
 * registerHubs(app, [Chat], { endpointRouter: byRegion });
 * ```
 */
export interface EndpointRouter {
  getNegotiateEndpoint(
    context: NegotiateRouteContext,
    endpoints: readonly NamedServiceEndpoint[],
  ): NamedServiceEndpoint;
}

import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

/**
 * Chooses the service endpoint of each negotiating client when a hub has several
 * (`Azure__SignalR__Endpoints__*`, see {@link hubEndpointsFromSettings}); the role of
 * `IEndpointRouter.GetNegotiateEndpoint` in the official SDK. It receives every endpoint of the hub with
 * its `online` flag (the result of the endpoint health checks) and returns one of them (the same object);
 * throw a `ServerlessHubError` to refuse the negotiate. {@link DefaultEndpointRouter} is the official
 * default rule (online endpoints only); give yours to `registerHubs(app, hubs, { endpointRouter })` or
 * `signalRConnectionInfo({ endpointRouter })`.
 *
 * @example
 * ```ts
 * const byRegion: EndpointRouter = {
 *   getNegotiateEndpoint(context, endpoints) {
 *     const region = context.request?.headers.get('x-region');
 *     return (
 *       endpoints.find((e) => e.online && e.name === region) ??
 *       defaultEndpointRouter.getNegotiateEndpoint(context, endpoints)
 *     );
 *   },
 * };
 * registerHubs(app, [Chat], { endpointRouter: byRegion });
 * ```
 */
export interface EndpointRouter {
  getNegotiateEndpoint(context: NegotiateRouteContext, endpoints: readonly HubServiceEndpoint[]): NamedServiceEndpoint;
}

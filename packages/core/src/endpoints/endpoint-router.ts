import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

/**
 * Chooses the service endpoint of each negotiating client when a hub has several
 * (`Azure__SignalR__Endpoints__*`, see {@link hubEndpointsFromSettings}); the role of
 * `IEndpointRouter.GetNegotiateEndpoint` in the official SDK. It receives every endpoint of the hub with
 * its `online` flag (the result of the endpoint health checks) and returns one of them (the same object);
 * throw a `ServerlessHubError` to refuse the negotiate. Its optional `getEndpointsFor…` methods choose the
 * endpoints of each message and group operation; without them, those go to every endpoint. {@link DefaultEndpointRouter} is the official
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
  /**
   * The endpoints a message to every client goes to (`this.clients.all`, `allExcept`, `closeConnections`);
   * every endpoint when the router has no such method. Return some of the endpoints given; an empty array
   * sends nowhere. The other `getEndpointsFor…` methods are the same for one connection, one user and one
   * group (a group change of a connection or a user goes to the endpoints chosen for both); lists of them
   * go to every endpoint chosen for any. As the official SDK's `IEndpointRouter`.
   *
   * @example
   * ```ts
   * // Users whose id starts with "eu-" connect to, and are reached through, the endpoint named "eu".
   * const byUserRegion: EndpointRouter = {
   *   getNegotiateEndpoint: (context, endpoints) =>
   *     endpoints.find((e) => e.online && e.name === (context.userId?.startsWith('eu-') ? 'eu' : 'us')) ??
   *     defaultEndpointRouter.getNegotiateEndpoint(context, endpoints),
   *   getEndpointsForUser: (userId, endpoints) => endpoints.filter((e) => e.name === (userId.startsWith('eu-') ? 'eu' : 'us')),
   * };
   * registerHubs(app, [Chat], { endpointRouter: byUserRegion });
   * ```
   */
  getEndpointsForBroadcast?(endpoints: readonly HubServiceEndpoint[]): readonly HubServiceEndpoint[];
  /** The endpoints that may hold this connection; see {@link EndpointRouter.getEndpointsForBroadcast}. */
  getEndpointsForConnection?(
    connectionId: string,
    endpoints: readonly HubServiceEndpoint[],
  ): readonly HubServiceEndpoint[];
  /** The endpoints where this user's connections may be; see {@link EndpointRouter.getEndpointsForBroadcast}. */
  getEndpointsForUser?(userId: string, endpoints: readonly HubServiceEndpoint[]): readonly HubServiceEndpoint[];
  /** The endpoints where this group's members may be; see {@link EndpointRouter.getEndpointsForBroadcast}. */
  getEndpointsForGroup?(groupName: string, endpoints: readonly HubServiceEndpoint[]): readonly HubServiceEndpoint[];
}

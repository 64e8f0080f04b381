import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

function pickAtRandom(
  endpoints: readonly HubServiceEndpoint[],
  type: 'primary' | 'secondary',
): HubServiceEndpoint | undefined {
  let count = 0;
  for (const item of endpoints) if (item.online && item.type === type) count++;
  if (count === 0) return undefined;
  let pick = Math.floor(Math.random() * count);
  for (const item of endpoints) {
    if (!item.online || item.type !== type) continue;
    if (pick === 0) return item;
    pick--;
  }
  return undefined;
}

/**
 * The official default negotiate rule (Azure/azure-signalr `DefaultEndpointRouter`, with the Management
 * SDK's `AutoHealthCheckRouter`): a client goes to an online primary endpoint picked at random, spreading
 * clients evenly; online secondary endpoints take clients only when no primary is online. A hub with a
 * single endpoint always gets it, online or not. When no endpoint is online, negotiate is refused with
 * `ENDPOINTS_OFFLINE` (answered 503).
 *
 * @example
 * ```ts
 * const chosen = new DefaultEndpointRouter().getNegotiateEndpoint({ hubName: 'chat' }, registration.serviceEndpoints('chat'));
 * ```
 */
export class DefaultEndpointRouter implements EndpointRouter {
  getNegotiateEndpoint(context: NegotiateRouteContext, endpoints: readonly HubServiceEndpoint[]): HubServiceEndpoint {
    const [only] = endpoints;
    if (only === undefined) {
      // Only reached with no endpoints, which the settings never give.
      throw new RangeError('DefaultEndpointRouter.getNegotiateEndpoint needs at least one endpoint.');
    }
    if (endpoints.length === 1) return only;
    const chosen = pickAtRandom(endpoints, 'primary') ?? pickAtRandom(endpoints, 'secondary');
    if (chosen !== undefined) return chosen;
    throw new ServerlessHubError(
      'ENDPOINTS_OFFLINE',
      `No service endpoint of hub '${context.hubName}' is online: each failed its last health check (HEAD /api/health). ` +
        'Check that the SignalR Service instances are running and reachable from the app; the app log names each endpoint and why it went offline. ' +
        'Negotiate uses an endpoint again as soon as its health check succeeds.',
    );
  }
}

/**
 * The shared {@link DefaultEndpointRouter}; it holds no state.
 *
 * @example
 * ```ts
 * const chosen = defaultEndpointRouter.getNegotiateEndpoint({ hubName: 'chat' }, registration.serviceEndpoints('chat'));
 * ```
 */
export const defaultEndpointRouter: EndpointRouter = new DefaultEndpointRouter();

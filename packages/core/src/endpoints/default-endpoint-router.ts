import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

/**
 * The official default negotiate rule (Azure/azure-signalr `DefaultEndpointRouter`): a client goes to a
 * primary endpoint picked at random, spreading clients evenly; secondary endpoints take clients only
 * when no primary is among the endpoints given.
 *
 * @example
 * ```ts
 * const chosen = new DefaultEndpointRouter().getNegotiateEndpoint({ hubName: 'chat' }, hubEndpointsFromSettings());
 * ```
 */
export class DefaultEndpointRouter implements EndpointRouter {
  getNegotiateEndpoint(
    _context: NegotiateRouteContext,
    endpoints: readonly NamedServiceEndpoint[],
  ): NamedServiceEndpoint {
    let primaries = 0;
    for (const item of endpoints) if (item.type === 'primary') primaries++;
    const pool = primaries > 0 ? primaries : endpoints.length;
    let pick = Math.floor(Math.random() * pool);
    for (const item of endpoints) {
      if (primaries > 0 && item.type !== 'primary') continue;
      if (pick === 0) return item;
      pick--;
    }
    // Only reached with no endpoints, which the settings never give.
    throw new RangeError('DefaultEndpointRouter.getNegotiateEndpoint needs at least one endpoint.');
  }
}

/**
 * The shared {@link DefaultEndpointRouter}; it holds no state.
 *
 * @example
 * ```ts
 * const chosen = defaultEndpointRouter.getNegotiateEndpoint({ hubName: 'chat' }, hubEndpointsFromSettings());
 * ```
 */
export const defaultEndpointRouter: EndpointRouter = new DefaultEndpointRouter();

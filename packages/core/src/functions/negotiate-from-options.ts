import type { HubEndpoints } from '../endpoints/hub-endpoints.js';
import type { HubDescriptor } from '../hub/hub-descriptor.js';
import { hubConnectionInfo } from '../negotiate/connection-info.js';
import type { NegotiateFromRequest } from './negotiate-handler.js';

/**
 * The negotiate of a hub without a `@Negotiate()` method: the official `SignalRConnectionInfo` binding's
 * behaviour with the hub's `@Hub({ negotiate })` options (anonymous connections when there are none). The
 * hub compiler has checked the options at registration. It shares the hub's endpoints (router and health
 * checks) with the hub's `negotiate()`.
 */
export function negotiateFromOptions(descriptor: HubDescriptor, endpoints: HubEndpoints): NegotiateFromRequest {
  const connectionInfo = hubConnectionInfo(
    {
      ...descriptor.negotiateOptions,
      hubName: descriptor.name,
      connectionStringSetting: descriptor.connectionStringSetting,
    },
    endpoints,
  );
  return (request) => connectionInfo.negotiate(request);
}

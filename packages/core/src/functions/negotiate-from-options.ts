import type { HubEndpoints } from '../endpoints/hub-endpoints.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubDescriptor } from '../hub/hub-descriptor.js';
import { hubConnectionInfo } from '../negotiate/connection-info.js';
import type { NegotiateFromRequest } from './negotiate-handler.js';
import { errorMessage } from '../errors/describe-error.js';

/**
 * The negotiate of a hub without a `@Negotiate()` method: the official `SignalRConnectionInfo` binding's
 * behaviour with the hub's `@Hub({ negotiate })` options (anonymous connections when there are none),
 * compiled once here so that a malformed option or binding expression fails registration. It shares the
 * hub's endpoints (router and health checks) with the hub's `negotiate()`.
 *
 * @throws {ServerlessHubError} `HUB_DEFINITION_INVALID` naming the hub and the option.
 */
export function negotiateFromOptions(descriptor: HubDescriptor, endpoints: HubEndpoints): NegotiateFromRequest {
  let connectionInfo;
  try {
    connectionInfo = hubConnectionInfo(
      {
        ...descriptor.negotiateOptions,
        hubName: descriptor.name,
        connectionStringSetting: descriptor.connectionStringSetting,
      },
      endpoints,
    );
  } catch (error) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `@Hub negotiate options of ${descriptor.className}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return (request) => connectionInfo.negotiate(request);
}

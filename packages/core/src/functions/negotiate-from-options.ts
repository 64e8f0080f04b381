import type { EndpointRouter } from '../endpoints/endpoint-router.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubDescriptor } from '../hub/hub-descriptor.js';
import { createSignalRConnectionInfo } from '../negotiate/connection-info.js';
import type { NegotiateFromRequest } from './negotiate-handler.js';
import { errorMessage } from '../errors/describe-error.js';

/**
 * The negotiate of a hub without a `@Negotiate()` method: the official `SignalRConnectionInfo` binding's
 * behaviour with the hub's `@Hub({ negotiate })` options (anonymous connections when there are none),
 * compiled once here so that a malformed option or binding expression fails registration.
 *
 * @throws {ServerlessHubError} `HUB_DEFINITION_INVALID` naming the hub and the option.
 */
export function negotiateFromOptions(descriptor: HubDescriptor, endpointRouter?: EndpointRouter): NegotiateFromRequest {
  let connectionInfo;
  try {
    connectionInfo = createSignalRConnectionInfo({
      ...descriptor.negotiateOptions,
      hubName: descriptor.name,
      connectionStringSetting: descriptor.connectionStringSetting,
      ...(endpointRouter === undefined ? {} : { endpointRouter }),
    });
  } catch (error) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `@Hub negotiate options of ${descriptor.className}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return (request) => connectionInfo.negotiate(request);
}

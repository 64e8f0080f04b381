// Public API of @serverless-hub/core/service: talking to the service from outside a hub, in any Azure
// Functions app or Node.js program. The REST client, negotiate and the binding-compatible connection info,
// the tokens and credentials they use. Apart from the main entry because registering hubs never needs
// this code (registerHubs loads it at the first request): an app that imports only the main entry
// compiles none of it at start-up.

export { ServiceHubClient } from './service-hub-client.js';
export type { ServiceHubClientOptions } from './service-hub-client.js';
export { encodeMessagePayload } from './message-payload.js';
export type { MessageEncoding, MessagePayload } from './message-payload.js';
export { multiEndpointServices } from '../endpoints/fan-out-services.js';
export type { MultiEndpointServicesOptions } from '../endpoints/fan-out-services.js';

export { negotiate } from '../negotiate/negotiate.js';
export type { ConnectionInfo, NegotiateOptions } from '../negotiate/negotiate.js';
export { SignalRConnectionInfo, createSignalRConnectionInfo } from '../negotiate/connection-info.js';
export type { ConnectionInfoOptions } from '../negotiate/connection-info.js';
export { reconnectionOf } from '../negotiate/reconnection.js';
export type { Reconnection } from '../negotiate/reconnection.js';

export { signAccessToken } from '../token/sign-access-token.js';
export type { AccessTokenRequest } from '../token/sign-access-token.js';
export { getSigningKey } from '../connection/access-key-provider.js';
export type { AccessKeyOptions, SigningKey } from '../connection/access-key-provider.js';
export {
  SIGNALR_ENTRA_SCOPE,
  createIdentityCredential,
  getCredential,
  setCredential,
} from '../connection/identity-credential.js';
export type { EntraAccessToken, IdentityModule, TokenCredential } from '../connection/identity-credential.js';

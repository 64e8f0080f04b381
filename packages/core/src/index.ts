// Public API of @serverless-hub/core for app authors: the hub model, registration, claims, endpoints and
// the error class. Code that talks to the service outside a hub (the REST client, negotiate, connection
// info, tokens, credentials) imports from ./service, adapter authors from ./upstream, the emulator and
// tools from ./protocol, tests from ./testing. Internals stay unexported.
//
// Nothing exported here may import the request-time code (the upstream dispatcher, the protocols, the
// REST client, negotiate): registerHubs loads it with import() so that a cold start compiles only what
// registering needs, and an app's bundler can split it off only if this entry never reaches it
// (test/cold-start-graph.test.ts checks this).

// errors
export { ServerlessHubError } from './errors/serverless-hub-error.js';
export type { ServerlessHubErrorCode } from './errors/serverless-hub-error.js';

// connection strings
export type { ServiceAuth, ServiceEndpoint } from './connection/service-endpoint.js';
export { parseConnectionString } from './connection/connection-string.js';
export { endpointFromSettings } from './connection/endpoint-from-settings.js';
export { resolveAppSettingReferences } from './connection/app-setting-reference.js';
export type { SettingsSource } from './connection/endpoint-from-settings.js';
export { hubEndpointsFromSettings } from './connection/hub-endpoints-from-settings.js';
export { namedEndpointsFromSettings } from './connection/named-endpoints-from-settings.js';
export { DefaultEndpointRouter, defaultEndpointRouter } from './endpoints/default-endpoint-router.js';
export type { EndpointRouter } from './endpoints/endpoint-router.js';
export type { EndpointHealthOptions } from './endpoints/endpoint-health-options.js';
export type { HubServiceEndpoint } from './endpoints/hub-service-endpoint.js';
export type { NegotiateRouteContext } from './endpoints/negotiate-route-context.js';
export type { NamedServiceEndpoint } from './connection/named-endpoints-from-settings.js';

// tokens, negotiate, claims
export type { ConnectionInfo, NegotiateOptions } from './negotiate/negotiate.js';
export type { Claim, ClaimsInput } from './negotiate/client-claims.js';
export { isValidHubName } from './hub/hub-name.js';
export { compileBindingExpression } from './negotiate/binding-expression.js';
export type { BindingValue, NegotiateRequest } from './negotiate/binding-expression.js';
export type { Reconnection } from './negotiate/reconnection.js';
export { createClaimsVerifier } from './auth/claims-verifier.js';
export type {
  ClaimsVerifier,
  ClaimsVerifierOptions,
  JwksVerification,
  SecretVerification,
} from './auth/claims-verifier.js';
export { decodeClaimsUnverified } from './auth/decode-claims-unverified.js';

// what a hub method sees of the call, and how it answers
export type { HubProtocolName } from './protocol/hub-protocol.js';
export type { HubInvocationContext, UpstreamCategory } from './upstream/hub-invocation-context.js';
export { consoleUpstreamLogger, silentUpstreamLogger } from './upstream/upstream-logger.js';
export type { UpstreamLogger, UpstreamLogLevel } from './upstream/upstream-logger.js';
export { HubError } from './upstream/hub-error.js';
export { denyUpstream } from './upstream/deny-upstream.js';
export type { UpstreamOutcome, UpstreamRejectionCode } from './upstream/upstream-outcome.js';
export type { EntraIdTokenValidationOptions } from './upstream/entra-id-token-validator.js';
export type {
  UpstreamAuthenticator,
  UpstreamAuthentication,
  UpstreamCredentials,
} from './upstream/upstream-authenticator.js';
export type { DetailedErrorsMode } from './upstream/upstream-dispatcher.js';

// service REST API (the client itself: ./service)
export type { HubClients } from './service/hub-clients.js';
export type { ClientTarget } from './service/client-target.js';
export type { ConnectionGroups } from './service/connection-groups.js';
export type { AddUserToGroupOptions, UserGroups } from './service/user-groups.js';
export type { ClientManager, CloseConnectionsOptions } from './service/client-manager.js';
export type { RestCallOptions } from './service/rest-call-options.js';
export type { RestRetryOptions } from './service/retry-policy.js';
export type {
  ClientInvocationOptions,
  CompleteStreamOptions,
  ConnectionTarget,
  StreamItemOptions,
} from './service/connection-target.js';
export type { ListConnectionsOptions, ListConnectionsPageOptions } from './service/connection-groups.js';
export type { GroupMember, GroupMemberPage } from './service/group-member-page.js';

// hub model and registration
// The decorators are re-exported so that apps import everything from @serverless-hub/core.
export {
  Hub,
  HubEvent,
  NotEvent,
  Negotiate,
  HubContext,
  FunctionContext,
  Signal,
  Ignore,
  Optional,
  Validate,
} from '@serverless-hub/decorators';
export type { EventMode, HubOptions, HubNegotiateOptions, StandardSchemaV1 } from '@serverless-hub/decorators';
export { UseFilters } from './hub/use-filters.js';
export { ServerlessHub } from './hub/serverless-hub.js';
export type {
  ClientInvokers,
  ClientMethods,
  ClientProxy,
  ClientSenders,
  ConnectionProxy,
  InvokableName,
  TypedHubClients,
} from './hub/typed-clients.js';
export type { HubFilter, HubFilterFunction, HubFilterResult, HubFilterType } from './hub/hub-filter.js';
export type { HubContainer } from './hub/hub-container.js';
export type { HubServices, HubServicesFactory, HubServicesRequest } from './hub/hub-services.js';
export { registerHubs } from './functions/register-hubs.js';
export type { FunctionsApp, HubRegistration, RegisterHubsOptions, UpstreamOptions } from './functions/register-hubs.js';
export type {
  RegisteredFunction,
  RegisteredHttpFunction,
  RegisteredSignalRFunction,
} from './functions/function-registry.js';

// Public API of @serverless-hub/core. Internals stay unexported.

// errors
export { ServerlessHubError } from './errors/serverless-hub-error.js';
export type { ServerlessHubErrorCode } from './errors/serverless-hub-error.js';
export { describeError, errorDetail, errorMessage } from './errors/describe-error.js';
export { describeValue } from './errors/describe-value.js';

// connection strings (issue: foundation)
export type { ServiceAuth, ServiceEndpoint } from './connection/service-endpoint.js';
export { parseConnectionString } from './connection/connection-string.js';
export { DEFAULT_CONNECTION_SETTING, endpointFromSettings } from './connection/endpoint-from-settings.js';
export { resolveAppSettingReferences } from './connection/app-setting-reference.js';
export type { SettingsSource } from './connection/endpoint-from-settings.js';
export { namedEndpointsFromSettings } from './connection/named-endpoints-from-settings.js';
export type { NamedServiceEndpoint } from './connection/named-endpoints-from-settings.js';
export { SIGNALR_ENTRA_SCOPE, createIdentityCredential, credentialFor, setCredentialFor } from './connection/identity-credential.js';
export type { EntraAccessToken, IdentityModule, TokenCredential } from './connection/identity-credential.js';
export { signingKeyFor } from './connection/access-key-provider.js';
export type { AccessKeyOptions, SigningKey } from './connection/access-key-provider.js';

// tokens, negotiate, claims (issue: foundation)
export { signAccessToken } from './token/sign-access-token.js';
export type { AccessTokenRequest } from './token/sign-access-token.js';
export {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_ACCESS_TOKEN_LENGTH,
  MAX_TOKEN_LIFETIME_SECONDS,
  MIN_TOKEN_LIFETIME_SECONDS,
  negotiate,
} from './negotiate/negotiate.js';
export type { ConnectionInfo, NegotiateOptions } from './negotiate/negotiate.js';
export type { Claim, ClaimsInput } from './negotiate/client-claims.js';
export { isValidHubName } from './hub/hub-name.js';
export { compileBindingExpression } from './negotiate/binding-expression.js';
export type { BindingValue, NegotiateRequest } from './negotiate/binding-expression.js';
export { SignalRConnectionInfo, negotiateFromRequest, signalRConnectionInfo } from './negotiate/connection-info.js';
export type { ConnectionInfoOptions } from './negotiate/connection-info.js';
export { reconnectionOf } from './negotiate/reconnection.js';
export type { Reconnection } from './negotiate/reconnection.js';
export { getClaims } from './auth/get-claims.js';
export type { GetClaimsOptions, JwksVerification, SecretVerification } from './auth/get-claims.js';
export { decodeClaimsUnverified } from './auth/decode-claims-unverified.js';

// hub protocol (issue: upstream)
export { MessageType } from './protocol/hub-message.js';
export type {
  AckMessage,
  CancelInvocationMessage,
  CloseMessage,
  CompletionMessage,
  HubMessage,
  InvocationMessage,
  MessageHeaders,
  PingMessage,
  SequenceMessage,
  StreamInvocationMessage,
  StreamItemMessage,
} from './protocol/hub-message.js';
export { hubProtocolByContentType, hubProtocolByName } from './protocol/hub-protocol.js';
export type { HubMessageReader, HubMessageReaderOptions, HubProtocol, HubProtocolName } from './protocol/hub-protocol.js';
export { DEFAULT_MAX_MESSAGE_SIZE } from './protocol/framed-reader.js';
export { createJsonHubProtocol, jsonHubProtocol } from './protocol/json-hub-protocol.js';
export { createMessagePackHubProtocol, messagePackHubProtocol } from './protocol/message-pack-hub-protocol.js';
export { decodeProtocolPayloadMap, encodeProtocolPayloadMap } from './protocol/protocol-payload-map.js';
export { MAX_MESSAGE_DEPTH, assertMessageDepth } from './protocol/message-fields.js';
export {
  MAX_HANDSHAKE_SIZE,
  SUPPORTED_HANDSHAKE_VERSIONS,
  parseHandshakeRequest,
  parseHandshakeResponse,
  selectHubProtocol,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from './protocol/handshake.js';
export type { HandshakeParseResult, HandshakeRequest, HandshakeResponse } from './protocol/handshake.js';
export { MAX_LENGTH_PREFIX_VALUE, lengthPrefixSize, readLengthPrefix, writeLengthPrefix } from './protocol/varint.js';
export type { LengthPrefix } from './protocol/varint.js';
export { RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './protocol/record-separator.js';

// upstream (issue: upstream)
export { createHubInvocationContext } from './upstream/hub-invocation-context.js';
export type {
  HubInvocationContext,
  HubInvocationContextInit,
  UpstreamCategory,
} from './upstream/hub-invocation-context.js';
export { parseClaimsHeader, formatClaimsHeader, unreadableClaimText } from './upstream/claims-header.js';
export type { ParsedClaims } from './upstream/claims-header.js';
export { createSignatureValidator, computeUpstreamSignature } from './upstream/upstream-signature.js';
export type { SignatureValidator } from './upstream/upstream-signature.js';
export { createEntraIdTokenValidator } from './upstream/entra-id-token-validator.js';
export type { EntraIdTokenValidationOptions, EntraIdTokenValidator, TokenCheck } from './upstream/entra-id-token-validator.js';
export { createUpstreamAuthenticator } from './upstream/upstream-authenticator.js';
export type {
  UpstreamAuthenticator,
  UpstreamAuthentication,
  UpstreamAuthenticationOptions,
  UpstreamCredentials,
} from './upstream/upstream-authenticator.js';
export { consoleUpstreamLogger, silentUpstreamLogger } from './upstream/upstream-logger.js';
export type { UpstreamLogger, UpstreamLogLevel } from './upstream/upstream-logger.js';
export { HubError } from './upstream/hub-error.js';
export { denyUpstream } from './upstream/deny-upstream.js';
export type { UpstreamOutcome, UpstreamRejectionCode } from './upstream/upstream-outcome.js';
export { UpstreamDispatcher } from './upstream/upstream-dispatcher.js';
export type {
  DetailedErrorsMode,
  UpstreamCall,
  UpstreamDispatchOptions,
  UpstreamDispatcherOptions,
  UpstreamHandler,
  UpstreamHandlerRegistration,
  UpstreamRequest,
} from './upstream/upstream-dispatcher.js';
export { UPSTREAM_STATUS_BY_CODE, upstreamStatusFor } from './upstream/adapters/upstream-status.js';
export { DEFAULT_MAX_UPSTREAM_BODY_BYTES } from './upstream/adapters/body-limit.js';
export { createAzureFunctionsAdapter } from './upstream/adapters/azure-functions-adapter.js';
export type { AzureFunctionsAdapterOptions } from './upstream/adapters/azure-functions-adapter.js';
export { createNodeHttpAdapter } from './upstream/adapters/node-http-adapter.js';
export type { NodeHttpAdapterOptions } from './upstream/adapters/node-http-adapter.js';

// service REST API (issue: REST client)
export { ServiceHubClient } from './service/service-hub-client.js';
export type { ServiceHubClientOptions } from './service/service-hub-client.js';
export { encodeMessagePayload } from './service/message-payload.js';
export type { MessageEncoding, MessagePayload } from './service/message-payload.js';
export { PRODUCT_INFO } from './service/product-info.js';
export type { HubClients } from './service/hub-clients.js';
export type { ClientTarget } from './service/client-target.js';
export type { ConnectionGroups } from './service/connection-groups.js';
export type { AddUserToGroupOptions, UserGroups } from './service/user-groups.js';
export type { ClientManager, CloseConnectionsOptions } from './service/client-manager.js';
export type { RestCallOptions } from './service/rest-call-options.js';
export type { RestRetryOptions } from './service/retry-policy.js';
export { REST_API_VERSION } from './service/hub-rest-routes.js';

// hub model and registration (issue: class model)
// The decorators are re-exported so that apps import everything from @serverless-hub/core.
export {
  Hub,
  Event,
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
export type { ClientInvokers, ClientMethods, ClientProxy, ClientSenders, ConnectionProxy, InvokableName, TypedHubClients } from './hub/typed-clients.js';
export type { HubFilter, HubFilterFunction, HubFilterResult, HubFilterType } from './hub/hub-filter.js';
export type { HubContainer } from './hub/hub-container.js';
export type { HubServices, HubServicesFactory, HubServicesRequest } from './hub/hub-services.js';
export { registerHubs } from './functions/register-hubs.js';
export type { FunctionsApp, HubRegistration, RegisterHubsOptions, UpstreamOptions } from './functions/register-hubs.js';
export { clearRegisteredFunctions, getRegisteredFunctions } from './functions/function-registry.js';
export type { RegisteredFunction, RegisteredHttpFunction, RegisteredSignalRFunction } from './functions/function-registry.js';
export { CLIENT_RESULTS_API_VERSION } from './service/hub-rest-routes.js';
export { DEFAULT_CLIENT_INVOCATION_TIMEOUT_MS } from './service/connection-target.js';
export type { ClientInvocationOptions, CompleteStreamOptions, ConnectionTarget, StreamItemOptions } from './service/connection-target.js';
export type { ListConnectionsOptions, ListConnectionsPageOptions } from './service/connection-groups.js';
export type { GroupMember, GroupMemberPage } from './service/group-member-page.js';

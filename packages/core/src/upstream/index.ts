// Public API of @serverless-hub/core/upstream, for adapter and host authors: the dispatcher that runs
// upstream calls, the HTTP adapters around it, the upstream signature and claims-header helpers, and the
// error-to-text helpers hosts log with.

// dispatcher
export { UpstreamDispatcher } from './upstream-dispatcher.js';
export type {
  UpstreamCall,
  UpstreamDispatchOptions,
  UpstreamDispatcherOptions,
  UpstreamHandler,
  UpstreamHandlerRegistration,
  UpstreamRequest,
} from './upstream-dispatcher.js';
export { streamToClient } from './stream-to-client.js';
export type { StreamFailure, UpstreamStreamTarget } from './stream-to-client.js';
export { createHubInvocationContext } from './hub-invocation-context.js';
export { argumentCountMessage } from '../hub/argument-count-message.js';
export type { HubInvocationContextInit } from './hub-invocation-context.js';

// adapters
export { UPSTREAM_STATUS_BY_CODE, upstreamStatusFor } from './adapters/upstream-status.js';
export { DEFAULT_MAX_UPSTREAM_BODY_BYTES } from './adapters/body-limit.js';
export { createAzureFunctionsAdapter } from './adapters/azure-functions-adapter.js';
export type { AzureFunctionsAdapterOptions } from './adapters/azure-functions-adapter.js';
export { createNodeHttpAdapter } from './adapters/node-http-adapter.js';
export type { NodeHttpAdapterOptions } from './adapters/node-http-adapter.js';

// authentication of upstream requests
export { parseClaimsHeader, formatClaimsHeader, unreadableClaimText } from './claims-header.js';
export type { ParsedClaims } from './claims-header.js';
export { createSignatureValidator, computeUpstreamSignature } from './upstream-signature.js';
export type { SignatureValidator } from './upstream-signature.js';
export { createEntraIdTokenValidator } from './entra-id-token-validator.js';
export type { EntraIdTokenValidator, TokenCheck } from './entra-id-token-validator.js';
export { createUpstreamAuthenticator } from './upstream-authenticator.js';
export type { UpstreamAuthenticationOptions } from './upstream-authenticator.js';

// error-to-text helpers
export { describeError, errorDetail, errorMessage } from '../errors/describe-error.js';
export { describeValue } from '../errors/describe-value.js';

/**
 * Stable, machine-readable error codes of `@serverless-hub/core`. Codes never change meaning once
 * released; messages may be reworded.
 */
export type ServerlessHubErrorCode =
  // connection strings and settings
  | 'CONNECTION_STRING_INVALID'
  | 'SETTING_MISSING'
  // tokens, negotiate and claims
  | 'TOKEN_INVALID'
  | 'TOKEN_TOO_LONG'
  | 'CLAIMS_INVALID'
  | 'NEGOTIATE_OPTIONS_INVALID'
  | 'ACCESS_KEY_UNAVAILABLE'
  | 'IDENTITY_UNAVAILABLE'
  | 'AUTH_OPTIONS_INVALID'
  // hub protocol
  | 'PROTOCOL_INVALID_MESSAGE'
  | 'PROTOCOL_UNSUPPORTED'
  // upstream
  | 'UPSTREAM_UNSUPPORTED_MEDIA_TYPE'
  | 'UPSTREAM_BAD_REQUEST'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_FORBIDDEN'
  | 'UPSTREAM_NOT_FOUND'
  | 'UPSTREAM_PAYLOAD_TOO_LARGE'
  | 'UPSTREAM_INTERNAL'
  | 'UPSTREAM_CONFIGURATION_INVALID'
  | 'HUB_ERROR'
  | 'HUB_ARGUMENTS_INVALID'
  // service REST API
  | 'REST_INVALID_ARGUMENT'
  | 'REST_UNAUTHORIZED'
  | 'REST_NOT_FOUND'
  | 'REST_SERVICE_ERROR'
  | 'REST_TIMEOUT'
  | 'REST_ABORTED'
  | 'REST_NETWORK'
  | 'REST_CREDENTIAL_FAILED'
  | 'REST_MULTI_SEND_FAILED'
  | 'REST_ENDPOINTS_FAILED'
  // several service endpoints
  | 'ENDPOINTS_OFFLINE'
  | 'ENDPOINT_ROUTER_INVALID'
  // client results (REST API 2024-12-01)
  | 'CLIENT_INVOCATION_FAILED'
  | 'CLIENT_INVOCATION_DISCONNECTED'
  | 'CLIENT_INVOCATION_NO_CONNECTION'
  | 'CLIENT_INVOCATION_TIMEOUT'
  // hub model and registration
  | 'HUB_DEFINITION_INVALID'
  | 'HUB_REGISTRATION_INVALID'
  | 'HUB_CONTEXT_UNAVAILABLE';

/**
 * Marks every `ServerlessHubError`, whichever copy of the package made it. `Symbol.for` gives the same
 * symbol to every copy in the process, where `instanceof` would only know its own copy's class (an app
 * and a library that each bundle or install their own `@serverless-hub/core`).
 */
const BRAND = Symbol.for('@serverless-hub/core/ServerlessHubError');

/**
 * The one error class of `@serverless-hub/core`. Every failure the package raises on purpose is a
 * `ServerlessHubError` whose {@link ServerlessHubError.code | code} tells what went wrong; the message
 * says what was wrong and how to fix it, and never contains an access key, token or client secret.
 * Recognise it with {@link ServerlessHubError.is}, which also knows errors of another copy of the package.
 *
 * @example
 * ```ts
 * try {
 *   parseConnectionString(process.env.AzureSignalRConnectionString ?? '');
 * } catch (error) {
 *   if (ServerlessHubError.is(error, 'CONNECTION_STRING_INVALID')) {
 *     console.error(error.message); // names the key and what is wrong with it
 *   }
 * }
 * ```
 */
export class ServerlessHubError extends Error {
  static {
    // On the prototype, not on each instance: nothing to copy per error, and no own key that would
    // show in a logged or compared error.
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }

  /**
   * Whether `value` is a `ServerlessHubError` (made by any copy of the package in this process), and,
   * when `code` is given, one with that code. Use it instead of `instanceof`, which is false for an
   * error that another copy of the package made.
   *
   * @example
   * ```ts
   * try {
   *   await clients.user('alice').send('notify', 'hi');
   * } catch (error) {
   *   if (ServerlessHubError.is(error, 'REST_TIMEOUT')) retryLater();
   *   else if (ServerlessHubError.is(error)) console.error(error.code, error.status, error.message);
   *   else throw error;
   * }
   * ```
   */
  static is<Code extends ServerlessHubErrorCode>(
    value: unknown,
    code?: Code,
  ): value is ServerlessHubError & { readonly code: Code } {
    if (typeof value !== 'object' || value === null || (value as Readonly<Record<symbol, unknown>>)[BRAND] !== true)
      return false;
    return code === undefined || (value as { readonly code?: unknown }).code === code;
  }

  override readonly name = 'ServerlessHubError';
  /** The HTTP status of the answer that caused the error, when an answer did (e.g. a REST call). */
  readonly status: number | undefined;
  /** Structured facts about the failure (e.g. the service's error code and message); never secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly code: ServerlessHubErrorCode,
    message: string,
    options?: ServerlessHubErrorOptions,
  ) {
    super(message, options);
    this.status = options?.status;
    this.details = options?.details;
  }
}

/**
 * Optional facts attached to a {@link ServerlessHubError}.
 *
 * @example
 * ```ts
 * throw new ServerlessHubError('REST_SERVICE_ERROR', 'POST /api/hubs/chat/:send failed with 503', {
 *   status: 503,
 *   details: { errorCode: 'Error.Service.Unavailable' },
 * });
 * ```
 */
export interface ServerlessHubErrorOptions {
  readonly cause?: unknown;
  /** The HTTP status of the answer that caused the error. */
  readonly status?: number;
  /** Structured, secret-free facts about the failure. */
  readonly details?: Readonly<Record<string, unknown>>;
}

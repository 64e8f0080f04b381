import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { createEntraIdTokenValidator } from './entra-id-token-validator.js';
import type { EntraIdTokenValidationOptions, EntraIdTokenValidator } from './entra-id-token-validator.js';
import { consoleUpstreamLogger } from './upstream-logger.js';
import type { UpstreamLogger } from './upstream-logger.js';
import { createSignatureValidator } from './upstream-signature.js';

/**
 * What an {@link UpstreamAuthenticator} looks at: the connection id and the credential headers
 * (`x-asrs-signature`, `authorization`, `authentication`), names lowercased.
 *
 * @example
 * ```ts
 * const verdict = await authenticator.authenticate({ connectionId: 'c1', headers: { 'x-asrs-signature': 'sha256=…' } });
 * ```
 */
export interface UpstreamCredentials {
  readonly connectionId: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/**
 * The verdict of an {@link UpstreamAuthenticator}: accepted, or refused with a reason for the log.
 *
 * @example
 * ```ts
 * const verdict = await authenticator.authenticate(credentials);
 * if (!verdict.ok) logger.log('warn', `upstream request refused: ${verdict.reason}`);
 * ```
 */
export type UpstreamAuthentication = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Decides whether an upstream request really comes from the service. `{ ok: false }` gives 401 and the
 * reason goes to the log (never to the caller). Rejects only when it cannot decide (for example the
 * Entra ID signing keys are unreachable), which gives 500.
 *
 * @example
 * ```ts
 * const authenticator = createUpstreamAuthenticator({ accessKeys: [primaryKey, secondaryKey] });
 * const verdict = await authenticator.authenticate({ connectionId, headers });
 * if (!verdict.ok) console.warn(verdict.reason);
 * ```
 */
export interface UpstreamAuthenticator {
  authenticate(credentials: UpstreamCredentials): UpstreamAuthentication | Promise<UpstreamAuthentication>;
}

/**
 * How upstream requests are authenticated. At least one way must be configured.
 *
 * @example
 * ```ts
 * const authenticator = createUpstreamAuthenticator({
 *   endpoints: [endpointFromSettings()],
 *   accessKeys: [process.env.SIGNALR_SECONDARY_KEY!],
 * });
 * ```
 */
export interface UpstreamAuthenticationOptions {
  /**
   * Endpoints of the app's connection strings: the `AccessKey` of every key-based endpoint is accepted
   * for the signature. An identity-based endpoint has no key, so it needs `entraId` (or the opt-out).
   */
  readonly endpoints?: readonly ServiceEndpoint[];
  /** Extra access keys accepted for the `X-ASRS-Signature` header, e.g. the secondary key during rotation. */
  readonly accessKeys?: readonly string[];
  /** Validate the service's bearer token (managed-identity upstream authentication). */
  readonly entraId?: EntraIdTokenValidationOptions;
  /**
   * Accept every request without any check. For local development against an emulator only: anyone who
   * can reach the function can then impersonate any connection. Logs a warning once per process.
   */
  readonly insecureSkipValidation?: boolean;
  /** Where the skip-validation warning goes; defaults to {@link consoleUpstreamLogger}. */
  readonly logger?: UpstreamLogger;
}

const ACCEPTED: UpstreamAuthentication = Object.freeze({ ok: true });
let skipWarningLogged = false;

/**
 * Builds the authenticator the dispatcher runs before any handler. A request passes when its
 * `X-ASRS-Signature` matches any configured access key, or — when `entraId` is set — when its bearer token
 * is valid. With `insecureSkipValidation` every request passes and a warning is logged once.
 *
 * @throws {ServerlessHubError} `UPSTREAM_CONFIGURATION_INVALID` when nothing can authenticate requests:
 * no access key, no `entraId`, and no explicit opt-out; or an identity-based endpoint without `entraId`.
 *
 * @example
 * ```ts
 * // Key-based connection string: check signatures with its AccessKey.
 * const authenticator = createUpstreamAuthenticator({ endpoints: [endpointFromSettings()] });
 *
 * // Identity-based connection: validate the service's Entra ID token instead.
 * const identity = createUpstreamAuthenticator({
 *   entraId: { tenantId: process.env.AZURE_TENANT_ID!, audience: 'api://my-function-app' },
 * });
 *
 * // Local emulator only.
 * const local = createUpstreamAuthenticator({ insecureSkipValidation: true });
 * ```
 */
export function createUpstreamAuthenticator(options: UpstreamAuthenticationOptions): UpstreamAuthenticator {
  if (options.insecureSkipValidation === true) {
    if (!skipWarningLogged) {
      skipWarningLogged = true;
      (options.logger ?? consoleUpstreamLogger).log(
        'warn',
        'Upstream request validation is switched off (insecureSkipValidation): any caller can impersonate any SignalR connection. Use this only for local development.',
      );
    }
    return Object.freeze({ authenticate: () => ACCEPTED });
  }

  const keys = [...(options.accessKeys ?? [])];
  let identityEndpoints = 0;
  for (const endpoint of options.endpoints ?? []) {
    if (endpoint.auth.type === 'key') keys.push(endpoint.auth.accessKey);
    else identityEndpoints++;
  }
  if (identityEndpoints > 0 && options.entraId === undefined) {
    throw new ServerlessHubError(
      'UPSTREAM_CONFIGURATION_INVALID',
      "An identity-based connection string has no access key to check upstream signatures with: set upstream authentication to managed identity in the service and pass 'entraId' (tenantId and audience), or, for local development only, 'insecureSkipValidation: true'.",
    );
  }
  const signatures = keys.length > 0 ? createSignatureValidator([...new Set(keys)]) : undefined;
  const tokens = options.entraId === undefined ? undefined : createEntraIdTokenValidator(options.entraId);
  if (signatures === undefined && tokens === undefined) {
    throw new ServerlessHubError(
      'UPSTREAM_CONFIGURATION_INVALID',
      "Upstream requests cannot be authenticated: pass the connection's endpoints or 'accessKeys' to check signatures, 'entraId' to check the service's bearer token, or, for local development only, 'insecureSkipValidation: true'.",
    );
  }
  const signatureRefusal: UpstreamAuthentication = Object.freeze({
    ok: false,
    reason: 'no X-ASRS-Signature entry matches a configured access key',
  });
  return Object.freeze({
    authenticate(credentials: UpstreamCredentials): UpstreamAuthentication | Promise<UpstreamAuthentication> {
      if (signatures?.isValid(credentials.connectionId, credentials.headers['x-asrs-signature']) === true)
        return ACCEPTED;
      if (tokens === undefined) return signatureRefusal;
      return checkToken(tokens, credentials, signatures !== undefined);
    },
  });
}

async function checkToken(
  tokens: EntraIdTokenValidator,
  credentials: UpstreamCredentials,
  signaturesConfigured: boolean,
): Promise<UpstreamAuthentication> {
  const check = await tokens.check(credentials.headers);
  if (check.valid) return ACCEPTED;
  const signatureNote = signaturesConfigured
    ? '; no X-ASRS-Signature entry matches a configured access key either'
    : '';
  return { ok: false, reason: check.reason + signatureNote };
}

import type * as Identity from '@azure/identity';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { ServiceAuth, ServiceEndpoint } from './service-endpoint.js';

/**
 * The Microsoft Entra ID scope of Azure SignalR Service data-plane calls.
 *
 * @example
 * ```ts
 * const entraToken = await (await getCredential(endpoint)).getToken(SIGNALR_ENTRA_SCOPE);
 * ```
 */
export const SIGNALR_ENTRA_SCOPE = 'https://signalr.azure.com/.default';

/**
 * A Microsoft Entra ID access token, as `@azure/identity` credentials return it.
 *
 * @example
 * ```ts
 * const token: EntraAccessToken | null = await credential.getToken(SIGNALR_ENTRA_SCOPE);
 * const header = token === null ? undefined : `Bearer ${token.token}`;
 * ```
 */
export interface EntraAccessToken {
  readonly token: string;
  /** Expiry, in milliseconds since the epoch. */
  readonly expiresOnTimestamp: number;
}

/**
 * The part of `@azure/core-auth`'s `TokenCredential` this package uses. Every `@azure/identity`
 * credential satisfies it, and so does any object with a matching `getToken`.
 *
 * @example
 * ```ts
 * import { WorkloadIdentityCredential } from '@azure/identity';
 *
 * const credential: TokenCredential = new WorkloadIdentityCredential();
 * const service = new ServiceHubClient(endpointFromSettings(), 'chat', { credential }); // REST calls use its tokens
 * ```
 */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<EntraAccessToken | null>;
}

/**
 * The constructors of `@azure/identity` {@link createIdentityCredential} uses; injectable for tests.
 *
 * @example
 * ```ts
 * import * as identity from '@azure/identity';
 * const credential = await createIdentityCredential(endpoint.auth, () => Promise.resolve(identity as IdentityModule));
 * ```
 */
export type IdentityModule = Pick<
  typeof Identity,
  'DefaultAzureCredential' | 'ManagedIdentityCredential' | 'ClientSecretCredential' | 'ClientCertificateCredential'
>;

let identityModule: Promise<IdentityModule> | undefined;

// Loaded on first use only: apps with an AccessKey never pay for @azure/identity at cold start.
function loadIdentityModule(): Promise<IdentityModule> {
  const loading = (identityModule ??= import('@azure/identity'));
  loading.catch(() => {
    if (identityModule === loading) identityModule = undefined;
  });
  return loading;
}

function identityUnavailable(cause: unknown): ServerlessHubError {
  return new ServerlessHubError(
    'IDENTITY_UNAVAILABLE',
    'The connection string uses AuthType (Microsoft Entra ID), which needs the @azure/identity package, and it could not be loaded. ' +
      'Install it in the app ("npm install @azure/identity"), or use a connection string with AccessKey.',
    { cause },
  );
}

/**
 * Builds the `@azure/identity` credential a connection string's `AuthType` asks for: `azure` →
 * `DefaultAzureCredential`, `azure.msi` → `ManagedIdentityCredential` (user-assigned with
 * `clientId`), `azure.app` → `ClientSecretCredential`, or `ClientCertificateCredential` from the PEM
 * file `clientCert` when no secret is given. `@azure/identity` is imported on first use.
 *
 * @throws {@link ServerlessHubError} `IDENTITY_UNAVAILABLE` for key auth or when `@azure/identity`
 * cannot be loaded.
 *
 * @example
 * ```ts
 * const credential = await createIdentityCredential({ type: 'azure.msi', clientId: '<client id>' });
 * const token = await credential.getToken(SIGNALR_ENTRA_SCOPE);
 * ```
 */
export async function createIdentityCredential(
  auth: ServiceAuth,
  loadModule: () => Promise<IdentityModule> = loadIdentityModule,
): Promise<TokenCredential> {
  if (auth.type === 'key') {
    throw new ServerlessHubError(
      'IDENTITY_UNAVAILABLE',
      'This endpoint authenticates with an AccessKey, not Microsoft Entra ID: there is no identity credential to build.',
    );
  }
  let identity: IdentityModule;
  try {
    identity = await loadModule();
  } catch (error) {
    throw identityUnavailable(error);
  }
  switch (auth.type) {
    case 'azure':
      return auth.clientId === undefined
        ? new identity.DefaultAzureCredential()
        : new identity.DefaultAzureCredential({ managedIdentityClientId: auth.clientId });
    case 'azure.msi':
      return auth.clientId === undefined
        ? new identity.ManagedIdentityCredential()
        : new identity.ManagedIdentityCredential({ clientId: auth.clientId });
    case 'azure.app':
      // With both, the secret wins, as in the official SDK.
      if (auth.clientSecret !== undefined)
        return new identity.ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret);
      if (auth.clientCert !== undefined) {
        return new identity.ClientCertificateCredential(auth.tenantId, auth.clientId, {
          certificatePath: auth.clientCert,
        });
      }
      throw new ServerlessHubError(
        'IDENTITY_UNAVAILABLE',
        'AuthType=azure.app needs ClientSecret or ClientCert to build a credential.',
      );
  }
}

const credentials = new WeakMap<ServiceEndpoint, Promise<TokenCredential>>();

/**
 * The Microsoft Entra ID credential of an identity-based endpoint, built once per endpoint and
 * shared by the access-key provider and the REST client. Call {@link setCredential} first to
 * use a credential of your own (another `@azure/identity` class, or a stub in tests).
 *
 * @throws {@link ServerlessHubError} `IDENTITY_UNAVAILABLE` when the endpoint uses an AccessKey or
 * `@azure/identity` cannot be loaded.
 *
 * @example
 * ```ts
 * const endpoint = endpointFromSettings();
 * if (endpoint.auth.type !== 'key') {
 *   const credential = await getCredential(endpoint);
 *   const entraToken = await credential.getToken(SIGNALR_ENTRA_SCOPE);
 * }
 * ```
 */
export function getCredential(endpoint: ServiceEndpoint): Promise<TokenCredential> {
  let credential = credentials.get(endpoint);
  if (credential === undefined) {
    credential = createIdentityCredential(endpoint.auth);
    // A failed build (e.g. @azure/identity missing) is not cached: the next call tries again.
    credential.catch(() => {
      if (credentials.get(endpoint) === credential) credentials.delete(endpoint);
    });
    credentials.set(endpoint, credential);
  }
  return credential;
}

/**
 * Makes {@link getCredential} (and with it access-key fetching and REST calls) use the given
 * credential for this endpoint instead of the one its `AuthType` describes.
 *
 * @example
 * ```ts
 * import { WorkloadIdentityCredential } from '@azure/identity';
 * setCredential(endpointFromSettings(), new WorkloadIdentityCredential());
 * ```
 */
export function setCredential(endpoint: ServiceEndpoint, credential: TokenCredential): void {
  if (typeof credential !== 'object' || typeof credential.getToken !== 'function') {
    throw new ServerlessHubError(
      'IDENTITY_UNAVAILABLE',
      'setCredential needs a credential with a getToken(scopes) method.',
    );
  }
  credentials.set(endpoint, Promise.resolve(credential));
}

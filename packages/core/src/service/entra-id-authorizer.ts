import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { SIGNALR_ENTRA_SCOPE } from '../connection/identity-credential.js';
import type { EntraAccessToken, TokenCredential } from '../connection/identity-credential.js';
import { raceAbort } from './abortable.js';
import type { RestAuthorizer } from './rest-authorizer.js';
import { errorMessage } from '../errors/describe-error.js';

/** Refresh this long before expiry (or halfway through a shorter lifetime). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** A token this close to expiry is not used even if a refresh failed. */
const EXPIRY_SAFETY_MS = 30_000;
/** A credential that does not answer within this time fails the request instead of hanging it. */
const CREDENTIAL_TIMEOUT_MS = 60_000;

interface CachedToken {
  readonly value: string;
  readonly refreshAt: number;
  readonly usableUntil: number;
}

/** Options of {@link EntraIdAuthorizer}; `now` exists for tests of expiry. */
export interface EntraIdAuthorizerOptions {
  readonly now?: () => number;
}

/**
 * Authorizes REST requests with a Microsoft Entra ID token for `https://signalr.azure.com/.default` (the
 * same token for every audience). The token is cached; inside its refresh window it is still used while a
 * single background refresh runs, so requests never wait for the identity platform unless the token lapsed.
 */
export class EntraIdAuthorizer implements RestAuthorizer {
  readonly #credential: () => Promise<TokenCredential>;
  readonly #now: () => number;
  #token: CachedToken | undefined;
  #refreshing: Promise<string> | undefined;

  /**
   * `credential` is called when a token is needed, not before (so `@azure/identity` loads lazily); it is
   * expected to cache, as `getCredential` does.
   */
  constructor(credential: () => Promise<TokenCredential>, options: EntraIdAuthorizerOptions = {}) {
    this.#credential = credential;
    this.#now = options.now ?? Date.now;
  }

  authorization(_audience: string, signal: AbortSignal | undefined): Promise<string> {
    const token = this.#token;
    const now = this.#now();
    if (token !== undefined && now < token.refreshAt) return Promise.resolve(token.value);
    if (token !== undefined && now < token.usableUntil) {
      this.#refresh().catch(() => {
        // The cached token stays in use; the next request past the refresh time tries again.
      });
      return Promise.resolve(token.value);
    }
    return raceAbort(this.#refresh(), signal, 'Getting a Microsoft Entra ID token for the REST call');
  }

  #refresh(): Promise<string> {
    this.#refreshing ??= this.#fetch().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #fetch(): Promise<string> {
    // Building the credential fails with its own clear error (e.g. IDENTITY_UNAVAILABLE); let it through.
    const credential = await this.#credential();
    let answer: EntraAccessToken | null;
    try {
      answer = await credential.getToken(SIGNALR_ENTRA_SCOPE, {
        abortSignal: AbortSignal.timeout(CREDENTIAL_TIMEOUT_MS),
      });
    } catch (error) {
      const reason = errorMessage(error);
      throw new ServerlessHubError(
        'REST_CREDENTIAL_FAILED',
        `The Microsoft Entra ID credential could not get a token for ${SIGNALR_ENTRA_SCOPE}: ${reason}. ` +
          'Check the identity settings of the connection string (AuthType, ClientId, TenantId) and that the identity has a SignalR data-plane role.',
        { cause: error },
      );
    }
    if (answer === null || typeof answer.token !== 'string' || answer.token.length === 0) {
      throw new ServerlessHubError(
        'REST_CREDENTIAL_FAILED',
        `The Microsoft Entra ID credential returned no token for ${SIGNALR_ENTRA_SCOPE}. Check the identity settings of the connection string.`,
      );
    }
    const now = this.#now();
    const expiresAt = Number.isFinite(answer.expiresOnTimestamp) ? answer.expiresOnTimestamp : now;
    const lifetime = Math.max(0, expiresAt - now);
    const refreshAt = expiresAt - Math.min(REFRESH_BEFORE_EXPIRY_MS, lifetime / 2);
    const value = `Bearer ${answer.token}`;
    this.#token = { value, refreshAt, usableUntil: expiresAt - EXPIRY_SAFETY_MS };
    return value;
  }
}

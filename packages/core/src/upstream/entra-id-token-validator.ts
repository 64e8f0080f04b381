import type { JWTPayload } from 'jose';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { joseVerifier } from '../token/jose-loader.js';
import type { JoseVerifier } from '../token/jose-loader.js';

/**
 * How to validate the bearer token Azure SignalR Service sends upstream when its upstream
 * authentication is set to managed identity (the app's connection uses an identity, so there is no
 * access key to check a signature with).
 *
 * @example
 * ```ts
 * const validator = createEntraIdTokenValidator({
 *   tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
 *   audience: 'api://my-function-app',               // the "Resource" of the upstream auth setting
 *   allowedPrincipals: ['<client id of the SignalR resource identity>'],
 * });
 * ```
 */
export interface EntraIdTokenValidationOptions {
  /** Expected `aud`: the resource configured in the service's upstream authentication settings. */
  readonly audience: string | readonly string[];
  /**
   * Tenant that issues the tokens. Sets the default issuers (`https://sts.windows.net/<tenant>/` and
   * `https://login.microsoftonline.com/<tenant>/v2.0`) and JWKS. Give this or `issuer`.
   */
  readonly tenantId?: string;
  /** Accepted `iss` values; overrides those derived from `tenantId`. */
  readonly issuer?: string | readonly string[];
  /** JWKS location; defaults to `https://login.microsoftonline.com/<tenant or common>/discovery/v2.0/keys`. */
  readonly jwksUri?: string;
  /**
   * When set, only tokens whose `oid`, `appid` or `azp` is in this list are accepted: typically the
   * client id or object id of the SignalR resource's managed identity. Without it, any principal that can
   * obtain a token for `audience` from the issuer passes.
   */
  readonly allowedPrincipals?: readonly string[];
  /** Allowed clock skew for `exp` / `nbf`, in seconds. Default 120. */
  readonly clockToleranceSeconds?: number;
  /** Timeout of a JWKS fetch in milliseconds. Default 5000. */
  readonly jwksTimeoutMs?: number;
}

/**
 * The result of checking one request's bearer token.
 *
 * @example
 * ```ts
 * const check: TokenCheck = await validator.check(headers);
 * if (!check.valid) logger.log('warn', check.reason);
 * ```
 */
export type TokenCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/**
 * Validates the service's upstream bearer token (`Authentication` or `Authorization` header,
 * `Bearer <jwt>`) against Entra ID signing keys.
 *
 * @example
 * ```ts
 * const validator = createEntraIdTokenValidator({ tenantId, audience: 'api://my-app' });
 * const check = await validator.check(headers);
 * if (!check.valid) console.warn(check.reason);
 * ```
 */
export interface EntraIdTokenValidator {
  /**
   * Checks the bearer token in `headers` (lowercased names). Resolves `{ valid: false, reason }` for a
   * missing, malformed, expired or foreign token; rejects with `UPSTREAM_INTERNAL` only when the signing
   * keys cannot be fetched.
   */
  check(headers: Readonly<Record<string, string | undefined>>): Promise<TokenCheck>;
}

type KeySet = ReturnType<JoseVerifier['createRemoteJWKSet']>;
// One key set per JWKS location for the whole process: jose caches keys and rate-limits refetches inside it.
const keySets = new Map<string, KeySet>();

function keySetFor(
  uri: string,
  timeoutDuration: number,
  createRemoteJWKSet: JoseVerifier['createRemoteJWKSet'],
): KeySet {
  const cacheKey = `${String(timeoutDuration)} ${uri}`;
  let keySet = keySets.get(cacheKey);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(new URL(uri), { timeoutDuration });
    keySets.set(cacheKey, keySet);
  }
  return keySet;
}

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;
// jose codes that mean "this token is not acceptable"; anything else means the key set could not be read.
const TOKEN_ERROR_CODES = new Set([
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_INVALID',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWK_INVALID',
]);

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

function configurationError(message: string): ServerlessHubError {
  return new ServerlessHubError('UPSTREAM_CONFIGURATION_INVALID', message);
}

/**
 * Creates a validator for the bearer token Azure SignalR Service sends upstream with managed-identity
 * upstream authentication. The token must be an RS256 JWT signed by a key of the JWKS (fetched with jose's
 * `createRemoteJWKSet`, cached per process), with an accepted `iss`, the configured `aud`, valid `exp` /
 * `nbf`, and — when `allowedPrincipals` is set — an allowed `oid`, `appid` or `azp`.
 *
 * @throws {ServerlessHubError} `UPSTREAM_CONFIGURATION_INVALID` when `audience` is empty, when neither
 * `tenantId` nor `issuer` is given, or when `jwksUri` is not https (plain http is allowed on localhost only).
 *
 * @example
 * ```ts
 * const validator = createEntraIdTokenValidator({
 *   tenantId: process.env.AZURE_TENANT_ID!,
 *   audience: 'api://my-function-app',
 * });
 * ```
 */
export function createEntraIdTokenValidator(options: EntraIdTokenValidationOptions): EntraIdTokenValidator {
  const audience = list(options.audience).filter((value) => value.length > 0);
  if (audience.length === 0) {
    throw configurationError(
      "Entra ID upstream validation needs 'audience': the Resource set in the service's upstream authentication settings (for example 'api://<app id>').",
    );
  }
  const tenantId = options.tenantId?.trim();
  let issuer = list(options.issuer).filter((value) => value.length > 0);
  if (issuer.length === 0) {
    if (tenantId === undefined || tenantId.length === 0) {
      throw configurationError(
        "Entra ID upstream validation needs 'tenantId' or 'issuer', so that tokens of other tenants are refused.",
      );
    }
    issuer = [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
  }
  const jwksUri =
    options.jwksUri ??
    `https://login.microsoftonline.com/${tenantId !== undefined && tenantId.length > 0 ? encodeURIComponent(tenantId) : 'common'}/discovery/v2.0/keys`;
  if (!isTrustedKeyLocation(jwksUri)) {
    throw configurationError(
      `Entra ID upstream validation: 'jwksUri' must be an https URL (plain http only on localhost: keys fetched in clear text can be forged), got ${JSON.stringify(jwksUri)}.`,
    );
  }
  const clockTolerance = options.clockToleranceSeconds ?? 120;
  const timeout = options.jwksTimeoutMs ?? 5000;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || !Number.isInteger(timeout) || timeout <= 0) {
    throw configurationError(
      "Entra ID upstream validation: 'clockToleranceSeconds' must be a non-negative number and 'jwksTimeoutMs' a positive integer.",
    );
  }
  const allowed = options.allowedPrincipals === undefined ? undefined : new Set(options.allowedPrincipals);
  // Made on the first token: creating it needs jose, which is loaded only then.
  let keySet: KeySet | undefined;
  const verifyOptions = { issuer, audience, algorithms: ['RS256'], clockTolerance };

  return Object.freeze({
    async check(headers: Readonly<Record<string, string | undefined>>): Promise<TokenCheck> {
      const token = bearerToken(headers.authentication) ?? bearerToken(headers.authorization);
      if (token === undefined) {
        return { valid: false, reason: "no 'Bearer' token in the Authentication or Authorization header" };
      }
      const { jwtVerify, createRemoteJWKSet } = await joseVerifier();
      keySet ??= keySetFor(jwksUri, timeout, createRemoteJWKSet);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, verifyOptions));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && TOKEN_ERROR_CODES.has(code)) {
          return { valid: false, reason: `the bearer token was refused (${code}: ${(error as Error).message})` };
        }
        throw new ServerlessHubError(
          'UPSTREAM_INTERNAL',
          `The Entra ID signing keys could not be read from ${jwksUri}; upstream requests cannot be authenticated until they are.`,
          { cause: error },
        );
      }
      if (allowed !== undefined && !isAllowedPrincipal(payload, allowed)) {
        return {
          valid: false,
          reason: "the bearer token's principal (oid / appid / azp) is not in 'allowedPrincipals'",
        };
      }
      return { valid: true };
    },
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isTrustedKeyLocation(uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

function isAllowedPrincipal(payload: JWTPayload, allowed: ReadonlySet<string>): boolean {
  for (const claim of ['oid', 'appid', 'azp'] as const) {
    const value = payload[claim];
    if (typeof value === 'string' && allowed.has(value)) return true;
  }
  return false;
}

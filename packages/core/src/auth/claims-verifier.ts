import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { joseVerifier } from '../token/jose-loader.js';
import { bearerToken } from './bearer-token.js';

/** What every verification can check besides the signature. */
interface CommonVerification {
  /** Allowed algorithms. Default: HS256/384/512 for a secret; RSA, RSA-PSS, ECDSA and EdDSA for a JWKS. */
  readonly algorithms?: readonly string[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. Default 0. */
  readonly clockToleranceSeconds?: number;
  /** Claims that must be present, e.g. `['sub']`. */
  readonly requiredClaims?: readonly string[];
}

/**
 * Verify with a shared secret (HMAC): its UTF-8 bytes, or the bytes given.
 *
 * @example
 * ```ts
 * const verifier = createClaimsVerifier({ secret: process.env.JWT_SECRET ?? '', issuer: 'https://auth.contoso.com' });
 * ```
 */
export interface SecretVerification extends CommonVerification {
  readonly secret: string | Uint8Array;
  /** Expected `iss`, when checked. */
  readonly issuer?: string | readonly string[];
  /** Expected `aud`, when checked. */
  readonly audience?: string | readonly string[];
}

/**
 * Verify with the public keys of an OpenID provider (Microsoft Entra ID, Auth0, ...): its JWKS URL,
 * with the issuer and audience to require.
 *
 * @example
 * ```ts
 * const verifier = createClaimsVerifier({
 *   jwksUrl: 'https://contoso.eu.auth0.com/.well-known/jwks.json',
 *   issuer: 'https://contoso.eu.auth0.com/',
 *   audience: 'https://api.contoso.com',
 * });
 * ```
 */
export interface JwksVerification extends CommonVerification {
  /** e.g. `https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys`. https, or http on loopback only. */
  readonly jwksUrl: string | URL;
  readonly issuer: string | readonly string[];
  readonly audience: string | readonly string[];
}

/**
 * How a {@link ClaimsVerifier} verifies a token: with a shared secret, or with an OpenID provider's keys.
 *
 * @example
 * ```ts
 * const entra = createClaimsVerifier({
 *   jwksUrl: 'https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys',
 *   issuer: 'https://login.microsoftonline.com/<tenant-id>/v2.0',
 *   audience: '<application-client-id>',
 * });
 * const shared = createClaimsVerifier({ secret: process.env.JWT_SECRET ?? '' });
 * ```
 */
export type ClaimsVerifierOptions = SecretVerification | JwksVerification;

/**
 * Verifies bearer JWTs with options checked and prepared once by {@link createClaimsVerifier}: make one at
 * start-up (a module constant) and use it for every request.
 *
 * @example
 * ```ts
 * const claims = await verifier.verify(request.headers.get('authorization'));
 * ```
 */
export interface ClaimsVerifier {
  /**
   * Verifies a bearer JWT and returns its claims. Give the `Authorization` header value (`Bearer ` is
   * stripped) or the bare token.
   *
   * @throws {@link ServerlessHubError} `TOKEN_INVALID` (missing, malformed, expired, wrong issuer or
   * audience, bad signature, unverifiable) with a reason in the message and `details.reason`, never the
   * token — answer it with 401.
   */
  verify(authorization: string | null | undefined): Promise<JWTPayload>;
}

interface PreparedVerification {
  /** The secret, or the checked location of the key set (its jose key set is made on first use). */
  readonly key: Uint8Array | URL;
  readonly verifyOptions: JWTVerifyOptions;
}

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const encoder = new TextEncoder();

function invalidOptions(message: string): ServerlessHubError {
  return new ServerlessHubError('AUTH_OPTIONS_INVALID', `Invalid claims verifier options: ${message}`);
}

function checkStrings(value: unknown, name: string, required: boolean): string | string[] | undefined {
  if (value === undefined && !required) return undefined;
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (list === undefined || list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) {
    throw invalidOptions(`${name} must be a non-empty string or a non-empty array of non-empty strings.`);
  }
  return typeof value === 'string' ? value : (list as string[]);
}

function checkedJwksUrl(jwksUrl: string | URL): URL {
  const text = String(jwksUrl);
  if (!URL.canParse(text)) throw invalidOptions('jwksUrl is not an absolute URL.');
  const url = new URL(text);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw invalidOptions(
      'jwksUrl must use https (plain http is allowed for localhost only): keys fetched in clear text can be forged.',
    );
  }
  return url;
}

type RawOptions = Partial<Record<keyof SecretVerification | keyof JwksVerification, unknown>>;

function prepare(options: ClaimsVerifierOptions): PreparedVerification {
  // Options may come from plain JavaScript or configuration: check them as untrusted input.
  const raw: unknown = options;
  if (typeof raw !== 'object' || raw === null)
    throw invalidOptions('pass { secret } or { jwksUrl, issuer, audience }.');
  const o = raw as RawOptions;
  const hasSecret = o.secret !== undefined;
  const hasJwks = o.jwksUrl !== undefined;
  if (hasSecret === hasJwks) throw invalidOptions('pass exactly one of secret or jwksUrl.');

  const issuer = checkStrings(o.issuer, 'issuer', hasJwks);
  const audience = checkStrings(o.audience, 'audience', hasJwks);
  const algorithms =
    checkStrings(o.algorithms, 'algorithms', false) ?? (hasSecret ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS);
  const requiredClaims = checkStrings(o.requiredClaims, 'requiredClaims', false);
  const tolerance = o.clockToleranceSeconds;
  if (tolerance !== undefined && !(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance >= 0)) {
    throw invalidOptions('clockToleranceSeconds must be a number of seconds, 0 or more.');
  }

  const verifyOptions: JWTVerifyOptions = { algorithms: typeof algorithms === 'string' ? [algorithms] : algorithms };
  if (issuer !== undefined) verifyOptions.issuer = issuer;
  if (audience !== undefined) verifyOptions.audience = audience;
  if (requiredClaims !== undefined)
    verifyOptions.requiredClaims = typeof requiredClaims === 'string' ? [requiredClaims] : requiredClaims;
  if (tolerance !== undefined) verifyOptions.clockTolerance = tolerance;

  let key: Uint8Array | URL;
  if (hasSecret) {
    const secret = o.secret;
    if (typeof secret === 'string' && secret !== '') key = encoder.encode(secret);
    else if (secret instanceof Uint8Array && secret.byteLength > 0) key = secret;
    else
      throw invalidOptions(
        'secret is empty or not a string / Uint8Array. Give the shared secret the tokens are signed with.',
      );
  } else {
    const jwksUrl = o.jwksUrl;
    if (typeof jwksUrl !== 'string' && !(jwksUrl instanceof URL))
      throw invalidOptions('jwksUrl must be a string or a URL.');
    key = checkedJwksUrl(jwksUrl);
  }
  return { key, verifyOptions };
}

/** Turns a jose failure into a reason that names what is wrong, never the token. */
function tokenInvalid(error: unknown): ServerlessHubError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  let reason: string;
  let kind: string;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      kind = 'expired';
      reason = 'it has expired';
      break;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: unknown }).claim;
      kind = 'claim';
      reason = `its "${String(claim)}" claim is missing or not the expected value`;
      break;
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      kind = 'signature';
      reason = 'its signature does not verify';
      break;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      kind = 'algorithm';
      reason = 'it is signed with an algorithm that is not allowed';
      break;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      kind = 'key';
      reason = 'no key of the JWKS matches its "kid"';
      break;
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      kind = 'key';
      reason = 'several keys of the JWKS match it';
      break;
    case 'ERR_JWKS_TIMEOUT':
      kind = 'jwks';
      reason = 'the JWKS could not be fetched in time';
      break;
    case 'ERR_JWKS_INVALID':
    case 'ERR_JOSE_GENERIC':
    case 'ERR_JWK_INVALID':
      kind = 'jwks';
      reason = 'the JWKS could not be fetched or is invalid';
      break;
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      kind = 'malformed';
      reason = 'it is not a well-formed JWT';
      break;
    default:
      // e.g. fetch failing to reach the JWKS URL: the token cannot be verified now.
      kind = 'unverifiable';
      reason = 'it could not be verified';
  }
  return new ServerlessHubError('TOKEN_INVALID', `The bearer token is invalid: ${reason}.`, {
    cause: error,
    details: { reason: kind },
  });
}

/**
 * Checks the options and prepares a verifier of bearer JWTs: with `{ secret }` it checks an HMAC signature
 * (and `iss`/`aud` when given); with `{ jwksUrl, issuer, audience }` it checks the signature against the
 * provider's published keys (fetched on first use, kept and refreshed by this verifier) and requires the
 * issuer and audience. `exp` and `nbf` are always checked. Make one per configuration at start-up, as
 * with jose's `createRemoteJWKSet`: the key set lives as long as the verifier.
 *
 * @throws {@link ServerlessHubError} `AUTH_OPTIONS_INVALID` for unusable options.
 *
 * @example
 * ```ts
 * const entra = createClaimsVerifier({
 *   jwksUrl: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
 *   issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
 *   audience: clientId,
 * });
 * // per request
 * const claims = await entra.verify(request.headers.get('authorization'));
 * const info = await negotiate(endpointFromSettings(), 'chat', { userId: claims.sub });
 * ```
 */
export function createClaimsVerifier(options: ClaimsVerifierOptions): ClaimsVerifier {
  const { key, verifyOptions } = prepare(options);
  // jose keeps the provider's keys, refetches on an unknown kid and rate-limits refetches: one key set
  // per verifier, made on first use because jose is loaded lazily.
  let keySet: JWTVerifyGetKey | undefined;
  return Object.freeze({
    async verify(authorization: string | null | undefined): Promise<JWTPayload> {
      const token = bearerToken(authorization);
      const { jwtVerify, createRemoteJWKSet } = await joseVerifier();
      try {
        if (key instanceof Uint8Array) return (await jwtVerify(token, key, verifyOptions)).payload;
        keySet ??= createRemoteJWKSet(key);
        return (await jwtVerify(token, keySet, verifyOptions)).payload;
      } catch (error) {
        throw tokenInvalid(error);
      }
    },
  });
}

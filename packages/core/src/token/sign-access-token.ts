import type { CryptoKey, JWTPayload } from 'jose';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { joseSigner } from './jose-loader.js';
import type { JoseSigner } from './jose-loader.js';

/**
 * What {@link signAccessToken} needs to sign a service token.
 *
 * @example
 * ```ts
 * const request: AccessTokenRequest = { audience: 'https://x.service.signalr.net/client/?hub=chat', key, lifetimeSeconds: 3600 };
 * ```
 */
export interface AccessTokenRequest {
  /** The `aud` claim. */
  readonly audience: string;
  /** The access key; its UTF-8 bytes are the HMAC key, as the service reads it. */
  readonly key: string;
  /** Key id, set as the `kid` header for keys fetched with an identity. */
  readonly kid?: string;
  /** Lifetime in seconds; `exp` = now + lifetime. */
  readonly lifetimeSeconds: number;
  /** Extra claims; must not contain `aud`, `exp`, `iat` or `nbf`. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly algorithm?: 'HS256' | 'HS512';
  /** Seconds since the epoch; defaults to the current time. */
  readonly now?: number;
}

const encoder = new TextEncoder();
const HASH_OF = { HS256: 'SHA-256', HS512: 'SHA-512' } as const;
// Keys are few and long-lived: import each into WebCrypto once, instead of once per token as jose
// does when given raw bytes.
const cryptoKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 64;
let signJwt: JoseSigner['SignJWT'] | undefined;

function cryptoKeyFor(key: string, algorithm: 'HS256' | 'HS512'): Promise<CryptoKey> {
  const cacheKey = `${algorithm}:${key}`;
  let cryptoKey = cryptoKeys.get(cacheKey);
  if (cryptoKey === undefined) {
    cryptoKey = crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: HASH_OF[algorithm] }, false, ['sign']);
    if (cryptoKeys.size >= MAX_CACHED_KEYS) cryptoKeys.clear();
    cryptoKeys.set(cacheKey, cryptoKey);
    cryptoKey.catch(() => {
      cryptoKeys.delete(cacheKey);
    });
  }
  return cryptoKey;
}

/**
 * Signs a JWT the way Azure SignalR Service expects client and REST tokens: HS256 (or HS512) over the
 * UTF-8 bytes of the access key, with `aud`, `nbf`, `iat` and `exp`, no `iss`.
 *
 * @example
 * ```ts
 * const token = await signAccessToken({
 *   audience: 'https://x.service.signalr.net/api/hubs/chat/:send',
 *   key: accessKey,
 *   lifetimeSeconds: 3600,
 * });
 * ```
 */
export async function signAccessToken(request: AccessTokenRequest): Promise<string> {
  if (typeof request.key !== 'string' || request.key === '') {
    throw new ServerlessHubError('ACCESS_KEY_UNAVAILABLE', 'Cannot sign a token with an empty access key. Check the connection string.');
  }
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const algorithm = request.algorithm ?? 'HS256';
  const payload: JWTPayload = { ...request.claims, aud: request.audience, nbf: now, iat: now, exp: now + request.lifetimeSeconds };
  const header = request.kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid: request.kid };
  // Awaited only until jose is loaded; then every token is signed without the extra turn.
  const SignJWT = (signJwt ??= (await joseSigner()).SignJWT);
  return new SignJWT(payload).setProtectedHeader(header).sign(await cryptoKeyFor(request.key, algorithm));
}

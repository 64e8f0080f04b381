import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * What {@link signAccessToken} needs to sign a service token.
 *
 * @example
 * ```ts
 * const token = await signAccessToken({ audience: 'https://x.service.signalr.net/client/?hub=chat', key, lifetimeSeconds: 3600 });
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

const HMAC_OF: Readonly<Record<string, string>> = { HS256: 'sha256', HS512: 'sha512' };
// Tokens are signed with a synchronous node:crypto HMAC. WebCrypto's `subtle.sign` (jose's only way to
// sign) hands every token to the libuv thread pool and back through a promise; for an HMAC over a few
// hundred bytes that round trip costs several times the HMAC, and negotiate is a hot path. The output is
// the same compact JWS jose writes: base64url(JSON header) "." base64url(JSON claims) "." base64url(MAC).
// Keys and headers are few and long-lived, so each becomes a KeyObject / encoded header once.
const secretKeys = new Map<string, KeyObject>();
const encodedHeaders = new Map<string, string>();
const MAX_CACHED = 64;

function cached<T>(cache: Map<string, T>, key: string, create: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = create();
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, value);
  }
  return value;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function encodedHeader(algorithm: string, kid: string | undefined): string {
  return cached(encodedHeaders, kid === undefined ? algorithm : `${algorithm}\n${kid}`, () =>
    base64UrlJson(kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid }),
  );
}

/**
 * {@link signAccessToken} without the promise, for the framework's hot paths (negotiate, REST tokens).
 * Internal: throws instead of rejecting.
 *
 * @throws {@link ServerlessHubError} `ACCESS_KEY_UNAVAILABLE` for an empty key,
 * `NEGOTIATE_OPTIONS_INVALID` for another algorithm or a lifetime that is not a finite number.
 */
export function signAccessTokenNow(request: AccessTokenRequest): string {
  const key = request.key as unknown;
  if (typeof key !== 'string' || key === '') {
    throw new ServerlessHubError(
      'ACCESS_KEY_UNAVAILABLE',
      'Cannot sign a token with an empty access key. Check the connection string.',
    );
  }
  const algorithm = request.algorithm ?? 'HS256';
  const hash = HMAC_OF[algorithm];
  if (hash === undefined)
    throw new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', 'The token algorithm must be HS256 or HS512.');
  if (!Number.isFinite(request.lifetimeSeconds)) {
    throw new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', 'The token lifetime must be a finite number of seconds.');
  }
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const payload = { ...request.claims, aud: request.audience, nbf: now, iat: now, exp: now + request.lifetimeSeconds };
  const signingInput = `${encodedHeader(algorithm, request.kid)}.${base64UrlJson(payload)}`;
  const secret = cached(secretKeys, `${algorithm}\n${key}`, () => createSecretKey(Buffer.from(key, 'utf8')));
  return `${signingInput}.${createHmac(hash, secret).update(signingInput, 'utf8').digest('base64url')}`;
}

/**
 * Signs a JWT the way Azure SignalR Service expects client and REST tokens: HS256 (or HS512) over the
 * UTF-8 bytes of the access key, with `aud`, `nbf`, `iat` and `exp`, no `iss`. The claims are written in
 * the order given, then `aud`, `nbf`, `iat`, `exp`; the header is `{"alg":…,"typ":"JWT"}` (and `kid`).
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
export function signAccessToken(request: AccessTokenRequest): Promise<string> {
  // Failures reject rather than throw, as callers of an async signer expect.
  try {
    return Promise.resolve(signAccessTokenNow(request));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

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

const HMAC_OF = { HS256: 'sha256', HS512: 'sha512' } as const;
// Signing is a synchronous node:crypto HMAC. WebCrypto's `subtle.sign` (what jose uses) hands every
// token to the libuv thread pool and back through a promise: for an HMAC over a few hundred bytes that
// round trip costs several times the HMAC itself, and negotiate is a hot path.
// Keys are few and long-lived, so each becomes a KeyObject once; the encoded header is cached too.
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

function sign(request: AccessTokenRequest): string {
  if (typeof request.key !== 'string' || request.key === '') {
    throw new ServerlessHubError('ACCESS_KEY_UNAVAILABLE', 'Cannot sign a token with an empty access key. Check the connection string.');
  }
  const algorithm = request.algorithm ?? 'HS256';
  const hash = HMAC_OF[algorithm] as string | undefined;
  if (hash === undefined) throw new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', 'The token algorithm must be HS256 or HS512.');
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const kid = request.kid;
  const header = cached(encodedHeaders, `${algorithm}\n${kid ?? ''}`, () =>
    base64UrlJson(kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid }),
  );
  const key = cached(secretKeys, request.key, () => createSecretKey(Buffer.from(request.key, 'utf8')));
  const payload = { ...request.claims, aud: request.audience, nbf: now, iat: now, exp: now + request.lifetimeSeconds };
  const signingInput = `${header}.${base64UrlJson(payload)}`;
  return `${signingInput}.${createHmac(hash, key).update(signingInput, 'utf8').digest('base64url')}`;
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
export function signAccessToken(request: AccessTokenRequest): Promise<string> {
  // Failures reject rather than throw, as callers of an async signer expect.
  try {
    return Promise.resolve(sign(request));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

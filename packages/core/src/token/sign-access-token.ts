import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';

/** What {@link signAccessToken} needs to sign a service token. */
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
// Keys are few and long-lived: keep their encoded bytes instead of re-encoding for every token.
const keyBytesCache = new Map<string, Uint8Array>();

function keyBytes(key: string): Uint8Array {
  let bytes = keyBytesCache.get(key);
  if (bytes === undefined) {
    bytes = encoder.encode(key);
    if (keyBytesCache.size > 64) keyBytesCache.clear();
    keyBytesCache.set(key, bytes);
  }
  return bytes;
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
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const algorithm = request.algorithm ?? 'HS256';
  const payload: JWTPayload = { ...request.claims, aud: request.audience, nbf: now, iat: now, exp: now + request.lifetimeSeconds };
  const header = request.kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid: request.kid };
  return new SignJWT(payload).setProtectedHeader(header).sign(keyBytes(request.key));
}

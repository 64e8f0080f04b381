// The bare minimum of a negotiate function, written by hand: an HS256 JWT signed with node:crypto, with
// the claims the service needs and the same user id and two custom claims as the benchmark's hub.
import { createHmac, createSecretKey } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

const TOKEN_LIFETIME_SECONDS = 3600;

export interface BaselineNegotiateOptions {
  /** The client URL, `{client endpoint}/client/?hub={hub}`. */
  readonly url: string;
  /** `{scheme}://{host}/client/?hub={hub}`: the service checks it without port. */
  readonly audience: string;
  readonly accessKey: string;
}

/** A hand-written negotiate handler. */
export function createBaselineNegotiate({
  url,
  audience,
  accessKey,
}: BaselineNegotiateOptions): (request: HttpRequest) => Promise<HttpResponseInit> {
  const key = createSecretKey(Buffer.from(accessKey, 'utf8'));
  const encodedHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  return async (request) => {
    const userId = request.headers.get('x-ms-signalr-user-id');
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {};
    if (userId !== null) payload['asrs.s.uid'] = userId;
    payload['role'] = 'member';
    payload['tenant'] = request.headers.get('x-tenant') ?? 'none';
    payload['aud'] = audience;
    payload['nbf'] = now;
    payload['iat'] = now;
    payload['exp'] = now + TOKEN_LIFETIME_SECONDS;
    const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = createHmac('sha256', key).update(signingInput).digest('base64url');
    return { status: 200, jsonBody: { url, accessToken: `${signingInput}.${signature}` } };
  };
}

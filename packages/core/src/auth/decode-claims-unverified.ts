// jose's decoding entry point alone: a few modules, where the whole of jose would cost the cold start dozens.
import { decodeJwt } from 'jose/jwt/decode';
import type { JWTPayload } from 'jose';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { bearerToken } from './bearer-token.js';

/**
 * Reads the claims of a JWT **without verifying it** — the behavior of the official C# `GetClaims`
 * helper, kept for parity. UNSAFE for authentication: anyone can write a token with any claims.
 * Use it only when something trusted already verified the token (e.g. App Service authentication
 * put it in a header clients cannot set); otherwise verify it with {@link createClaimsVerifier}.
 *
 * @param authorization - The `Authorization` value (`Bearer ` is stripped) or the bare token.
 * @throws {@link ServerlessHubError} `TOKEN_INVALID` when the value is missing or not a JWT.
 *
 * @example
 * ```ts
 * // Only because App Service authentication validated this header before the function runs:
 * const claims = decodeClaimsUnverified(request.headers.get('x-ms-token-aad-id-token'));
 * ```
 */
export function decodeClaimsUnverified(authorization: string | null | undefined): JWTPayload {
  const token = bearerToken(authorization);
  try {
    return decodeJwt(token);
  } catch (error) {
    throw new ServerlessHubError('TOKEN_INVALID', 'The token is not a well-formed JWT.', {
      cause: error,
      details: { reason: 'malformed' },
    });
  }
}

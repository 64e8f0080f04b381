import { ServerlessHubError } from '../errors/serverless-hub-error.js';

const BEARER = /^bearer[ \t]+/i;

/** The token of an `Authorization` value: strips `Bearer ` (any case); a bare token is accepted as is. Internal. */
export function bearerToken(authorization: unknown): string {
  if (typeof authorization !== 'string' || authorization.trim() === '') {
    throw new ServerlessHubError('TOKEN_INVALID', 'No bearer token: send an Authorization header "Bearer <token>".', {
      details: { reason: 'missing' },
    });
  }
  const value = authorization.trim();
  const token = BEARER.test(value) ? value.replace(BEARER, '') : value;
  if (/\s/.test(token)) {
    // Another scheme (Basic, ...) or garbage; its content is not repeated.
    throw new ServerlessHubError('TOKEN_INVALID', 'The Authorization header is not "Bearer <token>".', {
      details: { reason: 'malformed' },
    });
  }
  return token;
}

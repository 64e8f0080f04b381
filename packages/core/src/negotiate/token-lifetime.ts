import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * Default lifetime of a client token, in seconds: one hour, as the official SDKs.
 *
 * @example
 * ```ts
 * await negotiate(endpoint, 'chat', { lifetime: DEFAULT_TOKEN_LIFETIME_SECONDS / 2 });
 * ```
 */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
/**
 * Shortest lifetime accepted, in seconds: shorter tokens break on ordinary clock skew.
 *
 * @example
 * ```ts
 * await negotiate(endpoint, 'chat', { lifetime: MIN_TOKEN_LIFETIME_SECONDS });
 * ```
 */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;
/**
 * Longest lifetime accepted, in seconds: one day. Clients negotiate again on every (re)connect.
 *
 * @example
 * ```ts
 * await negotiate(endpoint, 'chat', { lifetime: MAX_TOKEN_LIFETIME_SECONDS });
 * ```
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;
/** Validates a token lifetime in seconds. Internal: negotiate and the connection-info options check it, the latter at registration. */
export function checkLifetime(lifetime: unknown): number {
  if (lifetime === undefined) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (
    typeof lifetime !== 'number' ||
    !Number.isInteger(lifetime) ||
    lifetime < MIN_TOKEN_LIFETIME_SECONDS ||
    lifetime > MAX_TOKEN_LIFETIME_SECONDS
  ) {
    throw new ServerlessHubError(
      'NEGOTIATE_OPTIONS_INVALID',
      `lifetime must be a whole number of seconds from ${String(MIN_TOKEN_LIFETIME_SECONDS)} to ${String(MAX_TOKEN_LIFETIME_SECONDS)} ` +
        `(default ${String(DEFAULT_TOKEN_LIFETIME_SECONDS)}); got ${typeof lifetime === 'number' ? String(lifetime) : typeof lifetime}.`,
    );
  }
  return lifetime;
}

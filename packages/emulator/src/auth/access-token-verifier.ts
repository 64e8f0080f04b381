import { errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';

/** The result of checking an access token: its claims, or why it was refused. */
export type TokenCheck =
  { readonly ok: true; readonly claims: Readonly<JWTPayload> } | { readonly ok: false; readonly reason: string };

/** Decides whether a token's `aud` fits the request; returns a reason when it does not. */
export type AudienceRule = (audience: string) => boolean;

interface CachedToken {
  readonly claims: Readonly<JWTPayload>;
  readonly expiresAt: number;
}

const encoder = new TextEncoder();
const maxCachedTokens = 1024;

/**
 * Checks access tokens as Azure SignalR Service does: HS256 or HS512 signature made with one of the
 * access keys (their UTF-8 bytes), `exp` required and not passed, `nbf` reached, and an audience the
 * caller's rule accepts. Verified tokens are cached until they expire, because REST clients reuse one
 * token for many calls.
 */
export class AccessTokenVerifier {
  private readonly keys: readonly Uint8Array[];
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    accessKeys: readonly string[],
    private readonly clockToleranceSeconds: number,
  ) {
    this.keys = accessKeys.map((key) => encoder.encode(key));
  }

  /**
   * @param token the compact JWT, without `Bearer `.
   * @param audienceRule accepts or refuses the token's `aud` values.
   * @param expectedAudience what the audience should look like, for the refusal reason.
   */
  async verify(token: string, audienceRule: AudienceRule, expectedAudience: string): Promise<TokenCheck> {
    const nowSeconds = Date.now() / 1000;
    let claims: Readonly<JWTPayload> | undefined;
    const cached = this.cache.get(token);
    if (cached !== undefined) {
      if (cached.expiresAt + this.clockToleranceSeconds > nowSeconds) claims = cached.claims;
      else this.cache.delete(token);
    }
    if (claims === undefined) {
      const verified = await this.verifySignatureAndLifetime(token);
      if (!verified.ok) return verified;
      claims = verified.claims;
      if (this.cache.size >= maxCachedTokens) {
        const oldest = this.cache.keys().next();
        if (oldest.done !== true) this.cache.delete(oldest.value);
      }
      this.cache.set(token, { claims, expiresAt: claims.exp ?? 0 });
    }
    const audiences = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (audiences.length === 0)
      return { ok: false, reason: `The access token has no 'aud' claim; expected '${expectedAudience}'.` };
    if (!audiences.some(audienceRule)) {
      return {
        ok: false,
        reason: `The access token's audience '${audiences.join("', '").slice(0, 300)}' does not match '${expectedAudience}'.`,
      };
    }
    return { ok: true, claims };
  }

  private async verifySignatureAndLifetime(token: string): Promise<TokenCheck> {
    let lastFailure: TokenCheck = { ok: false, reason: 'No access key is configured to verify the token.' };
    for (const key of this.keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256', 'HS512'],
          clockTolerance: this.clockToleranceSeconds,
          requiredClaims: ['exp'],
        });
        return { ok: true, claims: payload };
      } catch (error) {
        lastFailure = { ok: false, reason: describeTokenError(error) };
        // Only a signature mismatch can be fixed by the next key; any other failure is final.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) return lastFailure;
      }
    }
    return lastFailure;
  }
}

function describeTokenError(error: unknown): string {
  if (error instanceof errors.JWTExpired)
    return 'The access token has expired; ask the app for a new one (negotiate again).';
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "The access token's signature does not match the service's access key; sign it with the AccessKey of the connection string.";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The access token is not signed with HS256 or HS512.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return "The access token has no valid 'exp' claim.";
    if (error.claim === 'nbf') return "The access token is not valid yet (its 'nbf' is in the future).";
    if (error.claim === 'iat') return "The access token's 'iat' claim is invalid.";
    return `The access token's '${error.claim.slice(0, 50)}' claim is invalid.`;
  }
  if (error instanceof errors.JOSEError) return 'The access token is not a well-formed JWT.';
  return 'The access token could not be verified.';
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether the host of a token's audience may stand for this emulator. The real service compares it
 * with its own host name; the emulator is reached as `localhost`, `127.0.0.1`, `[::1]` or the host of
 * the request, so any of them is accepted, and the port is ignored (tokens made from a connection
 * string carry no port, REST tokens do).
 */
export function isAcceptedAudienceHost(audienceHostname: string, requestHost: string | undefined): boolean {
  const host = audienceHostname.toLowerCase();
  if (loopbackHosts.has(host)) return true;
  if (requestHost === undefined) return false;
  return host === hostnameOf(requestHost);
}

function hostnameOf(hostHeader: string): string {
  const lower = hostHeader.toLowerCase();
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    return end === -1 ? lower : lower.slice(0, end + 1);
  }
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function normalizePath(path: string, ignoreCase: boolean): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  if (ignoreCase) decoded = decoded.toLowerCase();
  return decoded.length > 1 && decoded.endsWith('/') ? decoded.slice(0, -1) : decoded;
}

/**
 * The audience rule of client connections: `{scheme}://{host}/client/?hub={hub}`, host lenient as
 * {@link isAcceptedAudienceHost} says, hub compared case-insensitively.
 */
export function clientAudienceRule(hub: string, requestHost: string | undefined): AudienceRule {
  return (audience) => {
    const url = parseUrl(audience);
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
    if (!isAcceptedAudienceHost(url.hostname, requestHost)) return false;
    if (normalizePath(url.pathname, true) !== '/client') return false;
    return (url.searchParams.get('hub') ?? '').toLowerCase() === hub;
  };
}

/**
 * The audience rule of REST calls: the request URL without its query, host lenient as
 * {@link isAcceptedAudienceHost} says, path compared after decoding and with letter case: user ids, group
 * names and connection ids in the path are case-sensitive, so a token for `users/alice` must not serve
 * `users/Alice`.
 */
export function restAudienceRule(requestPath: string, requestHost: string | undefined): AudienceRule {
  const expectedPath = normalizePath(requestPath, false);
  return (audience) => {
    const url = parseUrl(audience);
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
    if (!isAcceptedAudienceHost(url.hostname, requestHost)) return false;
    return normalizePath(url.pathname, false) === expectedPath;
  };
}

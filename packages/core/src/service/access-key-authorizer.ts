import { signAccessTokenNow } from '../token/sign-access-token.js';
import type { RestAuthorizer } from './rest-authorizer.js';

/** REST tokens live one hour, as the official SDK signs them. */
const TOKEN_LIFETIME_SECONDS = 3600;
/** A cached token is replaced this long before it expires, so no request carries one about to lapse. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const DEFAULT_CAPACITY = 1024;

interface CachedAuthorization {
  readonly value: string;
  readonly refreshAt: number;
}

/** Options of {@link AccessKeyAuthorizer}; `now` exists for tests of expiry. */
export interface AccessKeyAuthorizerOptions {
  readonly kid?: string;
  /** Most audiences kept; the oldest is dropped beyond it. Default 1024. */
  readonly capacity?: number;
  readonly now?: () => number;
}

/**
 * Signs REST tokens with the access key, one per audience (the request URL without its query), and keeps
 * each until shortly before it expires. Signing is synchronous, so concurrent requests for one audience
 * find the token the first one signed.
 */
export class AccessKeyAuthorizer implements RestAuthorizer {
  readonly #key: string;
  readonly #kid: string | undefined;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedAuthorization>();

  constructor(key: string, options: AccessKeyAuthorizerOptions = {}) {
    this.#key = key;
    this.#kid = options.kid;
    this.#capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY);
    this.#now = options.now ?? Date.now;
  }

  /** How many audiences currently have a cached token. */
  get size(): number {
    return this.#cache.size;
  }

  authorization(audience: string): Promise<string> {
    const cached = this.#cache.get(audience);
    if (cached !== undefined && this.#now() < cached.refreshAt) return Promise.resolve(cached.value);
    try {
      return Promise.resolve(this.#sign(audience));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #sign(audience: string): string {
    const nowMs = this.#now();
    const token = signAccessTokenNow({
      audience,
      key: this.#key,
      lifetimeSeconds: TOKEN_LIFETIME_SECONDS,
      now: Math.floor(nowMs / 1000),
      ...(this.#kid === undefined ? {} : { kid: this.#kid }),
    });
    const value = `Bearer ${token}`;
    this.#cache.delete(audience);
    if (this.#cache.size >= this.#capacity) {
      // Maps iterate in insertion order: the first key is the least recently signed audience.
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(audience, { value, refreshAt: nowMs + TOKEN_LIFETIME_SECONDS * 1000 - REFRESH_BEFORE_EXPIRY_MS });
    return value;
  }
}

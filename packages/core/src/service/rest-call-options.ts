/**
 * Options every REST call accepts.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 5_000);
 * await client.clientManager.userExists('alice', { signal: controller.signal });
 * ```
 */
export interface RestCallOptions {
  /** Cancels the call (and its retries); it then rejects with code `REST_ABORTED`. */
  readonly signal?: AbortSignal;
}

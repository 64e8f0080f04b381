/**
 * Codes of the ways the dispatcher refuses an upstream request; adapters map each to an HTTP status
 * (see `upstreamStatusFor`).
 *
 * @example
 * ```ts
 * const code: UpstreamRejectionCode = 'UPSTREAM_UNAUTHORIZED'; // 401
 * ```
 */
export type UpstreamRejectionCode =
  | 'UPSTREAM_UNSUPPORTED_MEDIA_TYPE'
  | 'UPSTREAM_BAD_REQUEST'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_FORBIDDEN'
  | 'UPSTREAM_NOT_FOUND'
  | 'UPSTREAM_PAYLOAD_TOO_LARGE'
  | 'UPSTREAM_INTERNAL';

/**
 * The transport-neutral answer to one upstream request:
 * - `accepted`: the event was handled (send, connected, disconnected) → 200 with an empty body;
 * - `completion`: the answer to an `invoke` → 200 with `body`, a framed Completion in the request's
 *   protocol (a result, void, or an error the client sees);
 * - `rejected`: the request was refused; `message` is for the service's logs, never secret.
 *
 * @example
 * ```ts
 * const outcome = await dispatcher.dispatch({ headers, body });
 * if (outcome.kind === 'completion') response.end(outcome.body);
 * ```
 */
export type UpstreamOutcome =
  | { readonly kind: 'accepted' }
  | {
      readonly kind: 'completion';
      readonly contentType: 'application/json' | 'application/x-msgpack';
      readonly body: Uint8Array;
    }
  | { readonly kind: 'rejected'; readonly code: UpstreamRejectionCode; readonly message: string };

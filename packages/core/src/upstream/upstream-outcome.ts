import type { ServerlessHubErrorCode } from '../errors/serverless-hub-error.js';

/**
 * Codes of the ways the dispatcher refuses an upstream request; adapters map each to an HTTP status
 * (see `upstreamStatusFor`). They are the `UPSTREAM_*` codes of {@link ServerlessHubErrorCode}, less
 * `UPSTREAM_CONFIGURATION_INVALID`, which is raised at registration, never for a request.
 *
 * @example
 * ```ts
 * const outcome = await dispatcher.dispatch(request);
 * if (outcome.kind === 'rejected') console.warn(`${outcome.code} (${upstreamStatusFor(outcome)}): ${outcome.message}`);
 * ```
 */
export type UpstreamRejectionCode = Exclude<
  Extract<ServerlessHubErrorCode, `UPSTREAM_${string}`>,
  'UPSTREAM_CONFIGURATION_INVALID'
>;

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

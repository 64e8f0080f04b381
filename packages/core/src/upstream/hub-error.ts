import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * An error a hub author throws on purpose so that its message reaches the client: an `invoke` completes
 * with exactly this message as its error. Any other thrown value reaches the client only as a generic
 * message, while its detail and stack go to the log. Keep secrets and internal details out of the message.
 *
 * @example
 * ```ts
 * async rename(name: string) {
 *   if (name.length > 32) throw new HubError('Names are at most 32 characters long.');
 *   // the client's invoke('rename', …) rejects with "Names are at most 32 characters long."
 * }
 * ```
 */
export class HubError extends ServerlessHubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HUB_ERROR', message, options);
  }
}

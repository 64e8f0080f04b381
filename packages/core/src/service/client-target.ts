import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { abortedError } from './abortable.js';
import { encodeMessagePayload } from './message-payload.js';
import type { RestCallOptions } from './rest-call-options.js';
import type { RestTransport } from './rest-transport.js';
import { errorMessage } from '../errors/describe-error.js';

/**
 * Some clients of a hub (all, one connection, a user, a group, ...): `send` invokes a method on each of
 * them. A send resolves when the service accepted the message (202), not when clients received it.
 *
 * @example
 * ```ts
 * await client.clients.group('room-1').send('newMessage', { from: 'alice', text: 'hi' });
 * await client.clients.user('bob').sendMessage('notify', ['hello'], { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface ClientTarget {
  /**
   * Invokes the client method `target` with `args`: body `{"target", "arguments"}`, or the binary form
   * when an argument holds binary data or a `bigint` (see `MessageEncoding`).
   * Rejects with `REST_INVALID_ARGUMENT` when `target` is empty or `args` cannot be serialized.
   */
  send(target: string, ...args: unknown[]): Promise<void>;
  /** {@link ClientTarget.send} with the arguments as an array and call options (an AbortSignal). */
  sendMessage(target: string, args: readonly unknown[], options?: RestCallOptions): Promise<void>;
}

/** One send request: where it goes, and the id to name in a multi-send failure. */
export interface SendRoute {
  readonly path: string;
  readonly query: string;
  readonly id: string;
}

/** Sends to one route: all, all except, one connection, one user, one group, a group except. */
export class SingleClientTarget implements ClientTarget {
  readonly #transport: RestTransport;
  readonly #route: SendRoute;

  constructor(transport: RestTransport, route: SendRoute) {
    this.#transport = transport;
    this.#route = route;
  }

  send(target: string, ...args: unknown[]): Promise<void> {
    return this.sendMessage(target, args);
  }

  async sendMessage(target: string, args: readonly unknown[], options?: RestCallOptions): Promise<void> {
    const { body, contentType } = encodeMessagePayload(target, args, this.#transport.messageEncoding);
    await this.#transport.call(
      { method: 'POST', path: this.#route.path, query: this.#route.query, body, contentType, isSend: true },
      options?.signal,
    );
  }
}

/**
 * Sends to several connections, users or groups. The REST API has no multi-target route, so, as the
 * official SDK, this sends one request per target, all in parallel (the HTTP agent bounds the sockets).
 */
export class MultiClientTarget implements ClientTarget {
  readonly #transport: RestTransport;
  readonly #routes: readonly SendRoute[];
  readonly #kind: string;

  constructor(transport: RestTransport, routes: readonly SendRoute[], kind: string) {
    this.#transport = transport;
    this.#routes = routes;
    this.#kind = kind;
  }

  send(target: string, ...args: unknown[]): Promise<void> {
    return this.sendMessage(target, args);
  }

  async sendMessage(target: string, args: readonly unknown[], options?: RestCallOptions): Promise<void> {
    const { body, contentType } = encodeMessagePayload(target, args, this.#transport.messageEncoding);
    const signal = options?.signal;
    const outcomes = await Promise.allSettled(
      this.#routes.map((route) =>
        this.#transport.call(
          { method: 'POST', path: route.path, query: route.query, body, contentType, isSend: true },
          signal,
        ),
      ),
    );
    const failures: { id: string; error: unknown }[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected')
        failures.push({ id: (this.#routes[index] as SendRoute).id, error: outcome.reason });
    });
    const first = failures[0];
    if (first === undefined) return;
    if (this.#routes.length === 1) throw first.error;
    if (signal?.aborted === true)
      throw abortedError(signal, `Sending ${JSON.stringify(target)} to ${this.#routes.length} ${this.#kind}`);
    const reasons = failures.map(({ id, error }) => ({
      id,
      code: ServerlessHubError.is(error) ? error.code : 'UNKNOWN',
      ...(ServerlessHubError.is(error) && error.status !== undefined ? { status: error.status } : {}),
    }));
    const firstMessage = errorMessage(first.error);
    throw new ServerlessHubError(
      'REST_MULTI_SEND_FAILED',
      `Sending ${JSON.stringify(target)} failed for ${failures.length} of ${this.#routes.length} ${this.#kind}; the others accepted it. ` +
        `First failure: ${firstMessage}`,
      {
        cause: new AggregateError(
          failures.map(({ error }) => error),
          `${failures.length} sends failed`,
        ),
        details: { total: this.#routes.length, failed: reasons },
      },
    );
  }
}

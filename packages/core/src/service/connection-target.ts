import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { errorMessage } from '../errors/describe-error.js';
import { abortedError } from './abortable.js';
import { escapeUriComponent } from './escape-uri-component.js';
import { SingleClientTarget } from './client-target.js';
import type { ClientTarget, SendRoute } from './client-target.js';
import type { HubRestRoutes } from './hub-rest-routes.js';
import type { RestCallOptions } from './rest-call-options.js';
import { assertInvocationTimeout, assertReason, assertStreamId, assertTarget } from './rest-arguments.js';
import type { RestTransport } from './rest-transport.js';
import {
  CLIENT_CONNECTION_ANSWERS,
  CLIENT_INVOCATION_ERROR_CODES,
  CLIENT_STREAM_ANSWERS,
} from './service-answer-codes.js';

/**
 * Options of a client invocation.
 *
 * @example
 * ```ts
 * const time = await service.clients.client(id).invokeMessage('localTime', [], { timeoutMs: 5_000 });
 * ```
 */
export interface ClientInvocationOptions extends RestCallOptions {
  /** How long to wait for the client's answer, in milliseconds. Default 60 000 (one minute). */
  readonly timeoutMs?: number;
}

/**
 * Options of {@link ConnectionTarget.sendStreamItem}.
 *
 * @example
 * ```ts
 * await service.clients.client(id).sendStreamItem(streamId, 'last', { completed: true });
 * ```
 */
export interface StreamItemOptions extends RestCallOptions {
  /** This item is the last one: the service completes the client's stream after it (`completed=true`). */
  readonly completed?: boolean;
}

/**
 * Options of {@link ConnectionTarget.completeStream}.
 *
 * @example
 * ```ts
 * await service.clients.client(id).completeStream(streamId, { error: 'the feed went away' });
 * ```
 */
export interface CompleteStreamOptions extends RestCallOptions {
  /** Ends the client's stream with this error (`reason=`) instead of a normal completion. */
  readonly error?: string;
}

/**
 * How long a client invocation waits for the client by default: 60 seconds. The service itself keeps a
 * pending invocation at most 10 minutes (Azure/azure-signalr `specs/ClientInvocation.md`).
 *
 * @example
 * ```ts
 * console.log(`clients have ${DEFAULT_CLIENT_INVOCATION_TIMEOUT_MS / 1000} s to answer`);
 * ```
 */
export const DEFAULT_CLIENT_INVOCATION_TIMEOUT_MS = 60_000;

/** A client's result is read up to this size: the service passes on at most 16 MB of an answer. */
const MAX_RESULT_BYTES = 16 * 1024 * 1024;

/**
 * One connection of the hub: what every {@link ClientTarget} does, plus what only a single connection
 * supports (REST API 2024-12-01): invoking a client method and awaiting the client's result, and feeding
 * the client's stream (`connection.stream(...)` on the client) item by item.
 *
 * @example
 * ```ts
 * const client = service.clients.client(connectionId);
 * const time = await client.invoke('localTime');                  // the client's return value
 * for (let n = 3; n >= 1; n--) await client.sendStreamItem(streamId, n);
 * await client.completeStream(streamId);
 * ```
 */
export interface ConnectionTarget extends ClientTarget {
  /**
   * Invokes `target` on the client and resolves with the client's return value
   * (`POST …/connections/{id}/:invoke`). Rejects with a {@link ServerlessHubError} whose code says why
   * there is no result: `CLIENT_INVOCATION_FAILED` (the client's method threw; its message is the
   * client's), `CLIENT_INVOCATION_DISCONNECTED`, `CLIENT_INVOCATION_NO_CONNECTION`,
   * `CLIENT_INVOCATION_TIMEOUT` (default 60 s), `REST_ABORTED`, or a `REST_*` code.
   */
  invoke(target: string, ...args: unknown[]): Promise<unknown>;
  /** {@link ConnectionTarget.invoke} with the arguments as an array, a time limit and an AbortSignal. */
  invokeMessage(target: string, args: readonly unknown[], options?: ClientInvocationOptions): Promise<unknown>;
  /**
   * Sends one item to the client's stream `streamId` (`POST …/streams/{streamId}/:send`, the item as the
   * JSON body). Resolves `false` when the connection does not exist, or the stream does not (the client
   * cancelled it, or it was completed).
   */
  sendStreamItem(streamId: string, item: unknown, options?: StreamItemOptions): Promise<boolean>;
  /**
   * Ends the client's stream, with an error when given (`POST …/streams/{streamId}/:complete`). Resolves
   * `false` when the connection or the stream does not exist.
   */
  completeStream(streamId: string, options?: CompleteStreamOptions): Promise<boolean>;
  /**
   * Sends every item of `items` to the client's stream, then completes it; when `items` throws, completes
   * it with the error's message. When `options.signal` aborts (the client cancelled), stops reading
   * `items` (its `return()` runs), sends nothing more and rejects with `REST_ABORTED`. Resolves `false`
   * when the connection is gone.
   */
  sendStream(
    streamId: string,
    items: AsyncIterable<unknown> | Iterable<unknown>,
    options?: RestCallOptions,
  ): Promise<boolean>;
}

// JSON.stringify answers undefined for undefined, functions and symbols, whatever its declared type says.
function stringify(value: unknown): string | undefined {
  return JSON.stringify(value);
}

function jsonBody(value: unknown, what: string): Buffer {
  let json: string | undefined;
  try {
    json = stringify(value);
  } catch (error) {
    throw new ServerlessHubError(
      'REST_INVALID_ARGUMENT',
      `${what} cannot be serialized as JSON (${errorMessage(error)}).`,
      { cause: error },
    );
  }
  // JSON.stringify(undefined) is undefined: a stream item without a value is null on the wire.
  return Buffer.from(json ?? 'null', 'utf8');
}

function invocationBody(target: string, args: readonly unknown[]): Buffer {
  assertTarget(target);
  return jsonBody({ target, arguments: args }, `The arguments of ${JSON.stringify(target)}`);
}

/** Reads `{"result": …, "protocol"?: …}`: the answer is untrusted, so its shape is checked. */
function parseInvocationResponse(body: string, what: string): unknown {
  if (body === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new ServerlessHubError(
      'REST_SERVICE_ERROR',
      `${what}: the service's answer is not JSON (${errorMessage(error)}).`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ServerlessHubError(
      'REST_SERVICE_ERROR',
      `${what}: the service's answer is not a ClientInvocationResponse object.`,
    );
  }
  return (parsed as { result?: unknown }).result;
}

function invocationFailure(error: unknown, target: string, connectionId: string, timeoutMs: number): unknown {
  if (!ServerlessHubError.is(error)) return error;
  const what = `Invoking ${JSON.stringify(target)} on connection ${JSON.stringify(connectionId)}`;
  if (error.code === 'REST_TIMEOUT') {
    return new ServerlessHubError(
      'CLIENT_INVOCATION_TIMEOUT',
      `${what}: the client did not answer within ${timeoutMs} ms.`,
      { cause: error },
    );
  }
  const errorCode = typeof error.details?.errorCode === 'string' ? error.details.errorCode.toLowerCase() : undefined;
  const serviceMessage = typeof error.details?.serviceMessage === 'string' ? error.details.serviceMessage : undefined;
  const facts = {
    cause: error,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.details === undefined ? {} : { details: error.details }),
  };
  if (errorCode === CLIENT_INVOCATION_ERROR_CODES.failed) {
    return new ServerlessHubError(
      'CLIENT_INVOCATION_FAILED',
      `${what}: the client's method failed: ${serviceMessage ?? 'no message'}`,
      facts,
    );
  }
  if (errorCode === CLIENT_INVOCATION_ERROR_CODES.disconnected) {
    return new ServerlessHubError(
      'CLIENT_INVOCATION_DISCONNECTED',
      `${what}: the connection closed before the client answered.`,
      facts,
    );
  }
  if (errorCode === CLIENT_INVOCATION_ERROR_CODES.timeout) {
    return new ServerlessHubError(
      'CLIENT_INVOCATION_TIMEOUT',
      `${what}: the service stopped waiting for the client's answer.`,
      facts,
    );
  }
  return error;
}

// A function, so that the compiler does not carry a narrowing of `aborted` across awaits.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** {@link ConnectionTarget} over the REST API. */
export class RestConnectionTarget extends SingleClientTarget implements ConnectionTarget {
  readonly #transport: RestTransport;
  readonly #routes: HubRestRoutes;
  readonly #connectionId: string;
  readonly #invokePath: string;

  constructor(transport: RestTransport, routes: HubRestRoutes, route: SendRoute) {
    super(transport, route);
    this.#transport = transport;
    this.#routes = routes;
    this.#connectionId = route.id;
    this.#invokePath = `${routes.connection(route.id)}/:invoke`;
  }

  invoke(target: string, ...args: unknown[]): Promise<unknown> {
    return this.invokeMessage(target, args);
  }

  async invokeMessage(target: string, args: readonly unknown[], options?: ClientInvocationOptions): Promise<unknown> {
    const body = invocationBody(target, args);
    const timeoutMs = options?.timeoutMs ?? DEFAULT_CLIENT_INVOCATION_TIMEOUT_MS;
    assertInvocationTimeout(timeoutMs);
    const what = `POST ${this.#invokePath}`;
    let answer: Awaited<ReturnType<RestTransport['callForBody']>>;
    try {
      // One attempt: the client's method may already have run when an attempt fails.
      answer = await this.#transport.callForBody(
        {
          method: 'POST',
          path: this.#invokePath,
          query: this.#routes.newestQuery,
          body,
          isSend: true,
          retry: false,
          timeoutMs,
          answers: CLIENT_CONNECTION_ANSWERS,
        },
        MAX_RESULT_BYTES,
        options?.signal,
      );
    } catch (error) {
      throw invocationFailure(error, target, this.#connectionId, timeoutMs);
    }
    if (answer === false) {
      throw new ServerlessHubError(
        'CLIENT_INVOCATION_NO_CONNECTION',
        `Invoking ${JSON.stringify(target)}: connection ${JSON.stringify(this.#connectionId)} does not exist (it may have disconnected).`,
        { status: 404 },
      );
    }
    return parseInvocationResponse(answer.body, what);
  }

  async sendStreamItem(streamId: string, item: unknown, options?: StreamItemOptions): Promise<boolean> {
    assertStreamId(streamId);
    const body = jsonBody(item, `The item of stream ${JSON.stringify(streamId)}`);
    const query = options?.completed === true ? `${this.#routes.newestQuery}&completed=true` : this.#routes.newestQuery;
    const path = `${this.#routes.connectionStream(this.#connectionId, streamId)}/:send`;
    return this.#transport.call(
      { method: 'POST', path, query, body, isSend: true, answers: CLIENT_STREAM_ANSWERS },
      options?.signal,
    );
  }

  async completeStream(streamId: string, options?: CompleteStreamOptions): Promise<boolean> {
    assertStreamId(streamId);
    let query = this.#routes.newestQuery;
    if (options?.error !== undefined) {
      assertReason(options.error);
      query += `&reason=${escapeUriComponent(options.error)}`;
    }
    const path = `${this.#routes.connectionStream(this.#connectionId, streamId)}/:complete`;
    return this.#transport.call(
      { method: 'POST', path, query, isSend: true, answers: CLIENT_STREAM_ANSWERS },
      options?.signal,
    );
  }

  async sendStream(
    streamId: string,
    items: AsyncIterable<unknown> | Iterable<unknown>,
    options?: RestCallOptions,
  ): Promise<boolean> {
    assertStreamId(streamId);
    const signal = options?.signal;
    const what = `Streaming to ${JSON.stringify(streamId)}`;
    // Closing the iterator when the client cancels runs the producer's `finally` blocks.
    const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
    let finished = false;
    try {
      for (;;) {
        if (signal?.aborted === true) throw abortedError(signal, what);
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (error) {
          finished = true;
          if (signal !== undefined && isAborted(signal)) throw abortedError(signal, what);
          return await this.completeStream(streamId, {
            error: errorMessage(error),
            ...(signal === undefined ? {} : { signal }),
          });
        }
        if (next.done === true) {
          finished = true;
          return await this.completeStream(streamId, signal === undefined ? {} : { signal });
        }
        if (!(await this.sendStreamItem(streamId, next.value, signal === undefined ? {} : { signal }))) return false;
      }
    } finally {
      if (!finished) await iterator.return?.();
    }
  }
}

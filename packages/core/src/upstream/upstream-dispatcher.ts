import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { argumentCountMessage } from '../hub/argument-count-message.js';
import { NEVER_ABORTED } from '../hub/never-aborted.js';
import { MessageType } from '../protocol/hub-message.js';
import type { CompletionMessage, InvocationMessage, StreamInvocationMessage } from '../protocol/hub-message.js';
import { hubProtocolByContentType } from '../protocol/hub-protocol.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import type { HubInvocationContext, UpstreamCategory } from './hub-invocation-context.js';
import { headersFromFetch, headersFromRecord, isFetchHeaderLookup } from './request-headers.js';
import type { FetchHeaderLookup, HeaderRecord } from './request-headers.js';
import type { UpstreamAuthenticator } from './upstream-authenticator.js';
import { consoleUpstreamLogger } from './upstream-logger.js';
import type { UpstreamInvocationContextFields } from './upstream-invocation-context.js';
import { upstreamInvocationContext } from './upstream-invocation-context.js';
import type { UpstreamLogger } from './upstream-logger.js';
import type { UpstreamOutcome, UpstreamRejectionCode } from './upstream-outcome.js';
import { describeError } from '../errors/describe-error.js';
import { eventFailure } from '../hub/failure-policy.js';
import { HubError } from './hub-error.js';
import { streamToClient } from './stream-to-client.js';
import type { UpstreamStreamTarget } from './stream-to-client.js';

/**
 * What a handler gets besides the context: an `AbortSignal` that fires when the caller goes away, and
 * the transport's own object (for Azure Functions, the `InvocationContext`), passed through untouched and
 * typed by the dispatcher's `THost`, so that no handler has to guess what it is.
 *
 * @example
 * ```ts
 * const dispatcher = new UpstreamDispatcher<InvocationContext>({
 *   handlers: [{
 *     hub: 'chat', category: 'messages', event: 'lookup',
 *     handler: async (context, call) => {
 *       const response = await fetch(`${url}/${String(context.arguments[0])}`, { signal: call.signal }); // stops when the caller goes away
 *       call.host?.log('fetched', response.status); // the function's InvocationContext
 *       return response.json();
 *     },
 *   }],
 * });
 * app.http('chat-upstream', { methods: ['POST'], route: 'chat/{category}/{event}', handler: createAzureFunctionsAdapter(dispatcher) });
 * ```
 */
export interface UpstreamCall<THost = unknown> {
  readonly signal: AbortSignal;
  /** What the transport passed as `host` (the Functions `InvocationContext` for the Functions adapter). */
  readonly host?: THost;
}

/**
 * Handles one upstream event. For an `invoke` the returned value (awaited) is the client's result; for a
 * stream invocation (the client's `connection.stream(...)`) it must be an async iterable, whose items go
 * to the client's stream (see {@link UpstreamHandlerRegistration.streams});
 * `undefined` completes it without a result. Throw a `HubError` to send its message to the client, or call
 * `denyUpstream()` to refuse the call with 403; anything else thrown becomes a generic error.
 *
 * @example
 * ```ts
 * const add: UpstreamHandler = (context) => {
 *   const [a, b] = context.arguments as [number, number];
 *   return a + b; // the client's connection.invoke('add', 1, 2) resolves to 3
 * };
 * const dispatcher = new UpstreamDispatcher({
 *   handlers: [{ hub: 'calc', category: 'messages', event: 'add', minArguments: 2, maxArguments: 2, handler: add }],
 * });
 * ```
 */
export type UpstreamHandler<THost = unknown> = (context: HubInvocationContext, call: UpstreamCall<THost>) => unknown;

/**
 * One row of the dispatch table. Hub, category and event are matched case-insensitively. For `messages`,
 * `minArguments` / `maxArguments` bound the number of client arguments (optional trailing parameters:
 * `minArguments` < `maxArguments`; a rest parameter: `maxArguments: Infinity`); without them any count passes.
 *
 * @example
 * ```ts
 * const dispatcher = new UpstreamDispatcher({
 *   handlers: [
 *     { hub: 'chat', category: 'connections', event: 'connected', handler: (context) => welcome(context.connectionId) },
 *     {
 *       hub: 'chat', category: 'messages', event: 'broadcast',
 *       minArguments: 1, maxArguments: 1, // connection.invoke('broadcast') without the text is refused
 *       handler: (context) => broadcast(context.arguments[0]),
 *     },
 *   ],
 * });
 * ```
 */
export interface UpstreamHandlerRegistration<THost = unknown> {
  readonly hub: string;
  readonly category: UpstreamCategory;
  /** `connected` or `disconnected` for `connections`; the invocation target for `messages`. */
  readonly event: string;
  readonly handler: UpstreamHandler<THost>;
  readonly minArguments?: number;
  readonly maxArguments?: number;
  /** Overrides the dispatcher's authenticator, e.g. for a hub bound to another connection string. */
  readonly authenticator?: UpstreamAuthenticator;
  /**
   * Where the items of a stream invocation go: the connection's stream API (the REST client's
   * `clients.client(connectionId)`). Without it, stream invocations of this event are answered with an error.
   */
  readonly streams?: (connectionId: string) => UpstreamStreamTarget;
}

/**
 * How a dispatcher reports unexpected handler failures to clients:
 * - `off` (default): the generic "An unexpected error occurred invoking 'x' on the server.";
 * - `claim`: the generic message plus the error's name and message when the connection's claims carry
 *   `asrs.s.derror: True` (what the ASP.NET server SDK puts in client tokens when its hub has
 *   `EnableDetailedErrors`; only the app's negotiate can put it in a signed token);
 * - `always`: always add name and message (local development).
 * Stacks never reach clients.
 *
 * @example
 * ```ts
 * new UpstreamDispatcher({ handlers, authenticator, detailedErrors: 'claim' });
 * // negotiate side: put { 'asrs.s.derror': 'True' } into the claims of developers' connections
 * ```
 */
export type DetailedErrorsMode = 'off' | 'claim' | 'always';

/**
 * Configuration of an {@link UpstreamDispatcher}.
 *
 * @example
 * ```ts
 * const dispatcher = new UpstreamDispatcher({
 *   handlers: [{ hub: 'chat', category: 'messages', event: 'echo', handler: (ctx) => ctx.arguments[0] }],
 *   authenticator: createUpstreamAuthenticator({ endpoints: [endpointFromSettings()] }),
 *   logger: silentUpstreamLogger,
 * });
 * ```
 */
export interface UpstreamDispatcherOptions<THost = unknown> {
  readonly handlers: readonly UpstreamHandlerRegistration<THost>[];
  /** Authenticates every request whose registration has no authenticator of its own. */
  readonly authenticator?: UpstreamAuthenticator;
  /** Default logger; a call may bring its own (the Functions adapter logs to the invocation). */
  readonly logger?: UpstreamLogger;
  readonly detailedErrors?: DetailedErrorsMode;
}

/**
 * One upstream HTTP request as the dispatcher needs it: the headers and the whole body. Headers are
 * either a record (names in any case; values as Node's `IncomingHttpHeaders` has them) or a Fetch API
 * `Headers` object (as `@azure/functions`' `HttpRequest.headers`), which is read in place: only the
 * headers the dispatcher needs are looked up, and the rest are copied only if a handler reads
 * `context.headers`.
 *
 * @example
 * ```ts
 * await dispatcher.dispatch({ headers: incomingMessage.headers, body });   // Node http
 * await dispatcher.dispatch({ headers: httpRequest.headers, body });       // @azure/functions
 * ```
 */
export interface UpstreamRequest {
  readonly headers: HeaderRecord | FetchHeaderLookup;
  readonly body: Uint8Array;
}

/**
 * Per-request extras for {@link UpstreamDispatcher.dispatch}.
 *
 * @example
 * ```ts
 * await dispatcher.dispatch(request, { signal: controller.signal, host: invocationContext });
 * ```
 */
export interface UpstreamDispatchOptions<THost = unknown> {
  /** Aborts the handler's work when the caller goes away. */
  readonly signal?: AbortSignal;
  /** Passed to the handler as `call.host`. */
  readonly host?: THost;
  /** Logger for this request, instead of the dispatcher's. */
  readonly logger?: UpstreamLogger;
}

interface TableEntry<THost> {
  readonly registration: UpstreamHandlerRegistration<THost>;
  readonly authenticator: UpstreamAuthenticator;
  readonly minArguments: number;
  readonly maxArguments: number;
  readonly checksArguments: boolean;
  readonly isConnected: boolean;
  readonly isDisconnected: boolean;
}

const UNAUTHORIZED_MESSAGE = 'The request is unauthorized, please check the Signature.';
const ACCEPTED: UpstreamOutcome = Object.freeze({ kind: 'accepted' });
const NO_ARGUMENTS: readonly unknown[] = Object.freeze([]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function tableKey(hub: string, category: string, event: string): string {
  // Newlines cannot occur in header values, so they cannot make two different triples collide.
  return `${hub.toLowerCase()}\n${category}\n${event.toLowerCase()}`;
}

function configurationError(message: string): ServerlessHubError {
  return new ServerlessHubError('UPSTREAM_CONFIGURATION_INVALID', message);
}

function rejected(code: UpstreamRejectionCode, message: string): UpstreamOutcome {
  return { kind: 'rejected', code, message };
}

function isCountBound(value: number, allowInfinity: boolean): boolean {
  return (Number.isInteger(value) && value >= 0) || (allowInfinity && value === Number.POSITIVE_INFINITY);
}

/**
 * Turns the service's upstream HTTP requests into handler calls and their answers, independent of any
 * HTTP framework (adapters turn the {@link UpstreamOutcome} into a response). The table of
 * (hub, category, event) → handler is compiled once; each request is checked in this order:
 * content type (415), required `X-ASRS-*` headers (400), handler lookup (404), signature or bearer token
 * (401), body (400), then the handler runs. `dispatch` never throws.
 *
 * @example
 * ```ts
 * const dispatcher = new UpstreamDispatcher({
 *   authenticator: createUpstreamAuthenticator({ endpoints: [endpointFromSettings()] }),
 *   handlers: [
 *     { hub: 'chat', category: 'connections', event: 'connected', handler: (ctx) => console.log(ctx.connectionId) },
 *     { hub: 'chat', category: 'messages', event: 'echo', minArguments: 1, maxArguments: 1, handler: (ctx) => ctx.arguments[0] },
 *   ],
 * });
 * app.http('chat-upstream', { methods: ['POST'], route: 'chat/{category}/{event}', handler: createAzureFunctionsAdapter(dispatcher) });
 * ```
 */
export class UpstreamDispatcher<THost = unknown> {
  readonly #table = new Map<string, TableEntry<THost>>();
  readonly #hubs = new Set<string>();
  readonly #logger: UpstreamLogger;
  readonly #detailedErrors: DetailedErrorsMode;

  /**
   * @throws {ServerlessHubError} `UPSTREAM_CONFIGURATION_INVALID` for an empty hub or event, an unknown
   * category, a `connections` event other than `connected` / `disconnected`, invalid argument bounds,
   * two registrations of one (hub, category, event), or a registration without any authenticator.
   */
  constructor(options: UpstreamDispatcherOptions<THost>) {
    this.#logger = options.logger ?? consoleUpstreamLogger;
    // Checked at run time too: options often come from plain JavaScript or configuration.
    const detailedErrors: string = options.detailedErrors ?? 'off';
    if (detailedErrors !== 'off' && detailedErrors !== 'claim' && detailedErrors !== 'always') {
      throw configurationError(
        `detailedErrors must be 'off', 'claim' or 'always', got ${JSON.stringify(detailedErrors)}.`,
      );
    }
    this.#detailedErrors = detailedErrors;
    for (const registration of options.handlers) this.#add(registration, options.authenticator);
  }

  #add(
    registration: UpstreamHandlerRegistration<THost>,
    fallbackAuthenticator: UpstreamAuthenticator | undefined,
  ): void {
    const { hub, event } = registration;
    const category: string = registration.category;
    const where = `hub ${JSON.stringify(hub)}, category ${JSON.stringify(category)}, event ${JSON.stringify(event)}`;
    if (typeof hub !== 'string' || hub.trim().length === 0)
      throw configurationError(`Upstream handler for ${where}: the hub name is empty.`);
    if (typeof event !== 'string' || event.trim().length === 0)
      throw configurationError(`Upstream handler for ${where}: the event name is empty.`);
    if (category !== 'connections' && category !== 'messages') {
      throw configurationError(`Upstream handler for ${where}: the category must be 'connections' or 'messages'.`);
    }
    const lowerEvent = event.toLowerCase();
    if (category === 'connections' && lowerEvent !== 'connected' && lowerEvent !== 'disconnected') {
      throw configurationError(`Upstream handler for ${where}: connection events are 'connected' and 'disconnected'.`);
    }
    if (typeof registration.handler !== 'function')
      throw configurationError(`Upstream handler for ${where}: the handler is not a function.`);
    const minArguments = registration.minArguments ?? 0;
    const maxArguments = registration.maxArguments ?? Number.POSITIVE_INFINITY;
    if (!isCountBound(minArguments, false) || !isCountBound(maxArguments, true) || minArguments > maxArguments) {
      throw configurationError(
        `Upstream handler for ${where}: minArguments and maxArguments must be whole numbers with 0 <= minArguments <= maxArguments (maxArguments may be Infinity).`,
      );
    }
    const authenticator = registration.authenticator ?? fallbackAuthenticator;
    if (authenticator === undefined) {
      throw configurationError(
        `Upstream handler for ${where} has no authenticator: pass 'authenticator' to the dispatcher (see createUpstreamAuthenticator).`,
      );
    }
    const key = tableKey(hub, category, event);
    if (this.#table.has(key))
      throw configurationError(`Two upstream handlers for ${where} (names are compared case-insensitively).`);
    this.#table.set(key, {
      registration,
      authenticator,
      minArguments,
      maxArguments,
      checksArguments: category === 'messages' && (minArguments > 0 || maxArguments !== Number.POSITIVE_INFINITY),
      isConnected: category === 'connections' && lowerEvent === 'connected',
      isDisconnected: category === 'connections' && lowerEvent === 'disconnected',
    });
    this.#hubs.add(hub.toLowerCase());
  }

  /**
   * Handles one upstream request and resolves its outcome. Never rejects: every failure becomes a
   * `rejected` outcome or an error completion, and its detail goes to the logger.
   *
   * @example
   * ```ts
   * const outcome = await dispatcher.dispatch({ headers: req.headers, body }, { signal });
   * ```
   */
  async dispatch(request: UpstreamRequest, options?: UpstreamDispatchOptions<THost>): Promise<UpstreamOutcome> {
    const logger = options?.logger ?? this.#logger;
    try {
      return await this.#dispatch(request, options, logger);
    } catch (error) {
      logger.log('error', 'The upstream request failed unexpectedly.', error);
      return rejected('UPSTREAM_INTERNAL', 'The upstream request failed unexpectedly; see the application log.');
    }
  }

  async #dispatch(
    request: UpstreamRequest,
    options: UpstreamDispatchOptions<THost> | undefined,
    logger: UpstreamLogger,
  ): Promise<UpstreamOutcome> {
    const headers = isFetchHeaderLookup(request.headers)
      ? headersFromFetch(request.headers)
      : headersFromRecord(request.headers);

    const contentType = headers.get('content-type');
    let protocol: HubProtocol;
    try {
      protocol = hubProtocolByContentType(contentType ?? '');
    } catch {
      return rejected(
        'UPSTREAM_UNSUPPORTED_MEDIA_TYPE',
        contentType === undefined
          ? "The request has no Content-Type; expected 'application/json' or 'application/x-msgpack'."
          : `The content type ${JSON.stringify(contentType.slice(0, 100))} is not supported; expected 'application/json' or 'application/x-msgpack'.`,
      );
    }

    const connectionId = headers.get('x-asrs-connection-id');
    const hub = headers.get('x-asrs-hub');
    const categoryHeader = headers.get('x-asrs-category');
    const event = headers.get('x-asrs-event');
    if (!connectionId || !hub || !categoryHeader || !event) {
      const missing = [
        connectionId ? undefined : 'X-ASRS-Connection-Id',
        hub ? undefined : 'X-ASRS-Hub',
        categoryHeader ? undefined : 'X-ASRS-Category',
        event ? undefined : 'X-ASRS-Event',
      ].filter((name) => name !== undefined);
      return rejected(
        'UPSTREAM_BAD_REQUEST',
        `The request lacks the header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
      );
    }

    const category = categoryHeader.toLowerCase();
    const entry = this.#table.get(tableKey(hub, category, event));
    if (entry === undefined) return this.#notFound(hub, category, event);

    const authentication = entry.authenticator.authenticate({ connectionId, headers: headers.credentials() });
    const verdict = isThenable(authentication) ? await authentication : authentication;
    if (!verdict.ok) {
      logger.log(
        'warn',
        `Upstream request refused with 401 (hub '${hub}', ${category} '${event}', connection '${connectionId}'): ${verdict.reason}.`,
      );
      return rejected('UPSTREAM_UNAUTHORIZED', UNAUTHORIZED_MESSAGE);
    }

    let args = NO_ARGUMENTS;
    let invocationId: string | undefined;
    let closeError: string | undefined;
    let isStream = false;
    if (entry.isDisconnected) {
      const parsed = parseDisconnectedBody(request.body);
      if (typeof parsed !== 'object') return rejected('UPSTREAM_BAD_REQUEST', parsed);
      closeError = parsed.error;
    } else if (!entry.isConnected) {
      let invocation: InvocationMessage | StreamInvocationMessage;
      try {
        invocation = protocol.parseUnframedInvocation(request.body);
      } catch (error) {
        return rejected(
          'UPSTREAM_BAD_REQUEST',
          `The body is not a valid ${protocol.name} Invocation message: ${(error as Error).message}`,
        );
      }
      if (invocation.target.toLowerCase() !== event.toLowerCase()) {
        return rejected(
          'UPSTREAM_BAD_REQUEST',
          `The invocation target ${JSON.stringify(invocation.target.slice(0, 200))} does not match the X-ASRS-Event header ${JSON.stringify(event)}.`,
        );
      }
      args = invocation.arguments;
      invocationId = invocation.invocationId;
      isStream = invocation.type === MessageType.StreamInvocation;
      if (isStream && entry.registration.streams === undefined) {
        return rejected(
          'UPSTREAM_BAD_REQUEST',
          `The ${JSON.stringify(event)} event takes no stream invocations here: its registration has no stream target (streams).`,
        );
      }
    }

    const userId = headers.get('x-asrs-user-id');
    const fields: UpstreamInvocationContextFields = {
      connectionId,
      userId: userId === undefined || userId.length === 0 ? undefined : userId,
      hub,
      category: category as UpstreamCategory,
      event: entry.isConnected ? 'connected' : entry.isDisconnected ? 'disconnected' : event,
      arguments: Object.isFrozen(args) ? args : Object.freeze(args),
      error: closeError,
      invocationId,
      protocol: protocol.name,
      stream: isStream,
    };
    const context = upstreamInvocationContext(fields, headers);

    if (entry.checksArguments && (args.length < entry.minArguments || args.length > entry.maxArguments)) {
      const expected = args.length < entry.minArguments ? entry.minArguments : entry.maxArguments;
      return this.#failed(
        new ServerlessHubError('HUB_ARGUMENTS_INVALID', argumentCountMessage(expected, args.length)),
        entry,
        context,
        protocol,
        logger,
      );
    }

    const call: UpstreamCall<THost> =
      options?.host === undefined
        ? { signal: options?.signal ?? NEVER_ABORTED }
        : { signal: options.signal ?? NEVER_ABORTED, host: options.host };
    let result: unknown;
    try {
      result = entry.registration.handler(context, call);
      if (isThenable(result)) result = await result;
      if (isStream) {
        if (!isAsyncIterable(result)) {
          throw new HubError(`'${context.event}' does not stream: call it with invoke or send, not stream.`);
        }
      } else if (isAsyncIterable(result)) {
        void result[Symbol.asyncIterator]().return?.();
        throw new HubError(`'${context.event}' streams its result: call it with stream, not invoke or send.`);
      }
    } catch (error) {
      if (isStream && invocationId !== undefined) return this.#endStream(error, entry, context, logger);
      return this.#failed(error, entry, context, protocol, logger);
    }

    if (isStream && invocationId !== undefined) {
      const target = entry.registration.streams?.(connectionId);
      if (target === undefined) return rejected('UPSTREAM_INTERNAL', 'The stream target of this event is missing.');
      // The request stays open until the stream ends: a Functions host may freeze work left after its answer.
      const failure = await streamToClient(target, invocationId, result as AsyncIterable<unknown>, call.signal);
      if (failure === undefined) return ACCEPTED;
      if (failure.unsent) {
        logger.log(
          'warn',
          `The stream '${invocationId}' of connection '${connectionId}' stopped: an item could not be sent.`,
          failure.error,
        );
        return ACCEPTED;
      }
      return this.#endStream(failure.error, entry, context, logger, target);
    }

    if (invocationId === undefined) return ACCEPTED;
    try {
      // The C# extension always writes a result, null for a method that returns nothing.
      return completion(protocol, {
        type: MessageType.Completion,
        invocationId,
        result: result === undefined ? null : result,
      });
    } catch (error) {
      return this.#failed(
        new Error(`The result cannot be encoded as ${protocol.name}: ${describeError(error)}`, { cause: error }),
        entry,
        context,
        protocol,
        logger,
      );
    }
  }

  #notFound(hub: string, category: string, event: string): UpstreamOutcome {
    if (category !== 'connections' && category !== 'messages') {
      return rejected(
        'UPSTREAM_NOT_FOUND',
        `Unknown category ${JSON.stringify(category.slice(0, 100))}; expected 'connections' or 'messages'.`,
      );
    }
    if (!this.#hubs.has(hub.toLowerCase()))
      return rejected('UPSTREAM_NOT_FOUND', `No hub named ${JSON.stringify(hub.slice(0, 200))} is registered.`);
    return rejected(
      'UPSTREAM_NOT_FOUND',
      `Hub ${JSON.stringify(hub.slice(0, 200))} has no handler for the ${category} event ${JSON.stringify(event.slice(0, 200))}.`,
    );
  }

  /**
   * Ends a stream that failed: the client's stream is completed through the stream API with the error
   * text invocations get (a `HubError`'s message, else the generic text); a denied call is refused.
   */
  async #endStream(
    error: unknown,
    entry: TableEntry<THost>,
    context: HubInvocationContext,
    logger: UpstreamLogger,
    known?: UpstreamStreamTarget,
  ): Promise<UpstreamOutcome> {
    const { answer, log } = this.#failure(error, entry, context);
    if (log.error === undefined) logger.log(log.level, log.message);
    else logger.log(log.level, log.message, log.error);
    if (answer.kind === 'refuse') return rejected('UPSTREAM_FORBIDDEN', answer.message);
    if (answer.kind !== 'complete') return ACCEPTED;
    const target = known ?? entry.registration.streams?.(context.connectionId);
    if (target === undefined) return rejected('UPSTREAM_INTERNAL', answer.error);
    try {
      await target.completeStream(context.invocationId ?? '', { error: answer.error });
    } catch (sendError) {
      logger.log(
        'warn',
        `The stream '${context.invocationId ?? ''}' of connection '${context.connectionId}' could not be completed.`,
        sendError,
      );
    }
    return ACCEPTED;
  }

  #failure(error: unknown, entry: TableEntry<THost>, context: HubInvocationContext): ReturnType<typeof eventFailure> {
    return eventFailure(error, {
      where: `'${context.event}' on hub '${context.hub}' (connection '${context.connectionId}')`,
      event: context.event,
      isConnected: entry.isConnected,
      isDisconnected: entry.isDisconnected,
      answerable: context.invocationId !== undefined,
      detailed:
        this.#detailedErrors === 'always' ||
        (this.#detailedErrors === 'claim' && context.claims['asrs.s.derror']?.toLowerCase() === 'true'),
    });
  }

  #failed(
    error: unknown,
    entry: TableEntry<THost>,
    context: HubInvocationContext,
    protocol: HubProtocol,
    logger: UpstreamLogger,
  ): UpstreamOutcome {
    const { answer, log } = this.#failure(error, entry, context);
    if (log.error === undefined) logger.log(log.level, log.message);
    else logger.log(log.level, log.message, log.error);
    switch (answer.kind) {
      case 'accept':
        return ACCEPTED;
      case 'refuse':
        return rejected('UPSTREAM_FORBIDDEN', answer.message);
      case 'complete':
        // answerable: a completion is only asked for with an invocation id
        return completion(protocol, {
          type: MessageType.Completion,
          invocationId: context.invocationId ?? '',
          error: answer.error,
        });
    }
  }
}

// Awaiting a value that is not a promise still costs a turn of the microtask queue; signature checks and
// most hub methods answer synchronously.
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function completion(protocol: HubProtocol, message: CompletionMessage): UpstreamOutcome {
  return { kind: 'completion', contentType: protocol.contentType, body: protocol.writeMessage(message) };
}

/**
 * The disconnected body is JSON `{"type":11,"error":"…"}`; the official emulator writes `Type` / `Error`
 * and omits a null error, so property names are matched case-insensitively. An empty body is read as a
 * clean close. Returns the error, or a message saying what is malformed.
 */
function parseDisconnectedBody(body: Uint8Array): { error: string | undefined } | string {
  if (body.length === 0) return { error: undefined };
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    return `The disconnected body is not valid UTF-8 JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'The disconnected body must be a JSON object such as {"type":11,"error":"…"}.';
  }
  let type: unknown;
  let error: unknown;
  for (const [name, field] of Object.entries(value)) {
    const lower = name.toLowerCase();
    if (lower === 'type') type = field;
    else if (lower === 'error') error = field;
  }
  if (type !== undefined && type !== 11) return `The disconnected body has type ${JSON.stringify(type)}; expected 11.`;
  if (error === undefined || error === null) return { error: undefined };
  if (typeof error !== 'string') return 'The "error" property of the disconnected body must be a string or null.';
  return { error };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

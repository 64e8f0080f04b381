import type { ClientTarget } from '../service/client-target.js';
import type { ClientInvocationOptions, ConnectionTarget } from '../service/connection-target.js';
import type { HubClients } from '../service/hub-clients.js';

/**
 * Names a typed client proxy keeps for itself, because JavaScript and common tools call them on their
 * own (`await` calls `then`, `JSON.stringify` calls `toJSON`, string conversion calls `toString`, test
 * matchers call `asymmetricMatch`): reach client methods of these names with `send`.
 */
type ReservedName =
  | 'send'
  | 'sendMessage'
  | 'invoke'
  | 'invokeMessage'
  | 'then'
  | 'catch'
  | 'finally'
  | 'toJSON'
  | 'inspect'
  | 'asymmetricMatch'
  | 'constructor'
  | 'toString'
  | 'toLocaleString'
  | 'valueOf'
  | 'hasOwnProperty'
  | 'isPrototypeOf'
  | 'propertyIsEnumerable';

/**
 * The client methods of `TClient`, as functions that send them: same parameters, returning a promise that
 * settles when the service accepted the message.
 *
 * @example
 * ```ts
 * type Senders = ClientMethods<{ newMessage(text: string): void }>;
 * // { readonly newMessage: (text: string) => Promise<void> }
 * ```
 */
export type ClientMethods<TClient> = {
  readonly [K in keyof TClient as K extends ReservedName ? never : K extends string ? K : never]: TClient[K] extends (
    ...args: infer A
  ) => unknown
    ? (...args: A) => Promise<void>
    : never;
};

/**
 * Some clients of the hub, typed by the client interface: `newMessage(m)` sends `newMessage` with `m`.
 * The untyped `send(target, ...args)` (and `sendMessage(target, args, { signal })`) stay available for
 * names the interface does not list.
 *
 * @example
 * ```ts
 * interface ChatClient { newMessage(m: { from: string; text: string }): void }
 * const everyone: ClientProxy<ChatClient> = this.clients.all;
 * await everyone.newMessage({ from: 'alice', text: 'hi' });
 * await everyone.send('typing', 'alice');
 * ```
 */
export type ClientProxy<TClient> = ClientMethods<TClient> & ClientSenders;

/**
 * The untyped sends of a {@link ClientProxy}: the REST client's {@link ClientTarget} methods, as
 * properties bound to their target (safe to pass around as functions).
 *
 * @example
 * ```ts
 * const { send } = this.clients.user('bob');
 * await send('ping', Date.now());
 * ```
 */
export interface ClientSenders {
  /** Invokes the client method `target` with `args`. */
  readonly send: (target: string, ...args: unknown[]) => Promise<void>;
  /** Like `send`, with the arguments as an array and call options (an `AbortSignal`). */
  readonly sendMessage: ClientTarget['sendMessage'];
}

/**
 * The client methods of `TClient` that answer with a value (their return type is not `void`): the names
 * `invoke` accepts when the hub declares a client interface.
 *
 * @example
 * ```ts
 * type Names = InvokableName<{ localTime(): string; notify(text: string): void }>; // 'localTime'
 * ```
 */
export type InvokableName<TClient> = unknown extends TClient
  ? string
  : {
      // A client method declared `void` sends; only those that return something can be awaited for it.
      [K in keyof TClient]: K extends string
        ? TClient[K] extends (...args: never[]) => infer R
          ? // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
            [R] extends [void]
            ? never
            : K
          : never
        : never;
    }[keyof TClient];

type ClientArgs<TClient, K> = unknown extends TClient
  ? unknown[]
  : K extends keyof TClient
    ? TClient[K] extends (...args: infer A) => unknown
      ? A
      : never
    : never;
type ClientResult<TClient, K> = unknown extends TClient
  ? unknown
  : K extends keyof TClient
    ? TClient[K] extends (...args: never[]) => infer R
      ? Awaited<R>
      : never
    : never;

/**
 * Invoking one connection for a result (REST API 2024-12-01). With a client interface, `invoke` takes
 * the name of a client method that returns a value and resolves with that value's type; without one
 * (`ServerlessHub` with no type argument), any name and `unknown`.
 *
 * @example
 * ```ts
 * interface ChatClient { localTime(): string }
 * const time: string = await this.clients.client(id).invoke('localTime');
 * const late = await this.clients.client(id).invokeMessage('localTime', [], { timeoutMs: 5_000 });
 * ```
 */
export interface ClientInvokers<TClient> {
  /** Invokes `target` on the client and resolves with its result (see {@link ConnectionTarget.invoke}). */
  invoke<K extends InvokableName<TClient>>(
    target: K,
    ...args: ClientArgs<TClient, K>
  ): Promise<ClientResult<TClient, K>>;
  /** `invoke` with the arguments as an array, a time limit and an AbortSignal. */
  invokeMessage<K extends InvokableName<TClient>>(
    target: K,
    args: ClientArgs<TClient, K>,
    options?: ClientInvocationOptions,
  ): Promise<ClientResult<TClient, K>>;
  /** Sends one item to the client's stream `streamId` (see {@link ConnectionTarget.sendStreamItem}). */
  readonly sendStreamItem: ConnectionTarget['sendStreamItem'];
  /** Ends the client's stream `streamId` (see {@link ConnectionTarget.completeStream}). */
  readonly completeStream: ConnectionTarget['completeStream'];
  /** Feeds the client's stream from an iterable (see {@link ConnectionTarget.sendStream}). */
  readonly sendStream: ConnectionTarget['sendStream'];
}

/**
 * One connection, typed by the client interface: its client methods send, `invoke` awaits a result.
 *
 * @example
 * ```ts
 * const caller: ConnectionProxy<ChatClient> = this.clients.client(this.context.connectionId);
 * await caller.newMessage({ from: 'system', text: 'hi' });
 * const time = await caller.invoke('localTime');
 * ```
 */
export type ConnectionProxy<TClient> = ClientProxy<TClient> & ClientInvokers<TClient>;

/**
 * {@link HubClients}, typed by the hub's client interface: each target is a {@link ClientProxy}.
 *
 * @example
 * ```ts
 * await this.clients.all.newMessage({ from, text });
 * await this.clients.user('bob').newMessage({ from, text });
 * await this.clients.groupExcept('room', [this.context.connectionId]).newMessage({ from, text });
 * ```
 */
export interface TypedHubClients<TClient> {
  readonly all: ClientProxy<TClient>;
  allExcept(excludedConnectionIds: readonly string[]): ClientProxy<TClient>;
  client(connectionId: string): ConnectionProxy<TClient>;
  clients(connectionIds: readonly string[]): ClientProxy<TClient>;
  user(userId: string): ClientProxy<TClient>;
  users(userIds: readonly string[]): ClientProxy<TClient>;
  group(groupName: string): ClientProxy<TClient>;
  groups(groupNames: readonly string[]): ClientProxy<TClient>;
  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientProxy<TClient>;
}

const TARGET: unique symbol = Symbol('client target');

interface Wrapped {
  readonly [TARGET]: ClientTarget;
}

// Names that must keep their ordinary meaning on a proxy (see ReservedName): otherwise `await proxy`,
// `JSON.stringify(proxy)` or a test matcher would send a message to clients.
const NOT_SENDERS: ReadonlySet<string> = new Set([
  'then',
  'catch',
  'finally',
  'toJSON',
  'inspect',
  'asymmetricMatch',
  'invoke',
  'invokeMessage',
]);

function isPlainObjectMember(name: string): boolean {
  return NOT_SENDERS.has(name) || name in Object.prototype;
}

/**
 * The prototype of every typed client proxy: one `Proxy`, created once, that turns an unknown property
 * name into a sender for that client method. The sender is then stored on the proxy object itself, so a
 * target reused across calls (`this.clients.all`) finds it as an ordinary own property next time.
 * No `Proxy` is allocated per target or per call.
 */
const senderPrototype: object = new Proxy(Object.create(null) as object, {
  get(_prototype, name, receiver: Wrapped) {
    if (typeof name === 'symbol' || isPlainObjectMember(name))
      return Reflect.get(Object.prototype, name, receiver) as unknown;
    const target = receiver[TARGET];
    const sender = (...args: unknown[]): Promise<void> => target.send(name, ...args);
    Object.defineProperty(receiver, name, { value: sender, configurable: true, enumerable: false, writable: false });
    return sender;
  },
});

/** Wraps a REST client target in a typed client proxy. */
export function typedTarget<TClient>(target: ClientTarget): ClientProxy<TClient> {
  const wrapped = Object.create(senderPrototype) as Record<PropertyKey, unknown>;
  Object.defineProperties(wrapped, {
    [TARGET]: { value: target },
    send: { value: (name: string, ...args: unknown[]) => target.send(name, ...args) },
    sendMessage: { value: target.sendMessage.bind(target) },
  });
  return wrapped as unknown as ClientProxy<TClient>;
}

/** Wraps one connection's target in a typed connection proxy. */
function typedConnection<TClient>(target: ConnectionTarget): ConnectionProxy<TClient> {
  const wrapped = typedTarget<TClient>(target) as object;
  Object.defineProperties(wrapped, {
    invoke: { value: (name: string, ...args: unknown[]) => target.invoke(name, ...args) },
    invokeMessage: { value: target.invokeMessage.bind(target) },
    sendStreamItem: { value: target.sendStreamItem.bind(target) },
    completeStream: { value: target.completeStream.bind(target) },
    sendStream: { value: target.sendStream.bind(target) },
  });
  return wrapped as ConnectionProxy<TClient>;
}

/**
 * Wraps the REST client's {@link HubClients} in {@link TypedHubClients}. `all` is wrapped once; other
 * targets are wrapped as they are asked for (one small object each, no `Proxy`).
 *
 * @example
 * ```ts
 * const clients = typedHubClients<ChatClient>(new ServiceHubClient(endpoint, 'chat').clients);
 * await clients.all.newMessage({ from: 'system', text: 'hello' });
 * ```
 */
export function typedHubClients<TClient>(clients: HubClients): TypedHubClients<TClient> {
  const all = typedTarget<TClient>(clients.all);
  return Object.freeze({
    all,
    allExcept: (ids: readonly string[]) => typedTarget<TClient>(clients.allExcept(ids)),
    client: (id: string) => typedConnection<TClient>(clients.client(id)),
    clients: (ids: readonly string[]) => typedTarget<TClient>(clients.clients(ids)),
    user: (id: string) => typedTarget<TClient>(clients.user(id)),
    users: (ids: readonly string[]) => typedTarget<TClient>(clients.users(ids)),
    group: (name: string) => typedTarget<TClient>(clients.group(name)),
    groups: (names: readonly string[]) => typedTarget<TClient>(clients.groups(names)),
    groupExcept: (name: string, ids: readonly string[]) => typedTarget<TClient>(clients.groupExcept(name, ids)),
  });
}

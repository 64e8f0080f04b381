import type { ClientTarget } from '../service/client-target.js';
import type { HubClients } from '../service/hub-clients.js';

/**
 * Names a typed client proxy keeps for itself, because JavaScript and common tools call them on their
 * own (`await` calls `then`, `JSON.stringify` calls `toJSON`, string conversion calls `toString`, test
 * matchers call `asymmetricMatch`): reach client methods of these names with `send`.
 */
type ReservedName =
  | 'send'
  | 'sendMessage'
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
  readonly [K in keyof TClient as K extends ReservedName ? never : K extends string ? K : never]: TClient[K] extends (...args: infer A) => unknown
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
  client(connectionId: string): ClientProxy<TClient>;
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
const NOT_SENDERS: ReadonlySet<string> = new Set(['then', 'catch', 'finally', 'toJSON', 'inspect', 'asymmetricMatch']);

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
    if (typeof name === 'symbol' || isPlainObjectMember(name)) return Reflect.get(Object.prototype, name, receiver) as unknown;
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
    client: (id: string) => typedTarget<TClient>(clients.client(id)),
    clients: (ids: readonly string[]) => typedTarget<TClient>(clients.clients(ids)),
    user: (id: string) => typedTarget<TClient>(clients.user(id)),
    users: (ids: readonly string[]) => typedTarget<TClient>(clients.users(ids)),
    group: (name: string) => typedTarget<TClient>(clients.group(name)),
    groups: (names: readonly string[]) => typedTarget<TClient>(clients.groups(names)),
    groupExcept: (name: string, ids: readonly string[]) => typedTarget<TClient>(clients.groupExcept(name, ids)),
  });
}

import type { HubServices } from '../hub/hub-services.js';
import { ServiceHubClient } from '../service/service-hub-client.js';
import type { ClientManager, CloseConnectionsOptions } from '../service/client-manager.js';
import type { ClientTarget } from '../service/client-target.js';
import type {
  ConnectionGroups,
  ListConnectionsOptions,
  ListConnectionsPageOptions,
} from '../service/connection-groups.js';
import type {
  ClientInvocationOptions,
  CompleteStreamOptions,
  ConnectionTarget,
  StreamItemOptions,
} from '../service/connection-target.js';
import type { GroupMember, GroupMemberPage } from '../service/group-member-page.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubClients } from '../service/hub-clients.js';
import type { RestCallOptions } from '../service/rest-call-options.js';
import type { AddUserToGroupOptions, UserGroups } from '../service/user-groups.js';
import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import { onAnyEndpoint, onEveryEndpoint } from './settle-endpoints.js';
import type { EndpointCall } from './settle-endpoints.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';
import { MessageRoutes } from './message-routes.js';

/** What the fan-out facades share: which endpoints each operation goes to, and one REST client per endpoint. */
export interface FanOutContext {
  readonly routes: MessageRoutes;
  readonly clientOf: (status: NamedServiceEndpoint) => ServiceHubClient;
}

/** A send target made of one target per endpoint: the message goes to all of them at once. */
class FanOutTarget implements ClientTarget {
  readonly #parts: readonly (readonly [NamedServiceEndpoint, ClientTarget])[];
  readonly #what: string;

  constructor(what: string, parts: readonly (readonly [NamedServiceEndpoint, ClientTarget])[]) {
    this.#what = what;
    this.#parts = parts;
  }

  send(target: string, ...args: unknown[]): Promise<void> {
    return this.sendMessage(target, args);
  }

  async sendMessage(target: string, args: readonly unknown[], options?: RestCallOptions): Promise<void> {
    const calls = this.#parts.map(([status, part]): EndpointCall<void> => [
      status,
      () => part.sendMessage(target, args, options),
    ]);
    await onEveryEndpoint(`Sending ${JSON.stringify(target)} to ${this.#what}`, calls);
  }
}

/**
 * One connection over several endpoints: sends go to all; an invocation or a stream item reaches the
 * endpoint that holds the connection (the others answer that it does not exist there).
 */
class FanOutConnectionTarget extends FanOutTarget implements ConnectionTarget {
  readonly #connections: readonly (readonly [NamedServiceEndpoint, ConnectionTarget])[];
  readonly #exists: (status: NamedServiceEndpoint, options?: RestCallOptions) => Promise<boolean>;

  constructor(
    parts: readonly (readonly [NamedServiceEndpoint, ConnectionTarget])[],
    exists: (status: NamedServiceEndpoint, options?: RestCallOptions) => Promise<boolean>,
  ) {
    super('a connection', parts);
    this.#connections = parts;
    this.#exists = exists;
  }

  invoke(target: string, ...args: unknown[]): Promise<unknown> {
    return this.invokeMessage(target, args);
  }

  async invokeMessage(target: string, args: readonly unknown[], options?: ClientInvocationOptions): Promise<unknown> {
    try {
      return await Promise.any(this.#connections.map(([, part]) => part.invokeMessage(target, args, options)));
    } catch (error) {
      // Every endpoint failed: the endpoint that holds the connection failed last for a real reason; any error says why.
      const errors = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
      throw (
        errors.find(
          (item) => !(item instanceof ServerlessHubError && item.code === 'CLIENT_INVOCATION_NO_CONNECTION'),
        ) ?? errors[0]
      );
    }
  }

  sendStreamItem(streamId: string, item: unknown, options?: StreamItemOptions): Promise<boolean> {
    return onAnyEndpoint(
      'Sending a stream item',
      this.#connections.map(([status, part]) => [status, () => part.sendStreamItem(streamId, item, options)] as const),
    );
  }

  completeStream(streamId: string, options?: CompleteStreamOptions): Promise<boolean> {
    return onAnyEndpoint(
      'Completing a stream',
      this.#connections.map(([status, part]) => [status, () => part.completeStream(streamId, options)] as const),
    );
  }

  async sendStream(
    streamId: string,
    items: AsyncIterable<unknown> | Iterable<unknown>,
    options?: RestCallOptions,
  ): Promise<boolean> {
    // The items can be read once: first find the endpoint that holds the connection.
    const held = await Promise.all(
      this.#connections.map(([status]) => this.#exists(status, options).catch(() => false)),
    );
    const index = held.indexOf(true);
    const holder = this.#connections[index];
    if (holder === undefined) return false;
    return holder[1].sendStream(streamId, items, options);
  }
}

function targets(
  context: FanOutContext,
  chosen: readonly NamedServiceEndpoint[],
  what: string,
  make: (client: ServiceHubClient) => ClientTarget,
): ClientTarget {
  // Built now, endpoint by endpoint, so that an invalid id throws at once, as with one endpoint.
  return new FanOutTarget(
    what,
    chosen.map((status) => [status, make(context.clientOf(status))] as const),
  );
}

/** {@link HubClients} over every endpoint of a hub. */
export class FanOutHubClients implements HubClients {
  readonly #context: FanOutContext;

  constructor(context: FanOutContext) {
    this.#context = context;
  }

  get all(): ClientTarget {
    return targets(this.#context, this.#context.routes.broadcast(), 'all', (client) => client.clients.all);
  }

  allExcept(excludedConnectionIds: readonly string[]): ClientTarget {
    return targets(this.#context, this.#context.routes.broadcast(), 'all', (client) =>
      client.clients.allExcept(excludedConnectionIds),
    );
  }

  client(connectionId: string): ConnectionTarget {
    const { routes, clientOf } = this.#context;
    const parts = routes
      .connection(connectionId)
      .map((status) => [status, clientOf(status).clients.client(connectionId)] as const);
    return new FanOutConnectionTarget(parts, (status, options) =>
      clientOf(status).clientManager.connectionExists(connectionId, options),
    );
  }

  clients(connectionIds: readonly string[]): ClientTarget {
    return targets(this.#context, this.#context.routes.connections(connectionIds), 'connections', (client) =>
      client.clients.clients(connectionIds),
    );
  }

  user(userId: string): ClientTarget {
    return targets(this.#context, this.#context.routes.user(userId), 'a user', (client) => client.clients.user(userId));
  }

  users(userIds: readonly string[]): ClientTarget {
    return targets(this.#context, this.#context.routes.users(userIds), 'users', (client) =>
      client.clients.users(userIds),
    );
  }

  group(groupName: string): ClientTarget {
    return targets(this.#context, this.#context.routes.group(groupName), 'a group', (client) =>
      client.clients.group(groupName),
    );
  }

  groups(groupNames: readonly string[]): ClientTarget {
    return targets(this.#context, this.#context.routes.groups(groupNames), 'groups', (client) =>
      client.clients.groups(groupNames),
    );
  }

  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientTarget {
    return targets(this.#context, this.#context.routes.group(groupName), 'a group', (client) =>
      client.clients.groupExcept(groupName, excludedConnectionIds),
    );
  }
}

function calls<T>(
  context: FanOutContext,
  chosen: readonly NamedServiceEndpoint[],
  run: (client: ServiceHubClient) => Promise<T>,
): EndpointCall<T>[] {
  return chosen.map((status) => [status, () => run(context.clientOf(status))] as const);
}

/** {@link ConnectionGroups} over every endpoint: the endpoint that holds the connection answers `true`. */
export class FanOutConnectionGroups implements ConnectionGroups {
  readonly #context: FanOutContext;

  constructor(context: FanOutContext) {
    this.#context = context;
  }

  addToGroup(connectionId: string, groupName: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.connectionInGroup(connectionId, groupName);
    return onAnyEndpoint(
      'Adding a connection to a group',
      calls(this.#context, chosen, (client) => client.groups.addToGroup(connectionId, groupName, options)),
    );
  }

  removeFromGroup(connectionId: string, groupName: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.connectionInGroup(connectionId, groupName);
    return onAnyEndpoint(
      'Removing a connection from a group',
      calls(this.#context, chosen, (client) => client.groups.removeFromGroup(connectionId, groupName, options)),
    );
  }

  /** Lists the group's members on every endpoint, endpoint after endpoint. */
  async *listConnections(groupName: string, options: ListConnectionsOptions = {}): AsyncIterable<GroupMember> {
    let left = options.top;
    for (const status of this.#context.routes.group(groupName)) {
      if (left !== undefined && left <= 0) return;
      const listOptions = { ...options, ...(left === undefined ? {} : { top: left }) };
      for await (const member of this.#context.clientOf(status).groups.listConnections(groupName, listOptions)) {
        yield member;
        if (left !== undefined) left--;
      }
    }
  }

  /**
   * One page of the group's members. The continuation token carries the endpoint's position with that
   * endpoint's own token (`<index>.<token>`), so that paging walks the endpoints one after the other.
   */
  async listConnectionsPage(groupName: string, options: ListConnectionsPageOptions = {}): Promise<GroupMemberPage> {
    const chosen = this.#context.routes.group(groupName);
    const { continuationToken, ...rest } = options;
    let index = 0;
    let inner: string | undefined;
    if (continuationToken !== undefined) {
      const dot = continuationToken.indexOf('.');
      index = Number(continuationToken.slice(0, dot));
      if (dot < 1 || !Number.isInteger(index) || index < 0 || index >= chosen.length) {
        throw new ServerlessHubError(
          'REST_INVALID_ARGUMENT',
          "The continuationToken was not returned by this hub's listConnectionsPage; start again without it.",
        );
      }
      inner = continuationToken.slice(dot + 1) || undefined;
    }
    const status = chosen[index];
    if (status === undefined) return { members: [], continuationToken: undefined };
    const page = await this.#context
      .clientOf(status)
      .groups.listConnectionsPage(groupName, { ...rest, ...(inner === undefined ? {} : { continuationToken: inner }) });
    const next =
      page.continuationToken !== undefined
        ? `${String(index)}.${page.continuationToken}`
        : index + 1 < chosen.length
          ? `${String(index + 1)}.`
          : undefined;
    return { members: page.members, continuationToken: next };
  }

  async removeFromAllGroups(connectionId: string, options?: RestCallOptions): Promise<void> {
    const chosen = this.#context.routes.connection(connectionId);
    await onEveryEndpoint(
      'Removing a connection from all groups',
      calls(this.#context, chosen, (client) => client.groups.removeFromAllGroups(connectionId, options)),
    );
  }
}

/** {@link UserGroups} over every endpoint: a user's membership is kept on each, for its connections there. */
export class FanOutUserGroups implements UserGroups {
  readonly #context: FanOutContext;

  constructor(context: FanOutContext) {
    this.#context = context;
  }

  async addToGroup(userId: string, groupName: string, options?: AddUserToGroupOptions): Promise<void> {
    const chosen = this.#context.routes.userInGroup(userId, groupName);
    await onEveryEndpoint(
      'Adding a user to a group',
      calls(this.#context, chosen, (client) => client.userGroups.addToGroup(userId, groupName, options)),
    );
  }

  async removeFromGroup(userId: string, groupName: string, options?: RestCallOptions): Promise<void> {
    const chosen = this.#context.routes.userInGroup(userId, groupName);
    await onEveryEndpoint(
      'Removing a user from a group',
      calls(this.#context, chosen, (client) => client.userGroups.removeFromGroup(userId, groupName, options)),
    );
  }

  async removeFromAllGroups(userId: string, options?: RestCallOptions): Promise<void> {
    const chosen = this.#context.routes.user(userId);
    await onEveryEndpoint(
      'Removing a user from all groups',
      calls(this.#context, chosen, (client) => client.userGroups.removeFromAllGroups(userId, options)),
    );
  }

  isUserInGroup(userId: string, groupName: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.userInGroup(userId, groupName);
    return onAnyEndpoint(
      'Checking a user is in a group',
      calls(this.#context, chosen, (client) => client.userGroups.isUserInGroup(userId, groupName, options)),
    );
  }
}

/** {@link ClientManager} over every endpoint: closes everywhere; something exists when any endpoint says so. */
export class FanOutClientManager implements ClientManager {
  readonly #context: FanOutContext;

  constructor(context: FanOutContext) {
    this.#context = context;
  }

  closeConnection(connectionId: string, reason?: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.connection(connectionId);
    return onAnyEndpoint(
      'Closing a connection',
      calls(this.#context, chosen, (client) => client.clientManager.closeConnection(connectionId, reason, options)),
    );
  }

  async closeConnections(options?: CloseConnectionsOptions): Promise<void> {
    const chosen = this.#context.routes.broadcast();
    await onEveryEndpoint(
      'Closing every connection',
      calls(this.#context, chosen, (client) => client.clientManager.closeConnections(options)),
    );
  }

  async closeGroupConnections(groupName: string, options?: CloseConnectionsOptions): Promise<void> {
    const chosen = this.#context.routes.group(groupName);
    await onEveryEndpoint(
      'Closing the connections of a group',
      calls(this.#context, chosen, (client) => client.clientManager.closeGroupConnections(groupName, options)),
    );
  }

  async closeUserConnections(userId: string, options?: CloseConnectionsOptions): Promise<void> {
    const chosen = this.#context.routes.user(userId);
    await onEveryEndpoint(
      'Closing the connections of a user',
      calls(this.#context, chosen, (client) => client.clientManager.closeUserConnections(userId, options)),
    );
  }

  connectionExists(connectionId: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.connection(connectionId);
    return onAnyEndpoint(
      'Checking a connection exists',
      calls(this.#context, chosen, (client) => client.clientManager.connectionExists(connectionId, options)),
    );
  }

  userExists(userId: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.user(userId);
    return onAnyEndpoint(
      'Checking a user exists',
      calls(this.#context, chosen, (client) => client.clientManager.userExists(userId, options)),
    );
  }

  groupExists(groupName: string, options?: RestCallOptions): Promise<boolean> {
    const chosen = this.#context.routes.group(groupName);
    return onAnyEndpoint(
      'Checking a group exists',
      calls(this.#context, chosen, (client) => client.clientManager.groupExists(groupName, options)),
    );
  }
}

/**
 * Options of {@link multiEndpointServices}.
 *
 * @example
 * ```ts
 * const services = multiEndpointServices(hubEndpointsFromSettings(), 'chat', { router: byUserRegion });
 * ```
 */
export interface MultiEndpointServicesOptions {
  /**
   * Chooses the endpoints of each message and group operation with its `getEndpointsFor…` methods
   * (see {@link EndpointRouter}); without a router, or without the method, everything goes to every endpoint.
   */
  readonly router?: EndpointRouter;
}

/**
 * The services of a hub with several service endpoints: every send, group and user-group change and
 * close goes to all endpoints at once, since the app cannot know which one holds a connection, a user's
 * connections or a group's members (Azure/azure-signalr `DefaultMessageRouter`: all endpoints), unless a
 * router chooses (`options.router`); existence checks answer `true` when any endpoint does. An endpoint
 * that fails does not keep the operation from the others; the caller then gets `REST_ENDPOINTS_FAILED`
 * naming the endpoints that failed. Endpoints given without an `online` flag count as online for the router.
 *
 * @example
 * ```ts
 * const services = multiEndpointServices(hubEndpointsFromSettings(), 'chat');
 * await services.clients.all.send('newMessage', 'hello'); // to every endpoint's clients
 * ```
 */
export function multiEndpointServices(
  endpoints: readonly (NamedServiceEndpoint | HubServiceEndpoint)[],
  hubName: string,
  options: MultiEndpointServicesOptions = {},
): HubServices {
  // The hub's own endpoint objects when they carry their health (the router sees it change); else one
  // frozen online view of each, made once.
  const routed = endpoints.map((item): HubServiceEndpoint =>
    'online' in item ? item : Object.freeze({ ...item, online: true }),
  );
  const clients = new Map<NamedServiceEndpoint, ServiceHubClient>(
    routed.map((item) => [item, new ServiceHubClient(item.endpoint, hubName)]),
  );
  const context: FanOutContext = {
    routes: new MessageRoutes(hubName, routed, options.router),
    clientOf: (item) => clients.get(item) as ServiceHubClient,
  };
  return Object.freeze({
    clients: new FanOutHubClients(context),
    groups: new FanOutConnectionGroups(context),
    userGroups: new FanOutUserGroups(context),
    clientManager: new FanOutClientManager(context),
  });
}

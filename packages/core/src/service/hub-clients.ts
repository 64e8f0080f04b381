import { MultiClientTarget, SingleClientTarget } from './client-target.js';
import type { ClientTarget, SendRoute } from './client-target.js';
import { RestConnectionTarget } from './connection-target.js';
import type { ConnectionTarget } from './connection-target.js';
import type { HubRestRoutes } from './hub-rest-routes.js';
import { assertConnectionId, assertGroupName, assertIdList, assertUserId } from './rest-arguments.js';
import type { RestTransport } from './rest-transport.js';

/**
 * Chooses which clients of the hub a message goes to. Every method validates its ids at once and throws
 * `REST_INVALID_ARGUMENT` for an invalid one, before any request. Lists may be empty (nothing is sent) and
 * repeated ids are sent to once.
 *
 * @example
 * ```ts
 * const { clients } = new ServiceHubClient(endpoint, 'chat');
 * await clients.all.send('announce', 'maintenance at 10:00');
 * await clients.allExcept([senderConnectionId]).send('newMessage', message);
 * await clients.users(['alice', 'bob']).send('invite', roomId);
 * ```
 */
export interface HubClients {
  /** Every connection of the hub (`POST /api/hubs/{hub}/:send`). */
  readonly all: ClientTarget;
  /** Every connection except these (`:send?excluded=…`). */
  allExcept(excludedConnectionIds: readonly string[]): ClientTarget;
  /** One connection (`POST …/connections/{id}/:send`); it can also be invoked for a result and fed a stream. */
  client(connectionId: string): ConnectionTarget;
  /** Several connections: one request per connection, in parallel. */
  clients(connectionIds: readonly string[]): ClientTarget;
  /** Every connection of a user (`POST …/users/{id}/:send`). */
  user(userId: string): ClientTarget;
  /** Several users: one request per user, in parallel. */
  users(userIds: readonly string[]): ClientTarget;
  /** Every connection in a group (`POST …/groups/{group}/:send`). */
  group(groupName: string): ClientTarget;
  /** Several groups: one request per group, in parallel. */
  groups(groupNames: readonly string[]): ClientTarget;
  /** Every connection in a group except these (`…/groups/{group}/:send?excluded=…`). */
  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientTarget;
}

function unique(ids: readonly string[]): readonly string[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

/** {@link HubClients} over the REST API. */
export class RestHubClients implements HubClients {
  readonly all: ClientTarget;
  readonly #transport: RestTransport;
  readonly #routes: HubRestRoutes;
  readonly #sendToAllPath: string;

  constructor(transport: RestTransport, routes: HubRestRoutes) {
    this.#transport = transport;
    this.#routes = routes;
    this.#sendToAllPath = `${routes.hubPath}/:send`;
    this.all = new SingleClientTarget(transport, { path: this.#sendToAllPath, query: routes.query, id: '*' });
  }

  allExcept(excludedConnectionIds: readonly string[]): ClientTarget {
    assertIdList(excludedConnectionIds, 'excluded connection ids', assertConnectionId);
    return new SingleClientTarget(this.#transport, {
      path: this.#sendToAllPath,
      query: this.#routes.queryWith('excluded', unique(excludedConnectionIds)),
      id: '*',
    });
  }

  client(connectionId: string): ConnectionTarget {
    return new RestConnectionTarget(this.#transport, this.#routes, this.#connectionRoute(connectionId));
  }

  clients(connectionIds: readonly string[]): ClientTarget {
    assertIdList(connectionIds, 'connection ids', assertConnectionId);
    return new MultiClientTarget(
      this.#transport,
      unique(connectionIds).map((id) => this.#connectionRoute(id)),
      'connections',
    );
  }

  user(userId: string): ClientTarget {
    return new SingleClientTarget(this.#transport, this.#userRoute(userId));
  }

  users(userIds: readonly string[]): ClientTarget {
    assertIdList(userIds, 'user ids', assertUserId);
    return new MultiClientTarget(
      this.#transport,
      unique(userIds).map((id) => this.#userRoute(id)),
      'users',
    );
  }

  group(groupName: string): ClientTarget {
    return new SingleClientTarget(this.#transport, this.#groupRoute(groupName, []));
  }

  groups(groupNames: readonly string[]): ClientTarget {
    assertIdList(groupNames, 'group names', assertGroupName);
    return new MultiClientTarget(
      this.#transport,
      unique(groupNames).map((name) => this.#groupRoute(name, [])),
      'groups',
    );
  }

  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientTarget {
    assertIdList(excludedConnectionIds, 'excluded connection ids', assertConnectionId);
    return new SingleClientTarget(this.#transport, this.#groupRoute(groupName, unique(excludedConnectionIds)));
  }

  #connectionRoute(connectionId: string): SendRoute {
    assertConnectionId(connectionId);
    return { path: `${this.#routes.connection(connectionId)}/:send`, query: this.#routes.query, id: connectionId };
  }

  #userRoute(userId: string): SendRoute {
    assertUserId(userId);
    return { path: `${this.#routes.user(userId)}/:send`, query: this.#routes.query, id: userId };
  }

  #groupRoute(groupName: string, excluded: readonly string[]): SendRoute {
    assertGroupName(groupName);
    return {
      path: `${this.#routes.group(groupName)}/:send`,
      query: this.#routes.queryWith('excluded', excluded),
      id: groupName,
    };
  }
}

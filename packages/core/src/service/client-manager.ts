import type { HubRestRoutes } from './hub-rest-routes.js';
import type { RestCallOptions } from './rest-call-options.js';
import { assertConnectionId, assertGroupName, assertIdList, assertReason, assertUserId } from './rest-arguments.js';
import type { RestTransport } from './rest-transport.js';
import { CONNECTION_ANSWERS, GROUP_ANSWERS, USER_ANSWERS } from './service-answer-codes.js';

/**
 * Options of the `close…Connections` methods of {@link ClientManager}.
 *
 * @example
 * ```ts
 * await client.clientManager.closeGroupConnections('room-1', { excluded: [ownerConnectionId], reason: 'room closed' });
 * ```
 */
export interface CloseConnectionsOptions extends RestCallOptions {
  /** Connections to leave open. */
  readonly excluded?: readonly string[];
  /** The reason the clients receive in their close message. */
  readonly reason?: string;
}

/**
 * Closes connections and asks the service what exists.
 *
 * @example
 * ```ts
 * if (await client.clientManager.userExists('mallory')) {
 *   await client.clientManager.closeUserConnections('mallory', { reason: 'banned' });
 * }
 * await client.clientManager.closeConnection(connectionId, 'session expired');
 * ```
 */
export interface ClientManager {
  /**
   * Closes one connection (`DELETE …/connections/{id}[?reason=]`). Resolves `false` when the connection
   * does not exist (404 `Warning.Connection.NotExisted`).
   */
  closeConnection(connectionId: string, reason?: string, options?: RestCallOptions): Promise<boolean>;
  /** Closes every connection of the hub (`POST …/:closeConnections`). */
  closeConnections(options?: CloseConnectionsOptions): Promise<void>;
  /** Closes every connection in a group (`POST …/groups/{group}/:closeConnections`). */
  closeGroupConnections(groupName: string, options?: CloseConnectionsOptions): Promise<void>;
  /** Closes every connection of a user (`POST …/users/{user}/:closeConnections`). */
  closeUserConnections(userId: string, options?: CloseConnectionsOptions): Promise<void>;
  /** Whether the connection exists (`HEAD …/connections/{id}`). */
  connectionExists(connectionId: string, options?: RestCallOptions): Promise<boolean>;
  /** Whether the user has at least one connection (`HEAD …/users/{user}`). */
  userExists(userId: string, options?: RestCallOptions): Promise<boolean>;
  /** Whether the group has at least one connection (`HEAD …/groups/{group}`). */
  groupExists(groupName: string, options?: RestCallOptions): Promise<boolean>;
}

/** {@link ClientManager} over the REST API. */
export class RestClientManager implements ClientManager {
  readonly #transport: RestTransport;
  readonly #routes: HubRestRoutes;

  constructor(transport: RestTransport, routes: HubRestRoutes) {
    this.#transport = transport;
    this.#routes = routes;
  }

  async closeConnection(connectionId: string, reason?: string, options?: RestCallOptions): Promise<boolean> {
    assertConnectionId(connectionId);
    if (reason !== undefined) assertReason(reason);
    const query = reason === undefined ? this.#routes.query : this.#routes.queryWith('reason', [reason]);
    return this.#transport.call(
      {
        method: 'DELETE',
        path: this.#routes.connection(connectionId),
        query,
        isSend: false,
        answers: CONNECTION_ANSWERS,
      },
      options?.signal,
    );
  }

  async closeConnections(options?: CloseConnectionsOptions): Promise<void> {
    await this.#close(this.#routes.hubPath, options);
  }

  async closeGroupConnections(groupName: string, options?: CloseConnectionsOptions): Promise<void> {
    assertGroupName(groupName);
    await this.#close(this.#routes.group(groupName), options);
  }

  async closeUserConnections(userId: string, options?: CloseConnectionsOptions): Promise<void> {
    assertUserId(userId);
    await this.#close(this.#routes.user(userId), options);
  }

  async connectionExists(connectionId: string, options?: RestCallOptions): Promise<boolean> {
    assertConnectionId(connectionId);
    return this.#exists(this.#routes.connection(connectionId), CONNECTION_ANSWERS, options);
  }

  async userExists(userId: string, options?: RestCallOptions): Promise<boolean> {
    assertUserId(userId);
    return this.#exists(this.#routes.user(userId), USER_ANSWERS, options);
  }

  async groupExists(groupName: string, options?: RestCallOptions): Promise<boolean> {
    assertGroupName(groupName);
    return this.#exists(this.#routes.group(groupName), GROUP_ANSWERS, options);
  }

  #exists(path: string, answers: ReadonlySet<string>, options: RestCallOptions | undefined): Promise<boolean> {
    return this.#transport.call(
      { method: 'HEAD', path, query: this.#routes.query, isSend: false, answers },
      options?.signal,
    );
  }

  async #close(scopePath: string, options: CloseConnectionsOptions | undefined): Promise<void> {
    const excluded = options?.excluded ?? [];
    assertIdList(excluded, 'excluded connection ids', assertConnectionId);
    const reason = options?.reason;
    if (reason !== undefined) assertReason(reason);
    const query = this.#routes.closeQuery([...new Set(excluded)], reason);
    await this.#transport.call(
      { method: 'POST', path: `${scopePath}/:closeConnections`, query, isSend: false },
      options?.signal,
    );
  }
}

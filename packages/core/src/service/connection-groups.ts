import type { HubRestRoutes } from './hub-rest-routes.js';
import type { RestCallOptions } from './rest-call-options.js';
import { assertConnectionId, assertGroupName } from './rest-arguments.js';
import type { RestTransport } from './rest-transport.js';
import { ADD_CONNECTION_TO_GROUP_ANSWERS, REMOVE_CONNECTION_FROM_GROUP_ANSWERS } from './service-answer-codes.js';

/**
 * Group membership of single connections. A connection leaves its groups when it disconnects.
 *
 * @example
 * ```ts
 * const added = await client.groups.addToGroup(connectionId, 'room-1');
 * if (!added) console.warn('the connection has already gone');
 * await client.groups.removeFromAllGroups(connectionId);
 * ```
 */
export interface ConnectionGroups {
  /**
   * Adds a connection to a group (`PUT …/groups/{group}/connections/{id}`). Resolves `false` when the
   * connection does not exist (404 `Error.Connection.NotExisted`).
   */
  addToGroup(connectionId: string, groupName: string, options?: RestCallOptions): Promise<boolean>;
  /**
   * Removes a connection from a group (`DELETE …/groups/{group}/connections/{id}`). Resolves `false` when
   * the connection does not exist.
   */
  removeFromGroup(connectionId: string, groupName: string, options?: RestCallOptions): Promise<boolean>;
  /** Removes a connection from every group (`DELETE …/connections/{id}/groups`). */
  removeFromAllGroups(connectionId: string, options?: RestCallOptions): Promise<void>;
}

/** {@link ConnectionGroups} over the REST API. */
export class RestConnectionGroups implements ConnectionGroups {
  readonly #transport: RestTransport;
  readonly #routes: HubRestRoutes;

  constructor(transport: RestTransport, routes: HubRestRoutes) {
    this.#transport = transport;
    this.#routes = routes;
  }

  async addToGroup(connectionId: string, groupName: string, options?: RestCallOptions): Promise<boolean> {
    assertConnectionId(connectionId);
    assertGroupName(groupName);
    const path = this.#routes.groupConnection(groupName, connectionId);
    return this.#transport.call(
      { method: 'PUT', path, query: this.#routes.query, isSend: false, answers: ADD_CONNECTION_TO_GROUP_ANSWERS },
      options?.signal,
    );
  }

  async removeFromGroup(connectionId: string, groupName: string, options?: RestCallOptions): Promise<boolean> {
    assertConnectionId(connectionId);
    assertGroupName(groupName);
    const path = this.#routes.groupConnection(groupName, connectionId);
    return this.#transport.call(
      { method: 'DELETE', path, query: this.#routes.query, isSend: false, answers: REMOVE_CONNECTION_FROM_GROUP_ANSWERS },
      options?.signal,
    );
  }

  async removeFromAllGroups(connectionId: string, options?: RestCallOptions): Promise<void> {
    assertConnectionId(connectionId);
    const path = `${this.#routes.connection(connectionId)}/groups`;
    await this.#transport.call({ method: 'DELETE', path, query: this.#routes.query, isSend: false }, options?.signal);
  }
}

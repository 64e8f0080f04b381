import type { HubRestRoutes } from './hub-rest-routes.js';
import type { RestCallOptions } from './rest-call-options.js';
import { assertGroupName, assertTtl, assertUserId } from './rest-arguments.js';
import type { RestTransport } from './rest-transport.js';
import { USER_IN_GROUP_ANSWERS } from './service-answer-codes.js';

/**
 * Options of {@link UserGroups.addToGroup}.
 *
 * @example
 * ```ts
 * await client.userGroups.addToGroup('alice', 'vip', { ttl: 3600 }); // for one hour
 * ```
 */
export interface AddUserToGroupOptions extends RestCallOptions {
  /**
   * Seconds the user stays in the group (whole seconds, 0 to 2^31 - 1). Without it the service keeps the
   * user for at most a year (and only the latest 100 such groups per user); with 0, only the user's
   * current connections join the group.
   */
  readonly ttl?: number;
}

/**
 * Group membership of users: it applies to every connection of the user, present and future.
 *
 * @example
 * ```ts
 * await client.userGroups.addToGroup('alice', 'room-1');
 * if (await client.userGroups.isUserInGroup('alice', 'room-1')) {
 *   await client.userGroups.removeFromGroup('alice', 'room-1');
 * }
 * ```
 */
export interface UserGroups {
  /** Adds a user to a group (`PUT …/users/{user}/groups/{group}[?ttl=]`). */
  addToGroup(userId: string, groupName: string, options?: AddUserToGroupOptions): Promise<void>;
  /** Removes a user from a group (`DELETE …/users/{user}/groups/{group}`). */
  removeFromGroup(userId: string, groupName: string, options?: RestCallOptions): Promise<void>;
  /** Removes a user from every group (`DELETE …/users/{user}/groups`). */
  removeFromAllGroups(userId: string, options?: RestCallOptions): Promise<void>;
  /** Whether the user is in the group (`HEAD …/users/{user}/groups/{group}`: 200, or 404 `Info.User.NotInGroup`). */
  isUserInGroup(userId: string, groupName: string, options?: RestCallOptions): Promise<boolean>;
}

/** {@link UserGroups} over the REST API. */
export class RestUserGroups implements UserGroups {
  readonly #transport: RestTransport;
  readonly #routes: HubRestRoutes;

  constructor(transport: RestTransport, routes: HubRestRoutes) {
    this.#transport = transport;
    this.#routes = routes;
  }

  async addToGroup(userId: string, groupName: string, options?: AddUserToGroupOptions): Promise<void> {
    assertUserId(userId);
    assertGroupName(groupName);
    const ttl = options?.ttl;
    if (ttl !== undefined) assertTtl(ttl);
    const query = ttl === undefined ? this.#routes.query : this.#routes.queryWith('ttl', [String(ttl)]);
    await this.#transport.call(
      { method: 'PUT', path: this.#routes.userGroup(userId, groupName), query, isSend: false },
      options?.signal,
    );
  }

  async removeFromGroup(userId: string, groupName: string, options?: RestCallOptions): Promise<void> {
    assertUserId(userId);
    assertGroupName(groupName);
    await this.#transport.call(
      { method: 'DELETE', path: this.#routes.userGroup(userId, groupName), query: this.#routes.query, isSend: false },
      options?.signal,
    );
  }

  async removeFromAllGroups(userId: string, options?: RestCallOptions): Promise<void> {
    assertUserId(userId);
    await this.#transport.call(
      { method: 'DELETE', path: `${this.#routes.user(userId)}/groups`, query: this.#routes.query, isSend: false },
      options?.signal,
    );
  }

  async isUserInGroup(userId: string, groupName: string, options?: RestCallOptions): Promise<boolean> {
    assertUserId(userId);
    assertGroupName(groupName);
    return this.#transport.call(
      {
        method: 'HEAD',
        path: this.#routes.userGroup(userId, groupName),
        query: this.#routes.query,
        isSend: false,
        answers: USER_IN_GROUP_ANSWERS,
      },
      options?.signal,
    );
  }
}

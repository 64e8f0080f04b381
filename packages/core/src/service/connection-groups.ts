import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { escapeUriComponent } from './escape-uri-component.js';
import { parseGroupMemberPage } from './group-member-page.js';
import type { GroupMember, GroupMemberPage } from './group-member-page.js';
import type { HubRestRoutes } from './hub-rest-routes.js';
import type { RestCallOptions } from './rest-call-options.js';
import { assertConnectionId, assertGroupName, assertPageSize, assertTop } from './rest-arguments.js';
import type { RestTransport } from './rest-transport.js';
import { ADD_CONNECTION_TO_GROUP_ANSWERS, REMOVE_CONNECTION_FROM_GROUP_ANSWERS } from './service-answer-codes.js';

/**
 * Options of {@link ConnectionGroups.listConnections}.
 *
 * @example
 * ```ts
 * for await (const member of this.groups.listConnections('room', { top: 500, maxPageSize: 100 })) console.log(member.connectionId);
 * ```
 */
export interface ListConnectionsOptions extends RestCallOptions {
  /** At most this many members in all (1 to 2^31 - 1). Default: every member. */
  readonly top?: number;
  /** At most this many members per request (`maxpagesize`, 1 to 200). Default: the service's, 200. */
  readonly maxPageSize?: number;
}

/**
 * Options of {@link ConnectionGroups.listConnectionsPage}.
 *
 * @example
 * ```ts
 * const next = await this.groups.listConnectionsPage('room', { continuationToken: previous.continuationToken });
 * ```
 */
export interface ListConnectionsPageOptions extends ListConnectionsOptions {
  /** The token of the previous page; without it, the first page. */
  readonly continuationToken?: string;
}

/** A page of members is read up to this size (200 members with ids and user ids of 1024 characters each). */
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

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
  /**
   * Every connection in a group, page after page as the loop asks for them
   * (`GET …/groups/{group}/connections`, REST API 2024-12-01). A group without connections lists nothing.
   */
  listConnections(groupName: string, options?: ListConnectionsOptions): AsyncIterable<GroupMember>;
  /** One page of a group's connections and the token of the next page. */
  listConnectionsPage(groupName: string, options?: ListConnectionsPageOptions): Promise<GroupMemberPage>;
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
      {
        method: 'DELETE',
        path,
        query: this.#routes.query,
        isSend: false,
        answers: REMOVE_CONNECTION_FROM_GROUP_ANSWERS,
      },
      options?.signal,
    );
  }

  async removeFromAllGroups(connectionId: string, options?: RestCallOptions): Promise<void> {
    assertConnectionId(connectionId);
    const path = `${this.#routes.connection(connectionId)}/groups`;
    await this.#transport.call({ method: 'DELETE', path, query: this.#routes.query, isSend: false }, options?.signal);
  }

  listConnections(groupName: string, options: ListConnectionsOptions = {}): AsyncIterable<GroupMember> {
    assertGroupName(groupName);
    if (options.top !== undefined) assertTop(options.top);
    if (options.maxPageSize !== undefined) assertPageSize(options.maxPageSize);
    return this.#allPages(groupName, options);
  }

  async *#allPages(groupName: string, options: ListConnectionsOptions): AsyncGenerator<GroupMember, void, undefined> {
    let left = options.top ?? Number.POSITIVE_INFINITY;
    let continuationToken: string | undefined;
    do {
      const page = await this.listConnectionsPage(groupName, {
        ...options,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
      for (const member of page.members) {
        if (left <= 0) return;
        left--;
        yield member;
      }
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined && left > 0);
  }

  async listConnectionsPage(groupName: string, options: ListConnectionsPageOptions = {}): Promise<GroupMemberPage> {
    assertGroupName(groupName);
    let query = this.#routes.newestQuery;
    if (options.top !== undefined) {
      assertTop(options.top);
      query += `&top=${options.top}`;
    }
    if (options.maxPageSize !== undefined) {
      assertPageSize(options.maxPageSize);
      query += `&maxpagesize=${options.maxPageSize}`;
    }
    if (options.continuationToken !== undefined) {
      if (typeof options.continuationToken !== 'string' || options.continuationToken === '') {
        throw new ServerlessHubError(
          'REST_INVALID_ARGUMENT',
          'Invalid continuationToken: pass the token of the previous page as it came, a non-empty string.',
        );
      }
      query += `&continuationToken=${escapeUriComponent(options.continuationToken)}`;
    }
    const path = `${this.#routes.group(groupName)}/connections`;
    const answer = await this.#transport.callForBody(
      { method: 'GET', path, query, isSend: false },
      MAX_PAGE_BYTES,
      options.signal,
    );
    // No 404 is listed as an answer, so the transport never returns `false` here.
    if (answer === false) return Object.freeze({ members: Object.freeze([]), continuationToken: undefined });
    return parseGroupMemberPage(answer.body, `GET ${path}`);
  }
}

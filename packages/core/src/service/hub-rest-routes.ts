import { escapeUriComponent } from './escape-uri-component.js';

/**
 * The data-plane REST API version the client speaks (the `api-version` query parameter of every call):
 * the newest published one. Every route the client uses exists unchanged since 2022-06-01.
 *
 * @example
 * ```ts
 * console.log(`Azure SignalR Service REST API ${REST_API_VERSION}`); // 2024-12-01
 * ```
 */
export const REST_API_VERSION = '2024-12-01';

/**
 * The REST API version of the routes it added: client invocations, streams to a client and group
 * member lists exist from 2024-12-01 on, whatever version the other calls use.
 *
 * @example
 * ```ts
 * console.log(`client results need REST API ${CLIENT_RESULTS_API_VERSION}`); // 2024-12-01
 * ```
 */
export const CLIENT_RESULTS_API_VERSION = '2024-12-01';

/** `HEAD /api/health`: the service's health probe (not below a hub). */
export const HEALTH_PATH = '/api/health';
export const HEALTH_QUERY = `?api-version=${REST_API_VERSION}`;

/**
 * The paths and query strings of one hub's REST routes. Hub and application names are
 * lower-cased and escaped once, at construction; ids are escaped per call. Callers validate first.
 */
export class HubRestRoutes {
  /** `/api/hubs/{hub}` */
  readonly hubPath: string;
  /** `?api-version=…`, preceded by `application=…` when given, as the official SDK orders them. */
  readonly query: string;
  /** The base query with {@link CLIENT_RESULTS_API_VERSION}, for the routes that version added. */
  readonly newestQuery: string;

  constructor(hubName: string, application: string | undefined) {
    this.hubPath = `/api/hubs/${escapeUriComponent(hubName.toLowerCase())}`;
    this.query =
      application === undefined
        ? `?api-version=${REST_API_VERSION}`
        : `?application=${escapeUriComponent(application.toLowerCase())}&api-version=${REST_API_VERSION}`;
    this.newestQuery =
      application === undefined
        ? `?api-version=${CLIENT_RESULTS_API_VERSION}`
        : `?application=${escapeUriComponent(application.toLowerCase())}&api-version=${CLIENT_RESULTS_API_VERSION}`;
  }

  /** The base query plus `name=value` for each value (`excluded` is repeated, one per id). */
  queryWith(name: string, values: readonly string[]): string {
    let query = this.query;
    for (const value of values) query += `&${name}=${escapeUriComponent(value)}`;
    return query;
  }

  /** The base query plus `excluded=` per id and `reason=` when given (`:closeConnections`). */
  closeQuery(excluded: readonly string[], reason: string | undefined): string {
    const query = this.queryWith('excluded', excluded);
    return reason === undefined ? query : `${query}&reason=${escapeUriComponent(reason)}`;
  }

  connection(connectionId: string): string {
    return `${this.hubPath}/connections/${escapeUriComponent(connectionId)}`;
  }

  /** `/connections/{connectionId}/streams/{streamId}` */
  connectionStream(connectionId: string, streamId: string): string {
    return `${this.connection(connectionId)}/streams/${escapeUriComponent(streamId)}`;
  }

  user(userId: string): string {
    return `${this.hubPath}/users/${escapeUriComponent(userId)}`;
  }

  group(groupName: string): string {
    return `${this.hubPath}/groups/${escapeUriComponent(groupName)}`;
  }

  /** `/groups/{group}/connections/{connectionId}` */
  groupConnection(groupName: string, connectionId: string): string {
    return `${this.group(groupName)}/connections/${escapeUriComponent(connectionId)}`;
  }

  /** `/users/{user}/groups/{group}` */
  userGroup(userId: string, groupName: string): string {
    return `${this.user(userId)}/groups/${escapeUriComponent(groupName)}`;
  }
}

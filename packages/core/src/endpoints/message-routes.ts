import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';

type RouteMethod =
  'getEndpointsForBroadcast' | 'getEndpointsForConnection' | 'getEndpointsForUser' | 'getEndpointsForGroup';

/**
 * Which of a hub's endpoints a message or an operation goes to: the router's choice where it has one
 * (`getEndpointsForBroadcast`, `…ForConnection`, `…ForUser`, `…ForGroup`, as the official SDK's
 * `IEndpointRouter`), else every endpoint. A group change of a connection or a user goes to the endpoints
 * chosen for both it and the group (Azure/azure-signalr `MultiEndpointGroupManager`: the intersection). What
 * the router returns is the app's code, so it is checked: the endpoints it was given, no others; an endpoint
 * named twice gets the message once. Internal to the framework.
 */
export class MessageRoutes {
  readonly #hubName: string;
  readonly #endpoints: readonly HubServiceEndpoint[];
  readonly #router: EndpointRouter | undefined;

  constructor(hubName: string, endpoints: readonly HubServiceEndpoint[], router: EndpointRouter | undefined) {
    this.#hubName = hubName;
    this.#endpoints = endpoints;
    this.#router = router;
  }

  broadcast(): readonly HubServiceEndpoint[] {
    const router = this.#router;
    if (router?.getEndpointsForBroadcast === undefined) return this.#endpoints;
    return this.#checked('getEndpointsForBroadcast', router.getEndpointsForBroadcast(this.#endpoints));
  }

  connection(connectionId: string): readonly HubServiceEndpoint[] {
    const router = this.#router;
    if (router?.getEndpointsForConnection === undefined) return this.#endpoints;
    return this.#checked('getEndpointsForConnection', router.getEndpointsForConnection(connectionId, this.#endpoints));
  }

  user(userId: string): readonly HubServiceEndpoint[] {
    const router = this.#router;
    if (router?.getEndpointsForUser === undefined) return this.#endpoints;
    return this.#checked('getEndpointsForUser', router.getEndpointsForUser(userId, this.#endpoints));
  }

  group(groupName: string): readonly HubServiceEndpoint[] {
    const router = this.#router;
    if (router?.getEndpointsForGroup === undefined) return this.#endpoints;
    return this.#checked('getEndpointsForGroup', router.getEndpointsForGroup(groupName, this.#endpoints));
  }

  connections(connectionIds: readonly string[]): readonly HubServiceEndpoint[] {
    return this.#union(connectionIds.map((id) => this.connection(id)));
  }

  users(userIds: readonly string[]): readonly HubServiceEndpoint[] {
    return this.#union(userIds.map((id) => this.user(id)));
  }

  groups(groupNames: readonly string[]): readonly HubServiceEndpoint[] {
    return this.#union(groupNames.map((name) => this.group(name)));
  }

  connectionInGroup(connectionId: string, groupName: string): readonly HubServiceEndpoint[] {
    const group = this.group(groupName);
    return this.connection(connectionId).filter((endpoint) => group.includes(endpoint));
  }

  userInGroup(userId: string, groupName: string): readonly HubServiceEndpoint[] {
    const group = this.group(groupName);
    return this.user(userId).filter((endpoint) => group.includes(endpoint));
  }

  #checked(method: RouteMethod, chosen: unknown): readonly HubServiceEndpoint[] {
    if (!Array.isArray(chosen) || chosen.some((item) => !this.#endpoints.includes(item as HubServiceEndpoint))) {
      throw new ServerlessHubError(
        'ENDPOINT_ROUTER_INVALID',
        `The endpoint router of hub '${this.#hubName}' returned ${Array.isArray(chosen) ? 'an endpoint it was not given' : describeKind(chosen)} from ${method}; return an array of the endpoints it was given (an empty array sends nowhere).`,
      );
    }
    // In the hub's order, each once.
    return this.#endpoints.filter((endpoint) => chosen.includes(endpoint));
  }

  #union(lists: readonly (readonly HubServiceEndpoint[])[]): readonly HubServiceEndpoint[] {
    return this.#endpoints.filter((endpoint) => lists.some((list) => list.includes(endpoint)));
  }
}

function describeKind(value: unknown): string {
  return value === null || value === undefined ? String(value) : `a ${typeof value}, not an array,`;
}

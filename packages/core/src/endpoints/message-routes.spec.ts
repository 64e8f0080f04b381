// Per-message routing as the official SDK's IEndpointRouter (Azure/azure-signalr): GetEndpointsForBroadcast,
// ForConnection, ForUser, ForGroup; a group change of a connection goes to the intersection of the
// connection's and the group's endpoints (MultiEndpointGroupManager.GetEndpointsForConnectionAndGroup).
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';
import { MessageRoutes } from './message-routes.js';

function endpoint(name: string): HubServiceEndpoint {
  const url = `https://${name}.service.signalr.net`;
  return {
    name,
    type: 'primary',
    setting: `Azure__SignalR__Endpoints__${name}`,
    online: true,
    endpoint: {
      endpoint: url,
      clientEndpoint: url,
      serverEndpoint: url,
      auth: { type: 'key', accessKey: `key-of-${name}` },
    },
  };
}

const [a, b, c] = [endpoint('a'), endpoint('b'), endpoint('c')] as const;
const all = [a, b, c];
const negotiate: EndpointRouter['getNegotiateEndpoint'] = (_context, endpoints) => endpoints[0] as HubServiceEndpoint;
const names = (list: readonly HubServiceEndpoint[]): string[] => list.map(({ name }) => name);

describe('MessageRoutes', () => {
  it('sends everything to every endpoint without a router, or for the methods the router lacks', () => {
    for (const routes of [
      new MessageRoutes('chat', all, undefined),
      new MessageRoutes('chat', all, { getNegotiateEndpoint: negotiate }),
    ]) {
      expect(names(routes.broadcast())).toEqual(['a', 'b', 'c']);
      expect(names(routes.connection('c1'))).toEqual(['a', 'b', 'c']);
      expect(names(routes.userInGroup('u', 'g'))).toEqual(['a', 'b', 'c']);
    }
  });

  it("follows the router's choice, in the hub's order and once each; lists go to the union, group changes to the intersection", () => {
    const routes = new MessageRoutes('chat', all, {
      getNegotiateEndpoint: negotiate,
      getEndpointsForBroadcast: (endpoints) => [
        endpoints[2] as HubServiceEndpoint,
        endpoints[0] as HubServiceEndpoint,
        endpoints[2] as HubServiceEndpoint,
      ],
      getEndpointsForUser: (userId, endpoints) => endpoints.filter(({ name }) => name === userId),
      getEndpointsForConnection: (connectionId, endpoints) =>
        endpoints.filter(({ name }) => connectionId.includes(name)),
      getEndpointsForGroup: (groupName, endpoints) => endpoints.filter(({ name }) => name !== groupName),
    });
    expect(names(routes.broadcast())).toEqual(['a', 'c']);
    expect(names(routes.user('b'))).toEqual(['b']);
    expect(names(routes.users(['c', 'a', 'nobody']))).toEqual(['a', 'c']);
    expect(names(routes.connections([]))).toEqual([]);
    expect(names(routes.connection('ab'))).toEqual(['a', 'b']);
    expect(names(routes.group('a'))).toEqual(['b', 'c']);
    expect(names(routes.groups(['a', 'b']))).toEqual(['a', 'b', 'c']);
    expect(names(routes.connectionInGroup('ab', 'a'))).toEqual(['b']);
    expect(names(routes.userInGroup('b', 'b'))).toEqual([]);
  });

  it('refuses what is not some of the endpoints it was given, naming the hub and the method', () => {
    const cases: [EndpointRouter, string][] = [
      [{ getNegotiateEndpoint: negotiate, getEndpointsForUser: () => undefined as never }, 'getEndpointsForUser'],
      [{ getNegotiateEndpoint: negotiate, getEndpointsForGroup: () => [{ ...a }] }, 'getEndpointsForGroup'],
      [{ getNegotiateEndpoint: negotiate, getEndpointsForBroadcast: () => 'a' as never }, 'getEndpointsForBroadcast'],
    ];
    for (const [router, method] of cases) {
      const routes = new MessageRoutes('chat', all, router);
      let caught: unknown;
      try {
        if (method === 'getEndpointsForUser') routes.user('u');
        else if (method === 'getEndpointsForGroup') routes.group('g');
        else routes.broadcast();
      } catch (error) {
        caught = error;
      }
      expect(ServerlessHubError.is(caught, 'ENDPOINT_ROUTER_INVALID')).toBe(true);
      expect((caught as Error).message).toContain(`hub 'chat'`);
      expect((caught as Error).message).toContain(method);
      expect((caught as Error).message).not.toContain('key-of-');
    }
  });
});

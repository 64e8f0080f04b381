// REST operations over two local service endpoints (two emulators), with official clients on each:
// sends reach every client exactly once, group membership works whichever endpoint holds the member,
// existence checks answer true when any endpoint does, an app's router chooses per message, and a stopped
// endpoint neither loses the message for the other nor goes unreported (Azure/azure-signalr
// DefaultMessageRouter: every endpoint).
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { ServerlessHubError, hubEndpointsFromSettings } from '@serverless-hub/core';
import { multiEndpointServices, negotiate } from '@serverless-hub/core/service';
import type { HubServices } from '@serverless-hub/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, startEmulatorWithApp } from './emulator-helpers.js';
import type { EmulatorWithApp } from './emulator-helpers.js';

const HUB = 'multirest';
let first: EmulatorWithApp;
let second: EmulatorWithApp;
let services: HubServices;
const connections: HubConnection[] = [];

async function connectTo(endpointName: string, userId: string): Promise<HubConnection> {
  const endpoint = hubEndpointsFromSettings('MultiRestUnset', settings()).find(
    ({ name }) => name === endpointName,
  )?.endpoint;
  if (endpoint === undefined) throw new Error(`no endpoint ${endpointName}`);
  const info = await negotiate(endpoint, HUB, { userId });
  const connection = new HubConnectionBuilder()
    .withUrl(info.url, { accessTokenFactory: () => info.accessToken })
    .configureLogging(LogLevel.None)
    .build();
  connections.push(connection);
  await connection.start();
  return connection;
}

function settings(): Record<string, string> {
  return {
    Azure__SignalR__Endpoints__e1: first.emulator.connectionString,
    Azure__SignalR__Endpoints__e2: second.emulator.connectionString,
  };
}

describe('REST operations over two service endpoints', () => {
  beforeAll(async () => {
    // Each endpoint with its own key and an app that accepts the connected events.
    first = await startEmulatorWithApp(
      { accessKey: 'MULTI-E1-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ012' },
      { key: 'MULTI-E1-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ012' },
    );
    second = await startEmulatorWithApp(
      { accessKey: 'MULTI-E2-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ012' },
      { key: 'MULTI-E2-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ012' },
    );
    services = multiEndpointServices(hubEndpointsFromSettings('MultiRestUnset', settings()), HUB);
  });

  afterAll(async () => {
    for (const connection of connections) await connection.stop();
    await first.close();
    await second.close();
  });

  it('reaches every client exactly once, on both endpoints, by broadcast, user, group and connection', async () => {
    const alice = await connectTo('e1', 'alice');
    const bob = await connectTo('e2', 'bob');
    const got = { alice: collect(alice, 'note'), bob: collect(bob, 'note') };

    await services.clients.all.send('note', 'all');
    await services.clients.user('bob').send('note', 'to bob');
    // Group membership: each endpoint answers for its own connections; the one that holds it says true.
    expect(await services.groups.addToGroup(alice.connectionId ?? '', 'room')).toBe(true);
    expect(await services.groups.addToGroup(bob.connectionId ?? '', 'room')).toBe(true);
    await services.clients.group('room').send('note', 'room');
    await services.clients.client(alice.connectionId ?? '').send('note', 'to alice');
    await services.clients.all.send('note', 'end');
    await eventually(
      () => got.alice.at(-1)?.[0] === 'end' && got.bob.at(-1)?.[0] === 'end',
      'both clients got the last message',
    );

    expect(got.alice.map(([text]) => text)).toEqual(['all', 'room', 'to alice', 'end']);
    expect(got.bob.map(([text]) => text)).toEqual(['all', 'to bob', 'room', 'end']);
    expect(await services.clientManager.connectionExists(alice.connectionId ?? '')).toBe(true);
    expect(await services.clientManager.connectionExists(bob.connectionId ?? '')).toBe(true);
    expect(await services.clientManager.userExists('bob')).toBe(true);
    expect(await services.clientManager.userExists('nobody')).toBe(false);
  });

  // The router chooses per message (Azure/azure-signalr IEndpointRouter GetEndpointsForUser / ForBroadcast /
  // ForGroup; MultiEndpointGroupManager: a connection's group change goes to the intersection of its
  // endpoints and the group's).
  it("sends each message and group change only where the app's router says", async () => {
    const onE1 = await connectTo('e1', 'eu-dave');
    const onE2 = await connectTo('e2', 'eu-dave');
    const got = { e1: collect(onE1, 'note'), e2: collect(onE2, 'note') };
    const routed = multiEndpointServices(hubEndpointsFromSettings('MultiRestUnset', settings()), HUB, {
      router: {
        getNegotiateEndpoint: (_context, endpoints) => endpoints[0] as (typeof endpoints)[number],
        getEndpointsForUser: (userId, endpoints) =>
          endpoints.filter(({ name }) => userId.startsWith('eu-') === (name === 'e1')),
        getEndpointsForBroadcast: () => [],
        getEndpointsForGroup: (_groupName, endpoints) => endpoints.filter(({ name }) => name === 'e2'),
      },
    });

    await routed.clients.user('eu-dave').send('note', 'routed to e1');
    await routed.clients.all.send('note', 'routed nowhere');
    // The group lives on e2 only: the e1 connection is not added there (nothing asked of e1), the e2 one is.
    expect(await routed.groups.addToGroup(onE1.connectionId ?? '', 'eu-room')).toBe(false);
    expect(await routed.groups.addToGroup(onE2.connectionId ?? '', 'eu-room')).toBe(true);
    await routed.clients.group('eu-room').send('note', 'group on e2');
    // Without the router, the same user gets it on both endpoints.
    await services.clients.user('eu-dave').send('note', 'unrouted');
    await eventually(
      () => got.e1.some(([text]) => text === 'unrouted') && got.e2.some(([text]) => text === 'unrouted'),
      'both connections got the unrouted message',
    );
    expect(got.e1.map(([text]) => text)).toEqual(['routed to e1', 'unrouted']);
    expect(got.e2.map(([text]) => text)).toEqual(['group on e2', 'unrouted']);

    const broken = multiEndpointServices(hubEndpointsFromSettings('MultiRestUnset', settings()), HUB, {
      router: {
        getNegotiateEndpoint: (_context, endpoints) => endpoints[0] as (typeof endpoints)[number],
        getEndpointsForUser: () => [{ name: 'e9' }] as never,
      },
    });
    expect(() => broken.clients.user('eu-dave')).toThrow(
      expect.objectContaining({
        code: 'ENDPOINT_ROUTER_INVALID',
        message: expect.stringContaining('getEndpointsForUser'),
      }),
    );
  });

  it('still reaches the live endpoint when one is stopped, and names the failed endpoint', async () => {
    const carol = await connectTo('e1', 'carol');
    const got = collect(carol, 'note');
    await second.emulator.close();

    let caught: unknown;
    try {
      await services.clients.all.send('note', 'after the stop');
    } catch (error) {
      caught = error;
    }
    expect(ServerlessHubError.is(caught, 'REST_ENDPOINTS_FAILED')).toBe(true);
    expect((caught as ServerlessHubError).message).toContain("'e2'");
    expect((caught as ServerlessHubError).details).toMatchObject({ failed: [{ endpoint: 'e2' }], succeeded: ['e1'] });
    await eventually(
      () => got.some(([text]) => text === 'after the stop'),
      'the client of the live endpoint got the message',
    );
    expect(got.filter(([text]) => text === 'after the stop')).toHaveLength(1);
  });
});

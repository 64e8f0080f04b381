// Failover between two local service endpoints, end to end: a hub registered on a local functions host,
// two emulators named by Azure__SignalR__Endpoints__e1/e2, official clients on every transport and
// protocol negotiating through the hub. Negotiate spreads them over both endpoints (Azure/azure-signalr
// DefaultEndpointRouter), sends reach each client exactly once; when an endpoint stops, the health checks
// mark it offline (Azure/azure-signalr Microsoft.Azure.SignalR.Management RestHealthCheckService: 3 failed
// `HEAD /api/health`) and negotiate leaves it out while sends still reach the live endpoint and name the
// failed one; once it is back on its port, a health check marks it online and negotiate uses it again.
import { app as functionsApp } from '@azure/functions';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { Hub, ServerlessHub, ServerlessHubError, hubEndpointsFromSettings, registerHubs } from '@serverless-hub/core';
import { multiEndpointServices } from '@serverless-hub/core/service';
import type { HubRegistration, HubServices, UpstreamLogger } from '@serverless-hub/core';
import { createFunctionsHost, createServiceEmulator } from '@serverless-hub/emulator';
import type { FunctionsHost, ServiceEmulator } from '@serverless-hub/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, protocolOf, transportMatrix, transports } from './emulator-helpers.js';
import type { ProtocolKey, TransportKey } from './emulator-helpers.js';

const HUB = 'failover';
const KEYS = {
  e1: 'FAILOVER-E1-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0',
  e2: 'FAILOVER-E2-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0',
} as const;
type EndpointName = keyof typeof KEYS;
const SETTINGS = ['Azure__SignalR__Endpoints__e1', 'Azure__SignalR__Endpoints__e2'] as const;
// Enough connects that a fair coin lands both ways (a miss is 2^-40 per combination).
const MAX_CONNECTS = 40;
// Bounds of the waits for the health checks (they run every 100 ms here); never reached when all is well.
const HEALTH_WAIT_MS = 15_000;

@Hub({ name: HUB, negotiate: { userId: '{query.user}' } })
class Failover extends ServerlessHub {
  join(group: string): Promise<boolean> {
    return this.groups.addToGroup(this.context.connectionId, group);
  }
}

interface Client {
  readonly connection: HubConnection;
  readonly endpoint: EndpointName;
  readonly user: string;
  readonly got: unknown[][];
  readonly combination: string;
}

const healthLines: string[] = [];
const logger: UpstreamLogger = {
  log(level, message) {
    if (message.startsWith('Service endpoint')) healthLines.push(`${level} ${message}`);
  },
};

let functionsHost: FunctionsHost;
let registration: HubRegistration;
let services: HubServices;
const emulators = new Map<EndpointName, ServiceEmulator>();
const clients: Client[] = [];
let savedConnectionString: string | undefined;
let users = 0;

async function startEndpoint(name: EndpointName, port: number): Promise<ServiceEmulator> {
  const emulator = createServiceEmulator({
    port,
    accessKey: KEYS[name],
    logLevel: 'error',
    logSink: () => undefined,
    upstream: [{ urlTemplate: `http://127.0.0.1:${String(functionsHost.port)}/api/{hub}/{category}/{event}` }],
  });
  await emulator.start();
  emulators.set(name, emulator);
  return emulator;
}

function emulatorOf(name: EndpointName): ServiceEmulator {
  const emulator = emulators.get(name);
  if (emulator === undefined) throw new Error(`endpoint ${name} is not running`);
  return emulator;
}

function countsNow(): Record<EndpointName, number> {
  const count = (name: EndpointName): number => emulators.get(name)?.connectionCounts()[HUB] ?? 0;
  return { e1: count('e1'), e2: count('e2') };
}

/** Connects one client through the hub's negotiate and tells which endpoint took it (connects are one at a time). */
async function connect(transport: TransportKey, protocol: ProtocolKey): Promise<Client> {
  const user = `user-${String(++users)}`;
  const connection = new HubConnectionBuilder()
    .withUrl(`${functionsHost.url}/api/${HUB}?user=${user}`, { transport: transports[transport] })
    .withHubProtocol(protocolOf(protocol))
    .configureLogging(LogLevel.None)
    .build();
  const got = collect(connection, 'note');
  const before = countsNow();
  await connection.start();
  const after = countsNow();
  const grown = (['e1', 'e2'] as const).filter((name) => after[name] === before[name] + 1);
  if (grown.length !== 1) throw new Error(`cannot tell the endpoint of ${user}: ${JSON.stringify({ before, after })}`);
  const client: Client = {
    connection,
    endpoint: grown[0] as EndpointName,
    user,
    got,
    combination: `${transport}/${protocol}`,
  };
  clients.push(client);
  return client;
}

function online(name: EndpointName): boolean | undefined {
  return registration.serviceEndpoints(HUB).find((endpoint) => endpoint.name === name)?.online;
}

async function sendRejection(run: () => Promise<void>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function texts(client: Client): unknown[] {
  return client.got.map(([text]) => text);
}

beforeAll(async () => {
  savedConnectionString = process.env.AzureSignalRConnectionString;
  Reflect.deleteProperty(process.env, 'AzureSignalRConnectionString');
  // The host hooks the app's @azure/functions before the hubs register on it, as the Functions worker does.
  functionsHost = createFunctionsHost({ port: 0, logLevel: 'error', logSink: () => undefined });
  registration = registerHubs(functionsApp, [Failover], {
    logger,
    endpointHealth: { checkIntervalMs: 100, retryIntervalMs: 20, timeoutMs: 2_000 },
  });
  await functionsHost.start();
  for (const name of ['e1', 'e2'] as const) {
    const emulator = await startEndpoint(name, 0);
    process.env[`Azure__SignalR__Endpoints__${name}`] = emulator.connectionString;
  }
  services = multiEndpointServices(hubEndpointsFromSettings(), HUB);
});

afterAll(async () => {
  registration.close();
  await Promise.all(clients.map(({ connection }) => connection.stop()));
  for (const emulator of emulators.values()) await emulator.close();
  await functionsHost.close();
  for (const name of SETTINGS) Reflect.deleteProperty(process.env, name);
  if (savedConnectionString !== undefined) process.env.AzureSignalRConnectionString = savedConnectionString;
});

describe('failover between two service endpoints', () => {
  it('spreads clients of every transport and protocol over both endpoints; sends reach each exactly once', async () => {
    expect(registration.serviceEndpoints(HUB).map(({ name, type, online }) => [name, type, online])).toEqual([
      ['e1', 'primary', true],
      ['e2', 'primary', true],
    ]);
    for (const [transport, protocol] of transportMatrix) {
      const landed = new Set<EndpointName>();
      for (let attempt = 0; landed.size < 2; attempt++) {
        if (attempt === MAX_CONNECTS) throw new Error(`${transport}/${protocol}: every client went to one endpoint`);
        landed.add((await connect(transport, protocol)).endpoint);
      }
    }
    expect(new Set(clients.map(({ endpoint }) => endpoint))).toEqual(new Set(['e1', 'e2']));

    // Group members on both endpoints join through the hub: the endpoint that holds each one says so.
    const members = clients.filter((_, index) => index % 2 === 0);
    for (const member of members) expect(await member.connection.invoke('join', 'room')).toBe(true);
    const byUser = { e1: clients.find((c) => c.endpoint === 'e1'), e2: clients.find((c) => c.endpoint === 'e2') };
    const byConnection = {
      e1: clients.findLast((c) => c.endpoint === 'e1'),
      e2: clients.findLast((c) => c.endpoint === 'e2'),
    };
    const picked = [byUser.e1, byUser.e2, byConnection.e1, byConnection.e2];
    if (picked.some((client) => client === undefined)) throw new Error('an endpoint has no client');

    await services.clients.all.send('note', 'all');
    for (const client of [byUser.e1, byUser.e2]) await services.clients.user(client?.user ?? '').send('note', 'user');
    await services.clients.group('room').send('note', 'room');
    for (const client of [byConnection.e1, byConnection.e2]) {
      await services.clients.client(client?.connection.connectionId ?? '').send('note', 'connection');
    }
    await services.clients.all.send('note', 'end');
    await eventually(
      () => clients.every((client) => client.got.at(-1)?.[0] === 'end'),
      'every client got the last message',
      10_000,
    );

    for (const client of clients) {
      const expected = [
        'all',
        ...(client === byUser.e1 || client === byUser.e2 ? ['user'] : []),
        ...(members.includes(client) ? ['room'] : []),
        ...(client === byConnection.e1 || client === byConnection.e2 ? ['connection'] : []),
        'end',
      ];
      expect(texts(client), `${client.user} (${client.combination} on ${client.endpoint})`).toEqual(expected);
    }
  }, 60_000);

  it('leaves a stopped endpoint out of negotiate after a health round; sends reach the live one and name it', async () => {
    const onE1 = clients.filter((client) => client.endpoint === 'e1');
    const stoppedPort = emulatorOf('e2').port;
    await emulatorOf('e2').close();
    emulators.delete('e2');

    await eventually(() => online('e2') === false, 'the health checks mark e2 offline', HEALTH_WAIT_MS);
    expect(online('e1')).toBe(true);
    expect(healthLines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^error Service endpoint 'e2' \\(http://localhost:${String(stoppedPort)}\\) of hub '${HUB}' is offline: `,
        ),
      ),
    );
    expect(healthLines.join('\n')).not.toContain(KEYS.e2);

    // Every new client goes to e1, whatever the transport and protocol.
    for (const [transport, protocol] of transportMatrix) {
      for (let round = 0; round < 3; round++) {
        const client = await connect(transport, protocol);
        expect(client.endpoint).toBe('e1');
        onE1.push(client);
      }
    }

    const failure = await sendRejection(() => services.clients.all.send('note', 'after the stop'));
    expect(ServerlessHubError.is(failure, 'REST_ENDPOINTS_FAILED')).toBe(true);
    expect((failure as ServerlessHubError).message).toContain("'e2'");
    expect((failure as ServerlessHubError).details).toMatchObject({ failed: [{ endpoint: 'e2' }], succeeded: ['e1'] });
    await eventually(
      () => onE1.every((client) => client.got.some(([text]) => text === 'after the stop')),
      'every client of e1 got the message',
      10_000,
    );
    for (const client of onE1) expect(texts(client).filter((text) => text === 'after the stop')).toHaveLength(1);

    // Back on the same port with the same key: online after the next health round, and used again.
    await startEndpoint('e2', stoppedPort);
    await eventually(() => online('e2') === true, 'the health checks mark e2 online again', HEALTH_WAIT_MS);
    expect(healthLines.at(-1)).toBe(
      `info Service endpoint 'e2' (http://localhost:${String(stoppedPort)}) of hub '${HUB}' is online again: HEAD /api/health answered 200.`,
    );
    let back: Client | undefined;
    for (let attempt = 0; back === undefined; attempt++) {
      if (attempt === MAX_CONNECTS) throw new Error('no new client went to e2 once it was back');
      const client = await connect('WebSockets', 'json');
      if (client.endpoint === 'e2') back = client;
    }
    await services.clients.all.send('note', 'after the restart');
    await eventually(
      () => back.got.some(([text]) => text === 'after the restart'),
      'the client of the restarted e2 got the message',
      10_000,
    );
    expect(texts(back)).toEqual(['after the restart']);
  }, 60_000);
});

// The whole system on one machine: a hub written with the framework, registered with registerHubs,
// served by the emulator's local functions host, behind the service emulator, driven by the official
// client over every transport and protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '@azure/functions';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { Hub, HubError, registerHubs, ServerlessHub, UseFilters } from '@serverless-hub/core';
import type { HubInvocationContext } from '@serverless-hub/core';
import { createFunctionsHost } from '@serverless-hub/emulator';
import type { FunctionsHost, ServiceEmulator } from '@serverless-hub/emulator';
import {
  closed,
  collect,
  eventually,
  protocolOf,
  startEmulator,
  transportMatrix,
  transports,
} from './emulator-helpers.js';
import type { ProtocolKey, TransportKey } from './emulator-helpers.js';

interface RoomClient {
  joined(connectionId: string): void;
  said(message: { from: string; text: string; to?: string; group?: string }): void;
}

function notBlocked(context: HubInvocationContext): boolean {
  return context.userId !== 'blocked';
}

@Hub({ name: 'room', negotiate: { userId: '{headers.x-user}' } })
class Room extends ServerlessHub<RoomClient> {
  @UseFilters(notBlocked)
  async onConnected(): Promise<void> {
    await this.clients.all.joined(this.context.connectionId);
  }

  echo(value: unknown): unknown {
    return value;
  }

  refuse(): never {
    throw new HubError('Refused on purpose.');
  }

  crash(): never {
    throw new Error('internal detail that must not reach clients');
  }

  async say(text: string): Promise<void> {
    await this.clients.allExcept([this.context.connectionId]).said({ from: this.#sender(), text });
  }

  async tell(userId: string, text: string): Promise<void> {
    await this.clients.user(userId).said({ from: this.#sender(), text, to: userId });
  }

  async whisper(connectionId: string, text: string): Promise<void> {
    await this.clients.client(connectionId).said({ from: this.#sender(), text, to: connectionId });
  }

  async join(group: string): Promise<void> {
    await this.groups.addToGroup(this.context.connectionId, group);
  }

  async leave(group: string): Promise<void> {
    await this.groups.removeFromGroup(this.context.connectionId, group);
  }

  async toGroup(group: string, text: string): Promise<void> {
    await this.clients.groupExcept(group, [this.context.connectionId]).said({ from: this.#sender(), text, group });
  }

  async enroll(userId: string, group: string, ttl: number): Promise<boolean> {
    await this.userGroups.addToGroup(userId, group, { ttl });
    return this.userGroups.isUserInGroup(userId, group);
  }

  async isEnrolled(userId: string, group: string): Promise<boolean> {
    return this.userGroups.isUserInGroup(userId, group);
  }

  async kick(connectionId: string, reason: string): Promise<void> {
    await this.clientManager.closeConnection(connectionId, reason);
  }

  whoami(): { connectionId: string; userId: string | null } {
    return { connectionId: this.context.connectionId, userId: this.context.userId ?? null };
  }

  #sender(): string {
    return this.context.userId ?? this.context.connectionId;
  }
}

// The local functions host provides @azure/functions-core, as the Functions worker does, so it must exist
// before the first registration; then @azure/functions' own app hands it every function.
const functionLog: string[] = [];
const functionsHost: FunctionsHost = createFunctionsHost({
  port: 0,
  logLevel: 'debug',
  logSink: (level, line) => functionLog.push(`${level} ${line}`),
});
registerHubs(app, [Room]);

let emulator: ServiceEmulator;
let logLines: string[];
beforeAll(async () => {
  await functionsHost.start();
  ({ emulator, logLines } = await startEmulator({
    upstream: [{ urlTemplate: `http://127.0.0.1:${functionsHost.port}/api/{hub}/{category}/{event}` }],
  }));
  process.env.AzureSignalRConnectionString = emulator.connectionString;
});

afterAll(async () => {
  await emulator.close();
  await functionsHost.close();
});

function client(transport: TransportKey, protocol: ProtocolKey, userId?: string): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(`${functionsHost.url}/api/room`, {
      transport: transports[transport],
      headers: userId === undefined ? {} : { 'x-user': userId },
    })
    .withHubProtocol(protocolOf(protocol))
    .configureLogging(LogLevel.None)
    .build();
}

describe('the local functions host', () => {
  it('serves the functions registerHubs registered', () => {
    const routes = functionsHost.routes().map((route) => `${route.methods.join(',')} ${route.path}`);
    expect(routes).toContain('GET,POST /api/room/negotiate');
    expect(routes).toContain('POST /api/room/messages/echo');
    expect(routes).toContain('POST /api/room/connections/connected');
  });

  it('answers 404 naming the methods a route accepts', async () => {
    const response = await fetch(`${functionsHost.url}/api/room/messages/echo`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('POST');
    expect((await fetch(`${functionsHost.url}/api/nothing`)).status).toBe(404);
  });

  it('refuses upstream requests that the service did not sign', async () => {
    const response = await fetch(`${functionsHost.url}/api/room/messages/echo`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-ASRS-Connection-Id': 'c1',
        'X-ASRS-Hub': 'room',
        'X-ASRS-Category': 'messages',
        'X-ASRS-Event': 'echo',
        'X-ASRS-Signature': 'sha256=00',
      },
      body: '{"type":1,"invocationId":"1","target":"echo","arguments":[1]}',
    });
    expect(response.status).toBe(401);
  });

  it('answers CORS preflights for browsers', async () => {
    const response = await fetch(`${functionsHost.url}/api/room/negotiate`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-requested-with',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });
});

describe.each(transportMatrix)('a framework hub over %s with %s', (transport, protocol) => {
  it('negotiates through the app, invokes with results and errors, and sends', async () => {
    const user = `${transport}-${protocol}`;
    const connection = client(transport, protocol, user);
    await connection.start();
    const value = { text: 'ünïcode ✓', numbers: [0, -1, 2.5], flag: false, none: null };
    await expect(connection.invoke('echo', value)).resolves.toEqual(value);
    await expect(connection.invoke('whoami')).resolves.toEqual({ connectionId: connection.connectionId, userId: user });
    await expect(connection.invoke('refuse')).rejects.toThrow('Refused on purpose.');
    const crash = connection.invoke('crash');
    await expect(crash).rejects.toThrow();
    await crash.catch((error: unknown) => {
      expect(String(error)).not.toContain('internal detail');
    });
    await expect(connection.invoke('echo')).rejects.toThrow(/argument/);
    await connection.stop();
  });
});

describe('messages, groups and connections through the hub', () => {
  const members: { connection: HubConnection; said: unknown[][]; joined: unknown[][] }[] = [];

  async function member(
    transport: TransportKey,
    protocol: ProtocolKey,
    userId?: string,
  ): Promise<(typeof members)[number]> {
    const connection = client(transport, protocol, userId);
    const said = collect(connection, 'said');
    const joined = collect(connection, 'joined');
    await connection.start();
    const entry = { connection, said, joined };
    members.push(entry);
    return entry;
  }

  function texts(entry: (typeof members)[number]): unknown[] {
    return entry.said.map((args) => (args[0] as { text: string }).text);
  }

  afterAll(async () => {
    await Promise.all(members.map((entry) => entry.connection.stop()));
  });

  it('sends to all but the sender, to a user, to a connection and to a group', async () => {
    const ann = await member('WebSockets', 'json', 'ann');
    const ann2 = await member('LongPolling', 'messagepack', 'ann');
    const ben = await member('ServerSentEvents', 'json', 'ben');
    await eventually(
      () => ann.joined.some((args) => args[0] === ben.connection.connectionId),
      'onConnected of ben reached ann',
    );

    await ben.connection.invoke('say', 'hello all');
    await ben.connection.invoke('tell', 'ann', 'hello ann');
    await ann.connection.invoke('whisper', ben.connection.connectionId, 'psst');
    await ann2.connection.invoke('join', 'g');
    await ben.connection.invoke('join', 'g');
    await ben.connection.invoke('toGroup', 'g', 'to group');
    await ann2.connection.invoke('leave', 'g');
    await ben.connection.invoke('toGroup', 'g', 'after leave');
    await ann.connection.invoke('say', 'last');
    await eventually(() => texts(ben).includes('last') && texts(ann2).includes('last'), 'the last message arrived');

    expect(texts(ann)).toEqual(['hello all', 'hello ann']);
    expect(texts(ann2)).toEqual(['hello all', 'hello ann', 'to group', 'last']);
    expect(texts(ben)).toEqual(['psst', 'last']);
    expect(ben.said[0]?.[0]).toEqual({ from: 'ann', text: 'psst', to: ben.connection.connectionId });
  });

  it('manages user groups with a TTL', async () => {
    const cat = await member('WebSockets', 'messagepack', 'cat');
    await expect(cat.connection.invoke('enroll', 'cat', 'club', 1)).resolves.toBe(true);
    await eventually(
      async () => (await cat.connection.invoke('isEnrolled', 'cat', 'club')) === false,
      'the TTL passed',
    );
  });

  it('closes a connection with a reason the client sees', async () => {
    const dan = await member('WebSockets', 'json', 'dan');
    const eve = await member('LongPolling', 'json', 'eve');
    const danClosed = closed(dan.connection);
    await eve.connection.invoke('kick', dan.connection.connectionId, 'kicked by eve');
    expect((await danClosed)?.message).toContain('kicked by eve');
  });

  it('closes a connection that a filter refuses on connect', async () => {
    const blocked = client('WebSockets', 'json', 'blocked');
    const closing = closed(blocked);
    await blocked.start();
    expect((await closing)?.message).toContain('403');
  });

  it('logs readable lines without secrets', () => {
    expect(logLines.some((line) => line.includes('connection connected hub=room'))).toBe(true);
    expect(functionLog.some((line) => line.includes('/api/room/messages/echo -> room_echo 200'))).toBe(true);
    expect(functionLog.some((line) => line.includes('internal detail'))).toBe(true);
    for (const line of [...logLines, ...functionLog]) expect(line).not.toContain(emulator.accessKey);
  });
});

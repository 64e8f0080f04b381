// Binding mode: a hub registered as signalRTrigger functions, served by the local functions host's
// stand-in for the Functions host's SignalR extension webhook, behind the service emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '@azure/functions';
import { HubConnectionBuilder, HubConnectionState, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { Hub, HubError, registerHubs, ServerlessHub, UseFilters } from '@serverless-hub/core';
import type { HubInvocationContext } from '@serverless-hub/core';
import { createFunctionsHost } from '@serverless-hub/emulator';
import type { FunctionsHost, ServiceEmulator } from '@serverless-hub/emulator';
import { closed, collect, eventually, protocolOf, startEmulator, transports } from './emulator-helpers.js';
import type { ProtocolKey } from './emulator-helpers.js';

interface BoundClient {
  hello(connectionId: string, userId: string | null): void;
}

@Hub({ name: 'bound', negotiate: { userId: '{headers.x-user}' } })
class Bound extends ServerlessHub<BoundClient> {
  @UseFilters((context: HubInvocationContext) => context.userId !== 'blocked')
  async onConnected(): Promise<void> {
    await this.clients.client(this.context.connectionId).hello(this.context.connectionId, this.context.userId ?? null);
  }

  echo(value: unknown): unknown {
    return value;
  }

  pair(a: string, b: string): string {
    return `${a}+${b}`;
  }

  refuse(): never {
    throw new HubError('Refused in binding mode.');
  }

  note(): void {
    // fire and forget: nothing to answer
  }
}

// The host first: it provides @azure/functions-core, through which @azure/functions' app registers.
const functionsHost: FunctionsHost = createFunctionsHost({ port: 0, logLevel: 'silent' });
registerHubs(app, [Bound], { mode: 'binding' });

let emulator: ServiceEmulator;
let logLines: string[];

beforeAll(async () => {
  await functionsHost.start();
  ({ emulator, logLines } = await startEmulator({
    upstream: [
      { urlTemplate: `http://127.0.0.1:${functionsHost.port}/runtime/webhooks/signalr?code=local-function-key` },
    ],
    logLevel: 'info',
  }));
  process.env.AzureSignalRConnectionString = emulator.connectionString;
});

afterAll(async () => {
  await emulator.close();
  await functionsHost.close();
});

function client(protocol: ProtocolKey, userId: string): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(`${functionsHost.url}/api/bound`, { transport: transports.WebSockets, headers: { 'x-user': userId } })
    .withHubProtocol(protocolOf(protocol))
    .configureLogging(LogLevel.None)
    .build();
}

describe('a hub in binding mode', () => {
  it('lists its signalRTrigger functions at the webhook', () => {
    const routes = functionsHost.routes();
    expect(routes.filter((route) => route.path === '/runtime/webhooks/signalr').map((route) => route.name)).toContain(
      'bound_echo',
    );
    expect(routes.some((route) => route.path === '/api/bound/negotiate')).toBe(true);
  });

  it.each(['json', 'messagepack'] as const)(
    'connects, gets its connected message, invokes with results and errors (%s)',
    async (protocol) => {
      const connection = client(protocol, `user-${protocol}`);
      const hello = collect(connection, 'hello');
      await connection.start();
      await eventually(() => hello.length === 1, 'onConnected ran through the webhook');
      expect(hello[0]).toEqual([connection.connectionId, `user-${protocol}`]);
      await expect(connection.invoke('echo', { deep: [1, 'x', null] })).resolves.toEqual({ deep: [1, 'x', null] });
      await expect(connection.invoke('pair', 'a', 'b')).resolves.toBe('a+b');
      await expect(connection.invoke('pair', 'a')).rejects.toThrow(
        'The function accept 2 arguments but message provided 1.',
      );
      await expect(connection.invoke('refuse')).rejects.toThrow('Refused in binding mode.');
      await expect(connection.invoke('note')).resolves.toBeUndefined();
      await connection.send('note');
      expect(connection.state).toBe(HubConnectionState.Connected);
      await connection.stop();
    },
  );

  it('refuses a connection that a filter denies (403 from the webhook)', async () => {
    const connection = client('json', 'blocked');
    const closing = closed(connection);
    await connection.start();
    expect((await closing)?.message).toContain('403');
  });

  it('checks the signature as the extension does', async () => {
    const response = await fetch(`${functionsHost.url}/runtime/webhooks/signalr`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-ASRS-Connection-Id': 'c1',
        'X-ASRS-Hub': 'bound',
        'X-ASRS-Category': 'messages',
        'X-ASRS-Event': 'echo',
        'X-ASRS-Signature': `sha256=${'0'.repeat(64)}`,
      },
      body: '{"type":1,"invocationId":"1","target":"echo","arguments":[1]}',
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('The request is unauthorized, please check the Signature.');
    const unknown = await fetch(`${functionsHost.url}/runtime/webhooks/signalr`, {
      method: 'POST',
      headers: {
        'X-ASRS-Connection-Id': 'c1',
        'X-ASRS-Hub': 'bound',
        'X-ASRS-Category': 'messages',
        'X-ASRS-Event': 'nothing',
      },
    });
    expect(unknown.status).toBe(404);
  });

  it('never logs the webhook key', () => {
    expect(logLines.some((line) => line.includes('/runtime/webhooks/signalr?code=***'))).toBe(true);
    for (const line of logLines) expect(line).not.toContain('local-function-key');
  });
});

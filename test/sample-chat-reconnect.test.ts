// Reconnects through the chat sample: official clients of every kind are connected when the service
// emulator and the functions host restart (same ports, same key), and all come back with the same user id
// and claims. @microsoft/signalr re-sends the service's access token as `Authorization: Bearer` on the
// negotiate of an automatic reconnect when the app gave it no accessTokenFactory
// (dotnet/aspnetcore src/SignalR/clients/ts/signalr/src/HttpConnection.ts `_startInternal` restores the
// factory only; AccessTokenHttpClient.ts keeps `_accessToken`): the framework must recognise that token.
import { HttpTransportType, HubConnectionBuilder, HubConnectionState, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectionString } from '@serverless-hub/core';
import { negotiate } from '@serverless-hub/core/service';
import { signAccessToken } from '../packages/core/src/token/sign-access-token.js';
import { eventually } from './emulator-helpers.js';
import { bearerToken, startRestartableChatApp } from './sample-chat-app.js';
import type { RestartableChatApp } from './sample-chat-app.js';

interface Identity {
  readonly connectionId: string;
  readonly userId: string | null;
  readonly claims: Record<string, string>;
}

type Auth = 'anonymous' | 'header' | 'factory';

interface Client {
  readonly name: string;
  readonly auth: Auth;
  readonly connection: HubConnection;
  readonly received: string[];
  reconnected: number;
  before?: Identity;
}

const TRANSPORTS = {
  webSockets: HttpTransportType.WebSockets,
  serverSentEvents: HttpTransportType.ServerSentEvents,
  longPolling: HttpTransportType.LongPolling,
};
const RECONNECT_WITHIN_MS = 15_000;
// The claims of every client token that describe the token (its lifetime, audience) and the user id.
const TOKEN_CLAIMS = new Set(['aud', 'exp', 'iat', 'nbf', 'asrs.s.uid']);

function appClaims(identity: Identity | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(identity?.claims ?? {}).filter(([type]) => !TOKEN_CLAIMS.has(type)));
}

describe('chat sample: clients reconnect after the service and the app restart', () => {
  let app: RestartableChatApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    app = await startRestartableChatApp();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.connection.stop()));
    await app.close();
  });

  async function connect(
    name: string,
    auth: Auth,
    transport: keyof typeof TRANSPORTS,
    protocol: 'json' | 'messagepack',
  ): Promise<Client> {
    const token = await bearerToken({ sub: name, admin: true, name: `${name} the admin` }, { expiresInSeconds: 600 });
    const headers: Record<string, string> = { 'x-ms-signalr-user-id': name };
    if (auth === 'header') headers.Authorization = `Bearer ${token}`;
    let builder = new HubConnectionBuilder()
      .withUrl(app.hubUrl, {
        transport: TRANSPORTS[transport],
        headers,
        ...(auth === 'factory' ? { accessTokenFactory: () => token } : {}),
      })
      // Retry often, for long enough to outlast the restart.
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (context) => (context.elapsedMilliseconds < 60_000 ? 200 : null),
      })
      .configureLogging(LogLevel.None);
    if (protocol === 'messagepack') builder = builder.withHubProtocol(new MessagePackHubProtocol());
    const connection = builder.build();
    const client: Client = { name, auth, connection, received: [], reconnected: 0 };
    connection.on('newMessage', (message: { text: string }) => client.received.push(message.text));
    connection.onreconnected(() => {
      client.reconnected += 1;
    });
    await connection.start();
    client.before = await connection.invoke<Identity>('whoami');
    clients.push(client);
    return client;
  }

  it('brings back every client with its user id and claims, and messages flow again', async () => {
    for (const transport of Object.keys(TRANSPORTS) as (keyof typeof TRANSPORTS)[]) {
      for (const protocol of ['json', 'messagepack'] as const) {
        // Server-Sent Events carry text only: no MessagePack (TransferFormat.Binary) over them.
        if (transport === 'serverSentEvents' && protocol === 'messagepack') continue;
        for (const auth of ['anonymous', 'header', 'factory'] as const) {
          // In Node, the official client's WebSocket and EventSource put the app's own headers over the
          // service's token (WebSocketTransport.ts, ServerSentEventsTransport.ts: `{ ...headers, ...options.headers }`),
          // so the service sees the app's token and refuses it: the documented reason an app's token goes
          // through accessTokenFactory. Long polling sends the service's token (AccessTokenHttpClient.ts).
          if (auth === 'header' && transport !== 'longPolling') continue;
          await connect(`${auth}-${transport}-${protocol}`, auth, transport, protocol);
        }
      }
    }
    for (const client of clients) {
      expect(client.before?.userId).toBe(client.name);
      // The sample copies only the claims it uses from the app's token; the service adds the token's own.
      expect(appClaims(client.before)).toEqual(client.auth === 'anonymous' ? {} : { admin: 'true' });
    }

    await app.restart();

    const back = (client: Client): boolean =>
      client.reconnected > 0 && client.connection.state === HubConnectionState.Connected;
    await eventually(() => clients.every(back), 'every client reconnected', RECONNECT_WITHIN_MS).catch(
      (error: unknown) => {
        throw new Error(
          `${String(error)}; not back: ${clients
            .filter((client) => !back(client))
            .map((client) => client.name)
            .join(', ')}`,
        );
      },
    );
    for (const client of clients) {
      const after = await client.connection.invoke<Identity>('whoami');
      expect({ name: client.name, userId: after.userId, claims: appClaims(after) }).toEqual({
        name: client.name,
        userId: client.before?.userId,
        claims: appClaims(client.before),
      });
      expect(after.connectionId).not.toBe(client.before?.connectionId);
    }

    const [first] = clients;
    await first?.connection.invoke('broadcast', 'back again');
    await eventually(
      () => clients.every((client) => client.received.includes('back again')),
      'every client received the broadcast',
    );
    // The admin claim carried over is honoured: a reconnected client with it may still send admin messages.
    const admin = clients.find((client) => client.auth === 'header');
    await admin?.connection.invoke('adminBroadcast', 'still admin');
    await eventually(
      () => clients.every((client) => client.received.includes('still admin')),
      'every client received the admin message',
    );
  }, 60_000);

  it("shows why an app's token belongs in accessTokenFactory: as a header, Node's WebSocket sends it to the service", async () => {
    const token = await bearerToken({ sub: 'grace', admin: true });
    const connection = new HubConnectionBuilder()
      .withUrl(app.hubUrl, { transport: HttpTransportType.WebSockets, headers: { Authorization: `Bearer ${token}` } })
      .configureLogging(LogLevel.None)
      .build();
    // Negotiate succeeds; the service then sees the app's token instead of its own and refuses the socket.
    await expect(connection.start()).rejects.toThrow(/WebSocket failed to connect/);
  });

  async function negotiateWith(token: string): Promise<Response> {
    return fetch(`${app.hubUrl}/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  }

  it('refuses a service token of another hub and a forged one with 401, and negotiates an expired one without identity', async () => {
    const endpoint = parseConnectionString(app.emulator.connectionString);
    const ofOtherHub = await negotiate(endpoint, 'other', { userId: 'alice', claims: { admin: 'true' } });
    expect((await negotiateWith(ofOtherHub.accessToken)).status).toBe(401);

    const audience = String(decodeJwt((await negotiate(endpoint, 'chat')).accessToken).aud);
    const forged = await signAccessToken({
      audience,
      key: 'not-the-access-key-not-the-access-key-0123',
      lifetimeSeconds: 600,
      claims: { 'asrs.s.uid': 'alice', admin: 'true' },
    });
    const refused = await negotiateWith(forged);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(forged);

    const key = endpoint.auth.type === 'key' ? endpoint.auth.accessKey : '';
    const expired = await signAccessToken({
      audience,
      key,
      lifetimeSeconds: 600,
      now: Math.floor(Date.now() / 1000) - 7200,
      claims: { 'asrs.s.uid': 'alice', admin: 'true' },
    });
    const answer = await negotiateWith(expired);
    expect(answer.status).toBe(200);
    const { accessToken } = (await answer.json()) as { accessToken: string };
    const claims = decodeJwt(accessToken);
    expect(claims['asrs.s.uid']).toBeUndefined();
    expect(claims.admin).toBeUndefined();
  });
});

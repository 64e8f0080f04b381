// The chat sample end to end: official SignalR clients (JSON and MessagePack, WebSockets and Server-Sent
// Events) negotiate through the sample's function, connect to the service emulator, and go through every
// method of the hub's contract; each test checks what every client received.
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, startChatApp } from './sample-chat-app.js';
import type { ChatApp } from './sample-chat-app.js';

/** What `whoami` answers. */
interface Identity {
  readonly connectionId: string;
  readonly userId: string | null;
  readonly claims: Record<string, string>;
}

interface Received {
  readonly target: string;
  readonly payload: Record<string, unknown>;
}

const TARGETS = ['newMessage', 'newConnection', 'connectionClosed'] as const;
// Bounds each wait so that a missing message fails with a clear description, well before the test timeout.
const WAIT_MS = 8_000;

/** An official client of the chat hub that records every message it receives, in order. */
class ChatClient {
  readonly received: Received[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(
    readonly name: string,
    readonly connection: HubConnection,
  ) {
    for (const target of TARGETS) {
      connection.on(target, (payload: Record<string, unknown>) => {
        this.received.push({ target, payload });
        for (const wake of this.#waiters) wake();
      });
    }
  }

  static async connect(
    app: ChatApp,
    name: string,
    options: {
      headers?: Record<string, string>;
      token?: string;
      protocol?: 'json' | 'messagepack';
      transport?: HttpTransportType;
    } = {},
  ): Promise<ChatClient> {
    let builder = new HubConnectionBuilder()
      .withUrl(app.hubUrl, {
        headers: options.headers ?? {},
        transport: options.transport ?? HttpTransportType.WebSockets,
        ...(options.token === undefined ? {} : { accessTokenFactory: () => options.token as string }),
      })
      .configureLogging(LogLevel.None);
    if (options.protocol === 'messagepack') builder = builder.withHubProtocol(new MessagePackHubProtocol());
    const client = new ChatClient(name, builder.build());
    await client.connection.start();
    return client;
  }

  get connectionId(): string {
    const id = this.connection.connectionId;
    if (id === null) throw new Error(`${this.name} has no connection id`);
    return id;
  }

  messages(): Record<string, unknown>[] {
    return this.received.filter((item) => item.target === 'newMessage').map((item) => item.payload);
  }

  /** Resolves with the first received message (from the start) of `target` that matches `expected`. */
  async waitFor(target: string, expected: Record<string, unknown>): Promise<Received> {
    const find = (): Received | undefined =>
      this.received.find((item) => item.target === target && matches(item.payload, expected));
    const found = find();
    if (found !== undefined) return found;
    return new Promise<Received>((resolve, reject) => {
      const wake = (): void => {
        const item = find();
        if (item === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(
          new Error(
            `${this.name} did not receive ${target} ${JSON.stringify(expected)}; it received ${JSON.stringify(this.received)}`,
          ),
        );
      }, WAIT_MS);
      this.#waiters.add(wake);
    });
  }

  /** Everything received before the message `marker` (which must arrive). */
  async receivedBefore(marker: string): Promise<Received[]> {
    const markerMessage = await this.waitFor('newMessage', { text: marker });
    return this.received.slice(0, this.received.indexOf(markerMessage));
  }

  async stop(): Promise<void> {
    await this.connection.stop();
  }
}

function matches(payload: Record<string, unknown>, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(([key, value]) => JSON.stringify(payload[key]) === JSON.stringify(value));
}

let markers = 0;
/**
 * Broadcasts a fresh marker from `sender` and waits until every client has it. Messages to one connection
 * arrive in the order they were sent, so whatever a client did not receive before its marker, it never will.
 */
async function barrier(sender: ChatClient, clients: readonly ChatClient[]): Promise<Map<ChatClient, Received[]>> {
  const marker = `marker ${++markers}`;
  await sender.connection.invoke('broadcast', marker);
  const before = new Map<ChatClient, Received[]>();
  for (const client of clients) before.set(client, await client.receivedBefore(marker));
  return before;
}

function texts(items: readonly Received[] | undefined): unknown[] {
  return (items ?? []).filter((item) => item.target === 'newMessage').map((item) => item.payload.text);
}

describe('chat sample on the emulator', () => {
  let app: ChatApp;
  let alice: ChatClient; // user "alice" (x-ms-signalr-user-id), admin bearer token, JSON over WebSockets
  let bob: ChatClient; // user "bob" (x-ms-client-principal-id), MessagePack over WebSockets
  let anon: ChatClient; // anonymous, JSON over Server-Sent Events
  const everyone = (): ChatClient[] => [alice, bob, anon];
  // What to clean up, even when the set-up failed half-way.
  const started: ChatClient[] = [];
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    app = await startChatApp();
    stopApp = () => app.close();
    const adminToken = await bearerToken({ sub: 'alice-sub', admin: true, roles: ['reader', 'writer'], plan: 'gold' });
    alice = await ChatClient.connect(app, 'alice', { headers: { 'x-ms-signalr-user-id': 'alice' }, token: adminToken });
    started.push(alice);
    bob = await ChatClient.connect(app, 'bob', {
      headers: { 'x-ms-client-principal-id': 'bob' },
      protocol: 'messagepack',
    });
    started.push(bob);
    anon = await ChatClient.connect(app, 'anon', { transport: HttpTransportType.ServerSentEvents });
    started.push(anon);
  });

  afterAll(async () => {
    await Promise.allSettled(started.map((client) => client.stop()));
    await stopApp?.();
  });

  describe('negotiate', () => {
    it('answers POST and GET with exactly { url, accessToken } pointing at the service', async () => {
      for (const method of ['POST', 'GET']) {
        const response = await fetch(`${app.hubUrl}/negotiate?negotiateVersion=1`, {
          method,
          headers: { 'x-ms-signalr-user-id': 'carol' },
        });
        expect(response.status).toBe(200);
        const body = (await response.json()) as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual(['accessToken', 'url']);
        expect(body.url).toBe(`http://localhost:${app.emulator.port}/client/?hub=chat`);
        const [, payload] = String(body.accessToken).split('.');
        expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))).toMatchObject({
          'asrs.s.uid': 'carol',
        });
      }
    });

    it('prefers x-ms-signalr-user-id over x-ms-client-principal-id, and signs no user for anonymous callers', async () => {
      const userOf = async (headers: Record<string, string>): Promise<unknown> => {
        const response = await fetch(`${app.hubUrl}/negotiate`, { method: 'POST', headers });
        const { accessToken } = (await response.json()) as { accessToken: string };
        const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
          string,
          unknown
        >;
        return claims['asrs.s.uid'];
      };
      expect(await userOf({ 'x-ms-signalr-user-id': 'first', 'x-ms-client-principal-id': 'second' })).toBe('first');
      expect(await userOf({ 'x-ms-client-principal-id': 'second' })).toBe('second');
      expect(await userOf({})).toBeUndefined();
    });

    it('answers 401 to bearer tokens that do not verify as HS256 with CHAT_AUTH_SECRET', async () => {
      const bad = {
        'wrong secret': `Bearer ${await bearerToken({ sub: 'x' }, { secret: 'not-the-secret-of-this-app-0123456789' })}`,
        expired: `Bearer ${await bearerToken({ sub: 'x' }, { expiresInSeconds: -30 })}`,
        'HS512 with the right secret': `Bearer ${await bearerToken({ sub: 'x' }, { algorithm: 'HS512' })}`,
        'not a JWT': 'Bearer not-a-jwt',
        'another scheme': 'Basic YWxpY2U6c2VjcmV0',
      };
      for (const [what, authorization] of Object.entries(bad)) {
        const response = await fetch(`${app.hubUrl}/negotiate`, { method: 'POST', headers: { authorization } });
        expect(response.status, what).toBe(401);
        const text = await response.text();
        expect(text, what).not.toContain(authorization.slice(7));
      }
    });

    it('makes the official client fail to start with status 401 for a bad bearer token', async () => {
      const token = await bearerToken(
        { sub: 'mallory', admin: true },
        { secret: 'guessed-secret-guessed-secret-0123' },
      );
      const connection = new HubConnectionBuilder()
        .withUrl(app.hubUrl, { accessTokenFactory: () => token })
        .configureLogging(LogLevel.None)
        .build();
      // The client reports the negotiate function's status and text.
      await expect(connection.start()).rejects.toThrow(/signature does not verify.*Status code '401'/);
      expect(connection.state).toBe('Disconnected');
    });
  });

  describe('connections', () => {
    it('onConnected sends newConnection with the connection id to everyone', async () => {
      // bob and anon connected after alice; anon after bob.
      await alice.waitFor('newConnection', { connectionId: bob.connectionId });
      await alice.waitFor('newConnection', { connectionId: anon.connectionId });
      await bob.waitFor('newConnection', { connectionId: anon.connectionId });
    });

    it('whoami answers the connection id, the user id and the claims of a verified bearer token', async () => {
      const me = await alice.connection.invoke<Identity>('whoami');
      expect(me.connectionId).toBe(alice.connectionId);
      expect(me.userId).toBe('alice');
      // Only the claims the chat reads (admin) are copied from the bearer token, as text.
      expect(me.claims).toMatchObject({ admin: 'true' });
      for (const type of ['sub', 'roles', 'plan']) expect(me.claims).not.toHaveProperty(type);
      // The bearer token's own lifetime claims are not passed on as the user's.
      expect(me.claims).not.toHaveProperty('asrs.u.exp');

      const bobIdentity = await bob.connection.invoke<Identity>('whoami');
      expect(bobIdentity).toMatchObject({ connectionId: bob.connectionId, userId: 'bob' });
      expect(bobIdentity.claims).not.toHaveProperty('admin');
    });

    it('whoami answers userId null for an anonymous connection', async () => {
      const me = await anon.connection.invoke<Identity>('whoami');
      expect(me).toMatchObject({ connectionId: anon.connectionId, userId: null });
    });
  });

  describe('messages', () => {
    it('echo returns any JSON value unchanged', async () => {
      const values = [
        'text',
        42,
        1.5,
        -0.25,
        true,
        false,
        null,
        [1, 'two', [3], { four: 4 }],
        { nested: { list: [null, 'x'], n: 0 }, empty: {} },
        '',
        'ünïcødé ✓',
      ];
      for (const value of values) {
        expect(await alice.connection.invoke('echo', value)).toEqual(value);
        expect(await anon.connection.invoke('echo', value)).toEqual(value);
      }
    });

    it('echo returns any MessagePack value unchanged, binary included', async () => {
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);
      const values = ['text', 42, -7, 2 ** 40, 3.25, true, null, [1, 'two', { three: 3 }], { map: { deep: [1, 2] } }];
      for (const value of values) expect(await bob.connection.invoke('echo', value)).toEqual(value);
      const echoed = await bob.connection.invoke<Uint8Array>('echo', bytes);
      expect(Array.from(echoed)).toEqual(Array.from(bytes));
    });

    it('broadcast sends newMessage { from, text } to everyone, from = user id, else connection id', async () => {
      await alice.connection.invoke('broadcast', 'hello from alice');
      await bob.connection.invoke('broadcast', 'hello from bob');
      await anon.connection.invoke('broadcast', 'hello from anon');
      for (const client of everyone()) {
        expect((await client.waitFor('newMessage', { text: 'hello from alice' })).payload).toEqual({
          from: 'alice',
          text: 'hello from alice',
        });
        expect((await client.waitFor('newMessage', { text: 'hello from bob' })).payload).toEqual({
          from: 'bob',
          text: 'hello from bob',
        });
        expect((await client.waitFor('newMessage', { text: 'hello from anon' })).payload).toEqual({
          from: anon.connectionId,
          text: 'hello from anon',
        });
      }
    });

    it('sendToUser, sendToConnection and sendToGroup answer that nobody received a send to nobody', async () => {
      // Checked with the service's REST API (HEAD on the user, connection or group) before sending.
      expect(await anon.connection.invoke('sendToUser', 'nobody-by-this-name', 'hello?')).toEqual({ delivered: false });
      expect(await anon.connection.invoke('sendToConnection', 'no-such-connection', 'hello?')).toEqual({
        delivered: false,
      });
      expect(await anon.connection.invoke('sendToGroup', 'no-such-group', 'hello?')).toEqual({ delivered: false });
    });

    it('sendToUser sends newMessage { from, text, to } to that user only', async () => {
      expect(await anon.connection.invoke('sendToUser', 'bob', 'psst bob')).toEqual({ delivered: true });
      const before = await barrier(alice, everyone());
      expect((await bob.waitFor('newMessage', { text: 'psst bob' })).payload).toEqual({
        from: anon.connectionId,
        text: 'psst bob',
        to: 'bob',
      });
      expect(texts(before.get(alice))).not.toContain('psst bob');
      expect(texts(before.get(anon))).not.toContain('psst bob');
    });

    it('sendToConnection sends newMessage { from, text, to } to that connection only', async () => {
      await bob.connection.invoke('sendToConnection', anon.connectionId, 'hi anon');
      const before = await barrier(alice, everyone());
      expect((await anon.waitFor('newMessage', { text: 'hi anon' })).payload).toEqual({
        from: 'bob',
        text: 'hi anon',
        to: anon.connectionId,
      });
      expect(texts(before.get(alice))).not.toContain('hi anon');
      expect(texts(before.get(bob))).not.toContain('hi anon');
    });

    it('joinGroup, sendToGroup and leaveGroup: newMessage { from, text, group } reaches the members only', async () => {
      await bob.connection.invoke('joinGroup', 'room');
      await anon.connection.invoke('joinGroup', 'room');
      await alice.connection.invoke('sendToGroup', 'room', 'to the room');
      let before = await barrier(alice, everyone());
      for (const member of [bob, anon]) {
        expect(before.get(member)?.map((item) => item.payload)).toContainEqual({
          from: 'alice',
          text: 'to the room',
          group: 'room',
        });
      }
      expect(texts(before.get(alice))).not.toContain('to the room');

      await anon.connection.invoke('leaveGroup', 'room');
      await alice.connection.invoke('sendToGroup', 'room', 'after anon left');
      before = await barrier(alice, everyone());
      expect(before.get(bob)?.map((item) => item.payload)).toContainEqual({
        from: 'alice',
        text: 'after anon left',
        group: 'room',
      });
      expect(texts(before.get(anon))).not.toContain('after anon left');
      expect(texts(before.get(alice))).not.toContain('after anon left');
    });

    it('adminBroadcast from an admin sends newMessage { from, text, admin: true } to everyone', async () => {
      await alice.connection.invoke('adminBroadcast', 'maintenance at noon');
      for (const client of everyone()) {
        expect((await client.waitFor('newMessage', { text: 'maintenance at noon' })).payload).toEqual({
          from: 'alice',
          text: 'maintenance at noon',
          admin: true,
        });
      }
    });

    it('adminBroadcast from anyone else fails with status 403 and sends nothing', async () => {
      await expect(bob.connection.invoke('adminBroadcast', 'bob takes over')).rejects.toThrow(/status code 403/);
      await expect(anon.connection.invoke('adminBroadcast', 'anon takes over')).rejects.toThrow(/status code 403/);
      const before = await barrier(alice, everyone());
      for (const client of everyone()) {
        expect(texts(before.get(client))).not.toContain('bob takes over');
        expect(texts(before.get(client))).not.toContain('anon takes over');
      }
    });

    it('rejects arguments of the wrong type with a message naming them', async () => {
      await expect(alice.connection.invoke('broadcast', 42)).rejects.toThrow(
        /Invalid arguments for 'broadcast': parameter 'text' \(argument 1\): must be a string, not 42/,
      );
      await expect(bob.connection.invoke('joinGroup', '   ')).rejects.toThrow(
        /Invalid arguments for 'joinGroup': parameter 'group' \(argument 1\): must not be empty/,
      );
      await expect(anon.connection.invoke('sendToUser', { id: 'bob' }, 'x')).rejects.toThrow(
        /Invalid arguments for 'sendToUser': parameter 'userId' \(argument 1\): must be a string, not Object/,
      );
    });
  });

  describe('disconnect', () => {
    it('onDisconnected sends connectionClosed with the connection id to everyone left', async () => {
      const anonId = anon.connectionId;
      await anon.stop();
      await alice.waitFor('connectionClosed', { connectionId: anonId });
      await bob.waitFor('connectionClosed', { connectionId: anonId });
    });
  });
  describe('client results and group lists (REST API 2024-12-01)', () => {
    let carol: ChatClient; // JSON over WebSockets
    let dave: ChatClient; // MessagePack over long polling
    let erin: ChatClient; // JSON over Server-Sent Events

    beforeAll(async () => {
      carol = await ChatClient.connect(app, 'carol', { headers: { 'x-ms-signalr-user-id': 'carol' } });
      started.push(carol);
      dave = await ChatClient.connect(app, 'dave', {
        protocol: 'messagepack',
        transport: HttpTransportType.LongPolling,
      });
      started.push(dave);
      erin = await ChatClient.connect(app, 'erin', { transport: HttpTransportType.ServerSentEvents });
      started.push(erin);
    });

    it('askTime invokes localTime on the other client and answers with its result, in both protocols', async () => {
      carol.connection.on('localTime', () => 'carol time');
      dave.connection.on('localTime', () => 'dave time');
      expect(await erin.connection.invoke('askTime', dave.connectionId)).toBe('dave time');
      expect(await dave.connection.invoke('askTime', carol.connectionId)).toBe('carol time');
    });

    it('askTime tells the caller when the other client is not connected', async () => {
      await expect(carol.connection.invoke('askTime', 'no-such-connection')).rejects.toThrow(
        'no-such-connection is not connected.',
      );
    });

    it('groupMembers answers the connection ids in a group', async () => {
      await carol.connection.invoke('joinGroup', 'members-room');
      await dave.connection.invoke('joinGroup', 'members-room');
      const ids = await erin.connection.invoke<string[]>('groupMembers', 'members-room');
      expect([...ids].sort()).toEqual([carol.connectionId, dave.connectionId].sort());
      await carol.connection.invoke('leaveGroup', 'members-room');
      await dave.connection.invoke('leaveGroup', 'members-room');
      expect(await erin.connection.invoke('groupMembers', 'members-room')).toEqual([]);
    });
  });
});

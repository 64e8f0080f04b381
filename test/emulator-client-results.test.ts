// Client results, streams to a client and group member lists (REST API 2024-12-01) end to end: the
// framework's REST client against the emulator, with official clients on every transport and protocol.
// The official JavaScript client answers a server's invocation with its handler's return value
// (`HubConnection._invokeClientMethod` in @microsoft/signalr) and numbers its own invocations from "0"
// (`HubConnection._invocationId`), so a fresh connection's first `stream()` has the stream id "0".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConnection } from '@microsoft/signalr';
import { ServerlessHubError } from '@serverless-hub/core';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { EMULATOR_ACCESS_KEY } from '@serverless-hub/emulator';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import {
  buildClient,
  closed,
  eventually,
  rest,
  startEmulator,
  startFakeApp,
  transportMatrix,
} from './emulator-helpers.js';
import type { FakeApp, ProtocolKey, TransportKey } from './emulator-helpers.js';

let emulator: ServiceEmulator;
let app: FakeApp;
let service: ServiceHubClient;

beforeAll(async () => {
  app = await startFakeApp(() => emulator.port);
  ({ emulator } = await startEmulator({ upstream: app.upstream, logLevel: 'warn' }));
  service = new ServiceHubClient(
    {
      endpoint: 'http://localhost',
      clientEndpoint: emulator.url,
      serverEndpoint: emulator.url,
      port: emulator.port,
      auth: { type: 'key', accessKey: EMULATOR_ACCESS_KEY },
    },
    'chat',
    { retry: false },
  );
});

afterAll(async () => {
  await emulator.close();
  await app.close();
});

async function connect(
  transport: TransportKey,
  protocol: ProtocolKey,
  userId?: string,
): Promise<{ client: HubConnection; id: string }> {
  const client = buildClient(app, transport, protocol, userId === undefined ? {} : { userId });
  await client.start();
  return { client, id: client.connectionId ?? '' };
}

async function rejection(promise: Promise<unknown>): Promise<ServerlessHubError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServerlessHubError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const jsonValues: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1.5,
  2 ** 53 - 1,
  '',
  'héllo ✓ 😀',
  [],
  [1, 'two', null],
  {},
  { nested: { list: [1, { deep: true }] } },
];

describe.each(transportMatrix)('client results over %s with %s', (transport, protocol) => {
  let client: HubConnection;
  let id: string;

  beforeAll(async () => {
    ({ client, id } = await connect(transport, protocol));
    client.on('echoBack', (value: unknown) => value);
    client.on('fail', () => {
      throw new Error('the client refused');
    });
    client.on('silent', () => new Promise<never>(() => undefined));
    client.on('nothing', () => undefined);
  });

  afterAll(async () => {
    await client.stop();
  });

  it('returns every JSON value type as the client returned it', async () => {
    for (const value of jsonValues) {
      expect(await service.clients.client(id).invoke('echoBack', value)).toEqual(value);
    }
  });

  it('a handler without a return value fails: the official client answers "Client didn\'t provide a result."', async () => {
    const error = await rejection(service.clients.client(id).invoke('nothing'));
    expect(error.code).toBe('CLIENT_INVOCATION_FAILED');
    expect(error.message).toContain("Client didn't provide a result.");
  });

  it("a client that throws rejects with CLIENT_INVOCATION_FAILED and the client's message", async () => {
    const error = await rejection(service.clients.client(id).invoke('fail'));
    expect(error.code).toBe('CLIENT_INVOCATION_FAILED');
    expect(error.message).toContain('the client refused');
  });

  it('a method the client does not implement rejects with CLIENT_INVOCATION_FAILED', async () => {
    const error = await rejection(service.clients.client(id).invoke('noSuchMethod'));
    expect(error.code).toBe('CLIENT_INVOCATION_FAILED');
  });

  it('a client that does not answer in time rejects with CLIENT_INVOCATION_TIMEOUT', async () => {
    const error = await rejection(service.clients.client(id).invokeMessage('silent', [], { timeoutMs: 200 }));
    expect(error.code).toBe('CLIENT_INVOCATION_TIMEOUT');
    // The connection is still usable afterwards.
    await expect(service.clients.client(id).invoke('echoBack', 'still here')).resolves.toBe('still here');
  });

  it('an aborted invocation rejects with REST_ABORTED', async () => {
    const controller = new AbortController();
    const pending = service.clients.client(id).invokeMessage('silent', [], { signal: controller.signal });
    controller.abort();
    expect((await rejection(pending)).code).toBe('REST_ABORTED');
  });
});

describe('client results: the connection', () => {
  it('MessagePack clients return binary (as base64 in the JSON answer) and integers', async () => {
    const { client, id } = await connect('WebSockets', 'messagepack');
    client.on('bytes', () => new Uint8Array([1, 2, 250]));
    client.on('int', () => -123456789);
    client.on('date', () => new Date(Date.UTC(2024, 11, 1, 12, 30)));
    client.on('float', () => 0.1);
    expect(await service.clients.client(id).invoke('bytes')).toBe(Buffer.from([1, 2, 250]).toString('base64'));
    expect(await service.clients.client(id).invoke('int')).toBe(-123456789);
    // MessagePack's timestamp extension reaches the JSON answer as an ISO 8601 string.
    expect(await service.clients.client(id).invoke('date')).toBe('2024-12-01T12:30:00.000Z');
    expect(await service.clients.client(id).invoke('float')).toBe(0.1);
    await client.stop();
  });

  it('a connection that does not exist rejects with CLIENT_INVOCATION_NO_CONNECTION', async () => {
    const error = await rejection(service.clients.client('no-such-connection').invoke('echoBack', 1));
    expect(error.code).toBe('CLIENT_INVOCATION_NO_CONNECTION');
  });

  it.each(['WebSockets', 'LongPolling'] as const)(
    'a client that disconnects mid-call (%s) rejects with CLIENT_INVOCATION_DISCONNECTED',
    async (transport) => {
      const { client, id } = await connect(transport, 'json');
      const gone = closed(client);
      client.on('hangUp', () => {
        void client.stop();
        return new Promise<never>(() => undefined);
      });
      const error = await rejection(service.clients.client(id).invoke('hangUp'));
      expect(error.code).toBe('CLIENT_INVOCATION_DISCONNECTED');
      await gone;
    },
  );

  it('answers many callers at once, each with its own result', async () => {
    const { client, id } = await connect('WebSockets', 'json');
    client.on('double', (n: number) => n * 2);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => service.clients.client(id).invoke('double', n)),
    );
    expect(results).toEqual(Array.from({ length: 50 }, (_, n) => n * 2));
    await client.stop();
  });
});

describe.each(transportMatrix)('streams to a client over %s with %s', (transport, protocol) => {
  it('delivers 100 items in order, then completes', async () => {
    const { client, id } = await connect(transport, protocol);
    const items: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.stream('countdown', 100).subscribe({ next: (item) => items.push(item), complete: resolve, error: reject });
    });
    const target = service.clients.client(id);
    for (let n = 100; n >= 2; n--) expect(await target.sendStreamItem('0', n)).toBe(true);
    await target.sendStreamItem('0', 1, { completed: true });
    await done;
    expect(items).toEqual(Array.from({ length: 100 }, (_, index) => 100 - index));
    await client.stop();
  });

  it('ends the stream with an error mid-stream', async () => {
    const { client, id } = await connect(transport, protocol);
    const items: unknown[] = [];
    const failed = new Promise<Error>((resolve, reject) => {
      client.stream('feed').subscribe({
        next: (item) => items.push(item),
        complete: () => {
          reject(new Error('completed'));
        },
        error: resolve,
      });
    });
    await service.clients.client(id).sendStream(
      '0',
      (async function* feed() {
        yield { n: 1 };
        yield { n: 2 };
        throw new Error('the feed broke');
      })(),
    );
    expect((await failed).message).toContain('the feed broke');
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
    await client.stop();
  });
});

describe('streams to a client: sendStream', () => {
  it('sends what an async generator yields and completes the stream', async () => {
    const { client, id } = await connect('WebSockets', 'json');
    const items: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.stream('count').subscribe({ next: (item) => items.push(item), complete: resolve, error: reject });
    });
    await expect(service.clients.client(id).sendStream('0', [3, 2, 1])).resolves.toBe(true);
    await done;
    expect(items).toEqual([3, 2, 1]);
    await client.stop();
  });

  it('stops reading the generator, and sends nothing more, when its signal aborts', async () => {
    const { client, id } = await connect('WebSockets', 'json');
    const items: unknown[] = [];
    const subscription = client
      .stream('endless')
      .subscribe({ next: (item) => items.push(item), complete: () => undefined, error: () => undefined });
    const controller = new AbortController();
    let cleanedUp = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let n = 0; ; n++) {
          if (n === 5) {
            subscription.dispose();
            controller.abort();
          }
          yield n;
        }
      } finally {
        cleanedUp = true;
      }
    }
    const error = await rejection(service.clients.client(id).sendStream('0', endless(), { signal: controller.signal }));
    expect(error.code).toBe('REST_ABORTED');
    expect(cleanedUp).toBe(true);
    await client.stop();
  });

  it('a stream to a connection that does not exist answers false', async () => {
    await expect(service.clients.client('no-such-connection').sendStreamItem('0', 1)).resolves.toBe(false);
    await expect(service.clients.client('no-such-connection').completeStream('0')).resolves.toBe(false);
  });
});

describe('group member lists', () => {
  const members: { client: HubConnection; id: string; user: string | undefined }[] = [];

  beforeAll(async () => {
    for (let index = 0; index < 250; index++) {
      const user = index % 2 === 0 ? `user-${index}` : undefined;
      const { client, id } = await connect('WebSockets', index % 3 === 0 ? 'messagepack' : 'json', user);
      members.push({ client, id, user });
      await service.groups.addToGroup(id, 'crowd');
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(members.map(({ client }) => client.stop()));
  });

  it('lists every connection of a group of 250 over several pages, each with its user', async () => {
    const listed = [];
    for await (const member of service.groups.listConnections('crowd', { maxPageSize: 100 })) listed.push(member);
    expect(listed).toHaveLength(250);
    const expected = members.map(({ id, user }) =>
      user === undefined ? { connectionId: id } : { connectionId: id, userId: user },
    );
    expect(new Set(listed.map((member) => JSON.stringify(member)))).toEqual(
      new Set(expected.map((member) => JSON.stringify(member))),
    );
  });

  it('pages with continuation tokens, 200 per page by default', async () => {
    const first = await service.groups.listConnectionsPage('crowd');
    expect(first.members).toHaveLength(200);
    expect(first.continuationToken).toBeDefined();
    const second = await service.groups.listConnectionsPage('crowd', {
      continuationToken: first.continuationToken ?? '',
    });
    expect(second.members).toHaveLength(50);
    expect(second.continuationToken).toBeUndefined();
    const all = new Set([...first.members, ...second.members].map((member) => member.connectionId));
    expect(all.size).toBe(250);
  });

  it('stops after top members', async () => {
    const listed = [];
    for await (const member of service.groups.listConnections('crowd', { top: 120, maxPageSize: 50 }))
      listed.push(member);
    expect(listed).toHaveLength(120);
    expect(new Set(listed.map((member) => member.connectionId)).size).toBe(120);
  });

  it('a group without connections lists nothing', async () => {
    const listed = [];
    for await (const member of service.groups.listConnections('empty-group')) listed.push(member);
    expect(listed).toEqual([]);
  });

  it('a member that leaves is no longer listed', async () => {
    const leaving = members[0];
    if (leaving === undefined) throw new Error('no member');
    await service.groups.removeFromGroup(leaving.id, 'crowd');
    await eventually(async () => {
      const page = await service.groups.listConnectionsPage('crowd', { maxPageSize: 200 });
      return !page.members.some((member) => member.connectionId === leaving.id);
    }, 'the member left the list');
    await service.groups.addToGroup(leaving.id, 'crowd');
  });
});

describe('what the emulator rejects on the 2024-12-01 routes', () => {
  let client: HubConnection;
  let id: string;

  beforeAll(async () => {
    ({ client, id } = await connect('WebSockets', 'json'));
  });

  afterAll(async () => {
    await client.stop();
  });

  it.each([
    ['maxpagesize 0', 'GET', '/api/hubs/chat/groups/g/connections', '?maxpagesize=0'],
    ['maxpagesize 201', 'GET', '/api/hubs/chat/groups/g/connections', '?maxpagesize=201'],
    ['top 0', 'GET', '/api/hubs/chat/groups/g/connections', '?top=0'],
    ['a forged continuation token', 'GET', '/api/hubs/chat/groups/g/connections', '?continuationToken=%2B%2B'],
    ['completed neither true nor false', 'POST', '/api/hubs/chat/connections/{id}/streams/s1/:send', '?completed=yes'],
  ])('%s: 400 Error.InvalidArgument', async (_what, method, path, query) => {
    const answer = await rest(emulator, method, path.replace('{id}', id), {
      query,
      ...(method === 'POST' ? { body: '1' } : {}),
    });
    expect(answer.status).toBe(400);
    expect(answer.errorCode).toBe('Error.InvalidArgument');
  });

  it('a stream id over 100 characters is 400; an item that is not JSON is 400; another content type is 415', async () => {
    expect(
      (await rest(emulator, 'POST', `/api/hubs/chat/connections/${id}/streams/${'s'.repeat(101)}/:send`, { body: '1' }))
        .status,
    ).toBe(400);
    expect(
      (await rest(emulator, 'POST', `/api/hubs/chat/connections/${id}/streams/s1/:send`, { body: '{not json' })).status,
    ).toBe(400);
    expect(
      (
        await rest(emulator, 'POST', `/api/hubs/chat/connections/${id}/streams/s1/:send`, {
          body: 'x',
          contentType: 'text/plain',
        })
      ).status,
    ).toBe(415);
  });

  it('an invocation body without target is 400; a request without token is 401', async () => {
    const noTarget = await rest(emulator, 'POST', `/api/hubs/chat/connections/${id}/:invoke`, {
      body: { arguments: [] },
    });
    expect(noTarget.status).toBe(400);
    expect(
      (await rest(emulator, 'POST', `/api/hubs/chat/connections/${id}/:invoke`, { body: { target: 'm' }, token: null }))
        .status,
    ).toBe(401);
    expect((await rest(emulator, 'GET', '/api/hubs/chat/groups/g/connections', { token: null })).status).toBe(401);
  });

  it('the routes answer other methods with 405', async () => {
    expect((await rest(emulator, 'GET', `/api/hubs/chat/connections/${id}/:invoke`)).status).toBe(405);
    expect((await rest(emulator, 'POST', '/api/hubs/chat/groups/g/connections')).status).toBe(405);
  });
});

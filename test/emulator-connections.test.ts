// Connection life cycle at the emulator: access tokens, refused connects, keep-alive and timeouts,
// handshake errors, slow clients, upstream routing and failures.
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HubConnectionState } from '@microsoft/signalr';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import {
  buildClient,
  clientToken,
  closed,
  collect,
  echoReply,
  eventually,
  rest,
  startEmulator,
  startEmulatorWithApp,
  startFakeApp,
} from './emulator-helpers.js';
import type { EmulatorWithApp, FakeApp } from './emulator-helpers.js';
import { JSON_HANDSHAKE, RawHttpConnection, rawWebSocket, startLongPolling } from './emulator-raw-connections.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  options: Parameters<typeof startEmulator>[0] = {},
  appOptions: { key?: string } = {},
): Promise<EmulatorWithApp> {
  const setup = await startEmulatorWithApp(options, appOptions);
  cleanups.push(() => setup.close());
  return setup;
}

async function negotiate(emulator: ServiceEmulator, token: string | undefined, hub = 'chat'): Promise<Response> {
  return fetch(`${emulator.url}/client/negotiate?hub=${hub}&negotiateVersion=1`, {
    method: 'POST',
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
}

describe('client access tokens', () => {
  let emulator: ServiceEmulator;
  let app: FakeApp;

  beforeAll(async () => {
    app = await startFakeApp(() => emulator.port);
    ({ emulator } = await startEmulator({ upstream: app.upstream, logLevel: 'silent' }));
  });

  afterAll(async () => {
    await emulator.close();
    await app.close();
  });

  it('negotiates with a valid token: the ASP.NET Core negotiate v1 body', async () => {
    const response = await negotiate(emulator, await clientToken('chat', { userId: 'u1' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.negotiateVersion).toBe(1);
    expect(typeof body.connectionId).toBe('string');
    expect(typeof body.connectionToken).toBe('string');
    expect(body.connectionToken).not.toBe(body.connectionId);
    expect(body.availableTransports).toEqual([
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
  });

  it('accepts HS512, the token in the query, and a hub name in any letter case', async () => {
    expect((await negotiate(emulator, await clientToken('chat', { algorithm: 'HS512' }))).status).toBe(200);
    const token = await clientToken('chat');
    const response = await fetch(`${emulator.url}/client/negotiate?hub=Chat&negotiateVersion=1&access_token=${token}`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
  });

  it('refuses a missing, forged, expired or misdirected token with 401 and the reason', async () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'no access token'],
      [await clientToken('chat', { key: 'not-the-key-not-the-key-not-the-key-00000' }), 'signature'],
      [await clientToken('chat', { lifetimeSeconds: -600 }), 'expired'],
      [await clientToken('other'), 'audience'],
      [await clientToken('chat', { audience: 'http://example.com/client/?hub=chat' }), 'audience'],
      ['a.b.c', 'not a well-formed JWT'],
    ];
    for (const [token, reason] of cases) {
      const response = await negotiate(emulator, token);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain(reason);
    }
  });

  it('refuses a missing or invalid hub name with 400', async () => {
    const token = await clientToken('chat');
    const missing = await fetch(`${emulator.url}/client/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(missing.status).toBe(400);
    expect((await negotiate(emulator, token, '9chat')).status).toBe(400);
  });

  it('makes the official client fail to start when the app signs with another key', async () => {
    const forger = await startFakeApp(() => emulator.port, { key: 'not-the-key-not-the-key-not-the-key-00000' });
    try {
      const client = buildClient(forger, 'WebSockets', 'json');
      await expect(client.start()).rejects.toThrow(/401/);
    } finally {
      await forger.close();
    }
  });

  it('refuses a WebSocket with a bad token, or an unknown connection token', async () => {
    const upgrade = (token: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const request = httpRequest(`${emulator.url}/client/?hub=chat&id=whatever`, {
          headers: {
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
            Authorization: `Bearer ${token}`,
          },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('upgrade', (_response, socket) => {
          socket.destroy();
          resolve(101);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await upgrade(await clientToken('chat', { lifetimeSeconds: -600 }))).toBe(401);
    expect(await upgrade(await clientToken('chat'))).toBe(404);
    const response = await fetch(`${emulator.url}/client/?hub=chat&id=unknown`, {
      headers: { Authorization: `Bearer ${await clientToken('chat')}` },
    });
    expect(response.status).toBe(404);
  });
});

describe('connection life cycle', () => {
  it('closes a client whose connected event the app refuses, with an error', async () => {
    const { app } = await setUp();
    app.reply = (record) => {
      if (record.event !== 'connected') return { status: 200 };
      const user = record.headers['x-asrs-user-id'];
      return { status: user === 'blocked' ? 403 : user === 'no-handler' ? 404 : 200 };
    };
    const client = buildClient(app, 'WebSockets', 'json', { userId: 'blocked' });
    const closing = closed(client);
    await client.start();
    const error = await closing;
    expect(error?.message).toContain('refused');
    expect(error?.message).toContain('403');
    const allowed = buildClient(app, 'WebSockets', 'json', { userId: 'welcome' });
    await allowed.start();
    expect(allowed.state).toBe(HubConnectionState.Connected);
    await allowed.stop();
  });

  it('keeps a client whose app has no connected handler (404)', async () => {
    const { app } = await setUp();
    app.reply = (record) => ({ status: record.event === 'connected' ? 404 : 204 });
    const client = buildClient(app, 'LongPolling', 'messagepack', { userId: 'no-handler' });
    await client.start();
    await app.waitFor((record) => record.connectionId === client.connectionId && record.event === 'connected');
    await expect(client.invoke('anything')).resolves.toBeUndefined();
    expect(client.state).toBe(HubConnectionState.Connected);
    await client.stop();
  });

  it('does not warn when an app has no connected or disconnected handler (404), but does for other failures', async () => {
    const lines: string[] = [];
    const { app } = await setUp({ logLevel: 'info', logSink: (level, line) => lines.push(`${level} ${line}`) });
    app.reply = (record) => ({ status: record.event === 'connected' || record.event === 'disconnected' ? 404 : 500 });
    const client = buildClient(app, 'WebSockets', 'json', { userId: 'no-handlers' });
    await client.start();
    await expect(client.invoke('anything')).rejects.toThrow();
    await client.stop();
    const upstreamLine = (what: string): string | undefined =>
      lines.find((line) => line.includes(`(${what}) connection=`));
    await eventually(() => upstreamLine('connections/disconnected') !== undefined, 'the disconnected event is logged');
    expect(upstreamLine('connections/connected')).toMatch(/^info .*-> 404/);
    expect(upstreamLine('connections/disconnected')).toMatch(/^info .*-> 404/);
    expect(upstreamLine('messages/anything')).toMatch(/^warn .*-> 500/);
  });

  it('pings idle clients, so they stay connected past their server timeout', async () => {
    const { app } = await setUp({ keepAliveIntervalMs: 100, clientTimeoutMs: 5000 });
    const client = buildClient(app, 'WebSockets', 'messagepack');
    client.serverTimeoutInMilliseconds = 400;
    client.keepAliveIntervalInMilliseconds = 100;
    let closedWith: Error | undefined | null = null;
    client.onclose((error) => {
      closedWith = error;
    });
    await client.start();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(closedWith).toBeNull();
    expect(client.state).toBe(HubConnectionState.Connected);
    await client.stop();
  });

  // dotnet/aspnetcore HubConnectionContext / HubDispatcher: the client timeout starts with the first Ping the
  // client sends; long polling has inherent keep-alive (no pings either way).
  it('closes a client that pinged and then went silent for the client timeout, and tells the app', async () => {
    const { emulator, app } = await setUp({ keepAliveIntervalMs: 100, clientTimeoutMs: 500 });
    const socket = await rawWebSocket(emulator);
    socket.send('{"protocol":"json","version":1}\u001e');
    socket.send('{"type":6}\u001e');
    const connected = await app.waitFor((record) => record.event === 'connected');
    const disconnected = await app.waitFor(
      (record) => record.connectionId === connected.connectionId && record.event === 'disconnected',
    );
    expect(JSON.parse(disconnected.body.toString())).toEqual({
      type: 11,
      error: 'Server timeout elapsed without receiving a message from the client.',
    });
    expect(await socket.until((client) => client.text().includes('"type":7'))).toBe(true);
    expect(socket.text()).toContain('Server timeout elapsed without receiving a message from the client.');
    socket.close();
  });

  it('keeps a silent client that never pinged, as ASP.NET Core does', async () => {
    const { emulator, app } = await setUp({ keepAliveIntervalMs: 100, clientTimeoutMs: 200 });
    const socket = await rawWebSocket(emulator);
    socket.send('{"protocol":"json","version":1}\u001e');
    const connected = await app.waitFor((record) => record.event === 'connected');
    // Wait for several keep-alive pings, well past the client timeout, then deliver a message.
    expect(await socket.until((client) => client.text().split('"type":6').length > 6, 10_000)).toBe(true);
    expect(
      (
        await rest(emulator, 'POST', `/api/hubs/chat/connections/${connected.connectionId}/:send`, {
          body: { target: 'm', arguments: ['still here'] },
        })
      ).status,
    ).toBe(202);
    expect(await socket.until((client) => client.text().includes('still here'))).toBe(true);
    expect(socket.closed).toBe(false);
    socket.close();
  });

  it('keeps an idle long-polling client past the client timeout: it lives by its polls, and gets no pings', async () => {
    const { emulator, app } = await setUp({ keepAliveIntervalMs: 50, clientTimeoutMs: 100, longPollingTimeoutMs: 150 });
    const client = buildClient(app, 'LongPolling', 'json');
    const received = collect(client, 'm');
    let closedWith: Error | undefined | null = null;
    client.onclose((error) => {
      closedWith = error;
    });
    await client.start();
    // Several polls time out empty (each a full poll cycle, far past the client timeout) before the message.
    const polls = async (): Promise<number> =>
      (await rest(emulator, 'HEAD', `/api/hubs/chat/connections/${client.connectionId ?? ''}`)).status;
    const started = Date.now();
    await eventually(() => Date.now() - started > 1000, 'a second of idle polling', 5000);
    expect(await polls()).toBe(200);
    expect(
      (await rest(emulator, 'POST', '/api/hubs/chat/:send', { body: { target: 'm', arguments: ['after idling'] } }))
        .status,
    ).toBe(202);
    await eventually(() => received.length === 1, 'the idle long-polling client got the message');
    expect(closedWith).toBeNull();
    await client.stop();
  });

  it('closes a long-polling client that stops polling, after the disconnect timeout, and tells the app', async () => {
    const { emulator, app } = await setUp({ longPollingDisconnectTimeoutMs: 300 });
    const stalled = await startLongPolling(emulator);
    // The client never polls again.
    const disconnected = await app.waitFor(
      (record) => record.connectionId === stalled.connectionId && record.event === 'disconnected',
    );
    expect(JSON.parse(disconnected.body.toString())).toEqual({ type: 11, error: 'The client stopped polling.' });
  });

  it('closes a client that does not read its messages, without holding up the others', async () => {
    const { emulator, app } = await setUp({ maxBufferedBytesPerConnection: 64 * 1024 });
    const reader = buildClient(app, 'WebSockets', 'json');
    const got = collect(reader, 'bulk');
    await reader.start();

    // A long-polling client that completes the handshake and then never polls again.
    const stalled = await startLongPolling(emulator);
    await eventually(
      async () => (await rest(emulator, 'HEAD', `/api/hubs/chat/connections/${stalled.connectionId}`)).status === 200,
      'the stalled client is connected',
    );

    const chunk = 'x'.repeat(16 * 1024);
    for (let index = 0; index < 12; index++) {
      expect(
        (await rest(emulator, 'POST', '/api/hubs/chat/:send', { body: { target: 'bulk', arguments: [index, chunk] } }))
          .status,
      ).toBe(202);
    }
    await eventually(() => got.length === 12, 'the reading client got every message');
    expect(got.map((args) => args[0])).toEqual([...Array(12).keys()]);
    expect((await rest(emulator, 'HEAD', `/api/hubs/chat/connections/${stalled.connectionId}`)).status).toBe(404);
    // Its last poll gets the Close message explaining why.
    const last = await stalled.poll();
    expect(await last.text()).toContain('did not read its messages fast enough');
    await reader.stop();
  });

  it('answers a handshake with an unknown protocol with an error', async () => {
    const { emulator } = await setUp();
    const connection = await RawHttpConnection.negotiate(emulator);
    await connection.poll();
    await connection.send('{"protocol":"xml","version":1}\u001e');
    const answer = await connection.poll();
    const text = await answer.text();
    expect(text.endsWith('\u001e')).toBe(true);
    expect((JSON.parse(text.slice(0, -1)) as { error: string }).error).toContain("The protocol 'xml' is not supported");
  });

  it('refuses MessagePack over Server-Sent Events in the handshake', async () => {
    const { emulator } = await setUp();
    const connection = await RawHttpConnection.negotiate(emulator);
    const stream = await fetch(`${connection.url}&access_token=${connection.token}`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    await connection.send('{"protocol":"messagepack","version":1}\u001e');
    const text = await stream.text();
    expect(text).toContain(
      'data: {"error":"Cannot use the \'messagepack\' protocol on the current transport. The transport does not support \'Binary\' transfer format."}',
    );
  });

  it('closes a connection that sends a malformed message', async () => {
    const { emulator } = await setUp();
    const connection = await RawHttpConnection.negotiate(emulator);
    await connection.poll();
    await connection.send(JSON_HANDSHAKE);
    expect(await (await connection.poll()).text()).toBe('{}\u001e');
    await connection.send('{"type":1,"target":42}\u001e');
    const close = await (await connection.poll()).text();
    expect(JSON.parse(close.slice(0, -1))).toMatchObject({
      type: 7,
      error: expect.stringContaining('Connection closed with an error.') as string,
    });
    expect((await connection.poll()).status).toBe(204);
  });
});

describe('upstream routing and failures', () => {
  it('sends an event named "." or ".." to the URL with its dot segments resolved, as the service does', async () => {
    // The service escapes {event} (a dot is not escaped) and makes a .NET Uri of the result, which resolves
    // dot segments; the event itself still arrives in X-ASRS-Event.
    const { app } = await setUp();
    // The fake app reads the category from the path; ".." took it out of the path, the header still has it.
    app.reply = (record) => echoReply({ ...record, category: String(record.headers['x-asrs-category']) });
    const connection = buildClient(app, 'WebSockets', 'json');
    cleanups.push(() => connection.stop());
    await connection.start();
    expect(await connection.invoke('.', 'one dot')).toBe('one dot');
    expect(await connection.invoke('..', 'two dots')).toBe('two dots');
    const paths = app.records
      .filter((record) => record.headers['x-asrs-category'] === 'messages')
      .map((record) => [record.path, record.headers['x-asrs-event']]);
    expect(paths).toEqual([
      ['/api/chat/messages/', '.'],
      ['/api/chat/', '..'],
    ]);
  });

  it('tries templates in order and answers invocations whose upstream fails or is missing', async () => {
    let port = 0;
    const app = await startFakeApp(() => port);
    app.reply = echoReply;
    const { emulator, logLines } = await startEmulator({
      logLevel: 'info',
      upstreamTimeoutMs: 300,
      upstream: [
        {
          urlTemplate: 'http://127.0.0.1:9/api/{hub}/{category}/{event}',
          categoryPattern: 'messages',
          eventPattern: 'lost',
        },
        { urlTemplate: `${app.url}/api/{hub}/{category}/{event}`, categoryPattern: 'connections' },
        { urlTemplate: `${app.url}/api/{hub}/{category}/{event}?slow=1`, hubPattern: 'chat', eventPattern: 'slow' },
        {
          urlTemplate: `${app.url}/api/{hub}/{category}/{event}`,
          hubPattern: 'CHAT',
          categoryPattern: 'messages',
          eventPattern: 'echo, Shout',
        },
      ],
    });
    port = emulator.port;
    cleanups.push(
      () => app.close(),
      () => emulator.close(),
    );
    const innerReply = app.reply;
    app.reply = async (record) => {
      if (record.event === 'slow') await new Promise((resolve) => setTimeout(resolve, 1000));
      return innerReply(record);
    };

    const client = buildClient(app, 'WebSockets', 'json');
    await client.start();
    await expect(client.invoke('echo', 'hi')).resolves.toBe('hi');
    await expect(client.invoke('shout', 'HI')).resolves.toBe('HI');
    await expect(client.invoke('lost')).rejects.toThrow('Invocation failed, status code 500');
    await expect(client.invoke('slow')).rejects.toThrow(
      'Invocation failed, the upstream did not answer in time (no answer within 300 ms).',
    );
    await expect(client.invoke('unrouted')).rejects.toThrow('no upstream is configured');
    expect(logLines.some((line) => line.includes('(messages/lost)') && line.includes('failed'))).toBe(true);
    expect(
      logLines.some((line) => line.includes('(messages/slow)') && line.includes('failed (no answer within 300 ms)')),
    ).toBe(true);
    await client.stop();
  });
});

describe('listening', () => {
  it('serves localhost over IPv6 too, when the machine has it', async () => {
    const { emulator } = await setUp();
    const hasIpv6Loopback = Object.values(networkInterfaces()).some(
      (addresses) => addresses?.some((address) => address.address === '::1') === true,
    );
    if (!hasIpv6Loopback) return;
    expect((await fetch(`http://[::1]:${emulator.port}/api/health`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${emulator.port}/api/health`, { method: 'HEAD' })).status).toBe(200);
  });

  it('gives the connection string of its port, and refuses a port in use', async () => {
    const { emulator } = await setUp();
    expect(emulator.connectionString).toBe(
      `Endpoint=http://localhost;Port=${emulator.port};AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;`,
    );
    await expect(startEmulator({ port: emulator.port, logLevel: 'silent' })).rejects.toThrow(/already in use/);
  });
});

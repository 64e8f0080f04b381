// Hostile and broken clients against the emulator, each compared with what ASP.NET Core SignalR (the
// server the service and the official emulator are built on) does, with a canary client that must keep
// working throughout.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { HubConnection } from '@microsoft/signalr';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import { buildClient, echoReply, eventually, startEmulatorWithApp } from './emulator-helpers.js';
import type { EmulatorWithApp, FakeApp } from './emulator-helpers.js';
import { JSON_HANDSHAKE, RawHttpConnection, rawWebSocket, startLongPolling } from './emulator-raw-connections.js';
import type { RawWebSocket } from './robustness-raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Parameters<typeof startEmulatorWithApp>[0] = {}): Promise<EmulatorWithApp> {
  const setup = await startEmulatorWithApp({ logLevel: 'silent', ...options });
  setup.app.reply = echoReply;
  cleanups.push(() => setup.close());
  return setup;
}

async function canary(app: FakeApp): Promise<HubConnection> {
  const client = buildClient(app, 'WebSockets', 'json');
  await client.start();
  cleanups.push(() => client.stop());
  return client;
}

async function rawSocketClient(emulator: ServiceEmulator): Promise<RawWebSocket> {
  const client = await rawWebSocket(emulator);
  cleanups.push(() => {
    client.close();
  });
  return client;
}

/** A raw TCP connection to the emulator that records what it receives and when it closes. */
function rawTcp(emulator: ServiceEmulator): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(emulator.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) =>
      socket.once('close', () => {
        done();
      }),
    );
    cleanups.push(() => {
      socket.destroy();
    });
    socket.once('connect', () => {
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed });
    });
    socket.once('error', reject);
  });
}

describe('protocol abuse', () => {
  // dotnet/aspnetcore HubConnectionHandler: a message the server cannot handle ends the connection with an error.
  it('a message of an unknown type closes that connection with an error; the others carry on', async () => {
    const { emulator, app } = await setUp();
    const bystander = await canary(app);
    const raw = await rawSocketClient(emulator);
    raw.send(JSON_HANDSHAKE);
    expect(await raw.until((client) => client.text().startsWith('{}\u001e'))).toBe(true);
    raw.send('{"type":99,"anything":true}\u001e');
    expect(await raw.until((client) => client.text().includes('"type":7'))).toBe(true);
    expect(raw.text()).toContain('unknown type');
    expect(await raw.until((client) => client.closed)).toBe(true);
    expect(await bystander.invoke('echo', 'still fine')).toBe('still fine');
  });

  // dotnet/aspnetcore HubConnectionContext.HandshakeAsync: on timeout it writes a handshake response whose
  // error is "Handshake was canceled." before closing.
  it('a client that never sends its handshake gets a handshake error, then the connection closes', async () => {
    const { emulator } = await setUp({ handshakeTimeoutMs: 200 });
    const raw = await rawSocketClient(emulator);
    expect(await raw.until((client) => client.closed, 5000)).toBe(true);
    expect(raw.text()).toBe('{"error":"Handshake was canceled."}\u001e');
  });

  // dotnet/aspnetcore HttpConnectionDispatcher: a poll of a connection that was ended answers 204 No Content.
  it('a long-polling poll after DELETE is answered 204', async () => {
    const { emulator } = await setUp();
    const connection = await startLongPolling(emulator);
    expect(await (await connection.poll()).text()).toBe('{}\u001e');
    expect((await connection.delete()).status).toBe(202);
    expect((await connection.poll()).status).toBe(204);
  });

  // @microsoft/signalr LongPollingTransport hands any 200 body to the connection, an empty ArrayBuffer included:
  // an empty poll answer before the handshake answer fails a MessagePack client's handshake.
  it('a long poll held before the handshake is not answered empty when it times out', async () => {
    const { emulator } = await setUp({ longPollingTimeoutMs: 50 });
    const connection = await RawHttpConnection.negotiate(emulator);
    expect((await connection.poll()).status).toBe(200);
    const poll = connection.poll().then(async (response) => ({
      status: response.status,
      body: await response.text(),
    }));
    // Several poll timeouts pass before the client sends its handshake.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await connection.send('{"protocol":"messagepack","version":1}\u001e')).status).toBe(200);
    expect(await poll).toEqual({ status: 200, body: '{}\u001e' });
  });

  it('an event name beyond Latin-1 gets the same answer as any method the app does not have (404)', async () => {
    const { app } = await setUp();
    app.reply = (record) => (record.event === 'echo' ? echoReply(record) : { status: 404 });
    const client = await canary(app);
    await expect(client.invoke('nothing-here')).rejects.toThrow('Invocation failed, status code 404');
    await expect(client.invoke('日本語')).rejects.toThrow('Invocation failed, status code 404');
    const record = await app.waitFor((entry) => entry.event === '日本語');
    // The header carries the name's UTF-8 bytes (read as Latin-1 by Node), the path its escaped form.
    expect(Buffer.from(String(record.headers['x-asrs-event']), 'latin1').toString('utf8')).toBe('日本語');
    expect(await client.invoke('echo', 'after')).toBe('after');
  });
});

describe('connection floods', () => {
  // Kestrel's RequestHeadersTimeout: 30 s by default; here shortened.
  it('a connection that never finishes its request headers is cut after the headers timeout', async () => {
    const { emulator, app } = await setUp({ requestHeadersTimeoutMs: 300 });
    const bystander = await canary(app);
    const slow = await rawTcp(emulator);
    slow.socket.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await bystander.invoke('echo', 'unaffected')).toBe('unaffected');
  });

  it('connections beyond maxConnections are closed as they arrive; connected clients keep working', async () => {
    const { emulator, app } = await setUp({ maxConnections: 20 });
    const bystander = await canary(app);
    const sockets = await Promise.all(Array.from({ length: 60 }, () => rawTcp(emulator)));
    // The ones over the cap (the canary holds one) are closed by the server without a byte.
    let refused = 0;
    for (const { closed } of sockets) void closed.then(() => refused++);
    await eventually(() => refused >= 40, 'at least 40 of the 60 connections closed by the emulator', 20_000);
    expect(await bystander.invoke('echo', 'through the flood')).toBe('through the flood');
    for (const { socket } of sockets) socket.destroy();
    // Once the flood is gone, new clients connect again.
    const late = await canary(app);
    expect(await late.invoke('echo', 'late')).toBe('late');
  });
});

// The emulator driven by the official client over every transport and protocol, with a plain Node app
// as upstream that checks each request as an app must.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubProtocolByContentType, MessageType } from '@serverless-hub/core/protocol';
import { EMULATOR_ACCESS_KEY } from '@serverless-hub/emulator';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import {
  buildClient,
  closed,
  nextMessage,
  rest,
  startEmulator,
  startFakeApp,
  transportMatrix,
} from './emulator-helpers.js';
import type { FakeApp, UpstreamRecord } from './emulator-helpers.js';

let emulator: ServiceEmulator;
let app: FakeApp;
let logLines: string[];

function answer(record: UpstreamRecord): { status: number; body?: Uint8Array } {
  if (record.category !== 'messages') return { status: 200 };
  const protocol = hubProtocolByContentType(String(record.headers['content-type']));
  const invocation = protocol.parseUnframedInvocation(new Uint8Array(record.body));
  switch (record.event) {
    case 'echo':
      return {
        status: 200,
        body: protocol.writeMessage({
          type: MessageType.Completion,
          invocationId: invocation.invocationId ?? '',
          result: invocation.arguments[0],
        }),
      };
    case 'refuse':
      return {
        status: 200,
        body: protocol.writeMessage({
          type: MessageType.Completion,
          invocationId: invocation.invocationId ?? '',
          error: 'Not allowed.',
        }),
      };
    case 'crash':
      return { status: 500 };
    case 'nothing':
      return { status: 204 };
    default:
      return { status: 200 };
  }
}

beforeAll(async () => {
  app = await startFakeApp(() => emulator.port);
  app.reply = answer;
  ({ emulator, logLines } = await startEmulator({ upstream: app.upstream }));
});

afterAll(async () => {
  await emulator.close();
  await app.close();
});

describe.each(transportMatrix)('the official client over %s with %s', (transport, protocol) => {
  it('negotiates through the app, connects, invokes, sends, receives and disconnects', async () => {
    const client = buildClient(app, transport, protocol, {
      userId: `user-${transport}-${protocol}`,
      claims: { role: ['admin', 'editor'], tier: 'gold' },
    });
    await client.start();
    const connectionId = client.connectionId ?? '';
    expect(connectionId).not.toBe('');

    const connected = await app.waitFor(
      (record) => record.connectionId === connectionId && record.event === 'connected',
    );
    expect(connected.path).toBe('/api/chat/connections/connected');
    expect(connected.headers['x-asrs-hub']).toBe('chat');
    expect(connected.headers['x-asrs-category']).toBe('connections');
    expect(connected.headers['x-asrs-user-id']).toBe(`user-${transport}-${protocol}`);
    expect(connected.headers['content-type']).toBe('application/json');
    expect(JSON.parse(connected.body.toString())).toEqual({ type: 10 });
    const claims = String(connected.headers['x-asrs-user-claims']);
    expect(claims).toContain(`asrs.s.uid: user-${transport}-${protocol}`);
    expect(claims).toContain('role: admin, role: editor');
    expect(claims).toContain('tier: gold');
    expect(claims).toContain('aud: http://localhost/client/?hub=chat');
    const query = String(connected.headers['x-asrs-client-query']);
    expect(query.startsWith('?')).toBe(true);
    expect(new URLSearchParams(query).get('hub')).toBe('chat');
    expect(query).not.toContain('access_token');

    const value = { text: 'héllo ✓', list: [1, 2.5, true, null], nested: { deep: ['x'] } };
    await expect(client.invoke('echo', value)).resolves.toEqual(value);
    await expect(client.invoke('refuse')).rejects.toThrow('Not allowed.');
    await expect(client.invoke('crash')).rejects.toThrow('Invocation failed, status code 500');
    await expect(client.invoke('nothing')).resolves.toBeUndefined();

    await client.send('note', 'fire', 42);
    const note = await app.waitFor((record) => record.connectionId === connectionId && record.event === 'note');
    expect(note.headers['content-type']).toBe(protocol === 'json' ? 'application/json' : 'application/x-msgpack');
    const parsed = hubProtocolByContentType(String(note.headers['content-type'])).parseUnframedInvocation(
      new Uint8Array(note.body),
    );
    expect(parsed.invocationId).toBeUndefined();
    expect(parsed.target).toBe('note');
    expect(parsed.arguments).toEqual(['fire', 42]);
    if (protocol === 'json') expect(note.body.at(-1)).not.toBe(0x1e);

    const received = nextMessage(client, 'notify');
    const sent = await rest(emulator, 'POST', `/api/hubs/chat/connections/${connectionId}/:send`, {
      body: { target: 'notify', arguments: [{ n: 1 }, 'two'] },
    });
    expect(sent.status).toBe(202);
    await expect(received).resolves.toEqual([{ n: 1 }, 'two']);

    const closing = closed(client);
    await client.stop();
    expect(await closing).toBeUndefined();
    const disconnected = await app.waitFor(
      (record) => record.connectionId === connectionId && record.event === 'disconnected',
    );
    expect(JSON.parse(disconnected.body.toString())).toEqual({ type: 11 });
    expect(disconnected.headers['x-asrs-category']).toBe('connections');
  });

  it("sends a connection's messages upstream one at a time, in the order they were sent", async () => {
    const client = buildClient(app, transport, protocol);
    await client.start();
    const connectionId = client.connectionId ?? '';
    const count = 20;
    for (let index = 0; index < count; index++) void client.send('ordered', index);
    await app.waitFor(
      (record) =>
        record.connectionId === connectionId && record.event === 'ordered' && readFirstArgument(record) === count - 1,
    );
    const order = app.records
      .filter((record) => record.connectionId === connectionId && record.event === 'ordered')
      .map(readFirstArgument);
    expect(order).toEqual([...Array(count).keys()]);
    await client.stop();
  });
});

function readFirstArgument(record: UpstreamRecord): unknown {
  const protocol = hubProtocolByContentType(String(record.headers['content-type']));
  return protocol.parseUnframedInvocation(new Uint8Array(record.body)).arguments[0];
}

describe('upstream requests', () => {
  it('were all signed with the access key, one at a time per connection', () => {
    expect(app.records.length).toBeGreaterThan(0);
    expect(app.badSignatures).toEqual([]);
    expect(app.maxConcurrentPerConnection()).toBe(1);
    for (const record of app.records)
      expect(String(record.headers['x-asrs-signature'])).toMatch(/^sha256=[0-9A-F]{64}$/);
  });

  it('and the log has one readable line per connection and call, without keys or tokens', () => {
    expect(logLines.some((line) => line.includes('connection connected hub=chat'))).toBe(true);
    expect(logLines.some((line) => line.includes('upstream POST') && line.includes('messages/echo'))).toBe(true);
    expect(logLines.some((line) => line.includes('rest POST /api/hubs/chat/connections/'))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toContain(EMULATOR_ACCESS_KEY);
      expect(line).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    }
  });
});

// The `@serverless-hub/core/testing` entry point: requests as the service builds them, answers decoded,
// recording stand-ins for the REST API, and the hub test bed.
import { createHmac } from 'node:crypto';
import { NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { Hub, ServerlessHub, ServerlessHubError } from '@serverless-hub/core';
import {
  getRegisteredFunctions,
  EMULATOR_CONNECTION_STRING,
  createHubTestBed,
  createRecordingServices,
  createUpstreamRequest,
  readUpstreamResponse,
} from '@serverless-hub/core/testing';
import { describe, expect, it } from 'vitest';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';

function headersOf(request: { headers: Headers }): Record<string, string> {
  return Object.fromEntries(request.headers);
}

describe('createUpstreamRequest', () => {
  it('builds a message as the service does: X-ASRS-* headers, uppercase-hex signature per key, unframed JSON body', async () => {
    const request = createUpstreamRequest({
      hub: 'Chat',
      event: 'broadcast',
      connectionId: 'conn-1',
      userId: 'alice',
      claims: { sub: 'alice', role: ['admin', 'ops'] },
      query: { room: 'lobby' },
      arguments: ['hi', 2],
      invocationId: '5',
      accessKeys: [KEY, 'secondary-key'],
    });
    const expectedSignature = [KEY, 'secondary-key']
      .map((key) => `sha256=${createHmac('sha256', key).update('conn-1').digest('hex').toUpperCase()}`)
      .join(',');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://localhost:7071/api/chat/messages/broadcast');
    expect(headersOf(request)).toEqual({
      'content-type': 'application/json',
      'x-asrs-connection-id': 'conn-1',
      'x-asrs-hub': 'chat',
      'x-asrs-category': 'messages',
      'x-asrs-event': 'broadcast',
      'x-asrs-user-id': 'alice',
      'x-asrs-user-claims': 'sub: alice, role: admin, role: ops',
      'x-asrs-client-query': '?room=lobby',
      'x-asrs-signature': expectedSignature,
    });
    expect(await request.text()).toBe('{"type":1,"invocationId":"5","target":"broadcast","arguments":["hi",2]}');
  });

  it('writes MessagePack invocations without a length prefix, and sends without an invocation id', async () => {
    const request = createUpstreamRequest({
      hub: 'chat',
      event: 'echo',
      arguments: [new Uint8Array([1, 2])],
      protocol: 'messagepack',
      invocationId: null,
      accessKeys: [KEY],
    });
    expect(request.headers.get('content-type')).toBe('application/x-msgpack');
    const body = new Uint8Array(await request.arrayBuffer());
    expect(body[0]).toBe(0x95); // a 5-element MessagePack array, no varint prefix before it
    // The official client's codec reads it once the framing the service strips is put back.
    const framed = new Uint8Array([body.length, ...body]);
    const [message] = new MessagePackHubProtocol().parseMessages(framed.buffer, NullLogger.instance);
    expect(message).toMatchObject({ type: 1, target: 'echo', arguments: [new Uint8Array([1, 2])] });
    expect((message as { invocationId?: unknown }).invocationId).toBeUndefined();
  });

  it('builds connection events as JSON, whatever the protocol, with the close error of disconnected', async () => {
    const connected = createUpstreamRequest({
      hub: 'chat',
      event: 'connected',
      protocol: 'messagepack',
      accessKeys: [KEY],
    });
    expect([
      connected.headers.get('x-asrs-category'),
      connected.headers.get('content-type'),
      await connected.text(),
    ]).toEqual(['connections', 'application/json', '{"type":10}']);
    const disconnected = createUpstreamRequest({
      hub: 'chat',
      event: 'Disconnected',
      error: 'gone',
      accessKeys: [KEY],
    });
    expect([disconnected.headers.get('x-asrs-event'), await disconnected.text()]).toEqual([
      'disconnected',
      '{"type":11,"error":"gone"}',
    ]);
  });

  it('signs with the connection string or setting, and can send a wrong or no signature', () => {
    const fromString = createUpstreamRequest({
      hub: 'chat',
      event: 'connected',
      connectionString: EMULATOR_CONNECTION_STRING,
    });
    expect(fromString.headers.get('x-asrs-signature')).toBe(
      `sha256=${createHmac('sha256', KEY).update('connection-1').digest('hex').toUpperCase()}`,
    );
    process.env.TestingSetting =
      'Endpoint=https://x.service.signalr.net;AccessKey=OtherKeyOtherKeyOtherKey;Version=1.0;';
    try {
      const fromSetting = createUpstreamRequest({
        hub: 'chat',
        event: 'connected',
        connectionStringSetting: 'TestingSetting',
      });
      expect(fromSetting.headers.get('x-asrs-signature')).toBe(
        `sha256=${createHmac('sha256', 'OtherKeyOtherKeyOtherKey').update('connection-1').digest('hex').toUpperCase()}`,
      );
    } finally {
      Reflect.deleteProperty(process.env, 'TestingSetting');
    }
    expect(
      createUpstreamRequest({ hub: 'chat', event: 'connected', signature: 'sha256=00' }).headers.get(
        'x-asrs-signature',
      ),
    ).toBe('sha256=00');
    expect(
      createUpstreamRequest({ hub: 'chat', event: 'connected', signature: null }).headers.has('x-asrs-signature'),
    ).toBe(false);
  });
});

describe('readUpstreamResponse', () => {
  it('decodes completions in both protocols, and plain refusals', async () => {
    const json = await readUpstreamResponse({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"type":3,"invocationId":"1","error":"nope"}\u001e',
    });
    expect(json.completion).toEqual({ invocationId: '1', hasResult: false, error: 'nope' });
    // [3, {}, "2", 3 (result), 7] with a one-byte length prefix
    const packed = await readUpstreamResponse({
      status: 200,
      headers: { 'content-type': 'application/x-msgpack' },
      body: new Uint8Array([0x07, 0x95, 0x03, 0x80, 0xa1, 0x32, 0x03, 0x07]),
    });
    expect(packed.completion).toEqual({ invocationId: '2', hasResult: true, result: 7 });
    const refused = await readUpstreamResponse({
      status: 401,
      headers: { 'content-type': 'text/plain' },
      body: 'unauthorized',
    });
    expect([refused.status, refused.text, refused.completion]).toEqual([401, 'unauthorized', undefined]);
  });
});

describe('recording services', () => {
  it('records sends and calls in order, with the answers given', async () => {
    const services = createRecordingServices();
    await services.clients.allExcept(['c1', 'c1']).send('m', 1);
    await services.clients.clients(['c2']).sendMessage('n', [2]);
    services.answers.connectionExists = false;
    expect(await services.clientManager.connectionExists('c3')).toBe(false);
    expect(await services.userGroups.isUserInGroup('u', 'g')).toBe(true);
    await services.clientManager.closeConnections({ excluded: ['c4'], reason: 'maintenance' });
    await services.clientManager.closeGroupConnections('g');
    expect(services.messages).toEqual([
      { to: { kind: 'allExcept', excluded: ['c1'] }, target: 'm', arguments: [1] },
      { to: { kind: 'clients', connectionIds: ['c2'] }, target: 'n', arguments: [2] },
    ]);
    expect(services.calls).toEqual([
      { api: 'clientManager', method: 'connectionExists', args: ['c3'] },
      { api: 'userGroups', method: 'isUserInGroup', args: ['u', 'g'] },
      { api: 'clientManager', method: 'closeConnections', args: [{ excluded: ['c4'], reason: 'maintenance' }] },
      { api: 'clientManager', method: 'closeGroupConnections', args: ['g'] },
    ]);
    services.reset();
    expect([services.messages.length, services.calls.length]).toEqual([0, 0]);
  });

  it('validates arguments as the REST client does', async () => {
    const services = createRecordingServices();
    const codeOf = async (run: () => Promise<unknown>): Promise<string> => {
      try {
        await run();
      } catch (error) {
        return (error as ServerlessHubError).code;
      }
      return 'none';
    };
    expect(() => services.clients.group('')).toThrow(ServerlessHubError);
    expect(await codeOf(() => services.clients.all.send(''))).toBe('REST_INVALID_ARGUMENT');
    expect(await codeOf(() => services.clients.all.send('m', 10n))).not.toBe('none');
    expect(await codeOf(() => services.groups.addToGroup('c', ''))).toBe('REST_INVALID_ARGUMENT');
    expect(await codeOf(() => services.userGroups.addToGroup('u', 'g', { ttl: -1 }))).toBe('REST_INVALID_ARGUMENT');
    expect(services.messages).toEqual([]);
    expect(services.calls).toEqual([]);
  });
});

describe('hub test bed', () => {
  @Hub({ name: 'bed', connectionStringSetting: 'BedConnection' })
  class Bed extends ServerlessHub {
    echo(value: unknown): unknown {
      return value;
    }
  }

  it('sets the hub’s connection setting for its lifetime and forgets its functions on dispose', async () => {
    expect(process.env.BedConnection).toBeUndefined();
    const bed = createHubTestBed([Bed]);
    expect(process.env.BedConnection).toBe(EMULATOR_CONNECTION_STRING);
    expect(getRegisteredFunctions().map((fn) => fn.name)).toEqual(['bed_negotiate', 'bed_echo']);
    expect((await bed.invoke('echo', ['x'])).completion?.result).toBe('x');
    expect((await bed.invoke('missing')).status).toBe(404);
    bed.dispose();
    expect(process.env.BedConnection).toBeUndefined();
    expect(getRegisteredFunctions()).toEqual([]);
    // The same hub can be registered again after dispose.
    createHubTestBed([Bed]).dispose();
  });

  it('checks signatures with the real setting when it is already set', async () => {
    process.env.BedConnection = 'Endpoint=https://x.service.signalr.net;AccessKey=RealKeyRealKeyRealKey;Version=1.0;';
    const bed = createHubTestBed([Bed]);
    try {
      expect((await bed.invoke('echo', [1])).completion?.result).toBe(1);
      const wrongKey = await bed.invoke('echo', [1], { accessKeys: [KEY] });
      expect(wrongKey.status).toBe(401);
    } finally {
      bed.dispose();
      Reflect.deleteProperty(process.env, 'BedConnection');
    }
  });
});

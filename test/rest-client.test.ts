// The REST client against a local server that checks every request as the service would: verb, path,
// query, body, token signature, audience and expiry, and answers as the service does.
import { describe, expect, it } from 'vitest';
import { JsonHubProtocol, NullLogger } from '@microsoft/signalr';
import type { InvocationMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { ServerlessHubError } from '@serverless-hub/core';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { decodeProtocolPayloadMap, productInfo } from '@serverless-hub/core/protocol';
import type { ServiceEndpoint } from '@serverless-hub/core';
import { client, expectValidToken, only, service, useRestClientFixture } from './rest-client-fixture.js';
import { rejectionOf } from '../packages/core/src/__fixtures__/rejection-of.js';

useRestClientFixture();

describe('sends: every target, with verb, path, query, body and token', () => {
  const cases: [string, (c: ServiceHubClient) => Promise<void>, string, string][] = [
    ['all', (c) => c.clients.all.send('newMessage', 'hi', 2), '/api/hubs/chat/:send', 'api-version=2024-12-01'],
    [
      'allExcept',
      (c) => c.clients.allExcept(['c1', 'c/2']).send('newMessage', 'hi', 2),
      '/api/hubs/chat/:send',
      'api-version=2024-12-01&excluded=c1&excluded=c%2F2',
    ],
    [
      'client',
      (c) => c.clients.client('conn 1').send('newMessage', 'hi', 2),
      '/api/hubs/chat/connections/conn%201/:send',
      'api-version=2024-12-01',
    ],
    [
      'user',
      (c) => c.clients.user("o'neil@x").send('newMessage', 'hi', 2),
      '/api/hubs/chat/users/o%27neil%40x/:send',
      'api-version=2024-12-01',
    ],
    [
      'group',
      (c) => c.clients.group('room #1').send('newMessage', 'hi', 2),
      '/api/hubs/chat/groups/room%20%231/:send',
      'api-version=2024-12-01',
    ],
    [
      'groupExcept',
      (c) => c.clients.groupExcept('room', ['x']).send('newMessage', 'hi', 2),
      '/api/hubs/chat/groups/room/:send',
      'api-version=2024-12-01&excluded=x',
    ],
  ];

  it.each(cases)('%s', async (_name, send, path, query) => {
    await send(client);
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(path);
    expect(request.rawQuery).toBe(query);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request.body)).toEqual({ target: 'newMessage', arguments: ['hi', 2] });
    expectValidToken(request);
  });

  // Azure/azure-signalr, Microsoft.Azure.SignalR.Management (DependencyInjectionExtensions, ProductInfo): every
  // REST request carries `Asrs-User-Agent: {package}/{version} ({runtime}; {OS}; {architecture})`.
  it('every request carries the SDK product information in Asrs-User-Agent', async () => {
    await client.clients.all.send('newMessage', 'hi');
    await client.clientManager.connectionExists('c1');
    for (const request of service.requests) {
      expect(request.headers['asrs-user-agent']).toBe(productInfo());
    }
    expect(productInfo()).toMatch(/^@serverless-hub\/core\/\d+\.\d+\.\d+\S* \(Node\.js v\d+\.\d+\.\d+; [^;]+; \w+\)$/);
  });

  // Azure/azure-signalr, BinaryPayloadMessageContent and PayloadBuilderResolver: binary sends are an
  // application/octet-stream MessagePack map from protocol name to that protocol's serialized message.
  it('a message with binary data or a bigint goes as the protocol map, each protocol decoding it natively', async () => {
    await client.clients.group('room').send('file', Uint8Array.from([9, 8]), 2n ** 60n);
    const request = only();
    expect(request.headers['content-type']).toBe('application/octet-stream');
    const map = decodeProtocolPayloadMap(request.rawBody);
    const json = new JsonHubProtocol().parseMessages(
      Buffer.from(map.get('json')!).toString('utf8'),
      NullLogger.instance,
    )[0] as InvocationMessage;
    expect([json.target, json.arguments]).toEqual(['file', ['CQg=', 2 ** 60]]);
    const bytes = map.get('messagepack')!;
    const messagePack = new MessagePackHubProtocol().parseMessages(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      NullLogger.instance,
    )[0] as InvocationMessage;
    expect(messagePack.target).toBe('file');
    expect([...(messagePack.arguments[0] as Uint8Array)]).toEqual([9, 8]);
    expect(messagePack.arguments[1]).toBe(2 ** 60);
    expectValidToken(request);
  });

  it("messageEncoding: 'binary' sends every message as the protocol map; an unknown encoding is refused", async () => {
    const binary = new ServiceHubClient(service.endpoint(), 'chat', { messageEncoding: 'binary' });
    await binary.clients.all.send('newMessage', 'hi');
    expect(only().headers['content-type']).toBe('application/octet-stream');
    expect(() => new ServiceHubClient(service.endpoint(), 'chat', { messageEncoding: 'xml' as 'binary' })).toThrow(
      /messageEncoding "xml"/,
    );
  });

  it('sendMessage takes the arguments as an array', async () => {
    await client.clients.all.sendMessage('update', [{ a: [1, null] }, undefined]);
    expect(JSON.parse(only().body)).toEqual({ target: 'update', arguments: [{ a: [1, null] }, null] });
  });

  it('a send without arguments sends an empty array', async () => {
    await client.clients.all.send('ping');
    expect(JSON.parse(only().body)).toEqual({ target: 'ping', arguments: [] });
  });

  it('clients, users and groups send one request per distinct target, in parallel, with the same body', async () => {
    await client.clients.clients(['a', 'b', 'a']).send('m', 1);
    await client.clients.users(['u1', 'u2']).send('m', 1);
    await client.clients.groups(['g1', 'g2', 'g3']).send('m', 1);
    const paths = service.requests.map((request) => request.path).sort();
    expect(paths).toEqual(
      [
        '/api/hubs/chat/connections/a/:send',
        '/api/hubs/chat/connections/b/:send',
        '/api/hubs/chat/users/u1/:send',
        '/api/hubs/chat/users/u2/:send',
        '/api/hubs/chat/groups/g1/:send',
        '/api/hubs/chat/groups/g2/:send',
        '/api/hubs/chat/groups/g3/:send',
      ].sort(),
    );
    for (const request of service.requests) {
      expect(request.body).toBe('{"target":"m","arguments":[1]}');
      expectValidToken(request);
    }
  });

  it('an empty list sends nothing', async () => {
    await client.clients.users([]).send('m');
    await client.clients.clients([]).send('m');
    await client.clients.groups([]).send('m');
    expect(service.requests).toHaveLength(0);
  });

  it('a failed target of a multi-send fails the call, naming it; the others were sent', async () => {
    service.reply = (request) =>
      request.segments[4] === 'bad'
        ? { status: 400, body: JSON.stringify({ code: 'Error.User.Invalid', message: 'No.' }) }
        : { status: 202 };
    const error = await rejectionOf(client.clients.users(['good', 'bad', 'fine']).send('m'));
    expect(error.code).toBe('REST_MULTI_SEND_FAILED');
    expect(error.message).toMatch(/failed for 1 of 3 users/);
    expect(error.details).toEqual({ total: 3, failed: [{ id: 'bad', code: 'REST_INVALID_ARGUMENT', status: 400 }] });
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect(service.requests).toHaveLength(3);
  });

  it('a one-target list fails with the error of that single send', async () => {
    service.reply = () => ({ status: 401 });
    const error = await rejectionOf(client.clients.clients(['only']).send('m'));
    expect(error.code).toBe('REST_UNAUTHORIZED');
  });
});

describe('groups, user groups and the client manager: every route', () => {
  it('adds and removes connections to and from groups', async () => {
    service.state.connections.add('c/1');
    expect(await client.groups.addToGroup('c/1', 'room 1')).toBe(true);
    expect(await client.groups.removeFromGroup('c/1', 'room 1')).toBe(true);
    await client.groups.removeFromAllGroups('c/1');
    expect(service.requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`)).toEqual([
      'PUT /api/hubs/chat/groups/room%201/connections/c%2F1?api-version=2024-12-01',
      'DELETE /api/hubs/chat/groups/room%201/connections/c%2F1?api-version=2024-12-01',
      'DELETE /api/hubs/chat/connections/c%2F1/groups?api-version=2024-12-01',
    ]);
    for (const request of service.requests) {
      expect(request.body).toBe('');
      expectValidToken(request);
    }
  });

  it('adding a connection that does not exist answers false (404 Error.Connection.NotExisted)', async () => {
    expect(await client.groups.addToGroup('gone', 'room')).toBe(false);
  });

  it('removing a connection that does not exist answers false', async () => {
    service.reply = () => ({ status: 404, errorCode: 'Warning.Connection.NotExisted' });
    expect(await client.groups.removeFromGroup('gone', 'room')).toBe(false);
  });

  it('manages user groups, with ttl', async () => {
    await client.userGroups.addToGroup('alice', 'vip');
    await client.userGroups.addToGroup('alice', 'vip', { ttl: 3600 });
    await client.userGroups.addToGroup('alice', 'vip', { ttl: 0 });
    await client.userGroups.removeFromGroup('alice', 'vip');
    await client.userGroups.removeFromAllGroups('alice');
    expect(service.requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`)).toEqual([
      'PUT /api/hubs/chat/users/alice/groups/vip?api-version=2024-12-01',
      'PUT /api/hubs/chat/users/alice/groups/vip?api-version=2024-12-01&ttl=3600',
      'PUT /api/hubs/chat/users/alice/groups/vip?api-version=2024-12-01&ttl=0',
      'DELETE /api/hubs/chat/users/alice/groups/vip?api-version=2024-12-01',
      'DELETE /api/hubs/chat/users/alice/groups?api-version=2024-12-01',
    ]);
    service.requests.forEach(expectValidToken);
  });

  it('isUserInGroup: HEAD, 200 is true, 404 Info.User.NotInGroup is false', async () => {
    service.state.userGroups.add('alice\nvip');
    expect(await client.userGroups.isUserInGroup('alice', 'vip')).toBe(true);
    expect(await client.userGroups.isUserInGroup('alice', 'other')).toBe(false);
    expect(service.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'HEAD /api/hubs/chat/users/alice/groups/vip',
      'HEAD /api/hubs/chat/users/alice/groups/other',
    ]);
  });

  it('closes one connection, with and without a reason; false when it does not exist', async () => {
    service.state.connections.add('c1');
    expect(await client.clientManager.closeConnection('c1')).toBe(true);
    expect(await client.clientManager.closeConnection('c1', 'bye & see you')).toBe(true);
    expect(await client.clientManager.closeConnection('gone', 'x')).toBe(false);
    expect(service.requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`)).toEqual([
      'DELETE /api/hubs/chat/connections/c1?api-version=2024-12-01',
      'DELETE /api/hubs/chat/connections/c1?api-version=2024-12-01&reason=bye%20%26%20see%20you',
      'DELETE /api/hubs/chat/connections/gone?api-version=2024-12-01&reason=x',
    ]);
    expect(service.requests[1]!.query.get('reason')).toBe('bye & see you');
  });

  it('closes the connections of the hub, a group and a user, with excluded and reason', async () => {
    await client.clientManager.closeConnections();
    await client.clientManager.closeConnections({ excluded: ['a', 'b', 'a'], reason: 'maintenance' });
    await client.clientManager.closeGroupConnections('room 1', { excluded: ['a'] });
    await client.clientManager.closeUserConnections('bob', { reason: 'banned' });
    expect(service.requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`)).toEqual([
      'POST /api/hubs/chat/:closeConnections?api-version=2024-12-01',
      'POST /api/hubs/chat/:closeConnections?api-version=2024-12-01&excluded=a&excluded=b&reason=maintenance',
      'POST /api/hubs/chat/groups/room%201/:closeConnections?api-version=2024-12-01&excluded=a',
      'POST /api/hubs/chat/users/bob/:closeConnections?api-version=2024-12-01&reason=banned',
    ]);
    for (const request of service.requests) {
      expect(request.headers['content-length']).toBe('0');
      expectValidToken(request);
    }
  });

  it('checks that connections, users and groups exist (HEAD; 404 with the expected code is false)', async () => {
    service.state.connections.add('c1');
    service.state.users.add('alice');
    service.state.groups.add('room');
    expect(await client.clientManager.connectionExists('c1')).toBe(true);
    expect(await client.clientManager.connectionExists('c2')).toBe(false);
    expect(await client.clientManager.userExists('alice')).toBe(true);
    expect(await client.clientManager.userExists('bob')).toBe(false);
    expect(await client.clientManager.groupExists('room')).toBe(true);
    expect(await client.clientManager.groupExists('hall')).toBe(false);
    expect(service.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'HEAD /api/hubs/chat/connections/c1',
      'HEAD /api/hubs/chat/connections/c2',
      'HEAD /api/hubs/chat/users/alice',
      'HEAD /api/hubs/chat/users/bob',
      'HEAD /api/hubs/chat/groups/room',
      'HEAD /api/hubs/chat/groups/hall',
    ]);
    service.requests.forEach(expectValidToken);
  });

  it('compares the expected codes case-insensitively', async () => {
    service.reply = () => ({ status: 404, errorCode: 'warning.user.NOTEXISTED' });
    expect(await client.clientManager.userExists('bob')).toBe(false);
  });

  it('a 404 without the expected code is a failure, not an answer', async () => {
    service.reply = () => ({ status: 404 });
    const plain = await rejectionOf(client.clientManager.userExists('bob'));
    expect(plain.code).toBe('REST_NOT_FOUND');
    expect(plain.status).toBe(404);
    service.reply = () => ({ status: 404, errorCode: 'Warning.Group.NotExisted' });
    const other = await rejectionOf(client.clientManager.userExists('bob'));
    expect(other.code).toBe('REST_NOT_FOUND');
    expect(other.details).toMatchObject({ errorCode: 'Warning.Group.NotExisted' });
    service.reply = () => ({ status: 404, errorCode: 'Warning.Connection.NotExisted' });
    expect((await rejectionOf(client.clients.client('gone').send('m'))).code).toBe('REST_NOT_FOUND');
  });

  it('probes the service health (HEAD /api/health)', async () => {
    expect(await client.isServiceHealthy()).toBe(true);
    const request = only();
    expect(`${request.method} ${request.path}?${request.rawQuery}`).toBe('HEAD /api/health?api-version=2024-12-01');
    expectValidToken(request);
    service.reply = () => ({ status: 503 });
    expect(await client.isServiceHealthy()).toBe(false);
    expect(service.requests).toHaveLength(2);
    service.reply = () => ({ status: 401 });
    expect((await rejectionOf(client.isServiceHealthy())).code).toBe('REST_UNAUTHORIZED');
  });
});

describe('endpoint, hub and application', () => {
  it('puts the application (lower-cased) before the api-version', async () => {
    const withApp = new ServiceHubClient(service.endpoint(), 'Chat', { application: 'Contoso' });
    await withApp.clients.all.send('m');
    expect(only().rawQuery).toBe('application=contoso&api-version=2024-12-01');
    expectValidToken(only());
  });

  it('keeps a base path of the server endpoint in the URL and the audience', async () => {
    const below = new ServiceHubClient(service.endpoint('/signalr/'), 'chat');
    service.reply = () => ({ status: 202 });
    await below.clients.all.send('m');
    const request = only();
    expect(request.path).toBe('/signalr/api/hubs/chat/:send');
    expectValidToken(request);
  });

  it('the audience includes the port of the server endpoint', async () => {
    await client.clients.all.send('m');
    expect(only().token?.aud).toBe(`http://127.0.0.1:${service.port}/api/hubs/chat/:send`);
  });

  it('rejects a wrong key with REST_UNAUTHORIZED, without the token in the error', async () => {
    const endpoint: ServiceEndpoint = {
      ...service.endpoint(),
      auth: { type: 'key', accessKey: 'another key entirely, 44 characters long!!!' },
    };
    const wrong = new ServiceHubClient(endpoint, 'chat');
    // Answer 401 echoing the token, as a careless proxy might: the error must still not contain it.
    service.checkTokens = false;
    service.reply = (request) => ({
      status: 401,
      body: JSON.stringify({ code: 'Error.Unauthorized', message: `bad token ${request.authorization ?? ''}` }),
    });
    const error = await rejectionOf(wrong.clients.all.send('m'));
    expect(error.code).toBe('REST_UNAUTHORIZED');
    expect(error.status).toBe(401);
    const token = only().authorization!.slice('Bearer '.length);
    expect(error.message).toContain('Error.Unauthorized');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(token);
    expect(JSON.stringify(error.details)).not.toContain(token);
    expect(String(error.stack)).not.toContain(token);
  });
});

describe('token and connection reuse', () => {
  it('signs one token per audience and reuses it', async () => {
    await client.clients.all.send('a');
    await client.clients.all.send('b');
    await client.clients.user('u').send('c');
    const [first, second, third] = service.requests;
    expect(first!.authorization).toBe(second!.authorization);
    expect(third!.authorization).not.toBe(first!.authorization);
  });

  it('shares the token cache between clients of one endpoint', async () => {
    const endpoint = service.endpoint();
    await new ServiceHubClient(endpoint, 'chat').clients.all.send('a');
    await new ServiceHubClient(endpoint, 'chat').clients.all.send('b');
    expect(service.requests[0]!.authorization).toBe(service.requests[1]!.authorization);
  });

  it('reuses one keep-alive connection for sequential calls', async () => {
    for (let index = 0; index < 5; index++) await client.clients.all.send('m', index);
    await client.clientManager.userExists('alice');
    expect(service.requests).toHaveLength(6);
    expect(service.connectionCount).toBe(1);
  });
});

describe('validation before any request', () => {
  const invalidCalls: [string, () => unknown, RegExp][] = [
    ['empty target', () => client.clients.all.send(''), /Invalid message target ""/],
    ['empty connection id', () => client.clients.client(''), /Invalid connection id: it must not be empty/],
    ['long user id', () => client.clients.user('u'.repeat(1025)), /user id .*at most 1024/],
    ['blank group', () => client.clients.group('  '), /only white space/],
    [
      'excluded not an array',
      () => client.clients.allExcept('c1' as unknown as string[]),
      /expected an array of strings/,
    ],
    ['empty id in a list', () => client.clients.users(['a', '']), /Invalid user id: it must not be empty/],
    ['empty excluded id', () => client.clients.groupExcept('g', ['']), /Invalid connection id/],
    ['group too long', () => client.groups.addToGroup('c', 'g'.repeat(1025)), /group name .*at most 1024/],
    ['negative ttl', () => client.userGroups.addToGroup('u', 'g', { ttl: -1 }), /Invalid ttl -1/],
    ['fractional ttl', () => client.userGroups.addToGroup('u', 'g', { ttl: 1.5 }), /Invalid ttl 1.5/],
    [
      'reason not a string',
      () => client.clientManager.closeConnection('c', 5 as unknown as string),
      /Invalid close reason 5: expected a string/,
    ],
    [
      'excluded empty id on close',
      () => client.clientManager.closeConnections({ excluded: [''] }),
      /Invalid connection id/,
    ],
    ['lone surrogate', () => client.clientManager.userExists('\uD800'), /unpaired UTF-16 surrogate/],
    [
      'a function argument next to binary data',
      () => client.clients.all.send('m', new Uint8Array(1), () => 1),
      /cannot be serialized as hub protocol messages/,
    ],
  ];

  it.each(invalidCalls)('%s', async (_name, call, message) => {
    let error: unknown;
    try {
      await call();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('REST_INVALID_ARGUMENT');
    expect((error as ServerlessHubError).message).toMatch(message);
    expect(service.requests).toHaveLength(0);
  });

  it('rejects a circular argument', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const error = await rejectionOf(client.clients.all.send('m', circular));
    expect(error.code).toBe('REST_INVALID_ARGUMENT');
    expect(service.requests).toHaveLength(0);
  });

  it('rejects a message over 1 MB', async () => {
    const error = await rejectionOf(client.clients.all.send('m', 'x'.repeat(1024 * 1024)));
    expect(error.code).toBe('REST_INVALID_ARGUMENT');
    expect(error.message).toMatch(/the service accepts at most 1048576 bytes/);
    expect(service.requests).toHaveLength(0);
  });

  it('rejects a URL that would exceed the header limit', async () => {
    const excluded = Array.from({ length: 1000 }, (_, index) => `connection-${index}`);
    const error = await rejectionOf(client.clients.allExcept(excluded).send('m'));
    expect(error.code).toBe('REST_INVALID_ARGUMENT');
    expect(error.message).toMatch(/16 KB header limit/);
    expect(service.requests).toHaveLength(0);
  });

  it('rejects invalid hub and application names and options at construction', () => {
    const endpoint = service.endpoint();
    expect(() => new ServiceHubClient(endpoint, 'my hub')).toThrow(/Invalid hub name "my hub"/);
    expect(() => new ServiceHubClient(endpoint, 'chat', { application: '1app' })).toThrow(
      /Invalid application name "1app"/,
    );
    expect(() => new ServiceHubClient(endpoint, 'chat', { timeoutMs: 0 })).toThrow(/Invalid timeoutMs 0/);
    expect(() => new ServiceHubClient(endpoint, 'chat', { retry: { maxRetries: 100 } })).toThrow(/maxRetries: 100/);
    expect(() => new ServiceHubClient({ ...endpoint, serverEndpoint: 'ftp://x' }, 'chat')).toThrow(
      /http or https URL, not ftp:/,
    );
  });
});

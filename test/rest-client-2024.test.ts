// The REST client's routes of API 2024-12-01 against a local server that records every request:
// `POST /api/hubs/{hub}/connections/{connectionId}/:invoke` (PayloadMessage → 200 ClientInvocationResponse),
// `POST …/connections/{connectionId}/streams/{streamId}/:send` (`completed`, 202) and `…/:complete`
// (`reason`, 202), `GET /api/hubs/{hub}/groups/{group}/connections` (`top`, `maxpagesize`,
// `continuationToken` → 200 GroupMemberPagedValues), each with `api-version=2024-12-01` and the error
// answers (`default: ErrorDetail` with `x-ms-error-code`) of the spec. The answers below follow the spec's
// examples (HubProxyV20241201_InvokeClientConnection, HubProxyV20241201_ListConnectionsInGroup).
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '@serverless-hub/core';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { client, expectValidToken, only, service, useRestClientFixture } from './rest-client-fixture.js';
import { rejectionOf } from '../packages/core/src/__fixtures__/rejection-of.js';

useRestClientFixture();

function errorReply(
  status: number,
  errorCode: string,
  message: string,
): { status: number; errorCode: string; body: string } {
  return { status, errorCode, body: JSON.stringify({ code: errorCode, message }) };
}

describe('POST /api/hubs/{hub}/connections/{connectionId}/:invoke', () => {
  it('sends the PayloadMessage and resolves with the result of the ClientInvocationResponse', async () => {
    service.reply = () => ({ status: 200, body: JSON.stringify({ result: { message: 'Hello, World!' } }) });
    await expect(client.clients.client('conn 1').invoke('localTime', 'utc', 2)).resolves.toEqual({
      message: 'Hello, World!',
    });
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/hubs/chat/connections/conn%201/:invoke');
    expect(request.rawQuery).toBe('api-version=2024-12-01');
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request.body)).toEqual({ target: 'localTime', arguments: ['utc', 2] });
    expectValidToken(request);
  });

  it('puts the application before the api-version', async () => {
    const app = new ServiceHubClient(service.endpoint(), 'Chat', { application: 'App1' });
    service.reply = () => ({ status: 200, body: '{"result":1}' });
    await app.clients.client('c1').invoke('m');
    expect(only().rawQuery).toBe('application=app1&api-version=2024-12-01');
  });

  it('resolves undefined for an answer without result, and ignores `protocol`', async () => {
    service.reply = () => ({ status: 200, body: '{}' });
    await expect(client.clients.client('c1').invoke('m')).resolves.toBeUndefined();
    service.reply = () => ({ status: 200, body: '{"result":"x","protocol":"custom"}' });
    await expect(client.clients.client('c1').invoke('m')).resolves.toBe('x');
  });

  it('makes one attempt only: the client method may have run', async () => {
    service.reply = () => ({ status: 503 });
    expect((await rejectionOf(client.clients.client('c1').invoke('m'))).code).toBe('REST_SERVICE_ERROR');
    expect(service.requests).toHaveLength(1);
  });

  it.each([
    [404, 'Error.Connection.NotExisted', 'CLIENT_INVOCATION_NO_CONNECTION'],
    [404, 'Warning.Connection.NotExisted', 'CLIENT_INVOCATION_NO_CONNECTION'],
    [400, 'Error.ClientInvocation.Failed', 'CLIENT_INVOCATION_FAILED'],
    [410, 'Error.ClientInvocation.ConnectionClosed', 'CLIENT_INVOCATION_DISCONNECTED'],
    [504, 'Error.ClientInvocation.Timeout', 'CLIENT_INVOCATION_TIMEOUT'],
    [400, 'Error.InvalidArgument', 'REST_INVALID_ARGUMENT'],
    [401, 'Error.Unauthorized', 'REST_UNAUTHORIZED'],
    [500, 'Error.Internal', 'REST_SERVICE_ERROR'],
  ])('answers %i %s with %s', async (status, errorCode, code) => {
    service.reply = () => errorReply(status, errorCode, 'said by the service');
    const error = await rejectionOf(client.clients.client('c1').invoke('m'));
    expect(error.code).toBe(code);
  });

  it("a client's failure carries the client's message", async () => {
    service.reply = () => errorReply(400, 'Error.ClientInvocation.Failed', 'Error: the client refused');
    expect((await rejectionOf(client.clients.client('c1').invoke('m'))).message).toContain('the client refused');
  });

  it('a 404 without a connection code is an unknown route (an older service), not a missing connection', async () => {
    service.reply = () => ({ status: 404 });
    expect((await rejectionOf(client.clients.client('c1').invoke('m'))).code).toBe('REST_NOT_FOUND');
  });

  it('times out with CLIENT_INVOCATION_TIMEOUT when the service does not answer in timeoutMs', async () => {
    service.reply = () => 'hang';
    const error = await rejectionOf(client.clients.client('c1').invokeMessage('m', [], { timeoutMs: 50 }));
    expect(error.code).toBe('CLIENT_INVOCATION_TIMEOUT');
  });

  it('rejects an answer that is not a ClientInvocationResponse', async () => {
    for (const body of ['not json', '[1]', '"text"']) {
      service.reply = () => ({ status: 200, body });
      expect((await rejectionOf(client.clients.client('c1').invoke('m'))).code).toBe('REST_SERVICE_ERROR');
    }
  });

  it('validates before any request', async () => {
    await expect(client.clients.client('c1').invoke('')).rejects.toMatchObject({ code: 'REST_INVALID_ARGUMENT' });
    await expect(client.clients.client('c1').invokeMessage('m', [], { timeoutMs: 0 })).rejects.toMatchObject({
      code: 'REST_INVALID_ARGUMENT',
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(client.clients.client('c1').invoke('m', circular)).rejects.toMatchObject({
      code: 'REST_INVALID_ARGUMENT',
    });
    expect(() => client.clients.client('')).toThrow(ServerlessHubError);
    expect(service.requests).toHaveLength(0);
  });
});

describe('POST …/connections/{connectionId}/streams/{streamId}/:send and :complete', () => {
  it('sends the item as the JSON body, with completed=true for the last one', async () => {
    service.reply = () => ({ status: 202 });
    const target = client.clients.client('c1');
    await expect(target.sendStreamItem('s 1', { n: 1 })).resolves.toBe(true);
    await target.sendStreamItem('s 1', null, { completed: true });
    await target.sendStreamItem('s 1', undefined);
    const [first, last, empty] = service.requests;
    expect(first?.path).toBe('/api/hubs/chat/connections/c1/streams/s%201/:send');
    expect(first?.rawQuery).toBe('api-version=2024-12-01');
    expect(first?.body).toBe('{"n":1}');
    expect(first?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(last?.rawQuery).toBe('api-version=2024-12-01&completed=true');
    expect(last?.body).toBe('null');
    expect(empty?.body).toBe('null');
  });

  it('completes the stream, with reason= for an error', async () => {
    service.reply = () => ({ status: 202 });
    await client.clients.client('c1').completeStream('s1');
    await client.clients.client('c1').completeStream('s1', { error: 'it broke: 100%' });
    const [done, failed] = service.requests;
    expect(done?.method).toBe('POST');
    expect(done?.path).toBe('/api/hubs/chat/connections/c1/streams/s1/:complete');
    expect(done?.rawQuery).toBe('api-version=2024-12-01');
    expect(done?.body).toBe('');
    expect(failed?.rawQuery).toBe('api-version=2024-12-01&reason=it%20broke%3A%20100%25');
  });

  it('answers false when the connection does not exist, and fails on other errors', async () => {
    service.reply = () => errorReply(404, 'Error.Connection.NotExisted', 'gone');
    await expect(client.clients.client('c1').sendStreamItem('s1', 1)).resolves.toBe(false);
    await expect(client.clients.client('c1').completeStream('s1')).resolves.toBe(false);
    service.reply = () => errorReply(400, 'Error.InvalidArgument', 'bad');
    expect((await rejectionOf(client.clients.client('c1').sendStreamItem('s1', 1))).code).toBe('REST_INVALID_ARGUMENT');
  });

  it('sendStream sends each item, then completes; an error completes with its message', async () => {
    service.reply = () => ({ status: 202 });
    await client.clients.client('c1').sendStream(
      's1',
      (async function* items() {
        yield 1;
        yield 2;
        throw new Error('no more');
      })(),
    );
    expect(
      service.requests.map((request) => `${request.path.split('/').pop() ?? ''} ${request.rawQuery} ${request.body}`),
    ).toEqual([
      ':send api-version=2024-12-01 1',
      ':send api-version=2024-12-01 2',
      ':complete api-version=2024-12-01&reason=no%20more ',
    ]);
  });

  it('validates the stream id (1 to 100 characters, not only white space) before any request', async () => {
    for (const streamId of ['', '   ', 'x'.repeat(101)]) {
      await expect(client.clients.client('c1').sendStreamItem(streamId, 1)).rejects.toMatchObject({
        code: 'REST_INVALID_ARGUMENT',
      });
      await expect(client.clients.client('c1').completeStream(streamId)).rejects.toMatchObject({
        code: 'REST_INVALID_ARGUMENT',
      });
    }
    expect(service.requests).toHaveLength(0);
  });
});

describe('GET /api/hubs/{hub}/groups/{group}/connections', () => {
  it('reads a page as the spec example gives it, with the continuation token of nextLink', async () => {
    service.reply = () => ({
      status: 200,
      body: JSON.stringify({
        value: [
          { connectionId: 'c1', userId: 'u1' },
          { connectionId: 'c2', userId: 'u2' },
        ],
        nextLink:
          'https://www.host.com/api/hubs/hub/groups/group1/connections?top=1000&maxpagesize=200&continuationToken=c2&api-version=2024-12-01',
      }),
    });
    const page = await client.groups.listConnectionsPage('room 1', { top: 1000, maxPageSize: 200 });
    expect(page).toEqual({
      members: [
        { connectionId: 'c1', userId: 'u1' },
        { connectionId: 'c2', userId: 'u2' },
      ],
      continuationToken: 'c2',
    });
    const request = only();
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/api/hubs/chat/groups/room%201/connections');
    expect(request.rawQuery).toBe('api-version=2024-12-01&top=1000&maxpagesize=200');
    expect(request.token?.aud).toBe(`${service.url}${request.path}`);
  });

  it('follows the pages with continuationToken until there is no nextLink', async () => {
    const pages: Record<string, string> = {
      '': JSON.stringify({
        value: [{ connectionId: 'a' }],
        nextLink: '/api/hubs/chat/groups/g/connections?continuationToken=t%2F1&api-version=2024-12-01',
      }),
      't/1': JSON.stringify({
        value: [{ connectionId: 'b', userId: null }],
        nextLink: 'http://x/?continuationToken=t2',
      }),
      t2: JSON.stringify({ value: [{ connectionId: 'c' }] }),
    };
    service.reply = (request) => ({
      status: 200,
      body: pages[request.query.get('continuationToken') ?? ''] ?? '{"value":[]}',
    });
    const listed = [];
    for await (const member of client.groups.listConnections('g')) listed.push(member);
    expect(listed).toEqual([{ connectionId: 'a' }, { connectionId: 'b' }, { connectionId: 'c' }]);
    expect(service.requests.map((request) => request.rawQuery)).toEqual([
      'api-version=2024-12-01',
      'api-version=2024-12-01&continuationToken=t%2F1',
      'api-version=2024-12-01&continuationToken=t2',
    ]);
  });

  it('stops after top members, without asking for more pages', async () => {
    service.reply = () => ({
      status: 200,
      body: JSON.stringify({
        value: [{ connectionId: 'a' }, { connectionId: 'b' }],
        nextLink: 'http://x/?continuationToken=more',
      }),
    });
    const listed = [];
    for await (const member of client.groups.listConnections('g', { top: 2 })) listed.push(member);
    expect(listed).toHaveLength(2);
    expect(service.requests).toHaveLength(1);
  });

  it('rejects an answer that is not a page of group members', async () => {
    for (const body of [
      'nope',
      '{}',
      '{"value":[1]}',
      '{"value":[{"userId":"u"}]}',
      '{"value":[{"connectionId":"c","userId":3}]}',
      '{"value":[],"nextLink":"http://x/"}',
    ]) {
      service.reply = () => ({ status: 200, body });
      expect((await rejectionOf(client.groups.listConnectionsPage('g'))).code, body).toBe('REST_SERVICE_ERROR');
    }
  });

  it('answers errors with their REST codes', async () => {
    service.reply = () => errorReply(400, 'Error.InvalidArgument', 'bad group');
    expect((await rejectionOf(client.groups.listConnectionsPage('g'))).code).toBe('REST_INVALID_ARGUMENT');
    service.reply = () => ({ status: 404 });
    expect((await rejectionOf(client.groups.listConnectionsPage('g'))).code).toBe('REST_NOT_FOUND');
  });

  it('validates top, maxPageSize and the group before any request', () => {
    expect(() => client.groups.listConnections('g', { maxPageSize: 201 })).toThrow(ServerlessHubError);
    expect(() => client.groups.listConnections('g', { maxPageSize: 0 })).toThrow(ServerlessHubError);
    expect(() => client.groups.listConnections('g', { top: 0 })).toThrow(ServerlessHubError);
    expect(() => client.groups.listConnections('  ')).toThrow(ServerlessHubError);
    expect(service.requests).toHaveLength(0);
  });
});

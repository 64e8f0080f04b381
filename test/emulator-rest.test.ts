// The emulator's REST API, driven with the framework's REST client (ServiceHubClient) and with raw
// requests for what a client library never sends (bad tokens, bad input).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConnection } from '@microsoft/signalr';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { EMULATOR_ACCESS_KEY } from '@serverless-hub/emulator';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import {
  buildClient,
  closed,
  collect,
  eventually,
  rest,
  restToken,
  startEmulator,
  startFakeApp,
} from './emulator-helpers.js';
import type { FakeApp } from './emulator-helpers.js';

let emulator: ServiceEmulator;
let app: FakeApp;
let service: ServiceHubClient;

type ServiceEndpoint = ConstructorParameters<typeof ServiceHubClient>[0];

function endpointOf(target: ServiceEmulator): ServiceEndpoint {
  return {
    endpoint: 'http://localhost',
    clientEndpoint: target.url,
    serverEndpoint: target.url,
    port: target.port,
    auth: { type: 'key', accessKey: EMULATOR_ACCESS_KEY },
  };
}

beforeAll(async () => {
  app = await startFakeApp(() => emulator.port);
  ({ emulator } = await startEmulator({ upstream: app.upstream, logLevel: 'warn' }));
  service = new ServiceHubClient(endpointOf(emulator), 'chat', { retry: false });
});

afterAll(async () => {
  await emulator.close();
  await app.close();
});

interface Member {
  readonly client: HubConnection;
  readonly id: string;
  readonly received: unknown[][];
}

async function join(
  transport: 'WebSockets' | 'ServerSentEvents' | 'LongPolling',
  protocol: 'json' | 'messagepack',
  userId?: string,
): Promise<Member> {
  const client = buildClient(app, transport, protocol, userId === undefined ? {} : { userId });
  const received = collect(client, 'msg');
  await client.start();
  return { client, id: client.connectionId ?? '', received };
}

/**
 * Sends a marker to everyone and waits until each member got it: messages to one connection arrive
 * in order, so whatever a member got before the marker is all it will get of what was sent before.
 */
async function settle(members: readonly Member[], marker: string): Promise<void> {
  await service.clients.all.send('msg', marker);
  await eventually(
    () => members.every((member) => member.received.some((args) => args[0] === marker)),
    `every member got ${marker}`,
  );
}

function got(member: Member, text: string): boolean {
  return member.received.some((args) => args[0] === text);
}

describe('sending to all, users, groups and connections', () => {
  let alice1: Member;
  let alice2: Member;
  let bob: Member;
  let anonymous: Member;
  let everyone: Member[];

  beforeAll(async () => {
    alice1 = await join('WebSockets', 'json', 'alice');
    alice2 = await join('LongPolling', 'messagepack', 'alice');
    bob = await join('ServerSentEvents', 'json', 'bob');
    anonymous = await join('WebSockets', 'messagepack');
    everyone = [alice1, alice2, bob, anonymous];
  });

  afterAll(async () => {
    await Promise.all(everyone.map((member) => member.client.stop()));
  });

  it('sends to all, and to all but the excluded connections', async () => {
    await service.clients.all.send('msg', 'to-all', { n: 1 });
    await service.clients.allExcept([anonymous.id, bob.id]).send('msg', 'all-but');
    await settle(everyone, 'mark-1');
    for (const member of everyone)
      expect(member.received.find((args) => args[0] === 'to-all')).toEqual(['to-all', { n: 1 }]);
    expect(everyone.map((member) => got(member, 'all-but'))).toEqual([true, true, false, false]);
  });

  it('sends to a user (every connection of it) and to one connection', async () => {
    await service.clients.user('alice').send('msg', 'to-alice');
    await service.clients.client(bob.id).send('msg', 'to-bob-connection');
    await service.clients.user('nobody').send('msg', 'to-nobody');
    await service.clients.client('no-such-connection').send('msg', 'to-nothing');
    await settle(everyone, 'mark-2');
    expect(everyone.map((member) => got(member, 'to-alice'))).toEqual([true, true, false, false]);
    expect(everyone.map((member) => got(member, 'to-bob-connection'))).toEqual([false, false, true, false]);
  });

  it('manages connection groups and sends to a group with exclusions', async () => {
    expect(await service.groups.addToGroup(bob.id, 'room')).toBe(true);
    expect(await service.groups.addToGroup(anonymous.id, 'room')).toBe(true);
    expect(await service.clientManager.groupExists('room')).toBe(true);
    expect(await service.clientManager.groupExists('empty-room')).toBe(false);
    await service.clients.group('room').send('msg', 'to-room');
    await service.clients.groupExcept('room', [bob.id]).send('msg', 'to-room-but-bob');
    await service.groups.removeFromGroup(anonymous.id, 'room');
    await service.clients.group('room').send('msg', 'to-room-after-leave');
    await service.groups.removeFromAllGroups(bob.id);
    await service.clients.group('room').send('msg', 'to-empty-room');
    await settle(everyone, 'mark-3');
    expect(everyone.map((member) => got(member, 'to-room'))).toEqual([false, false, true, true]);
    expect(everyone.map((member) => got(member, 'to-room-but-bob'))).toEqual([false, false, false, true]);
    expect(everyone.map((member) => got(member, 'to-room-after-leave'))).toEqual([false, false, true, false]);
    expect(everyone.map((member) => got(member, 'to-empty-room'))).toEqual([false, false, false, false]);
    expect(await service.clientManager.groupExists('room')).toBe(false);
  });

  it('adding a connection that does not exist is an answer, not a failure', async () => {
    expect(await service.groups.addToGroup('no-such-connection', 'room')).toBe(false);
    const raw = await rest(emulator, 'PUT', '/api/hubs/chat/groups/room/connections/no-such-connection');
    expect(raw.status).toBe(404);
    expect(raw.errorCode).toBe('Error.Connection.NotExisted');
  });

  it("manages user groups: the user's connections, now and later, are in the group", async () => {
    await service.userGroups.addToGroup('bob', 'vip');
    expect(await service.userGroups.isUserInGroup('bob', 'vip')).toBe(true);
    expect(await service.userGroups.isUserInGroup('alice', 'vip')).toBe(false);
    const bob2 = await join('WebSockets', 'json', 'bob');
    await service.clients.group('vip').send('msg', 'to-vip');
    await settle([...everyone, bob2], 'mark-4');
    expect([...everyone, bob2].map((member) => got(member, 'to-vip'))).toEqual([false, false, true, false, true]);
    await service.userGroups.removeFromGroup('bob', 'vip');
    expect(await service.userGroups.isUserInGroup('bob', 'vip')).toBe(false);
    await service.clients.group('vip').send('msg', 'to-vip-after');
    await settle([...everyone, bob2], 'mark-5');
    expect([...everyone, bob2].some((member) => got(member, 'to-vip-after'))).toBe(false);
    await bob2.client.stop();
  });

  it('forgets a user-group membership when its TTL passes', async () => {
    await service.userGroups.addToGroup('alice', 'short', { ttl: 1 });
    expect(await service.userGroups.isUserInGroup('alice', 'short')).toBe(true);
    await service.clients.group('short').send('msg', 'to-short');
    await settle(everyone, 'mark-6');
    expect(everyone.map((member) => got(member, 'to-short'))).toEqual([true, true, false, false]);
    await eventually(
      async () => !(await service.userGroups.isUserInGroup('alice', 'short')),
      'the membership expired',
      5000,
    );
    await service.clients.group('short').send('msg', 'to-short-expired');
    await settle(everyone, 'mark-7');
    expect(everyone.some((member) => got(member, 'to-short-expired'))).toBe(false);
  });

  it("with ttl=0 adds only the user's current connections", async () => {
    await service.userGroups.addToGroup('alice', 'now', { ttl: 0 });
    const alice3 = await join('WebSockets', 'json', 'alice');
    await service.clients.group('now').send('msg', 'to-now');
    await settle([...everyone, alice3], 'mark-8');
    expect([alice1, alice2, alice3].map((member) => got(member, 'to-now'))).toEqual([true, true, false]);
    await service.userGroups.removeFromAllGroups('alice');
    expect(await service.userGroups.isUserInGroup('alice', 'now')).toBe(false);
    await alice3.client.stop();
  });

  it('answers existence checks', async () => {
    expect(await service.clientManager.connectionExists(alice1.id)).toBe(true);
    expect(await service.clientManager.connectionExists('no-such-connection')).toBe(false);
    expect(await service.clientManager.userExists('alice')).toBe(true);
    expect(await service.clientManager.userExists('nobody')).toBe(false);
    const connection = await rest(emulator, 'HEAD', '/api/hubs/chat/connections/no-such-connection');
    expect([connection.status, connection.errorCode]).toEqual([404, 'Warning.Connection.NotExisted']);
    const user = await rest(emulator, 'HEAD', '/api/hubs/chat/users/nobody');
    expect([user.status, user.errorCode]).toEqual([404, 'Warning.User.NotExisted']);
    const group = await rest(emulator, 'HEAD', '/api/hubs/chat/groups/nothing');
    expect([group.status, group.errorCode]).toEqual([404, 'Warning.Group.NotExisted']);
    const inGroup = await rest(emulator, 'HEAD', '/api/hubs/chat/users/nobody/groups/nothing');
    expect([inGroup.status, inGroup.errorCode]).toEqual([404, 'Info.User.NotInGroup']);
  });

  it('keeps hubs apart', async () => {
    const other = new ServiceHubClient(endpointOf(emulator), 'other', { retry: false });
    await other.clients.all.send('msg', 'to-other-hub');
    expect(await other.clientManager.connectionExists(alice1.id)).toBe(false);
    await settle(everyone, 'mark-9');
    expect(everyone.some((member) => got(member, 'to-other-hub'))).toBe(false);
  });
});

describe('closing connections', () => {
  it('closes one connection with a reason the client sees', async () => {
    const member = await join('WebSockets', 'json', 'carol');
    const closing = closed(member.client);
    expect(await service.clientManager.closeConnection(member.id, 'bye now')).toBe(true);
    expect((await closing)?.message).toContain('bye now');
    await eventually(async () => !(await service.clientManager.connectionExists(member.id)), 'the connection is gone');
    const again = await rest(emulator, 'DELETE', `/api/hubs/chat/connections/${member.id}`);
    expect([again.status, again.errorCode]).toEqual([404, 'Warning.Connection.NotExisted']);
  });

  it("closes a user's, a group's and all connections, sparing the excluded ones", async () => {
    const carol1 = await join('WebSockets', 'messagepack', 'carol');
    const carol2 = await join('LongPolling', 'json', 'carol');
    const dave = await join('ServerSentEvents', 'json', 'dave');
    const erin = await join('WebSockets', 'json', 'erin');
    const carol1Closed = closed(carol1.client);
    await service.clientManager.closeUserConnections('carol', { excluded: [carol2.id], reason: 'user closed' });
    expect((await carol1Closed)?.message).toContain('user closed');
    expect(await service.clientManager.connectionExists(carol2.id)).toBe(true);

    await service.groups.addToGroup(dave.id, 'closing');
    await service.groups.addToGroup(erin.id, 'closing');
    const daveClosed = closed(dave.client);
    await service.clientManager.closeGroupConnections('closing', { excluded: [erin.id], reason: 'group closed' });
    expect((await daveClosed)?.message).toContain('group closed');
    expect(await service.clientManager.connectionExists(erin.id)).toBe(true);

    const carol2Closed = closed(carol2.client);
    const erinClosed = closed(erin.client);
    await service.clientManager.closeConnections({ reason: 'all closed' });
    expect((await carol2Closed)?.message).toContain('all closed');
    expect((await erinClosed)?.message).toContain('all closed');
    expect(emulator.connectionCounts()).toEqual({});
  });
});

describe('REST authorization and validation', () => {
  const path = '/api/hubs/chat/:send';
  const body = { target: 'msg', arguments: ['x'] };

  it("accepts the spec's routes under /api and /api/v1", async () => {
    expect((await rest(emulator, 'POST', path, { body })).status).toBe(202);
    expect((await rest(emulator, 'POST', '/api/v1/hubs/chat/:send', { body })).status).toBe(202);
    expect((await rest(emulator, 'POST', '/api/hubs/chat', { body })).status).toBe(202);
    expect((await rest(emulator, 'HEAD', '/api/health', { token: null })).status).toBe(200);
    expect((await rest(emulator, 'HEAD', '/api/v1/health', { token: null })).status).toBe(200);
  });

  it('refuses requests without a valid token with 401 and a reason', async () => {
    const url = `${emulator.url}${path}`;
    const missing = await rest(emulator, 'POST', path, { body, token: null });
    expect(missing.status).toBe(401);
    expect(missing.text).toContain('Bearer');
    const wrongKey = await rest(emulator, 'POST', path, {
      body,
      token: await restToken(url, { key: 'another-key-another-key-another-key-12345' }),
    });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.text).toContain('signature');
    const expired = await rest(emulator, 'POST', path, {
      body,
      token: await restToken(url, { lifetimeSeconds: -600 }),
    });
    expect(expired.status).toBe(401);
    expect(expired.text).toContain('expired');
    const otherAudience = await rest(emulator, 'POST', path, {
      body,
      token: await restToken(`${emulator.url}/api/hubs/other/:send`),
    });
    expect(otherAudience.status).toBe(401);
    expect(otherAudience.text).toContain('audience');
    const garbage = await rest(emulator, 'POST', path, { body, token: 'not-a-jwt' });
    expect(garbage.status).toBe(401);
    for (const answer of [missing, wrongKey, expired, otherAudience, garbage])
      expect(answer.text).not.toContain(EMULATOR_ACCESS_KEY);
  });

  it('accepts the audience with 127.0.0.1 or without a port, as the real service checks only its own host', async () => {
    const port = emulator.port;
    for (const audience of [`http://127.0.0.1:${port}${path}`, `http://localhost${path}`, `https://localhost${path}`]) {
      expect((await rest(emulator, 'POST', path, { body, token: await restToken(audience) })).status).toBe(202);
    }
    expect(
      (await rest(emulator, 'POST', path, { body, token: await restToken(`http://example.com${path}`) })).status,
    ).toBe(401);
  });

  it('refuses invalid input with a clear 4xx', async () => {
    const badHub = await rest(emulator, 'POST', '/api/hubs/1chat/:send', { body });
    expect(badHub.status).toBe(400);
    expect(badHub.text).toContain('hub name');
    const noTarget = await rest(emulator, 'POST', path, { body: { arguments: [] } });
    expect(noTarget.status).toBe(400);
    expect(noTarget.text).toContain('target');
    const notJson = await rest(emulator, 'POST', path, { body: '{"target":' });
    expect(notJson.status).toBe(400);
    const badArguments = await rest(emulator, 'POST', path, { body: { target: 'msg', arguments: 'x' } });
    expect(badArguments.status).toBe(400);
    const mediaType = await rest(emulator, 'POST', path, { body: 'x', contentType: 'text/plain' });
    expect(mediaType.status).toBe(415);
    const tooLarge = await rest(emulator, 'POST', path, {
      body: { target: 'msg', arguments: ['x'.repeat(1024 * 1024)] },
    });
    expect(tooLarge.status).toBe(413);
    const badTtl = await rest(emulator, 'PUT', '/api/hubs/chat/users/alice/groups/g', { query: '?ttl=-1' });
    expect(badTtl.status).toBe(400);
    expect(badTtl.text).toContain('ttl');
    const longGroup = await rest(emulator, 'PUT', `/api/hubs/chat/users/alice/groups/${'g'.repeat(1025)}`);
    expect(longGroup.status).toBe(400);
    const unknown = await rest(emulator, 'GET', '/api/hubs/chat/nothing/here');
    expect(unknown.status).toBe(404);
    const wrongMethod = await rest(emulator, 'GET', path);
    expect(wrongMethod.status).toBe(405);
  });

  it('answers CORS preflights with the origin and credentials', async () => {
    const response = await fetch(`${emulator.url}/client/negotiate?hub=chat`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:7071',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,x-requested-with',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:7071');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,x-requested-with');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });
});

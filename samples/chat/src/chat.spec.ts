import { parseConnectionString } from '@serverless-hub/core';
import { createHubTestBed } from '@serverless-hub/core/testing';
import type { HubTestBed } from '@serverless-hub/core/testing';
import { SignJWT, decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_SECRET_SETTING, Chat } from './chat.js';

const SECRET = 'chat-spec-secret-0123456789abcdef0123';

async function token(
  claims: Record<string, unknown>,
  options: { secret?: string; algorithm?: 'HS256' | 'HS384' } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** A client token as the service's negotiate signs it, with the connection string the test bed set. */
async function serviceToken(hub: string, expiresInSeconds: number): Promise<string> {
  const { auth } = parseConnectionString(process.env.AzureSignalRConnectionString ?? '');
  if (auth.type !== 'key') throw new Error('the test bed uses an access key');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'asrs.s.uid': 'alice', admin: 'true', aud: `http://localhost/client/?hub=${hub}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now - 3600)
    .setNotBefore(now - 3600)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(auth.accessKey));
}

describe('Chat hub', () => {
  let bed: HubTestBed;
  const previousSecret = process.env[AUTH_SECRET_SETTING];

  beforeEach(() => {
    process.env[AUTH_SECRET_SETTING] = SECRET;
    bed = createHubTestBed([Chat]);
  });

  afterEach(() => {
    bed.dispose();
    if (previousSecret === undefined) Reflect.deleteProperty(process.env, AUTH_SECRET_SETTING);
    else process.env[AUTH_SECRET_SETTING] = previousSecret;
  });

  describe('negotiate', () => {
    async function negotiatedClaims(
      headers: Record<string, string>,
      method: 'GET' | 'POST' = 'POST',
    ): Promise<Record<string, unknown>> {
      const answer = await bed.negotiate({ headers, method });
      expect(answer.status).toBe(200);
      const body = answer.json as { url: string; accessToken: string };
      expect(Object.keys(body).sort()).toEqual(['accessToken', 'url']);
      expect(body.url).toBe('http://localhost:8888/client/?hub=chat');
      return decodeJwt(body.accessToken);
    }

    it('takes the user id from x-ms-signalr-user-id, else x-ms-client-principal-id, else none', async () => {
      expect(
        (await negotiatedClaims({ 'x-ms-signalr-user-id': 'alice', 'x-ms-client-principal-id': 'aad-1' }))[
          'asrs.s.uid'
        ],
      ).toBe('alice');
      expect((await negotiatedClaims({ 'x-ms-client-principal-id': 'aad-1' }, 'GET'))['asrs.s.uid']).toBe('aad-1');
      expect(await negotiatedClaims({ 'x-ms-signalr-user-id': '  ' })).not.toHaveProperty('asrs.s.uid');
      expect(await negotiatedClaims({})).not.toHaveProperty('asrs.s.uid');
    });

    it('answers 400 to a user id longer than the service accepts', async () => {
      const answer = await bed.negotiate({ headers: { 'x-ms-signalr-user-id': 'u'.repeat(1025) } });
      expect(answer.status).toBe(400);
      expect(answer.text).toBe('The user id is 1025 characters long; at most 1024 are allowed.');
    });

    it('adds only the claims of a verified bearer token the chat uses (admin), as text', async () => {
      const bearer = await token({
        sub: 'alice',
        admin: true,
        roles: ['reader', 'writer'],
        level: 3,
        name: 'Mallory, admin: true',
      });
      const claims = await negotiatedClaims({ authorization: `Bearer ${bearer}`, 'x-ms-signalr-user-id': 'alice' });
      expect(claims).toMatchObject({ admin: 'true', 'asrs.s.uid': 'alice' });
      for (const type of ['sub', 'roles', 'level', 'name']) expect(claims).not.toHaveProperty(type);
      expect(claims).not.toHaveProperty('asrs.u.iat');
      expect(claims).not.toHaveProperty('asrs.u.exp');
    });

    it("recognises a reconnect: the service's own token carries the user id and claims over, never a 401", async () => {
      const bearer = await token({ sub: 'alice', admin: true });
      const first = await bed.negotiate({
        headers: { authorization: `Bearer ${bearer}`, 'x-ms-signalr-user-id': 'alice' },
      });
      const { accessToken } = first.json as { accessToken: string };
      // What @microsoft/signalr sends on its next negotiate when it was given no accessTokenFactory.
      const again = await negotiatedClaims({ authorization: `Bearer ${accessToken}` });
      expect(again).toMatchObject({ admin: 'true', 'asrs.s.uid': 'alice' });
      // A service token for another hub is not a reconnect: it is a bearer token that does not verify.
      const other = await bed.negotiate({ headers: { authorization: `Bearer ${await serviceToken('other', 600)}` } });
      expect(other.status).toBe(401);
      // An expired one carries nothing over, and does not refuse the client either.
      expect(
        await negotiatedClaims({ authorization: `Bearer ${await serviceToken('chat', -600)}` }),
      ).not.toHaveProperty('admin');
    });

    it('answers 401 to a token that does not verify as HS256 with CHAT_AUTH_SECRET, without repeating it', async () => {
      const tokens = [
        await token({ sub: 'x' }, { secret: 'some-other-secret-0123456789abcdef' }),
        await token({ sub: 'x' }, { algorithm: 'HS384' }),
        'garbage',
      ];
      for (const bad of tokens) {
        const answer = await bed.negotiate({ headers: { authorization: `Bearer ${bad}` } });
        expect(answer.status).toBe(401);
        expect(answer.text).toMatch(/bearer token is invalid/i);
        expect(answer.text).not.toContain(bad);
      }
    });

    it('fails with 500, naming the setting in the log, when a token comes and CHAT_AUTH_SECRET is not set', async () => {
      Reflect.deleteProperty(process.env, AUTH_SECRET_SETTING);
      const bearer = await token({ sub: 'x' });
      const answer = await bed.negotiate({ headers: { authorization: `Bearer ${bearer}` } });
      expect(answer.status).toBe(500);
      expect(answer.text).not.toContain(AUTH_SECRET_SETTING);
      expect(JSON.stringify(answer.logs)).toContain(AUTH_SECRET_SETTING);
      // Without a token, negotiate does not need the secret.
      expect((await bed.negotiate()).status).toBe(200);
    });
  });

  describe('events', () => {
    it('announces connections and disconnections to everyone', async () => {
      expect((await bed.connect({ connectionId: 'c1' })).status).toBe(200);
      expect((await bed.disconnect({ connectionId: 'c1', error: 'gone' })).status).toBe(200);
      expect(bed.services().messages).toEqual([
        { to: { kind: 'all' }, target: 'newConnection', arguments: [{ connectionId: 'c1' }] },
        { to: { kind: 'all' }, target: 'connectionClosed', arguments: [{ connectionId: 'c1' }] },
      ]);
    });

    it('broadcast sends from the user id, else from the connection id', async () => {
      await bed.invoke('broadcast', ['hi'], { userId: 'alice', connectionId: 'c1' });
      await bed.send('broadcast', ['hello'], { connectionId: 'c2' });
      expect(bed.services().messages).toEqual([
        { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'alice', text: 'hi' }] },
        { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'c2', text: 'hello' }] },
      ]);
    });

    it('sends to a user, a connection and a group, saying where it went', async () => {
      await bed.invoke('sendToUser', ['bob', 'psst'], { userId: 'alice' });
      await bed.invoke('sendToConnection', ['c9', 'hey'], { connectionId: 'c1' });
      await bed.invoke('sendToGroup', ['room', 'all of you'], { userId: 'alice' });
      expect(bed.services().messages).toEqual([
        {
          to: { kind: 'user', userId: 'bob' },
          target: 'newMessage',
          arguments: [{ from: 'alice', text: 'psst', to: 'bob' }],
        },
        {
          to: { kind: 'client', connectionId: 'c9' },
          target: 'newMessage',
          arguments: [{ from: 'c1', text: 'hey', to: 'c9' }],
        },
        {
          to: { kind: 'group', group: 'room' },
          target: 'newMessage',
          arguments: [{ from: 'alice', text: 'all of you', group: 'room' }],
        },
      ]);
    });

    it('answers whether anyone received a send, and sends nothing to nobody', async () => {
      const delivered = { delivered: true };
      expect((await bed.invoke('sendToUser', ['bob', 'psst'], { userId: 'alice' })).completion?.result).toEqual(
        delivered,
      );
      bed.services().answers.userExists = false;
      bed.services().answers.connectionExists = false;
      bed.services().answers.groupExists = false;
      const nobody = { delivered: false };
      expect((await bed.invoke('sendToUser', ['carol', 'psst'], { userId: 'alice' })).completion?.result).toEqual(
        nobody,
      );
      expect(
        (await bed.invoke('sendToConnection', ['c404', 'hey'], { connectionId: 'c1' })).completion?.result,
      ).toEqual(nobody);
      expect((await bed.invoke('sendToGroup', ['empty', 'anyone?'], { userId: 'alice' })).completion?.result).toEqual(
        nobody,
      );
      expect(bed.services().messages).toHaveLength(1);
    });

    it('joins and leaves groups with the calling connection', async () => {
      await bed.invoke('joinGroup', ['room'], { connectionId: 'c1' });
      await bed.invoke('leaveGroup', ['room'], { connectionId: 'c1' });
      expect(bed.services().calls).toEqual([
        { api: 'groups', method: 'addToGroup', args: ['c1', 'room'] },
        { api: 'groups', method: 'removeFromGroup', args: ['c1', 'room'] },
      ]);
    });

    it('askTime invokes localTime on the other client and answers with its result', async () => {
      bed.services().answers.clientResult = (connectionId, target) => `${target} of ${connectionId}: 12:00`;
      expect((await bed.invoke('askTime', ['c2'], { connectionId: 'c1' })).completion?.result).toBe(
        'localTime of c2: 12:00',
      );
      expect(bed.services().calls).toEqual([{ api: 'clients', method: 'invoke', args: ['c2', 'localTime'] }]);
    });

    it('askTime refuses an answer that is not text', async () => {
      bed.services().answers.clientResult = () => 42;
      expect((await bed.invoke('askTime', ['c2'])).completion?.error).toBe(
        'c2 answered localTime with something other than text.',
      );
    });

    it('groupMembers lists the connection ids of a group', async () => {
      bed.services().answers.groupMembers = (group) =>
        group === 'room' ? [{ connectionId: 'c1', userId: 'alice' }, { connectionId: 'c2' }] : [];
      expect((await bed.invoke('groupMembers', ['room'])).completion?.result).toEqual(['c1', 'c2']);
      expect((await bed.invoke('groupMembers', ['empty'])).completion?.result).toEqual([]);
    });

    it('echo returns its argument in both protocols', async () => {
      const value = { nested: [1, 'two', null, { three: true }] };
      expect((await bed.invoke('echo', [value])).completion?.result).toEqual(value);
      expect((await bed.invoke('echo', [value], { protocol: 'messagepack' })).completion?.result).toEqual(value);
    });

    it('whoami answers connection id, user id (null when anonymous) and claims', async () => {
      const named = await bed.invoke('whoami', [], {
        connectionId: 'c1',
        userId: 'alice',
        claims: { admin: 'true', role: ['a', 'b'] },
      });
      expect(named.completion?.result).toEqual({
        connectionId: 'c1',
        userId: 'alice',
        claims: { admin: 'true', role: 'a' },
      });
      const anonymous = await bed.invoke('whoami', [], { connectionId: 'c2' });
      expect(anonymous.completion?.result).toEqual({ connectionId: 'c2', userId: null, claims: {} });
    });

    it('adminBroadcast runs for admin = true claims only; others get 403 and nothing is sent', async () => {
      expect((await bed.invoke('adminBroadcast', ['ok'], { userId: 'alice', claims: { admin: 'true' } })).status).toBe(
        200,
      );
      expect(
        (await bed.invoke('adminBroadcast', ['ok too'], { userId: 'carol', claims: { admin: 'True' } })).status,
      ).toBe(200);
      for (const claims of [{}, { admin: 'false' }, { admin: 'yes' }, { role: 'admin' }]) {
        expect((await bed.invoke('adminBroadcast', ['no'], { userId: 'bob', claims })).status).toBe(403);
      }
      expect(bed.services().messages).toEqual([
        { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'alice', text: 'ok', admin: true }] },
        { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'carol', text: 'ok too', admin: true }] },
      ]);
    });

    it('fails invocations with bad arguments with a message naming the argument, and sends nothing', async () => {
      const cases: [string, unknown[], RegExp][] = [
        [
          'broadcast',
          [42],
          /^Invalid arguments for 'broadcast': parameter 'text' \(argument 1\): must be a string, not 42\.$/,
        ],
        ['broadcast', ['x'.repeat(4001)], /parameter 'text' \(argument 1\): is 4001 characters long/],
        [
          'sendToUser',
          [null, 'hi'],
          /^Invalid arguments for 'sendToUser': parameter 'userId' \(argument 1\): must be a string, not null\.$/,
        ],
        ['sendToConnection', ['', 'hi'], /parameter 'connectionId' \(argument 1\): must not be empty/],
        ['joinGroup', [['room']], /parameter 'group' \(argument 1\): must be a string, not Array/],
        ['sendToGroup', ['a\nb', 'hi'], /parameter 'group' \(argument 1\): must not contain a line break/],
        ['sendToGroup', ['room', 7], /parameter 'text' \(argument 2\): must be a string, not 7/],
      ];
      for (const [event, args, message] of cases) {
        const answer = await bed.invoke(event, args, { userId: 'alice' });
        expect(answer.completion?.error, event).toMatch(message);
      }
      expect(bed.services().messages).toEqual([]);
      expect(bed.services().calls).toEqual([]);
    });
  });
});

// Recognising a reconnect: @microsoft/signalr re-sends the service's client token as
// `Authorization: Bearer` on its next negotiate when the app gave it no accessTokenFactory
// (dotnet/aspnetcore src/SignalR/clients/ts/signalr/src/AccessTokenHttpClient.ts keeps `_accessToken`;
// HttpConnection.ts `_startInternal` resets the factory, not the token).
import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import { signAccessToken } from '../token/sign-access-token.js';
import { negotiate } from './negotiate.js';
import { reconnectionOf, takeReconnection, tokenEndpoints } from './reconnection.js';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const OTHER_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210ZYXWVUTS';
const ENDPOINT = parseConnectionString(`Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`);
const OTHER = parseConnectionString(`Endpoint=http://localhost;Port=8888;AccessKey=${OTHER_KEY};Version=1.0;`);

describe('reconnectionOf', () => {
  it("recognises the hub's own token and carries its user id and custom claims, not the token's own claims", async () => {
    const { accessToken } = await negotiate(ENDPOINT, 'chat', {
      userId: 'alice',
      claims: { role: ['a', 'b'], name: 'Alice', aud: 'x' },
    });
    const reconnection = await reconnectionOf(`Bearer ${accessToken}`, 'chat', [ENDPOINT]);
    expect(reconnection).toEqual({
      expired: false,
      userId: 'alice',
      claims: { role: ['a', 'b'], name: 'Alice', 'asrs.u.aud': 'x' },
    });
    // The carried claims negotiate again to the same token claims.
    const again = await negotiate(ENDPOINT, 'chat', {
      userId: reconnection?.userId ?? '',
      claims: reconnection?.claims ?? {},
    });
    expect(await reconnectionOf(`bearer ${again.accessToken}`, 'Chat', [ENDPOINT])).toEqual(reconnection);
  });

  it('recognises a token signed with any of the given endpoints, e.g. a named endpoint', async () => {
    const { accessToken } = await negotiate(OTHER, 'chat', { userId: 'bob' });
    expect(await reconnectionOf(`Bearer ${accessToken}`, 'chat', [ENDPOINT, OTHER])).toMatchObject({
      expired: false,
      userId: 'bob',
    });
    expect(await reconnectionOf(`Bearer ${accessToken}`, 'chat', () => [ENDPOINT, OTHER])).toMatchObject({
      userId: 'bob',
    });
  });

  it('says an expired token is a reconnect that carries nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signAccessToken({
      audience: 'http://localhost/client/?hub=chat',
      key: KEY,
      lifetimeSeconds: 60,
      now: now - 3600,
      claims: { 'asrs.s.uid': 'alice', admin: 'true' },
    });
    expect(await reconnectionOf(`Bearer ${expired}`, 'chat', [ENDPOINT])).toEqual({
      expired: true,
      userId: undefined,
      claims: {},
    });
  });

  it('does not recognise a token of another hub, another key, a forged or a foreign one', async () => {
    const ofOtherHub = await negotiate(ENDPOINT, 'other', { userId: 'alice' });
    expect(await reconnectionOf(`Bearer ${ofOtherHub.accessToken}`, 'chat', [ENDPOINT])).toBeUndefined();
    const otherKey = await negotiate(OTHER, 'chat', { userId: 'alice' });
    expect(await reconnectionOf(`Bearer ${otherKey.accessToken}`, 'chat', [ENDPOINT])).toBeUndefined();
    // An expired token with a bad signature is a forgery, not an expired reconnect.
    const expiredForgery = await signAccessToken({
      audience: 'http://localhost/client/?hub=chat',
      key: OTHER_KEY,
      lifetimeSeconds: 60,
      now: 1_000_000,
    });
    expect(await reconnectionOf(`Bearer ${expiredForgery}`, 'chat', [ENDPOINT])).toBeUndefined();
    const [header, payload] = (await negotiate(ENDPOINT, 'chat', { userId: 'alice' })).accessToken.split('.');
    const tampered = `${header ?? ''}.${Buffer.from(JSON.stringify({ aud: 'http://localhost/client/?hub=chat', 'asrs.s.uid': 'admin', exp: 9_999_999_999 })).toString('base64url')}.${payload ?? ''}`;
    expect(await reconnectionOf(`Bearer ${tampered}`, 'chat', [ENDPOINT])).toBeUndefined();
    for (const value of [
      undefined,
      null,
      '',
      'Bearer',
      'Basic abc',
      'Bearer not.a.jwt',
      `Bearer ${'a'.repeat(10_000)}`,
    ]) {
      expect(await reconnectionOf(value, 'chat', [ENDPOINT])).toBeUndefined();
    }
    expect(
      await reconnectionOf(`Bearer ${ofOtherHub.accessToken}`, 'chat', () => {
        throw new Error('no endpoints configured');
      }),
    ).toBeUndefined();
  });
});

describe('takeReconnection', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("takes the service's token off the request, and leaves the app's own token alone", async () => {
    process.env.ReconnectionSpecConnection = `Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`;
    const { accessToken } = await negotiate(ENDPOINT, 'chat', { userId: 'alice' });
    const headers = new Headers({ authorization: `Bearer ${accessToken}`, 'x-other': '1' });
    expect(await takeReconnection({ headers }, 'chat', 'ReconnectionSpecConnection')).toMatchObject({
      userId: 'alice',
    });
    expect(headers.get('authorization')).toBeNull();
    expect(headers.get('x-other')).toBe('1');

    const appToken = new Headers({ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln' });
    expect(await takeReconnection({ headers: appToken }, 'chat', 'ReconnectionSpecConnection')).toBeUndefined();
    expect(appToken.get('authorization')).not.toBeNull();
  });

  it('accepts the keys of named endpoints besides the connection string', () => {
    process.env.ReconnectionSpecConnection = `Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`;
    process.env.Azure__SignalR__Endpoints__west = `Endpoint=http://localhost;Port=8888;AccessKey=${OTHER_KEY};Version=1.0;`;
    expect(
      tokenEndpoints('ReconnectionSpecConnection').map(({ auth }) =>
        auth.type === 'key' ? auth.accessKey : auth.type,
      ),
    ).toEqual([KEY, OTHER_KEY]);
  });
});

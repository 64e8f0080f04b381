// Negotiate recognises a reconnecting client: the service's own client token, re-sent by @microsoft/signalr
// as `Authorization: Bearer` when it was given no accessTokenFactory (dotnet/aspnetcore
// src/SignalR/clients/ts/signalr/src/HttpConnection.ts `_startInternal`, AccessTokenHttpClient.ts), is taken off
// the request; the @Negotiate() method sees `this.reconnection`; the new token carries the previous identity.
import type { HttpRequest } from '@azure/functions';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { Hub, Negotiate, ServerlessHub, createClaimsVerifier } from '@serverless-hub/core';
import type { Reconnection } from '@serverless-hub/core';
import { createHubTestBed } from '@serverless-hub/core/testing';
import type { HubTestBed } from '@serverless-hub/core/testing';
import { signAccessToken } from '../packages/core/src/token/sign-access-token.js';

const SECRET = 'app-secret-0123456789abcdef0123456789';
const bearer = createClaimsVerifier({ secret: SECRET });
const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';

interface Seen {
  reconnection: Reconnection | undefined;
  authorization: string | null;
  claims?: Record<string, unknown>;
}
const seen: Seen[] = [];

@Hub('secure')
class Secure extends ServerlessHub {
  @Negotiate()
  async connect(request: HttpRequest) {
    const authorization = request.headers.get('authorization');
    const record: Seen = { reconnection: this.reconnection, authorization };
    seen.push(record);
    // An app that requires its own token on every negotiate: the reconnect must not fail here.
    const claims = await this.getClaims(request, bearer);
    record.claims = claims;
    const carryOver = request.headers.get('x-carry-over') !== 'false';
    return this.negotiate({
      userId: request.headers.get('x-user') ?? 'from-header',
      claims: { admin: String(claims.admin === true) },
      carryOver,
    });
  }
}

@Hub({ name: 'open', negotiate: { userId: '{headers.x-user}' } })
class Open extends ServerlessHub {}

async function appToken(claims: Record<string, unknown>): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
}

function tokenOf(answer: { status: number; json: unknown }): Record<string, unknown> {
  expect(answer.status).toBe(200);
  return decodeJwt((answer.json as { accessToken: string }).accessToken);
}

describe('negotiate on a reconnect', () => {
  let bed: HubTestBed | undefined;
  afterEach(() => {
    bed?.dispose();
    seen.length = 0;
  });

  it('takes the service token off, tells the method, and carries the previous user id and claims over', async () => {
    bed = createHubTestBed([Secure, Open], {
      connectionString: `Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`,
    });
    const first = await bed.negotiate({
      hub: 'secure',
      headers: { authorization: `Bearer ${await appToken({ admin: true })}`, 'x-user': 'alice' },
    });
    const firstToken = tokenOf(first);
    expect(firstToken).toMatchObject({ 'asrs.s.uid': 'alice', admin: 'true' });
    expect(seen[0]?.reconnection).toBeUndefined();

    const serviceToken = (first.json as { accessToken: string }).accessToken;
    const again = await bed.negotiate({ hub: 'secure', headers: { authorization: `Bearer ${serviceToken}` } });
    // The method computed admin "false" and user "from-header" from a request without a token: the previous identity wins.
    expect(tokenOf(again)).toMatchObject({ 'asrs.s.uid': 'alice', admin: 'true' });
    expect(seen[1]).toEqual({
      reconnection: { expired: false, userId: 'alice', claims: { admin: 'true' } },
      authorization: null,
      claims: { admin: 'true' },
    });

    const replaced = await bed.negotiate({
      hub: 'secure',
      headers: { authorization: `Bearer ${serviceToken}`, 'x-carry-over': 'false', 'x-user': 'bob' },
    });
    expect(tokenOf(replaced)).toMatchObject({ 'asrs.s.uid': 'bob', admin: 'false' });
  });

  it('negotiates an expired service token as a request without a token, and refuses one of another hub or key', async () => {
    bed = createHubTestBed([Secure, Open], {
      connectionString: `Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`,
    });
    const expired = await signAccessToken({
      audience: 'http://localhost/client/?hub=secure',
      key: KEY,
      lifetimeSeconds: 60,
      now: Math.floor(Date.now() / 1000) - 600,
      claims: { 'asrs.s.uid': 'alice', admin: 'true' },
    });
    // This app requires its own token, so "no token" is its usual 401; the expired token is not the reason.
    const answer = await bed.negotiate({ hub: 'secure', headers: { authorization: `Bearer ${expired}` } });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('No bearer token');
    expect(seen[0]).toMatchObject({
      reconnection: { expired: true, userId: undefined, claims: {} },
      authorization: null,
    });

    const ofOpen = await signAccessToken({
      audience: 'http://localhost/client/?hub=open',
      key: KEY,
      lifetimeSeconds: 600,
      claims: { 'asrs.s.uid': 'alice', admin: 'true' },
    });
    const otherHub = await bed.negotiate({ hub: 'secure', headers: { authorization: `Bearer ${ofOpen}` } });
    expect(otherHub.status).toBe(401);
    expect(otherHub.text).toContain('signature does not verify');
    const otherKey = await signAccessToken({
      audience: 'http://localhost/client/?hub=secure',
      key: 'another-key-another-key-another-key-0000',
      lifetimeSeconds: 600,
      claims: { 'asrs.s.uid': 'alice' },
    });
    expect((await bed.negotiate({ hub: 'secure', headers: { authorization: `Bearer ${otherKey}` } })).status).toBe(401);
    expect(seen.slice(1).map((record) => record.reconnection)).toEqual([undefined, undefined]);
  });

  it('the default negotiate carries the previous identity over, and an expired token negotiates anonymously', async () => {
    bed = createHubTestBed([Secure, Open], {
      connectionString: `Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`,
    });
    const first = await bed.negotiate({ hub: 'open', headers: { 'x-user': 'carol' } });
    expect(tokenOf(first)['asrs.s.uid']).toBe('carol');
    const serviceToken = (first.json as { accessToken: string }).accessToken;
    expect(
      tokenOf(await bed.negotiate({ hub: 'open', headers: { authorization: `Bearer ${serviceToken}` } }))['asrs.s.uid'],
    ).toBe('carol');
    const expired = await signAccessToken({
      audience: 'http://localhost/client/?hub=open',
      key: KEY,
      lifetimeSeconds: 60,
      now: 1_000_000,
      claims: { 'asrs.s.uid': 'carol' },
    });
    expect(
      tokenOf(await bed.negotiate({ hub: 'open', headers: { authorization: `Bearer ${expired}` } })),
    ).not.toHaveProperty('asrs.s.uid');
  });
});

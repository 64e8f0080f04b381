import { HttpRequest } from '@azure/functions';
import { jwtVerify, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { createClaimsVerifier } from '../auth/claims-verifier.js';
import { createSignalRConnectionInfo } from './connection-info.js';
import type { ConnectionInfoOptions } from './connection-info.js';
import type { ConnectionInfo } from './negotiate.js';
import { rejectionOf } from '../__fixtures__/rejection-of.js';

const KEY = 'connection-info-spec-key-0123456789';
const SETTING = `ConnectionInfoSpec_${String(process.pid)}`;
const AUDIENCE = 'https://contoso.service.signalr.net/client/?hub=chat';
const ID_TOKEN_SECRET = 'id-token-signing-secret-0123456789';

const ownsDefaultSetting = process.env.AzureSignalRConnectionString === undefined;

beforeAll(() => {
  if (ownsDefaultSetting)
    process.env.AzureSignalRConnectionString = `Endpoint=https://default.service.signalr.net;AccessKey=${KEY};Version=1.0;`;
});

beforeEach(() => {
  process.env[SETTING] = `Endpoint=https://contoso.service.signalr.net;AccessKey=${KEY};Version=1.0;`;
});

afterAll(() => {
  Reflect.deleteProperty(process.env, SETTING);
  if (ownsDefaultSetting) Reflect.deleteProperty(process.env, 'AzureSignalRConnectionString');
});

function request(headers: Record<string, string> = {}, query = ''): HttpRequest {
  return new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/negotiate${query}`, headers });
}

async function payloadOf(accessToken: string, audience = AUDIENCE): Promise<JWTPayload> {
  return (await jwtVerify(accessToken, new TextEncoder().encode(KEY), { algorithms: ['HS256'], audience })).payload;
}

async function idToken(claims: JWTPayload, secret = ID_TOKEN_SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

/** The negotiate of options compiled for this one request; an option error rejects. */
async function negotiateFromRequest(request: HttpRequest, options: ConnectionInfoOptions): Promise<ConnectionInfo> {
  return createSignalRConnectionInfo(options).negotiate(request);
}

function creationError(options: unknown): ServerlessHubError {
  try {
    createSignalRConnectionInfo(options as ConnectionInfoOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    return error as ServerlessHubError;
  }
  throw new Error('expected createSignalRConnectionInfo to throw');
}

describe('SignalRConnectionInfo.negotiate', () => {
  it('reads the user id from a header binding expression and the endpoint from the named setting', async () => {
    const chat = createSignalRConnectionInfo({
      hubName: 'Chat',
      connectionStringSetting: SETTING,
      userId: '{headers.x-ms-client-principal-id}',
    });
    const info = await chat.negotiate(request({ 'X-MS-Client-Principal-Id': 'alice' }));
    expect(Object.keys(info)).toEqual(['url', 'accessToken']);
    expect(info.url).toBe('https://contoso.service.signalr.net/client/?hub=chat');
    const payload = await payloadOf(info.accessToken);
    expect(payload['asrs.s.uid']).toBe('alice');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('reads the user id from the query, takes literals, and is anonymous when the value is absent', async () => {
    const byQuery = { hubName: 'chat', connectionStringSetting: SETTING, userId: '{query.user}' } as const;
    expect(
      (await payloadOf((await negotiateFromRequest(request({}, '?user=bob'), byQuery)).accessToken))['asrs.s.uid'],
    ).toBe('bob');
    const anonymous = await payloadOf((await negotiateFromRequest(request(), byQuery)).accessToken);
    expect(anonymous['asrs.s.uid']).toBeUndefined();
    const literal = { hubName: 'chat', connectionStringSetting: SETTING, userId: 'service-user' };
    expect((await payloadOf((await negotiateFromRequest(request(), literal)).accessToken))['asrs.s.uid']).toBe(
      'service-user',
    );
  });

  it('uses AzureSignalRConnectionString by default and applies the lifetime', async () => {
    const info = await negotiateFromRequest(request(), { hubName: 'chat', lifetime: 120 });
    const host = new URL(info.url).host;
    const payload = await payloadOf(info.accessToken, `https://${host}/client/?hub=chat`);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(120);
  });

  it('adds the idToken claims named in claimTypeList, like the official extension', async () => {
    const token = await idToken({
      sub: 'sub-1',
      name: 'Alice',
      roles: ['admin', 'reader'],
      age: 42,
      verified: true,
      address: { city: 'Paris' },
      nonce: 'n-1',
      aud: 'client-app',
      secretish: 'not copied',
    });
    const options: ConnectionInfoOptions = {
      hubName: 'chat',
      connectionStringSetting: SETTING,
      userId: '{headers.x-ms-client-principal-id}',
      idToken: '{headers.x-ms-token-aad-id-token}',
      claimTypeList: ['name', 'roles', 'age', 'verified', 'address', 'nonce', 'aud', 'missing'],
    };
    const info = await negotiateFromRequest(
      request({ 'x-ms-client-principal-id': 'alice', 'x-ms-token-aad-id-token': token }),
      options,
    );
    const payload = await payloadOf(info.accessToken);
    expect(payload['asrs.s.uid']).toBe('alice');
    expect(payload.name).toBe('Alice');
    expect(payload.roles).toEqual(['admin', 'reader']);
    expect(payload.age).toBe('42');
    expect(payload.verified).toBe('true');
    expect(payload.address).toBe('{"city":"Paris"}');
    expect(payload['asrs.u.nonce']).toBe('n-1');
    expect(payload['asrs.u.aud']).toBe('client-app');
    expect(payload.aud).toBe(AUDIENCE);
    expect(payload.sub).toBeUndefined();
    expect(payload.secretish).toBeUndefined();
    expect(payload.missing).toBeUndefined();
  });

  it('accepts an idToken with a "Bearer " prefix and skips idToken claims when the header is absent', async () => {
    const options: ConnectionInfoOptions = {
      hubName: 'chat',
      connectionStringSetting: SETTING,
      idToken: '{headers.authorization}',
      claimTypeList: ['name'],
    };
    const withToken = await negotiateFromRequest(
      request({ authorization: `Bearer ${await idToken({ name: 'Zoe' })}` }),
      options,
    );
    expect((await payloadOf(withToken.accessToken)).name).toBe('Zoe');
    const without = await payloadOf((await negotiateFromRequest(request(), options)).accessToken);
    expect(without.name).toBeUndefined();
  });

  it('reports a malformed idToken as TOKEN_INVALID', async () => {
    const options: ConnectionInfoOptions = {
      hubName: 'chat',
      connectionStringSetting: SETTING,
      idToken: '{headers.x-id}',
      claimTypeList: ['name'],
    };
    const error = await rejectionOf(negotiateFromRequest(request({ 'x-id': 'not.a.jwt' }), options));
    expect(error.code).toBe('TOKEN_INVALID');
  });

  it('verifies the idToken when verifyIdToken is given', async () => {
    const options: ConnectionInfoOptions = {
      hubName: 'chat',
      connectionStringSetting: SETTING,
      idToken: '{headers.x-id}',
      claimTypeList: ['name'],
      verifyIdToken: createClaimsVerifier({ secret: ID_TOKEN_SECRET }),
    };
    const good = await negotiateFromRequest(request({ 'x-id': await idToken({ name: 'Verified' }) }), options);
    expect((await payloadOf(good.accessToken)).name).toBe('Verified');
    const forged = await rejectionOf(
      negotiateFromRequest(
        request({ 'x-id': await idToken({ name: 'Mallory' }, 'attacker-secret-0123456789') }),
        options,
      ),
    );
    expect(forged.code).toBe('TOKEN_INVALID');
    expect(forged.details).toEqual({ reason: 'signature' });
  });

  it('evaluates the binding expressions compiled once against each request', async () => {
    const chat = createSignalRConnectionInfo({
      hubName: 'chat',
      connectionStringSetting: SETTING,
      userId: '{headers.x-user}',
    });
    const first = await chat.negotiate(request({ 'x-user': 'one' }));
    const second = await chat.negotiate(request({ 'x-user': 'two' }));
    expect((await payloadOf(first.accessToken))['asrs.s.uid']).toBe('one');
    expect((await payloadOf(second.accessToken))['asrs.s.uid']).toBe('two');
  });

  it('reports a missing or invalid connection setting', async () => {
    const missing = await rejectionOf(
      negotiateFromRequest(request(), { hubName: 'chat', connectionStringSetting: `${SETTING}_absent` }),
    );
    expect(missing.code).toBe('SETTING_MISSING');
    expect(missing.message).toContain(`${SETTING}_absent`);
    process.env[SETTING] = 'Endpoint=https://contoso.service.signalr.net';
    const invalid = await rejectionOf(
      negotiateFromRequest(request(), { hubName: 'chat', connectionStringSetting: SETTING }),
    );
    expect(invalid.code).toBe('CONNECTION_STRING_INVALID');
  });
});

describe('createSignalRConnectionInfo option checks', () => {
  it.each([
    [null, 'pass an object'],
    [{}, 'Hub name'],
    [{ hubName: 'bad-hub' }, 'Hub name'],
    [{ hubName: 'chat', connectionStringSetting: '' }, 'connectionStringSetting'],
    [{ hubName: 'chat', userId: '' }, 'userId'],
    [{ hubName: 'chat', userId: 5 }, 'userId'],
    [{ hubName: 'chat', userId: '{headers.x' }, 'userId'],
    [{ hubName: 'chat', userId: '{cookies.session}' }, 'not supported'],
    [{ hubName: 'chat', idToken: '{query.t}' }, 'idToken needs claimTypeList'],
    [{ hubName: 'chat', claimTypeList: ['name'] }, 'set idToken too'],
    [{ hubName: 'chat', idToken: '{query.t}', claimTypeList: 'name' }, 'claimTypeList'],
    [{ hubName: 'chat', idToken: '{query.t}', claimTypeList: ['asrs.s.uid'] }, 'reserved'],
    [{ hubName: 'chat', idToken: '{query.t', claimTypeList: ['name'] }, 'idToken'],
    [{ hubName: 'chat', lifetime: 10 }, 'lifetime'],
    [{ hubName: 'chat', verifyIdToken: createClaimsVerifier({ secret: 's' }) }, 'verifyIdToken needs idToken'],
    [
      { hubName: 'chat', idToken: '{query.t}', claimTypeList: ['n'], verifyIdToken: { secret: 's' } },
      'createClaimsVerifier',
    ],
    [{ hubName: 'chat', userID: '{query.user}' }, 'unknown option "userID"'],
    [{ hubName: 'chat', enableDetailedErrors: 'yes' }, 'enableDetailedErrors'],
  ])('refuses %j', (options, fragment) => {
    const error = creationError(options);
    expect(error.code).toBe('NEGOTIATE_OPTIONS_INVALID');
    expect(error.message).toContain(fragment);
  });

  it('exposes the hub and setting it negotiates for', () => {
    const chat = createSignalRConnectionInfo({ hubName: 'Chat' });
    expect(chat.hubName).toBe('Chat');
    expect(chat.connectionStringSetting).toBe('AzureSignalRConnectionString');
  });
});

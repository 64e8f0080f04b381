import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import { setCredential } from '../connection/identity-credential.js';
import { negotiate } from './negotiate.js';
import { rejectionOf } from '../__fixtures__/rejection-of.js';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const EMULATOR = parseConnectionString(`Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`);
const CLOUD = parseConnectionString(`Endpoint=https://contoso.service.signalr.net;AccessKey=${KEY};Version=1.0;`);
const keyBytes = new TextEncoder().encode(KEY);

async function verified(token: string, audience: string, key: Uint8Array = keyBytes): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: ['HS256'], audience });
  expect(protectedHeader.typ).toBe('JWT');
  return payload;
}

describe('negotiate', () => {
  it('returns exactly { url, accessToken } with the client URL from Endpoint with Port and the lowercased hub', async () => {
    const info = await negotiate(EMULATOR, 'Chat');
    expect(Object.keys(info)).toEqual(['url', 'accessToken']);
    expect(info.url).toBe('http://localhost:8888/client/?hub=chat');
    expect(JSON.parse(JSON.stringify(info))).toEqual({ url: info.url, accessToken: info.accessToken });
  });

  it('signs an HS256 JWT whose audience has no port, with nbf = iat = now, exp = now + 1 h, no iss and no user', async () => {
    const before = Math.floor(Date.now() / 1000);
    const info = await negotiate(EMULATOR, 'Chat');
    const after = Math.floor(Date.now() / 1000);
    expect(decodeProtectedHeader(info.accessToken)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = await verified(info.accessToken, 'http://localhost/client/?hub=chat');
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'nbf']);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(after);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp).toBe((payload.iat ?? 0) + 3600);
  });

  it('puts ClientEndpoint in the URL but keeps the Endpoint host in the audience', async () => {
    const endpoint = parseConnectionString(
      `Endpoint=https://contoso.service.signalr.net:4443/base;AccessKey=${KEY};ClientEndpoint=https://edge.contoso.com/signalr/`,
    );
    const info = await negotiate(endpoint, 'Game_1');
    expect(info.url).toBe('https://edge.contoso.com/signalr/client/?hub=game_1');
    await verified(info.accessToken, 'https://contoso.service.signalr.net/client/?hub=game_1');
  });

  it('carries the user id in asrs.s.uid and custom claims from a record', async () => {
    const info = await negotiate(CLOUD, 'chat', {
      userId: 'alice',
      claims: { role: ['admin', 'editor'], tenant: 'contoso', single: ['one'] },
    });
    const payload = await verified(info.accessToken, 'https://contoso.service.signalr.net/client/?hub=chat');
    expect(payload['asrs.s.uid']).toBe('alice');
    expect(payload.role).toEqual(['admin', 'editor']);
    expect(payload.tenant).toBe('contoso');
    expect(payload.single).toBe('one');
  });

  it('groups repeated types of a claim list into arrays and renames reserved types asrs.u.*', async () => {
    const reserved = ['aud', 'exp', 'iat', 'nbf', 'iss', 'actort', 'acr', 'azp', 'c_hash', 'jti', 'nonce'];
    const info = await negotiate(CLOUD, 'chat', {
      claims: [
        { type: 'role', value: 'a' },
        { type: 'role', value: 'b' },
        { type: 'role', value: 'c' },
        ...reserved.map((type) => ({ type, value: `custom-${type}` })),
        { type: 'nonce', value: 'second-nonce' },
        { type: '__proto__', value: 'still a claim' },
      ],
    });
    const payload = await verified(info.accessToken, 'https://contoso.service.signalr.net/client/?hub=chat');
    expect(payload.role).toEqual(['a', 'b', 'c']);
    for (const type of reserved.filter((t) => t !== 'nonce')) expect(payload[`asrs.u.${type}`]).toBe(`custom-${type}`);
    expect(payload['asrs.u.nonce']).toEqual(['custom-nonce', 'second-nonce']);
    expect(payload.aud).toBe('https://contoso.service.signalr.net/client/?hub=chat');
    expect(payload.iss).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value).toBe('still a claim');
  });

  it('leaves out a claim type given with no values', async () => {
    const info = await negotiate(CLOUD, 'chat', { claims: { role: [], tenant: 't' } });
    const payload = await verified(info.accessToken, 'https://contoso.service.signalr.net/client/?hub=chat');
    expect(payload.role).toBeUndefined();
    expect(payload.tenant).toBe('t');
  });

  it('lets a custom claim named asrs.u.* or nameid pass, and sets asrs.s.derror on request', async () => {
    const info = await negotiate(CLOUD, 'chat', {
      claims: { 'asrs.u.x': 'y', nameid: 'n' },
      enableDetailedErrors: true,
    });
    const payload = await verified(info.accessToken, 'https://contoso.service.signalr.net/client/?hub=chat');
    expect(payload['asrs.u.x']).toBe('y');
    expect(payload.nameid).toBe('n');
    expect(payload['asrs.s.derror']).toBe('True');
  });

  it('refuses user-supplied asrs.s.* claims, malformed claims and bad claim values', async () => {
    for (const claims of [{ 'asrs.s.uid': 'mallory' }, [{ type: 'asrs.s.derror', value: 'True' }]]) {
      const error = await rejectionOf(negotiate(CLOUD, 'chat', { claims }));
      expect(error.code).toBe('CLAIMS_INVALID');
      expect(error.message).toContain('asrs.s.');
    }
    const bad: unknown[] = [
      { n: 5 },
      { n: [1] },
      [{ type: '', value: 'v' }],
      [{ type: 't' }],
      ['x'],
      [null],
      'role=admin',
      { '': 'v' },
    ];
    for (const claims of bad) {
      expect((await rejectionOf(negotiate(CLOUD, 'chat', { claims: claims as never }))).code).toBe('CLAIMS_INVALID');
    }
  });

  it('honors the lifetime within 60 s .. 24 h and refuses anything else', async () => {
    for (const lifetime of [60, 86_400]) {
      const payload = await verified(
        (await negotiate(CLOUD, 'chat', { lifetime })).accessToken,
        'https://contoso.service.signalr.net/client/?hub=chat',
      );
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(lifetime);
    }
    for (const lifetime of [59, 86_401, 0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 3_600_000, '3600']) {
      const error = await rejectionOf(negotiate(CLOUD, 'chat', { lifetime: lifetime as number }));
      expect(error.code).toBe('NEGOTIATE_OPTIONS_INVALID');
      expect(error.message).toContain('seconds');
    }
  });

  it('signs HS512 on request', async () => {
    const info = await negotiate(CLOUD, 'chat', { algorithm: 'HS512' });
    expect(decodeProtectedHeader(info.accessToken).alg).toBe('HS512');
    await jwtVerify(info.accessToken, keyBytes, { algorithms: ['HS512'] });
    expect((await rejectionOf(negotiate(CLOUD, 'chat', { algorithm: 'none' as 'HS256' }))).code).toBe(
      'NEGOTIATE_OPTIONS_INVALID',
    );
  });

  it('validates the hub name', async () => {
    for (const hub of ['a', 'Z', `h${'x'.repeat(127)}`, 'a_b`c,d.e[f]', 'Hub1']) {
      await expect(negotiate(CLOUD, hub)).resolves.toBeDefined();
    }
    for (const hub of [
      '',
      '1hub',
      '_hub',
      'my-hub',
      'hub name',
      `h${'x'.repeat(128)}`,
      'hüb',
      'hub?x=1',
      'hub&a',
      undefined,
      7,
    ]) {
      const error = await rejectionOf(negotiate(CLOUD, hub as string));
      expect(error.code).toBe('NEGOTIATE_OPTIONS_INVALID');
      expect(error.message).toContain('Hub name');
    }
  });

  it('refuses an empty or non-string user id', async () => {
    for (const userId of ['', 42]) {
      expect((await rejectionOf(negotiate(CLOUD, 'chat', { userId: userId as string }))).code).toBe(
        'NEGOTIATE_OPTIONS_INVALID',
      );
    }
  });

  it('refuses a token over 4096 characters with TOKEN_TOO_LONG and a clear message', async () => {
    const error = await rejectionOf(negotiate(CLOUD, 'chat', { claims: { big: 'x'.repeat(3000) } }));
    expect(error.code).toBe('TOKEN_TOO_LONG');
    expect(error.message).toContain('4096');
    expect(error.message).toContain('claims');
    // just under the limit still works
    await expect(negotiate(CLOUD, 'chat', { claims: { big: 'x'.repeat(2700) } })).resolves.toBeDefined();
  });

  // Claim types and values from Azure/azure-signalr: Constants.ClaimType (DiagnosticClient = "asrs.s.dc",
  // CloseOnAuthExpiration = "asrs.s.coae", AuthExpiresOn = "asrs.s.aeo") and ClaimsUtility.BuildJwtClaims
  // ("true" for both flags, aeo as Unix seconds; dc and coae written before the app's claims).
  it('marks diagnostic clients with asrs.s.dc and asks to close on expiry with asrs.s.coae and asrs.s.aeo', async () => {
    const info = await negotiate(CLOUD, 'chat', {
      userId: 'u',
      isDiagnosticClient: true,
      closeOnAuthenticationExpiration: true,
      lifetime: 600,
      claims: { role: 'r' },
    });
    const payload = await verified(info.accessToken, 'https://contoso.service.signalr.net/client/?hub=chat');
    expect(Object.keys(payload)).toEqual([
      'asrs.s.uid',
      'asrs.s.dc',
      'asrs.s.coae',
      'asrs.s.aeo',
      'role',
      'aud',
      'nbf',
      'iat',
      'exp',
    ]);
    expect(payload['asrs.s.dc']).toBe('true');
    expect(payload['asrs.s.coae']).toBe('true');
    expect(payload['asrs.s.aeo']).toBe(String(payload.exp));

    const expiresOn = new Date(Date.now() + 120_000);
    const early = await negotiate(CLOUD, 'chat', {
      closeOnAuthenticationExpiration: true,
      authenticationExpiresOn: expiresOn,
    });
    expect(
      (await verified(early.accessToken, 'https://contoso.service.signalr.net/client/?hub=chat'))['asrs.s.aeo'],
    ).toBe(String(Math.floor(expiresOn.getTime() / 1000)));

    const plain = await verified(
      (await negotiate(CLOUD, 'chat', { isDiagnosticClient: false, closeOnAuthenticationExpiration: false }))
        .accessToken,
      'https://contoso.service.signalr.net/client/?hub=chat',
    );
    expect(Object.keys(plain).sort()).toEqual(['aud', 'exp', 'iat', 'nbf']);
  });

  it('refuses malformed diagnostic and expiry options', async () => {
    expect((await rejectionOf(negotiate(CLOUD, 'chat', { isDiagnosticClient: 'yes' as never }))).message).toMatch(
      /isDiagnosticClient must be true or false/,
    );
    expect((await rejectionOf(negotiate(CLOUD, 'chat', { authenticationExpiresOn: 5 }))).message).toMatch(
      /only with closeOnAuthenticationExpiration/,
    );
    const bad = await rejectionOf(
      negotiate(CLOUD, 'chat', {
        closeOnAuthenticationExpiration: true,
        authenticationExpiresOn: new Date(Number.NaN),
      }),
    );
    expect(bad.code).toBe('NEGOTIATE_OPTIONS_INVALID');
  });

  it('issues a different token per call', async () => {
    const a = await negotiate(CLOUD, 'chat', { userId: 'a' });
    const b = await negotiate(CLOUD, 'chat', { userId: 'b' });
    expect(a.accessToken).not.toBe(b.accessToken);
  });
});

describe('negotiate with an identity-based endpoint', () => {
  let server: Server;
  let base: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      expect(request.headers.authorization).toBe('Bearer entra-token');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ KeyId: 'key-id-42', AccessKey: 'identity-signing-key' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('signs with the fetched key and sets its kid', async () => {
    const endpoint = parseConnectionString(
      `Endpoint=https://contoso.service.signalr.net;AuthType=azure;ServerEndpoint=${base}`,
    );
    setCredential(endpoint, {
      getToken: () => Promise.resolve({ token: 'entra-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
    });
    const info = await negotiate(endpoint, 'chat', { userId: 'u' });
    expect(info.url).toBe('https://contoso.service.signalr.net/client/?hub=chat');
    expect(decodeProtectedHeader(info.accessToken)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'key-id-42' });
    const payload = await verified(
      info.accessToken,
      'https://contoso.service.signalr.net/client/?hub=chat',
      new TextEncoder().encode('identity-signing-key'),
    );
    expect(payload['asrs.s.uid']).toBe('u');
    await negotiate(endpoint, 'chat');
    expect(requests).toBe(1);
  });
});

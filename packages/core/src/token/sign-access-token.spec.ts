import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { signAccessToken } from './sign-access-token.js';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const keyBytes = (key: string): Uint8Array => new TextEncoder().encode(key);

describe('signAccessToken', () => {
  it('signs HS256 over the UTF-8 bytes of the key with aud, nbf, iat, exp and no iss', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signAccessToken({
      audience: 'https://a.b/client/?hub=chat',
      key: KEY,
      lifetimeSeconds: 600,
      now,
    });
    const { payload, protectedHeader } = await jwtVerify(token, keyBytes(KEY), {
      algorithms: ['HS256'],
      audience: 'https://a.b/client/?hub=chat',
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ aud: 'https://a.b/client/?hub=chat', nbf: now, iat: now, exp: now + 600 });
  });

  it('uses the key as written: a base64-looking key is not decoded', async () => {
    const key = 'aGVsbG8gd29ybGQ=';
    const token = await signAccessToken({ audience: 'x', key, lifetimeSeconds: 60 });
    await expect(jwtVerify(token, keyBytes(key))).resolves.toBeDefined();
    await expect(jwtVerify(token, Buffer.from(key, 'base64'))).rejects.toThrow();
  });

  it('signs non-ASCII keys over their UTF-8 bytes', async () => {
    const key = 'clé-🔑';
    const token = await signAccessToken({ audience: 'x', key, lifetimeSeconds: 60 });
    await expect(jwtVerify(token, keyBytes(key))).resolves.toBeDefined();
  });

  it('sets kid, supports HS512 and keeps the same key cached per algorithm', async () => {
    const hs512 = await signAccessToken({
      audience: 'x',
      key: KEY,
      kid: 'kid-7',
      lifetimeSeconds: 60,
      algorithm: 'HS512',
    });
    expect(decodeProtectedHeader(hs512)).toEqual({ alg: 'HS512', typ: 'JWT', kid: 'kid-7' });
    await expect(jwtVerify(hs512, keyBytes(KEY), { algorithms: ['HS512'] })).resolves.toBeDefined();
    const hs256 = await signAccessToken({ audience: 'x', key: KEY, lifetimeSeconds: 60 });
    await expect(jwtVerify(hs256, keyBytes(KEY), { algorithms: ['HS256'] })).resolves.toBeDefined();
  });

  it('adds claims, and the registered claims it sets win over them', async () => {
    const token = await signAccessToken({
      audience: 'real',
      key: KEY,
      lifetimeSeconds: 60,
      now: 1000,
      claims: { 'asrs.s.uid': 'u', aud: 'fake', exp: 1 },
    });
    const { payload } = await jwtVerify(token, keyBytes(KEY), { currentDate: new Date(1_000_000) });
    expect(payload).toEqual({ 'asrs.s.uid': 'u', aud: 'real', nbf: 1000, iat: 1000, exp: 1060 });
  });

  it('writes byte for byte the token jose signs from the same header and claims', async () => {
    // The framework signed with jose's SignJWT before it signed with node:crypto: clients and the service
    // must see no difference.
    const cases = [
      {
        audience: 'https://x.service.signalr.net/client/?hub=chat',
        key: KEY,
        lifetimeSeconds: 3600,
        now: 1_700_000_000,
        claims: { 'asrs.s.uid': 'alice', role: ['a', 'b'], name: 'Zoë 🌍' },
      },
      {
        audience: 'https://x.service.signalr.net/api/hubs/chat/:send',
        key: 'clé-🔑',
        kid: 'kid-1',
        lifetimeSeconds: 60,
        now: 1,
        algorithm: 'HS512' as const,
      },
      {
        audience: 'a',
        key: KEY,
        lifetimeSeconds: 86_400,
        now: 2_000_000_000,
        claims: JSON.parse('{"__proto__":"x","asrs.s.derror":"True","quote":"\\"</script>"}') as Record<string, string>,
      },
    ];
    for (const request of cases) {
      const algorithm = request.algorithm ?? 'HS256';
      const header =
        request.kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid: request.kid };
      const payload = {
        ...request.claims,
        aud: request.audience,
        nbf: request.now,
        iat: request.now,
        exp: request.now + request.lifetimeSeconds,
      };
      const viaJose = await new SignJWT(payload).setProtectedHeader(header).sign(keyBytes(request.key));
      expect(await signAccessToken(request)).toBe(viaJose);
      await expect(
        jwtVerify(viaJose, keyBytes(request.key), { currentDate: new Date(request.now * 1000) }),
      ).resolves.toBeDefined();
    }
  });

  it('refuses an algorithm other than HS256 and HS512 and a lifetime that is not a number (options from plain JavaScript)', async () => {
    const none = { audience: 'x', key: KEY, lifetimeSeconds: 60, algorithm: 'none' } as unknown as Parameters<
      typeof signAccessToken
    >[0];
    await expect(signAccessToken(none)).rejects.toMatchObject({ code: 'NEGOTIATE_OPTIONS_INVALID' });
    await expect(signAccessToken({ audience: 'x', key: KEY, lifetimeSeconds: Number.NaN })).rejects.toMatchObject({
      code: 'NEGOTIATE_OPTIONS_INVALID',
    });
  });

  it('refuses an empty key', async () => {
    await expect(signAccessToken({ audience: 'x', key: '', lifetimeSeconds: 60 })).rejects.toBeInstanceOf(
      ServerlessHubError,
    );
  });
});

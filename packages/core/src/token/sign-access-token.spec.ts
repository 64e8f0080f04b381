import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { signAccessToken } from './sign-access-token.js';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const keyBytes = (key: string): Uint8Array => new TextEncoder().encode(key);

describe('signAccessToken', () => {
  it('signs HS256 over the UTF-8 bytes of the key with aud, nbf, iat, exp and no iss', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signAccessToken({ audience: 'https://a.b/client/?hub=chat', key: KEY, lifetimeSeconds: 600, now });
    const { payload, protectedHeader } = await jwtVerify(token, keyBytes(KEY), { algorithms: ['HS256'], audience: 'https://a.b/client/?hub=chat' });
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
    const hs512 = await signAccessToken({ audience: 'x', key: KEY, kid: 'kid-7', lifetimeSeconds: 60, algorithm: 'HS512' });
    expect(decodeProtectedHeader(hs512)).toEqual({ alg: 'HS512', typ: 'JWT', kid: 'kid-7' });
    await expect(jwtVerify(hs512, keyBytes(KEY), { algorithms: ['HS512'] })).resolves.toBeDefined();
    const hs256 = await signAccessToken({ audience: 'x', key: KEY, lifetimeSeconds: 60 });
    await expect(jwtVerify(hs256, keyBytes(KEY), { algorithms: ['HS256'] })).resolves.toBeDefined();
  });

  it('adds claims, and the registered claims it sets win over them', async () => {
    const token = await signAccessToken({ audience: 'real', key: KEY, lifetimeSeconds: 60, now: 1000, claims: { 'asrs.s.uid': 'u', aud: 'fake', exp: 1 } });
    const { payload } = await jwtVerify(token, keyBytes(KEY), { currentDate: new Date(1_000_000) });
    expect(payload).toEqual({ 'asrs.s.uid': 'u', aud: 'real', nbf: 1000, iat: 1000, exp: 1060 });
  });

  it('refuses an empty key', async () => {
    await expect(signAccessToken({ audience: 'x', key: '', lifetimeSeconds: 60 })).rejects.toBeInstanceOf(ServerlessHubError);
  });
});

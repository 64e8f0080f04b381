import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessKeyAuthorizer } from './access-key-authorizer.js';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const AUDIENCE = 'https://x.service.signalr.net/api/hubs/chat/:send';

function tokenOf(header: string): string {
  expect(header.startsWith('Bearer ')).toBe(true);
  return header.slice('Bearer '.length);
}

describe('AccessKeyAuthorizer', () => {
  it('signs an HS256 token for the audience, valid one hour, with the UTF-8 bytes of the key', async () => {
    const now = 1_700_000_000_000;
    const authorizer = new AccessKeyAuthorizer(KEY, { now: () => now });
    const token = tokenOf(await authorizer.authorization(AUDIENCE));
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(KEY), {
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.exp).toBe(now / 1000 + 3600);
    expect(payload.iat).toBe(now / 1000);
  });

  it('sets kid when given', async () => {
    const authorizer = new AccessKeyAuthorizer(KEY, { kid: 'key-1' });
    expect(decodeProtectedHeader(tokenOf(await authorizer.authorization(AUDIENCE))).kid).toBe('key-1');
  });

  it('reuses the token of an audience until five minutes before it expires', async () => {
    let now = 1_700_000_000_000;
    const authorizer = new AccessKeyAuthorizer(KEY, { now: () => now });
    const first = await authorizer.authorization(AUDIENCE);
    now += 54 * 60_000;
    expect(await authorizer.authorization(AUDIENCE)).toBe(first);
    now += 60_001;
    const renewed = await authorizer.authorization(AUDIENCE);
    expect(renewed).not.toBe(first);
    expect(decodeJwt(tokenOf(renewed)).iat).toBe(Math.floor(now / 1000));
  });

  it('signs once for concurrent requests of one audience, and per audience', async () => {
    const authorizer = new AccessKeyAuthorizer(KEY);
    const [a, b, c] = await Promise.all([
      authorizer.authorization(AUDIENCE),
      authorizer.authorization(AUDIENCE),
      authorizer.authorization(`${AUDIENCE}x`),
    ]);
    expect(a).toBe(b);
    expect(decodeJwt(tokenOf(c)).aud).toBe(`${AUDIENCE}x`);
    expect(authorizer.size).toBe(2);
  });

  it('keeps at most `capacity` audiences, dropping the one signed longest ago', async () => {
    let now = 1_700_000_000_000;
    const authorizer = new AccessKeyAuthorizer(KEY, { capacity: 2, now: () => now });
    const first = await authorizer.authorization('https://h/1');
    now += 1000;
    const second = await authorizer.authorization('https://h/2');
    now += 1000;
    await authorizer.authorization('https://h/3');
    expect(authorizer.size).toBe(2);
    expect(await authorizer.authorization('https://h/2')).toBe(second);
    const again = await authorizer.authorization('https://h/1');
    expect(again).not.toBe(first);
    expect(decodeJwt(tokenOf(again)).iat).toBe(Math.floor(now / 1000));
    expect(authorizer.size).toBe(2);
  });
});

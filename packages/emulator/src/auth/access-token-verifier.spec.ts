import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { AccessTokenVerifier, clientAudienceRule, restAudienceRule } from './access-token-verifier.js';

const key = 'primary-key-primary-key-primary-key-0000';
const secondary = 'secondary-key-secondary-key-secondary-00';

async function token(
  audience: string,
  options: { signWith?: string; exp?: number; nbf?: number; alg?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'asrs.s.uid': 'ann' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setAudience(audience)
    .setNotBefore(options.nbf ?? now)
    .setExpirationTime(options.exp ?? now + 60)
    .sign(new TextEncoder().encode(options.signWith ?? key));
}

describe('AccessTokenVerifier', () => {
  const verifier = new AccessTokenVerifier([key, secondary], 5);
  const rule = clientAudienceRule('chat', 'localhost:8888');
  const expected = 'http://localhost/client/?hub=chat';

  it('accepts tokens signed with either key, HS256 or HS512', async () => {
    expect(await verifier.verify(await token(expected), rule, expected)).toMatchObject({
      ok: true,
      claims: { 'asrs.s.uid': 'ann' },
    });
    expect((await verifier.verify(await token(expected, { signWith: secondary }), rule, expected)).ok).toBe(true);
    expect((await verifier.verify(await token(expected, { alg: 'HS512' }), rule, expected)).ok).toBe(true);
  });

  it('refuses other keys, algorithms, lifetimes and audiences, saying why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const reasons = async (jwt: Promise<string>): Promise<string> => {
      const check = await verifier.verify(await jwt, rule, expected);
      return check.ok ? 'accepted' : check.reason;
    };
    expect(await reasons(token(expected, { signWith: 'another-key-another-key-another-key-00' }))).toContain(
      'signature',
    );
    expect(await reasons(token(expected, { alg: 'HS384' }))).toContain('HS256 or HS512');
    expect(await reasons(token(expected, { exp: now - 60 }))).toContain('expired');
    expect(await reasons(token(expected, { nbf: now + 600 }))).toContain('not valid yet');
    expect(await reasons(token('http://localhost/client/?hub=other'))).toContain('audience');
    expect(await reasons(Promise.resolve('x.y.z'))).toContain('not a well-formed JWT');
    const noExpiry = new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(expected)
      .sign(new TextEncoder().encode(key));
    expect(await reasons(noExpiry)).toContain("no valid 'exp'");
  });

  it('answers a cached token again only while it has not expired', async () => {
    // The clock is set by the test (Date only; timers stay real): a slow machine cannot expire the token early.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00Z') });
    try {
      const shortLived = new AccessTokenVerifier([key], 0);
      const now = Math.floor(Date.now() / 1000);
      const jwt = await token(expected, { exp: now + 60 });
      expect((await shortLived.verify(jwt, rule, expected)).ok).toBe(true);
      expect((await shortLived.verify(jwt, rule, expected)).ok).toBe(true);
      vi.setSystemTime((now + 61) * 1000);
      expect(await shortLived.verify(jwt, rule, expected)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('expired') as string,
      });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('audience rules', () => {
  it('client: /client/?hub=<hub> on a loopback host or the request host, any port', () => {
    const rule = clientAudienceRule('chat', 'devbox:8888');
    expect(rule('http://localhost/client/?hub=chat')).toBe(true);
    expect(rule('http://127.0.0.1:8888/client/?hub=Chat')).toBe(true);
    expect(rule('https://[::1]/client?hub=chat')).toBe(true);
    expect(rule('http://devbox/client/?hub=chat')).toBe(true);
    expect(rule('http://example.com/client/?hub=chat')).toBe(false);
    expect(rule('http://localhost/api/?hub=chat')).toBe(false);
    expect(rule('http://localhost/client/?hub=other')).toBe(false);
    expect(rule('not a url')).toBe(false);
  });

  it('REST: the request URL without its query, host lenient the same way, path with letter case', () => {
    const rule = restAudienceRule('/api/hubs/chat/users/a%20b/:send', 'localhost:8888');
    expect(rule('http://localhost:8888/api/hubs/chat/users/a%20b/:send')).toBe(true);
    expect(rule('http://LOCALHOST/api/hubs/chat/users/a b/:send')).toBe(true);
    expect(rule('http://localhost/api/hubs/chat/users/A b/:send')).toBe(false);
    expect(rule('http://localhost/api/hubs/chat/users/a%20b/:send/')).toBe(true);
    expect(rule('http://localhost/api/hubs/chat/users/other/:send')).toBe(false);
    expect(rule('ftp://localhost/api/hubs/chat/users/a%20b/:send')).toBe(false);
  });
});

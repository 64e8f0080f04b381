// Property tests of access token checks: any token text — random, or a valid token mutated — is refused
// with a reason (never a throw), and a mutated token is accepted only if it still means exactly what was
// signed; a token signed with either key, for an audience the rule accepts, is accepted.
import fc from 'fast-check';
import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokenVerifier, clientAudienceRule, restAudienceRule } from './access-token-verifier.js';

const PRIMARY = 'PropertyPrimaryKey0123456789abcdefghijklmnopq';
const SECONDARY = 'PropertySecondaryKey9876543210zyxwvutsrqponm';
const encoder = new TextEncoder();

async function sign(claims: Record<string, unknown>, key: string, lifetimeSeconds = 600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(encoder.encode(key));
}

describe('access token verifier properties', () => {
  it('any token text is refused with a reason, never a throw', async () => {
    const verifier = new AccessTokenVerifier([PRIMARY, SECONDARY], 30);
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc
        .array(fc.base64String({ maxLength: 40 }), { minLength: 1, maxLength: 4 })
        .map((parts) => parts.join('.').replace(/[+/=]/g, '_')),
      fc
        .jsonValue({ maxDepth: 2 })
        .map(
          (value) =>
            `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(value)).toString('base64url')}.sig`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(text, async (token) => {
        const check = await verifier.verify(token, () => true, 'anything');
        expect(check.ok).toBe(false);
        if (!check.ok) expect(check.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('a mutated token is refused, or means exactly what was signed', async () => {
    const verifier = new AccessTokenVerifier([PRIMARY, SECONDARY], 30);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(PRIMARY, SECONDARY),
        fc.dictionary(fc.constantFrom('asrs.s.uid', 'role', 'nameid'), fc.string({ maxLength: 8 })),
        fc.nat(),
        fc.constantFrom(...Array.from('AQgw_-.xz09')),
        async (key, claims, at, char) => {
          const token = await sign({ ...claims, aud: 'http://localhost/client/?hub=chat' }, key);
          const index = at % token.length;
          const mutated = token.slice(0, index) + char + token.slice(index + 1);
          const rule = clientAudienceRule('chat', 'localhost:8888');
          const check = await verifier.verify(mutated, rule, 'http://localhost/client/?hub=chat');
          if (check.ok) expect(check.claims).toEqual(decodeJwt(token));
          expect((await verifier.verify(token, rule, 'http://localhost/client/?hub=chat')).ok).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('REST audiences match the request path, with or without a trailing slash, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9:]{1,6}$/), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (segments, trailing) => {
          const path = `/api/hubs/${segments.join('/')}`;
          const rule = restAudienceRule(path, '127.0.0.1:8888');
          expect(rule(`http://localhost:8888${path}${trailing ? '/' : ''}`)).toBe(true);
          expect(rule(`http://localhost:8888${path}/other`)).toBe(false);
          expect(rule(`http://evil.example.com${path}`)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

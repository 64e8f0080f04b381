// Property tests of tokens: any claims signed with any access key by signAccessToken verify with a claims verifier
// and decode with decodeClaimsUnverified to the same claims; a mutated token is either refused with
// TOKEN_INVALID or (base64url has spare bits) means exactly the original; any Authorization value gives
// claims or TOKEN_INVALID; and no error message or detail contains the token or the key.
import fc from 'fast-check';
import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { signAccessToken } from '../token/sign-access-token.js';
import { decodeClaimsUnverified } from './decode-claims-unverified.js';
import { createClaimsVerifier } from './claims-verifier.js';

const RUNS = 100;
const RESERVED = new Set(['aud', 'exp', 'iat', 'nbf', '__proto__']);

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

const claimName = fc
  .oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('sub', 'asrs.s.uid', 'role', 'nameid'))
  .filter((name) => !RESERVED.has(name));
const claimValue = fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
const claims = fc.dictionary(claimName, claimValue, { maxKeys: 5 });
// Recognizable keys, so that a leak of the key (or a long part of it) is found.
const accessKey = fc
  .string({
    minLength: 16,
    maxLength: 40,
    unit: fc.constantFrom(...Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')),
  })
  .map((text) => `KEY${text}`);
const audience = fc.webUrl();

async function refusal(promise: Promise<unknown>): Promise<ServerlessHubError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    return error as ServerlessHubError;
  }
}

function expectNothingSecret(error: ServerlessHubError, secrets: readonly string[]): void {
  const shown = `${error.message} ${JSON.stringify(error.details ?? {})}`;
  for (const secret of secrets) {
    for (const part of secret.split('.')) if (part.length >= 12) expect(shown).not.toContain(part);
  }
}

type Edit = readonly ['set' | 'delete' | 'insert' | 'swap-parts' | 'space', number, string];

const edits: fc.Arbitrary<Edit[]> = fc.array(
  fc.tuple(
    fc.constantFrom('set' as const, 'delete' as const, 'insert' as const, 'swap-parts' as const, 'space' as const),
    fc.nat(),
    fc.constantFrom(...Array.from('AZaz09-_.=+/ \t%')),
  ),
  { minLength: 1, maxLength: 3 },
);

/** Applies edits at positions taken modulo the token's length. */
function mutate(token: string, list: readonly Edit[]): string {
  let result = token;
  for (const [kind, at, char] of list) {
    const index = at % (result.length + 1);
    if (kind === 'set') result = result.slice(0, index) + char + result.slice(index + 1);
    else if (kind === 'delete') result = result.slice(0, index) + result.slice(index + 1);
    else if (kind === 'insert' || kind === 'space')
      result = result.slice(0, index) + (kind === 'space' ? ' ' : char) + result.slice(index);
    else {
      const [header = '', payload = '', signature = ''] = result.split('.');
      result = [payload, header, signature].join('.');
    }
  }
  return result;
}

describe('token properties', () => {
  it('any claims signed with any key verify and decode to the same claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        claims,
        accessKey,
        audience,
        fc.constantFrom('HS256' as const, 'HS512' as const),
        async (extra, key, aud, algorithm) => {
          const token = await signAccessToken({ audience: aud, key, lifetimeSeconds: 600, claims: extra, algorithm });
          const verified = await createClaimsVerifier({ secret: key, audience: aud }).verify(`Bearer ${token}`);
          const decoded = decodeClaimsUnverified(token);
          for (const payload of [verified, decoded]) {
            expect(payload.aud).toBe(aud);
            expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
            for (const [name, value] of Object.entries(extra)) expect(payload[name]).toEqual(value);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a mutated token is refused with TOKEN_INVALID, or means exactly the original', async () => {
    await fc.assert(
      fc.asyncProperty(claims, accessKey, edits, async (extra, key, list) => {
        const token = await signAccessToken({
          audience: 'https://x.service.signalr.net/client/?hub=chat',
          key,
          lifetimeSeconds: 600,
          claims: extra,
          now: 1_700_000_000,
        });
        const original = decodeClaimsUnverified(token);
        const mutatedToken = mutate(token, list);
        const error = await refusal(
          createClaimsVerifier({ secret: key, clockToleranceSeconds: 10 ** 10 }).verify(mutatedToken),
        );
        if (error === undefined) {
          const accepted: JWTPayload = await createClaimsVerifier({
            secret: key,
            clockToleranceSeconds: 10 ** 10,
          }).verify(mutatedToken);
          expect(accepted).toEqual(original);
          return;
        }
        expect(error.code).toBe('TOKEN_INVALID');
        expectNothingSecret(error, [token, mutatedToken, key]);
        // Without verification, a mutation still gives the original claims, other claims, or TOKEN_INVALID.
        try {
          decodeClaimsUnverified(mutatedToken);
        } catch (unverified) {
          expect((unverified as ServerlessHubError).code).toBe('TOKEN_INVALID');
          expectNothingSecret(unverified as ServerlessHubError, [token, mutatedToken, key]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('any Authorization value gives claims or TOKEN_INVALID without repeating it', async () => {
    const pieces = fc.constantFrom('Bearer ', 'bearer\t', 'Basic ', '.', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9', '==', ' ');
    const value = fc.oneof(
      anyText(60),
      fc.array(fc.oneof(pieces, fc.base64String({ maxLength: 12 })), { maxLength: 8 }).map((list) => list.join('')),
    );
    await fc.assert(
      fc.asyncProperty(fc.option(value, { nil: undefined }), async (authorization) => {
        const error = await refusal(
          createClaimsVerifier({ secret: 'a-secret-key-for-property-tests' }).verify(authorization),
        );
        expect(error?.code).toBe('TOKEN_INVALID');
        if (error !== undefined && authorization !== undefined) expectNothingSecret(error, [authorization.trim()]);
        try {
          decodeClaimsUnverified(authorization);
        } catch (unverified) {
          expect((unverified as ServerlessHubError).code).toBe('TOKEN_INVALID');
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('an expired token is refused with the reason "expired"', async () => {
    await fc.assert(
      fc.asyncProperty(accessKey, fc.integer({ min: 1, max: 10 ** 6 }), async (key, age) => {
        const now = Math.floor(Date.now() / 1000) - 600 - age;
        const token = await signAccessToken({ audience: 'a', key, lifetimeSeconds: 600, now });
        const error = await refusal(createClaimsVerifier({ secret: key }).verify(token));
        expect(error?.details?.['reason']).toBe('expired');
      }),
      { numRuns: 30 },
    );
  });
});

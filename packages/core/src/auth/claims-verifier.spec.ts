import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { decodeClaimsUnverified } from './decode-claims-unverified.js';
import { createClaimsVerifier } from './claims-verifier.js';
import type { ClaimsVerifierOptions } from './claims-verifier.js';
import { rejectionOf } from '../__fixtures__/rejection-of.js';

const SECRET = 'a-shared-secret-of-reasonable-length';
const ISSUER = 'https://login.example.com/tenant/v2.0';
const AUDIENCE = 'api://my-app';

async function hsToken(
  claims: JWTPayload,
  secret = SECRET,
  alg = 'HS256',
  expiresIn: string | number = '10m',
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** One verification with a verifier made for it; option errors reject, as the verification's would. */
async function verifyOnce(
  authorization: string | null | undefined,
  options: ClaimsVerifierOptions,
): Promise<JWTPayload> {
  return createClaimsVerifier(options).verify(authorization);
}

function expectNoToken(error: ServerlessHubError, token: string): void {
  expect(error.message).not.toContain(token);
  expect(JSON.stringify(error.details)).not.toContain(token);
  for (const part of token.split('.')) if (part.length > 8) expect(error.message).not.toContain(part);
}

describe('createClaimsVerifier with a shared secret', () => {
  const options: ClaimsVerifierOptions = { secret: SECRET };

  it('returns the claims of a valid token, with or without "Bearer "', async () => {
    const token = await hsToken({ sub: 'alice', role: ['a', 'b'] });
    for (const header of [`Bearer ${token}`, `bearer   ${token}`, token, `  Bearer ${token}  `]) {
      const claims = await verifyOnce(header, options);
      expect(claims.sub).toBe('alice');
      expect(claims.role).toEqual(['a', 'b']);
    }
  });

  it('accepts HS384/HS512 and a secret given as bytes', async () => {
    const token = await hsToken({ sub: 'x' }, SECRET, 'HS512');
    expect((await verifyOnce(token, { secret: new TextEncoder().encode(SECRET) })).sub).toBe('x');
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'malformed'],
    ['garbage', 'Bearer not-a-jwt', 'malformed'],
  ])('refuses a %s header', async (_, header, reason) => {
    const error = await rejectionOf(verifyOnce(header, options));
    expect(error.code).toBe('TOKEN_INVALID');
    expect(error.details).toEqual({ reason });
  });

  it('refuses a bad signature, an expired token, a wrong issuer or audience, a missing required claim', async () => {
    const cases: [string, ClaimsVerifierOptions, string, string][] = [
      [await hsToken({ sub: 'x' }, 'another-secret-of-some-length'), options, 'signature', 'signature'],
      [await hsToken({ sub: 'x' }, SECRET, 'HS256', Math.floor(Date.now() / 1000) - 60), options, 'expired', 'expired'],
      [await hsToken({ iss: 'https://evil', aud: AUDIENCE }), { secret: SECRET, issuer: ISSUER }, 'claim', '"iss"'],
      [
        await hsToken({ iss: ISSUER, aud: 'other' }),
        { secret: SECRET, issuer: ISSUER, audience: AUDIENCE },
        'claim',
        '"aud"',
      ],
      [await hsToken({ iss: ISSUER }), { secret: SECRET, requiredClaims: ['sub'] }, 'claim', '"sub"'],
      [
        await hsToken({ sub: 'x' }, SECRET, 'HS512'),
        { secret: SECRET, algorithms: ['HS256'] },
        'algorithm',
        'algorithm',
      ],
    ];
    for (const [token, verification, reason, fragment] of cases) {
      const error = await rejectionOf(verifyOnce(`Bearer ${token}`, verification));
      expect(error.code).toBe('TOKEN_INVALID');
      expect(error.details).toEqual({ reason });
      expect(error.message).toContain(fragment);
      expectNoToken(error, token);
    }
  });

  it('tolerates clock skew when asked', async () => {
    const token = await hsToken({ sub: 'x' }, SECRET, 'HS256', Math.floor(Date.now() / 1000) - 30);
    expect((await verifyOnce(token, { secret: SECRET, clockToleranceSeconds: 120 })).sub).toBe('x');
  });

  it('refuses an unsigned (alg none) token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })).toString(
      'base64url',
    );
    const error = await rejectionOf(verifyOnce(`${header}.${body}.`, options));
    expect(error.code).toBe('TOKEN_INVALID');
  });

  it('refuses unusable options with AUTH_OPTIONS_INVALID when the verifier is made', () => {
    const bad: unknown[] = [
      {},
      { secret: '' },
      { secret: new Uint8Array() },
      { secret: SECRET, jwksUrl: 'https://a/keys', issuer: ISSUER, audience: AUDIENCE },
      { secret: SECRET, issuer: '' },
      { secret: SECRET, audience: [] },
      { secret: SECRET, clockToleranceSeconds: -1 },
      { jwksUrl: 'https://a/keys', audience: AUDIENCE },
      { jwksUrl: 'https://a/keys', issuer: ISSUER },
      { jwksUrl: 'http://example.com/keys', issuer: ISSUER, audience: AUDIENCE },
      { jwksUrl: 'not a url', issuer: ISSUER, audience: AUDIENCE },
    ];
    for (const options of bad) {
      let thrown: unknown;
      try {
        createClaimsVerifier(options as ClaimsVerifierOptions);
      } catch (error) {
        thrown = error;
      }
      expect(ServerlessHubError.is(thrown, 'AUTH_OPTIONS_INVALID')).toBe(true);
    }
  });
});

describe('createClaimsVerifier with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let fetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    server = createServer((request, response) => {
      if (request.url === '/keys') {
        fetches++;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: [jwk] }));
      } else {
        response.writeHead(500);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/keys`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function rsToken(claims: JWTPayload, key: CryptoKey = privateKey, kid = 'key-1'): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  }

  it('verifies against the provider keys and requires issuer and audience', async () => {
    const verifier = createClaimsVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const token = await rsToken({ iss: ISSUER, aud: AUDIENCE, sub: 'bob', name: 'Bob' });
    const claims = await verifier.verify(`Bearer ${token}`);
    expect(claims).toMatchObject({ sub: 'bob', name: 'Bob', iss: ISSUER, aud: AUDIENCE });
    // the verifier keeps the key set: fetched once, however many tokens it verifies
    await verifier.verify(await rsToken({ iss: ISSUER, aud: AUDIENCE, sub: 'carol' }));
    expect(fetches).toBe(1);
  });

  it('refuses a token signed by another key, a wrong issuer, a wrong audience, an unknown kid', async () => {
    const options: ClaimsVerifierOptions = { jwksUrl, issuer: ISSUER, audience: AUDIENCE };
    const cases: [string, string][] = [
      [await rsToken({ iss: ISSUER, aud: AUDIENCE }, otherKey), 'signature'],
      [await rsToken({ iss: 'https://evil', aud: AUDIENCE }), 'claim'],
      [await rsToken({ iss: ISSUER, aud: 'api://other' }), 'claim'],
      [await rsToken({ iss: ISSUER, aud: AUDIENCE }, privateKey, 'key-unknown'), 'key'],
    ];
    for (const [token, reason] of cases) {
      const error = await rejectionOf(verifyOnce(token, options));
      expect(error.code).toBe('TOKEN_INVALID');
      expect(error.details).toEqual({ reason });
      expectNoToken(error, token);
    }
  });

  it('refuses an HMAC token signed with the public key material (algorithm confusion)', async () => {
    const token = await hsToken({ iss: ISSUER, aud: AUDIENCE }, 'public-key-as-secret');
    const error = await rejectionOf(verifyOnce(token, { jwksUrl, issuer: ISSUER, audience: AUDIENCE }));
    expect(error.details).toEqual({ reason: 'algorithm' });
  });

  it('reports an unreachable or broken JWKS as TOKEN_INVALID (unverifiable)', async () => {
    const token = await rsToken({ iss: ISSUER, aud: AUDIENCE });
    const broken = await rejectionOf(
      verifyOnce(token, { jwksUrl: jwksUrl.replace('/keys', '/broken'), issuer: ISSUER, audience: AUDIENCE }),
    );
    expect(broken.code).toBe('TOKEN_INVALID');
    expect(broken.details).toEqual({ reason: 'jwks' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await rejectionOf(
      verifyOnce(token, { jwksUrl: `http://localhost:${String(port)}/keys`, issuer: ISSUER, audience: AUDIENCE }),
    );
    expect(unreachable.code).toBe('TOKEN_INVALID');
  });
});

describe('decodeClaimsUnverified', () => {
  it('reads the claims without checking the signature (unsafe, for parity)', async () => {
    const token = await hsToken({ sub: 'carol', role: 'x' }, 'whatever-secret');
    expect(decodeClaimsUnverified(`Bearer ${token}`)).toMatchObject({ sub: 'carol', role: 'x' });
    expect(decodeClaimsUnverified(token).sub).toBe('carol');
  });

  it('refuses a missing value or a non-JWT with TOKEN_INVALID', () => {
    for (const value of [undefined, null, '', 'Bearer abc', 'a.b.c', 'Basic abc def']) {
      let caught: unknown;
      try {
        decodeClaimsUnverified(value);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ServerlessHubError);
      expect((caught as ServerlessHubError).code).toBe('TOKEN_INVALID');
    }
  });
});

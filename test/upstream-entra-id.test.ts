import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerlessHubError } from '@serverless-hub/core';
import {
  UpstreamDispatcher,
  createEntraIdTokenValidator,
  createUpstreamAuthenticator,
} from '@serverless-hub/core/upstream';
import type { EntraIdTokenValidationOptions, HubInvocationContext, UpstreamLogger } from '@serverless-hub/core';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIMARY_KEY, connectedBody, serviceRequest } from './upstream-service-request.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const AUDIENCE = 'api://chat-functions';
const SIGNALR_IDENTITY = 'aaaaaaaa-0000-0000-0000-000000000001';

let jwksServer: Server;
let jwksUri: string;
let jwksFetches = 0;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'entra-key-1', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((request, response) => {
    if (request.url !== '/discovery/v2.0/keys') {
      response.writeHead(404).end();
      return;
    }
    jwksFetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${String((jwksServer.address() as AddressInfo).port)}/discovery/v2.0/keys`;
});

afterAll(async () => {
  jwksServer.closeAllConnections();
  await new Promise<void>((resolve) => {
    jwksServer.close(() => {
      resolve();
    });
  });
});

function options(extra?: Partial<EntraIdTokenValidationOptions>): EntraIdTokenValidationOptions {
  return { tenantId: TENANT, audience: AUDIENCE, jwksUri, ...extra };
}

interface TokenSpec {
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  key?: CryptoKey;
  kid?: string;
  claims?: Record<string, unknown>;
}

async function token(spec: TokenSpec = {}): Promise<string> {
  return new SignJWT({ oid: SIGNALR_IDENTITY, appid: SIGNALR_IDENTITY, ...spec.claims })
    .setProtectedHeader({ alg: 'RS256', kid: spec.kid ?? 'entra-key-1', typ: 'JWT' })
    .setIssuer(spec.issuer ?? `https://sts.windows.net/${TENANT}/`)
    .setAudience(spec.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(spec.expiresIn ?? '10m')
    .sign(spec.key ?? signingKey);
}

describe('createEntraIdTokenValidator (local JWKS server)', () => {
  it('accepts a v1 token in the Authentication header the service documents', async () => {
    const validator = createEntraIdTokenValidator(options());
    await expect(validator.check({ authentication: `Bearer ${await token()}` })).resolves.toEqual({ valid: true });
  });

  it('accepts the token in the Authorization header, a lowercase scheme and a v2 issuer', async () => {
    const validator = createEntraIdTokenValidator(options());
    const v2 = await token({ issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` });
    await expect(validator.check({ authorization: `bearer ${v2}` })).resolves.toEqual({ valid: true });
  });

  it('fetches the key set once and reuses it', async () => {
    const validator = createEntraIdTokenValidator(options());
    const before = jwksFetches;
    for (let i = 0; i < 3; i++) await validator.check({ authentication: `Bearer ${await token()}` });
    const again = createEntraIdTokenValidator(options());
    await again.check({ authentication: `Bearer ${await token()}` });
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ['another audience', { audience: 'api://someone-else' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    [
      'another tenant',
      { issuer: 'https://sts.windows.net/99999999-0000-0000-0000-000000000000/' },
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    ['an expired token', { expiresIn: Math.floor(Date.now() / 1000) - 600 }, 'ERR_JWT_EXPIRED'],
    ['a key that is not in the key set', { kid: 'unknown-kid' }, 'ERR_JWKS_NO_MATCHING_KEY'],
  ] as const)('refuses %s', async (_name, spec, code) => {
    const validator = createEntraIdTokenValidator(options());
    const check = await validator.check({ authentication: `Bearer ${await token(spec)}` });
    expect(check.valid).toBe(false);
    expect(check.valid ? '' : check.reason).toContain(code);
  });

  it('refuses a token signed by a stranger under a known key id', async () => {
    const validator = createEntraIdTokenValidator(options());
    const check = await validator.check({ authentication: `Bearer ${await token({ key: strangerKey })}` });
    expect(check).toMatchObject({ valid: false });
    expect(check.valid ? '' : check.reason).toContain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refuses an HS256 token (only RS256 is accepted)', async () => {
    const validator = createEntraIdTokenValidator(options());
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(`https://sts.windows.net/${TENANT}/`)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(PRIMARY_KEY));
    const check = await validator.check({ authentication: `Bearer ${hs}` });
    expect(check.valid ? '' : check.reason).toContain('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('refuses missing, non-bearer and malformed headers', async () => {
    const validator = createEntraIdTokenValidator(options());
    for (const headers of [
      {},
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      { authentication: 'Bearer not-a-jwt' },
      { authentication: 'Bearer' },
    ]) {
      await expect(validator.check(headers)).resolves.toMatchObject({ valid: false });
    }
  });

  it('checks allowed principals against oid, appid or azp', async () => {
    const validator = createEntraIdTokenValidator(options({ allowedPrincipals: ['other-identity'] }));
    const check = await validator.check({ authentication: `Bearer ${await token()}` });
    expect(check.valid ? '' : check.reason).toContain('allowedPrincipals');
    const azp = await token({ claims: { oid: 'x', appid: undefined, azp: 'other-identity' } });
    await expect(validator.check({ authentication: `Bearer ${azp}` })).resolves.toEqual({ valid: true });
  });

  it('rejects with UPSTREAM_INTERNAL when the key set cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      closed.close(() => {
        resolve();
      });
    });
    const validator = createEntraIdTokenValidator(options({ jwksUri: `http://127.0.0.1:${String(port)}/keys` }));
    await expect(validator.check({ authentication: `Bearer ${await token()}` })).rejects.toMatchObject({
      code: 'UPSTREAM_INTERNAL',
    });
  });

  it('refuses incomplete options when built, naming what is missing', () => {
    expect(() => createEntraIdTokenValidator({ audience: AUDIENCE })).toThrow(/tenantId' or 'issuer/);
    expect(() => createEntraIdTokenValidator({ tenantId: TENANT, audience: '' })).toThrow(/audience/);
    expect(() =>
      createEntraIdTokenValidator({ tenantId: TENANT, audience: AUDIENCE, jwksUri: 'file:///etc/keys' }),
    ).toThrow(/jwksUri/);
    expect(() =>
      createEntraIdTokenValidator({ tenantId: TENANT, audience: AUDIENCE, jwksUri: 'http://keys.contoso.com/keys' }),
    ).toThrow(/https/);
    expect(() =>
      createEntraIdTokenValidator({ tenantId: TENANT, audience: AUDIENCE, jwksUri: 'https://keys.contoso.com/keys' }),
    ).not.toThrow();
    expect(() =>
      createEntraIdTokenValidator({ tenantId: TENANT, audience: AUDIENCE, clockToleranceSeconds: -1 }),
    ).toThrow(ServerlessHubError);
  });
});

describe('dispatcher with Entra ID upstream authentication', () => {
  function dispatcherWith(
    authenticatorOptions: Parameters<typeof createUpstreamAuthenticator>[0],
    seen: HubInvocationContext[],
    logs: string[],
  ) {
    const logger: UpstreamLogger = {
      log: (level, message) => {
        logs.push(`${level}: ${message}`);
      },
    };
    return new UpstreamDispatcher({
      authenticator: createUpstreamAuthenticator(authenticatorOptions),
      logger,
      handlers: [
        { hub: 'chat', category: 'connections', event: 'connected', handler: (context) => void seen.push(context) },
      ],
    });
  }

  it('runs the handler for a request carrying a valid token and no signature', async () => {
    const seen: HubInvocationContext[] = [];
    const dispatcher = dispatcherWith({ entraId: options() }, seen, []);
    const request = serviceRequest({
      category: 'connections',
      event: 'connected',
      signature: null,
      body: connectedBody(),
    });
    const outcome = await dispatcher.dispatch({
      headers: { ...request.headers, Authentication: `Bearer ${await token()}` },
      body: request.body,
    });
    expect(outcome).toEqual({ kind: 'accepted' });
    expect(seen).toHaveLength(1);
  });

  it('answers 401 with the official message to a bad token, logging the reason but not the token', async () => {
    const seen: HubInvocationContext[] = [];
    const logs: string[] = [];
    const dispatcher = dispatcherWith({ entraId: options() }, seen, logs);
    const bad = await token({ audience: 'api://other' });
    const request = serviceRequest({
      category: 'connections',
      event: 'connected',
      signature: null,
      body: connectedBody(),
    });
    const outcome = await dispatcher.dispatch({
      headers: { ...request.headers, Authorization: `Bearer ${bad}` },
      body: request.body,
    });
    expect(outcome).toEqual({
      kind: 'rejected',
      code: 'UPSTREAM_UNAUTHORIZED',
      message: 'The request is unauthorized, please check the Signature.',
    });
    expect(seen).toHaveLength(0);
    expect(logs.join('\n')).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(logs.join('\n')).not.toContain(bad);
  });

  it('accepts either a signature or a token when both are configured', async () => {
    const seen: HubInvocationContext[] = [];
    const dispatcher = dispatcherWith({ accessKeys: [PRIMARY_KEY], entraId: options() }, seen, []);
    const signed = serviceRequest({
      category: 'connections',
      event: 'connected',
      keys: [PRIMARY_KEY],
      body: connectedBody(),
    });
    expect(await dispatcher.dispatch(signed)).toEqual({ kind: 'accepted' });
    const unsigned = serviceRequest({
      category: 'connections',
      event: 'connected',
      signature: null,
      body: connectedBody(),
    });
    expect(
      await dispatcher.dispatch({
        headers: { ...unsigned.headers, Authentication: `Bearer ${await token()}` },
        body: unsigned.body,
      }),
    ).toEqual({
      kind: 'accepted',
    });
    expect(await dispatcher.dispatch(unsigned)).toMatchObject({ kind: 'rejected', code: 'UPSTREAM_UNAUTHORIZED' });
    expect(seen).toHaveLength(2);
  });
});

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EntraAccessKey, getSigningKey } from './access-key-provider.js';
import type { AccessKeyOptions } from './access-key-provider.js';
import { parseConnectionString } from './connection-string.js';
import { setCredential } from './identity-credential.js';
import type { TokenCredential } from './identity-credential.js';
import type { ServiceEndpoint } from './service-endpoint.js';
import { rejectionOf } from '../__fixtures__/rejection-of.js';

const ENTRA_TOKEN = 'ENTRA-TOKEN-SHOULD-NOT-LEAK';
const MINUTE = 60_000;

interface SeenRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly authorization: string | undefined;
}

type Reply = (response: ServerResponse) => void;

/** A local stand-in of the service's access-key endpoint, answering with the queued replies. */
let server: Server;
let base: string;
const seen: SeenRequest[] = [];
let replies: Reply[] = [];
let fallback: Reply;

function json(body: unknown, status = 200): Reply {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

function status(code: number, body = ''): Reply {
  return (response) => {
    response.writeHead(code, { 'content-type': 'text/plain' });
    response.end(body);
  };
}

const hang: Reply = () => undefined;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
    (replies.shift() ?? fallback)(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  replies = [];
  fallback = json({ KeyId: 'kid-1', AccessKey: 'fetched-key-1' });
});

interface StubCredential extends TokenCredential {
  readonly scopes: (string | string[])[];
}

function stubCredential(token: string | null = ENTRA_TOKEN): StubCredential {
  const scopes: (string | string[])[] = [];
  return {
    scopes,
    getToken(requested) {
      scopes.push(requested);
      return Promise.resolve(token === null ? null : { token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

function identityEndpoint(extra = ''): ServiceEndpoint {
  // Endpoint is unreachable on purpose: the key must be fetched from ServerEndpoint.
  return parseConnectionString(
    `Endpoint=https://unreachable.invalid;AuthType=azure.msi;ServerEndpoint=${base}${extra}`,
  );
}

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

function provider(options: AccessKeyOptions = {}): EntraAccessKey {
  return new EntraAccessKey(identityEndpoint(), { credential: stubCredential(), retryDelayMs: 0, ...options });
}

describe('getSigningKey', () => {
  it('returns the AccessKey without kid and without any request', async () => {
    const endpoint = parseConnectionString(`Endpoint=${base};AccessKey=the-access-key`);
    expect(await getSigningKey(endpoint)).toEqual({ key: 'the-access-key' });
    expect(await getSigningKey(endpoint)).toBe(await getSigningKey(endpoint));
    expect(seen).toHaveLength(0);
  });

  it('fetches the key of an identity endpoint from ServerEndpoint with an Entra ID bearer token', async () => {
    const credential = stubCredential();
    const endpoint = identityEndpoint();
    const key = await getSigningKey(endpoint, { credential });
    expect(key).toEqual({ key: 'fetched-key-1', kid: 'kid-1' });
    expect(credential.scopes).toEqual(['https://signalr.azure.com/.default']);
    expect(seen).toEqual([{ method: 'GET', url: '/api/v1/auth/accessKey', authorization: `Bearer ${ENTRA_TOKEN}` }]);
    // cached per endpoint
    expect(await getSigningKey(endpoint)).toBe(key);
    expect(seen).toHaveLength(1);
  });

  it('keeps the ServerEndpoint path and uses the credential set with setCredential', async () => {
    const endpoint = identityEndpoint('/signalr/');
    const credential = stubCredential('other-token');
    setCredential(endpoint, credential);
    await getSigningKey(endpoint);
    expect(seen).toEqual([
      { method: 'GET', url: '/signalr/api/v1/auth/accessKey', authorization: 'Bearer other-token' },
    ]);
  });

  it('shares one fetch between concurrent callers', async () => {
    const endpoint = identityEndpoint();
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => getSigningKey(endpoint, { credential: stubCredential() })),
    );
    expect(new Set(keys).size).toBe(1);
    expect(seen).toHaveLength(1);
  });
});

describe('EntraAccessKey refresh', () => {
  it('serves the key for 55 minutes, then refreshes ahead while serving the old key', async () => {
    const time = clock();
    const key = provider({ now: time.now });
    expect(await key.get()).toEqual({ key: 'fetched-key-1', kid: 'kid-1' });
    time.advance(54 * MINUTE);
    await key.get();
    expect(seen).toHaveLength(1);

    fallback = json({ KeyId: 'kid-2', AccessKey: 'fetched-key-2' });
    time.advance(2 * MINUTE);
    // the old key answers at once; the refresh runs behind it
    expect(await key.get()).toEqual({ key: 'fetched-key-1', kid: 'kid-1' });
    expect(key.refreshing).toBeDefined();
    await key.refreshing;
    expect(seen).toHaveLength(2);
    expect(await key.get()).toEqual({ key: 'fetched-key-2', kid: 'kid-2' });
  });

  it('keeps serving the old key while refreshes fail, retries at most once a minute, and gives up after 120 minutes', async () => {
    const time = clock();
    const key = provider({ now: time.now });
    await key.get();
    fallback = status(403);

    time.advance(56 * MINUTE);
    expect((await key.get()).key).toBe('fetched-key-1');
    await key.refreshing;
    expect(seen).toHaveLength(2);

    time.advance(30_000);
    expect((await key.get()).key).toBe('fetched-key-1');
    expect(key.refreshing).toBeUndefined();
    expect(seen).toHaveLength(2);

    time.advance(31_000);
    expect((await key.get()).key).toBe('fetched-key-1');
    await key.refreshing;
    expect(seen).toHaveLength(3);

    time.advance(64 * MINUTE); // 121 minutes after the last successful fetch
    const error = await rejectionOf(key.get());
    expect(error.code).toBe('ACCESS_KEY_UNAVAILABLE');
    expect(error.message).toContain('SignalR App Server');
  });

  it('waits for a fresh key once the old one expired', async () => {
    const time = clock();
    const key = provider({ now: time.now });
    await key.get();
    fallback = json({ KeyId: 'kid-3', AccessKey: 'fetched-key-3' });
    time.advance(121 * MINUTE);
    expect(await key.get()).toEqual({ key: 'fetched-key-3', kid: 'kid-3' });
  });

  it('without a key, answers the last failure for 10 seconds instead of refetching', async () => {
    const time = clock();
    const key = provider({ now: time.now });
    fallback = status(401);
    const first = await rejectionOf(key.get());
    expect(first.message).toContain('401');
    expect(await rejectionOf(key.get())).toBe(first);
    expect(seen).toHaveLength(1);
    time.advance(10_000);
    fallback = json({ KeyId: 'k', AccessKey: 'v' });
    expect(await key.get()).toEqual({ key: 'v', kid: 'k' });
    expect(seen).toHaveLength(2);
  });
});

describe('EntraAccessKey errors', () => {
  it.each([
    [401, 'Entra ID authentication'],
    [403, 'SignalR App Server'],
    [404, 'Check Endpoint / ServerEndpoint'],
    [400, 'answered 400'],
  ])('explains a %i without retrying', async (code, fragment) => {
    fallback = status(code, `body with ${ENTRA_TOKEN}`);
    const error = await rejectionOf(provider().get());
    expect(error.code).toBe('ACCESS_KEY_UNAVAILABLE');
    expect(error.status).toBe(code);
    expect(error.message).toContain(fragment);
    expect(error.message).not.toContain(ENTRA_TOKEN);
    expect(seen).toHaveLength(1);
  });

  it('retries 5xx, 429 and 408 up to 3 attempts, then succeeds or reports the last failure', async () => {
    replies = [status(503), status(429)];
    expect((await provider().get()).key).toBe('fetched-key-1');
    expect(seen).toHaveLength(3);

    seen.length = 0;
    fallback = status(500);
    const error = await rejectionOf(provider().get());
    expect(seen).toHaveLength(3);
    expect(error.code).toBe('ACCESS_KEY_UNAVAILABLE');
    expect(error.message).toContain('3 attempts');
    expect(error.message).toContain('500');
  });

  it('times out a hanging service and says so', async () => {
    fallback = hang;
    const error = await rejectionOf(provider({ timeoutMs: 50 }).get());
    expect(error.message).toContain('timed out');
    expect(seen).toHaveLength(3);
    server.closeAllConnections();
  });

  it('times out a hanging credential', async () => {
    const never: TokenCredential = { getToken: () => new Promise(() => undefined) };
    const error = await rejectionOf(provider({ credential: never, timeoutMs: 50 }).get());
    expect(error.code).toBe('ACCESS_KEY_UNAVAILABLE');
    expect(error.message).toContain('timed out');
    expect(seen).toHaveLength(0);
  });

  it('reports a credential failure with its reason and a credential without token', async () => {
    const failing: TokenCredential = {
      getToken: () => Promise.reject(new Error('ManagedIdentityCredential: no identity endpoint')),
    };
    const error = await rejectionOf(provider({ credential: failing }).get());
    expect(error.message).toContain('no identity endpoint');
    expect(error.cause).toBeInstanceOf(Error);
    const empty = await rejectionOf(provider({ credential: stubCredential(null) }).get());
    expect(empty.message).toContain('returned no Microsoft Entra ID token');
    expect(seen).toHaveLength(0);
  });

  it('reports an unreachable service as a network failure after retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const endpoint = parseConnectionString(`Endpoint=http://127.0.0.1:${String(port)};AuthType=azure`);
    const error = await rejectionOf(
      new EntraAccessKey(endpoint, { credential: stubCredential(), retryDelayMs: 0 }).get(),
    );
    expect(error.message).toContain('request failed');
  });

  it.each([
    ['not JSON', (r: ServerResponse) => r.end('<html>'), 'not JSON'],
    ['an array', json([{ KeyId: 'k', AccessKey: 'v' }]), 'not a JSON object'],
    ['null', json(null), 'not a JSON object'],
    ['no KeyId', json({ AccessKey: 'v' }), 'KeyId'],
    ['an empty KeyId', json({ KeyId: '', AccessKey: 'v' }), 'KeyId'],
    ['a numeric KeyId', json({ KeyId: 5, AccessKey: 'v' }), 'KeyId'],
    ['no AccessKey', json({ KeyId: 'k' }), 'AccessKey'],
    ['an object AccessKey', json({ KeyId: 'k', AccessKey: { v: 1 } }), 'AccessKey'],
    ['an oversized AccessKey', json({ KeyId: 'k', AccessKey: 'x'.repeat(4097) }), 'AccessKey'],
    ['an oversized body', json({ KeyId: 'k', AccessKey: 'v', padding: 'x'.repeat(70_000) }), 'larger than'],
    [
      'an oversized chunked body',
      (r: ServerResponse) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 10; i++) r.write('x'.repeat(8 * 1024));
        r.end();
      },
      'larger than',
    ],
  ])('refuses an answer that is %s', async (_, reply, fragment) => {
    fallback = reply;
    const error = await rejectionOf(provider().get());
    expect(error.code).toBe('ACCESS_KEY_UNAVAILABLE');
    expect(error.message).toContain(fragment);
    expect(error.message).not.toContain(ENTRA_TOKEN);
  });

  it('reads camelCase property names too', async () => {
    fallback = json({ keyId: 'k', accessKey: 'v' });
    expect(await provider().get()).toEqual({ key: 'v', kid: 'k' });
  });

  it('does not follow redirects with the bearer token', async () => {
    fallback = (response) => {
      response.writeHead(302, { location: `${base}/elsewhere` });
      response.end();
    };
    await rejectionOf(provider().get());
    expect(seen.every((request) => request.url === '/api/v1/auth/accessKey')).toBe(true);
  });
});

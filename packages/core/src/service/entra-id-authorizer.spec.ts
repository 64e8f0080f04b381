import { describe, expect, it } from 'vitest';
import type { TokenCredential } from '../connection/identity-credential.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { EntraIdAuthorizer } from './entra-id-authorizer.js';

const HOUR = 3_600_000;

class FakeCredential implements TokenCredential {
  readonly scopes: (string | string[])[] = [];
  calls = 0;
  next: () => Promise<{ token: string; expiresOnTimestamp: number } | null>;

  constructor(private readonly clock: () => number) {
    this.next = () => Promise.resolve({ token: `entra-${this.calls}`, expiresOnTimestamp: this.clock() + HOUR });
  }

  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null> {
    this.calls++;
    this.scopes.push(scopes);
    return this.next();
  }
}

describe('EntraIdAuthorizer', () => {
  it('asks for the SignalR scope and caches the token for every audience', async () => {
    const now = 1_000_000;
    const credential = new FakeCredential(() => now);
    const authorizer = new EntraIdAuthorizer(() => Promise.resolve(credential), { now: () => now });
    expect(await authorizer.authorization('https://a', undefined)).toBe('Bearer entra-1');
    expect(await authorizer.authorization('https://b', undefined)).toBe('Bearer entra-1');
    expect(credential.calls).toBe(1);
    expect(credential.scopes).toEqual(['https://signalr.azure.com/.default']);
  });

  it('shares one fetch between concurrent requests', async () => {
    const credential = new FakeCredential(Date.now);
    const authorizer = new EntraIdAuthorizer(() => Promise.resolve(credential));
    const answers = await Promise.all([1, 2, 3].map(() => authorizer.authorization('https://a', undefined)));
    expect(answers).toEqual(['Bearer entra-1', 'Bearer entra-1', 'Bearer entra-1']);
    expect(credential.calls).toBe(1);
  });

  it('refreshes in the background inside the last five minutes, and waits once the token lapsed', async () => {
    let now = 1_000_000;
    const credential = new FakeCredential(() => now);
    const authorizer = new EntraIdAuthorizer(() => Promise.resolve(credential), { now: () => now });
    await authorizer.authorization('https://a', undefined);
    now += HOUR - 4 * 60_000;
    // Still valid: answered at once with the old token while the refresh runs.
    expect(await authorizer.authorization('https://a', undefined)).toBe('Bearer entra-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(credential.calls).toBe(2);
    expect(await authorizer.authorization('https://a', undefined)).toBe('Bearer entra-2');
    now += 2 * HOUR;
    expect(await authorizer.authorization('https://a', undefined)).toBe('Bearer entra-3');
  });

  it('keeps using a still-valid token when a background refresh fails', async () => {
    let now = 1_000_000;
    const credential = new FakeCredential(() => now);
    const authorizer = new EntraIdAuthorizer(() => Promise.resolve(credential), { now: () => now });
    await authorizer.authorization('https://a', undefined);
    credential.next = () => Promise.reject(new Error('identity platform down'));
    now += HOUR - 60_000;
    expect(await authorizer.authorization('https://a', undefined)).toBe('Bearer entra-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(credential.calls).toBe(2);
  });

  it('fails with REST_CREDENTIAL_FAILED when the credential throws or returns nothing', async () => {
    const credential = new FakeCredential(Date.now);
    const authorizer = new EntraIdAuthorizer(() => Promise.resolve(credential));
    credential.next = () => Promise.reject(new Error('AADSTS700016: application not found'));
    const thrown = await authorizer.authorization('https://a', undefined).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ServerlessHubError);
    expect((thrown as ServerlessHubError).code).toBe('REST_CREDENTIAL_FAILED');
    expect((thrown as ServerlessHubError).message).toContain('AADSTS700016');
    credential.next = () => Promise.resolve(null);
    await expect(authorizer.authorization('https://a', undefined)).rejects.toMatchObject({
      code: 'REST_CREDENTIAL_FAILED',
    });
  });

  it('lets a caller give up waiting with its AbortSignal', async () => {
    const credential = new FakeCredential(Date.now);
    credential.next = () => new Promise(() => undefined);
    const authorizer = new EntraIdAuthorizer(() => Promise.resolve(credential));
    const controller = new AbortController();
    const pending = authorizer.authorization('https://a', controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toMatchObject({ code: 'REST_ABORTED' });
  });

  it('passes the error of building the credential through', async () => {
    const authorizer = new EntraIdAuthorizer(() =>
      Promise.reject(new ServerlessHubError('IDENTITY_UNAVAILABLE', 'no @azure/identity')),
    );
    await expect(authorizer.authorization('https://a', undefined)).rejects.toMatchObject({
      code: 'IDENTITY_UNAVAILABLE',
    });
  });
});
